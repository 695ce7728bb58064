{#- Fails for every row where the column is negative. Nulls pass. -#}
{% test non_negative(model, column_name) %}
    select {{ column_name }} as failing_value
    from {{ model }}
    where {{ column_name }} < 0
{% endtest %}

{#- Fails for every row whose value is outside [min_value, max_value]. Nulls pass. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    select {{ column_name }} as failing_value
    from {{ model }}
    where
        1 = 2
        {%- if min_value is not none %}
            or {{ column_name }} {{ '<' if inclusive else '<=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or {{ column_name }} {{ '>' if inclusive else '>=' }} {{ max_value }}
        {%- endif %}
{% endtest %}

{#- Fails for every combination of the columns that occurs more than once. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Fails when fewer than `at_least` (0..1) of the rows have a non-null value. -#}
{% test not_null_proportion(model, column_name, at_least=0.95) %}
    select
        count({{ column_name }}) as non_null_rows,
        count(*) as all_rows
    from {{ model }}
    having count(*) > 0 and count({{ column_name }}) < {{ at_least }} * count(*)
{% endtest %}

{#- Fails for every non-null value that is not an ISO-3166 alpha-2 code in the countries seed. -#}
{% test valid_iso_country(model, column_name) %}
    select distinct tested.{{ column_name }} as failing_value
    from {{ model }} as tested
    left join {{ ref('countries') }} as countries
        on tested.{{ column_name }} = countries.country_code
    where tested.{{ column_name }} is not null and countries.country_code is null
{% endtest %}

{#- Fails for every non-null value that is not an ISO-4217 code in the currencies seed. -#}
{% test valid_iso_currency(model, column_name) %}
    select distinct tested.{{ column_name }} as failing_value
    from {{ model }} as tested
    left join {{ ref('currencies') }} as currencies
        on tested.{{ column_name }} = currencies.currency_code
    where tested.{{ column_name }} is not null and currencies.currency_code is null
{% endtest %}

{#-
    Reconciliation: sum(column_name) of the tested model equals sum(compare_expression) of
    compare_model, per group (group_by / compare_group_by, same order), within `tolerance`
    (default half a cent). Groups present on one side only fail too. Optional where clauses.
-#}
{% test sums_equal(model, column_name, compare_model, compare_expression=none, group_by=[], compare_group_by=none, where_clause=none, compare_where_clause=none, tolerance=0.005) %}
    {%- set compare_expression = compare_expression or column_name -%}
    {%- set compare_group_by = compare_group_by if compare_group_by is not none else group_by -%}
    with

    tested as (
        select
            {%- for col in group_by %}
            {{ col }} as group_{{ loop.index }},
            {%- endfor %}
            sum({{ column_name }}) as total
        from {{ model }}
        {%- if where_clause %}
        where {{ where_clause }}
        {%- endif %}
        {%- if group_by %}
        group by {{ group_by | join(', ') }}
        {%- endif %}
    ),

    compared as (
        select
            {%- for col in compare_group_by %}
            {{ col }} as group_{{ loop.index }},
            {%- endfor %}
            sum({{ compare_expression }}) as total
        from {{ compare_model }}
        {%- if compare_where_clause %}
        where {{ compare_where_clause }}
        {%- endif %}
        {%- if compare_group_by %}
        group by {{ compare_group_by | join(', ') }}
        {%- endif %}
    )

    select
        {%- for col in group_by %}
        coalesce(tested.group_{{ loop.index }}, compared.group_{{ loop.index }}) as group_{{ loop.index }},
        {%- endfor %}
        tested.total as tested_total,
        compared.total as compared_total
    from tested
    full outer join compared
        on 1 = 1
        {%- for col in group_by %}
        and tested.group_{{ loop.index }} = compared.group_{{ loop.index }}
        {%- endfor %}
    where
        abs(coalesce(tested.total, 0) - coalesce(compared.total, 0)) > {{ tolerance }}
{% endtest %}

{#-
    Content lag: fails when the newest value of a date/timestamp column is more than
    max_lag_days before the as_of_date var (or the table is empty).
-#}
{% test content_lag_within(model, column_name, max_lag_days=1) %}
    select
        max({{ column_name }}) as newest_value,
        {{ as_of_date() }} as as_of_date
    from {{ model }}
    having
        max({{ column_name }}) is null
        or cast(max({{ column_name }}) as date) < {{ dbt.dateadd('day', -1 * max_lag_days, as_of_date()) }}
{% endtest %}

{#-
    Blocking guard: fails for every row of the tested model whose record key was quarantined.
    `column_name` is the tested model's record-key expression; `source_entity` selects the
    quarantined records ('<source>.<entity>', as in stg_quarantine__records.source_entity).
-#}
{% test excludes_quarantined(model, column_name, source_entity) %}
    select tested.{{ column_name }} as quarantined_record_key
    from {{ model }} as tested
    inner join {{ ref('stg_quarantine__records') }} as quarantined
        on cast(tested.{{ column_name }} as {{ dbt.type_string() }}) = quarantined.record_key
    where quarantined.source_entity = '{{ source_entity }}'
{% endtest %}
