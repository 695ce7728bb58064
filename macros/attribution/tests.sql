{#-
    Generic tests of the attribution marts and of the Python-written `ml` tables they read.

    Tests named `ml_*` guard tables a Python asset writes: when the table does not exist yet (a plain
    `dbt build` before the first Python run) they pass with no rows instead of failing on a missing
    relation; once it exists they check it like the built-in test of the same name.
-#}

{% macro relation_exists_at_runtime(relation) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {{ return(existing is not none) }}
{%- endmacro %}

{% macro no_rows() -%}
    select cast(null as {{ dbt.type_string() }}) as skipped_because_table_is_missing
    where 1 = 0
{%- endmacro %}

{% test ml_not_null(model, column_name) %}
    {%- if relation_exists_at_runtime(model) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is null
    {%- else %}
    {{ no_rows() }}
    {%- endif %}
{% endtest %}

{% test ml_accepted_values(model, column_name, values) %}
    {%- if relation_exists_at_runtime(model) %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (
            {%- for value in values %}
            '{{ value }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
    {%- else %}
    {{ no_rows() }}
    {%- endif %}
{% endtest %}

{% test ml_accepted_range(model, column_name, min_value=none, max_value=none) %}
    {%- if relation_exists_at_runtime(model) %}
    select {{ column_name }}
    from {{ model }}
    where
        false
        {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
        {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
    {%- else %}
    {{ no_rows() }}
    {%- endif %}
{% endtest %}

{% test ml_unique_combination_of_columns(model, combination_of_columns) %}
    {%- if relation_exists_at_runtime(model) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
    {%- else %}
    {{ no_rows() }}
    {%- endif %}
{% endtest %}

{#- Each (model, channel set) of ml.attribution_channel_set_credits hands out exactly 1 (±1e-9), once per member channel. -#}
{% test ml_channel_set_credits_are_complete(model) %}
    {%- if relation_exists_at_runtime(model) %}
    select
        model,
        channel_set,
        sum(channel_credit) as total_credit,
        count(*) as channels
    from {{ model }}
    group by
        model,
        channel_set
    having
        abs(sum(channel_credit) - 1) > 1e-9
        or count(*) != {{ dbt.length('channel_set') }} - {{ dbt.length(dbt.replace('channel_set', "','", "''")) }} + 1
    {%- else %}
    {{ no_rows() }}
    {%- endif %}
{% endtest %}

{#-
    Credits of every (conversion, model) sum to 1 within `tolerance`, and every model covers every
    conversion that has at least one eligible touchpoint (none left out, none extra).
-#}
{% test credits_sum_to_one_per_conversion(model, eligible_model, tolerance=1e-9) %}
    with

    credit_totals as (
        select
            conversion_id,
            model,
            sum(credit) as total_credit
        from {{ model }}
        group by
            conversion_id,
            model
    ),

    models as (
        select distinct model
        from {{ model }}
    ),

    expected as (
        select distinct
            eligible.conversion_id,
            models.model
        from {{ eligible_model }} as eligible
        cross join models
    )

    select
        coalesce(expected.conversion_id, credit_totals.conversion_id) as conversion_id,
        coalesce(expected.model, credit_totals.model) as model,
        credit_totals.total_credit
    from expected
    full outer join credit_totals
        on
            expected.conversion_id = credit_totals.conversion_id
            and expected.model = credit_totals.model
    where
        credit_totals.conversion_id is null
        or expected.conversion_id is null
        or abs(credit_totals.total_credit - 1) > {{ tolerance }}
{% endtest %}

{#-
    Incremental attributed revenue splits each conversion exactly: per (conversion, model) the
    touchpoints' incremental_attributed_revenue plus the baseline part (conversion value ×
    baseline_share) equals the conversion value, within `tolerance_per_row` per touchpoint; and
    baseline_share is one value per conversion. Conversions without a baseline share are skipped.
-#}
{% test incremental_revenue_splits_conversion(model, tolerance_per_row=0.000001) %}
    select
        conversion_id,
        model,
        sum(incremental_attributed_revenue) as incremental_revenue,
        max(conversion_value) * max(baseline_share) as baseline_revenue,
        max(conversion_value) as conversion_value
    from {{ model }}
    where baseline_share is not null
    group by
        conversion_id,
        model
    having
        abs(sum(incremental_attributed_revenue) + max(conversion_value) * max(baseline_share) - max(conversion_value))
        > {{ tolerance_per_row }} * count(*) + 0.000001
        or max(baseline_share) - min(baseline_share) > 1e-12
{% endtest %}

{#-
    Attributed revenue per model equals attributable revenue (the net revenue of conversions with
    at least one eligible touchpoint), within `tolerance` per conversion (money is rounded to 6
    decimals per row).
-#}
{% test attributed_revenue_equals_attributable_revenue(model, eligible_model, tolerance_per_row=0.000001) %}
    with

    attributable as (
        select
            sum(conversion_value) as attributable_revenue,
            count(*) as attributable_rows
        from (
            select distinct
                conversion_id,
                conversion_value
            from {{ eligible_model }}
        ) as conversions
    ),

    attributed as (
        select
            model,
            sum(attributed_revenue) as attributed_revenue,
            count(*) as credited_rows
        from {{ model }}
        group by model
    )

    select
        attributed.model,
        attributed.attributed_revenue,
        attributable.attributable_revenue
    from attributed
    cross join attributable
    where
        abs(attributed.attributed_revenue - attributable.attributable_revenue)
        > {{ tolerance_per_row }} * attributed.credited_rows + 0.000001
{% endtest %}

{#- No credited touchpoint lies outside [converted_at - lookback, converted_at]. -#}
{% test credit_within_lookback_window(model, lookback_days=none) %}
    {%- set lookback_days = lookback_days or var('attribution_lookback_days', 30) %}
    select *
    from {{ model }}
    where
        touched_at > converted_at
        or touched_at < {{ dbt.dateadd('day', -1 * lookback_days, 'converted_at') }}
{% endtest %}

{#- After dedupe no conversion keeps two touchpoints of one channel less than var('touchpoint_dedupe_minutes') apart. -#}
{% test no_same_channel_touchpoints_within_dedupe_window(model, dedupe_minutes=none) %}
    {%- set dedupe_minutes = dedupe_minutes if dedupe_minutes is not none else var('touchpoint_dedupe_minutes', 30) %}
    with

    ordered as (
        select
            conversion_id,
            channel,
            touchpoint_id,
            touched_at,
            lag(touched_at) over (
                partition by conversion_id, channel
                order by touched_at, touchpoint_id
            ) as previous_touched_at
        from {{ model }}
    )

    select *
    from ordered
    where
        previous_touched_at is not null
        and {{ dbt.datediff('previous_touched_at', 'touched_at', 'millisecond') }} < {{ dedupe_minutes * 60000 }}
{% endtest %}

{#- Every rule of the threshold seed names a metric × scope pair int_threshold__metric_values computes. -#}
{% test threshold_rules_are_supported(model) %}
    select *
    from {{ model }}
    where not (
        (metric in ('cac', 'roas', 'cpa', 'ctr_change') and scope in ('channel', 'channel_market', 'campaign'))
        or (metric = 'platform_overcount_ratio' and scope in ('channel', 'channel_market'))
        or (metric = 'stock_to_safety_ratio' and scope = 'product')
        or (metric = 'avg_delivery_days' and scope in ('market', 'region'))
        or (metric = 'share_to_order_rate' and scope = 'referral')
    )
{% endtest %}

{#-
    The conversion × touchpoint × model rows of an `ml` credits table written by Python match the
    credits fct_attribution derives for the same rows (within `tolerance`), for the conversions the
    Python run saw. Passes with no rows while the table does not exist.
-#}
{% test ml_credits_match(model, python_credits, tolerance=0.000001) %}
    {%- if relation_exists_at_runtime(python_credits) %}
    select
        python_credits.conversion_id,
        python_credits.touchpoint_id,
        python_credits.model,
        python_credits.credit as python_credit,
        sql_credits.credit as sql_credit
    from {{ python_credits }} as python_credits
    inner join {{ model }} as sql_credits
        on
            python_credits.conversion_id = sql_credits.conversion_id
            and python_credits.touchpoint_id = sql_credits.touchpoint_id
            and python_credits.model = sql_credits.model
    where abs(python_credits.credit - sql_credits.credit) > {{ tolerance }}
    {%- else %}
    {{ no_rows() }}
    {%- endif %}
{% endtest %}
