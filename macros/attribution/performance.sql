{#-
    Shared measure lists of the performance marts, so daily marts and their monthly rollups define
    the ratios once (DESIGN.md section 6).
-#}

{#- Additive measures that do not depend on the attribution model (spend, delivery, sessions, claims). -#}
{% macro performance_model_independent_measures() -%}
    {{ return([
        'spend', 'ad_spend', 'creator_fees', 'impressions', 'clicks', 'sessions',
        'platform_conversions', 'platform_conversion_value',
    ]) }}
{%- endmacro %}

{#- Additive measures a model credits (from fct_attribution). -#}
{% macro performance_attributed_measures() -%}
    {{ return([
        'attributed_orders', 'attributed_new_customers', 'attributed_revenue',
        'attributed_contribution_before_ad_spend', 'incremental_attributed_revenue', 'acquisition_repeat_revenue',
    ]) }}
{%- endmacro %}

{#- Additive measures (summed by every rollup). -#}
{% macro performance_additive_measures() -%}
    {{ return(performance_model_independent_measures() + performance_attributed_measures()) }}
{%- endmacro %}

{#-
    Select-list pieces of the marts' `components` unions (one branch per source, every branch with
    every additive measure): `q.x` for each measure of `measures`, or `0 as x`.
-#}
{% macro performance_measure_columns(measures, qualifier) -%}
    {%- for measure in measures %}
    {{ qualifier }}.{{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro performance_zero_columns(measures) -%}
    {%- for measure in measures %}
    0 as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    The attributed measures of one fct_attribution row: its credit as orders (and as new customers on
    a first order), its credited revenue and contribution, its incremental revenue (the attributed
    revenue before the data-driven asset has written the baseline shares) and its repeat revenue (0
    until then).
-#}
{% macro attribution_row_measures() -%}
    credit as attributed_orders,
    case when is_first_order then credit else 0 end as attributed_new_customers,
    attributed_revenue,
    attributed_contribution_before_ad_spend,
    coalesce(incremental_attributed_revenue, attributed_revenue) as incremental_attributed_revenue,
    coalesce(acquisition_repeat_revenue, 0) as acquisition_repeat_revenue
{%- endmacro %}

{#-
    Ratio columns from the (already summed) additive measures:
    CTR = clicks / impressions; CPC = spend / clicks; CPM = 1000 × spend / impressions;
    ROAS = attributed net revenue / spend; CPA = spend / attributed orders; CAC = spend / attributed
    new customers (first orders credited by the same model); contribution margin = attributed
    contribution before ad spend − spend; platform over-count = platform-claimed conversions /
    attributed orders (ad channels only; > 1 means the platforms claim more than we credit them);
    incremental ROAS = incremental attributed revenue (fct_attribution: the customers' own baseline
    part of each conversion removed) / spend; with repeat = (incremental attributed revenue + acquisition
    repeat revenue, the later orders of the customers the row's first orders won, owed to that acquisition) /
    spend: the channel's whole incremental value (the repeat part is also counted on the later orders' own rows,
    so it is not summed with the total).
-#}
{% macro performance_ratio_columns() -%}
    cast(attributed_contribution_before_ad_spend - spend as {{ type_money() }}) as contribution_margin,
    cast({{ safe_ratio('clicks', 'impressions') }} as {{ type_double() }}) as click_through_rate,
    cast({{ safe_ratio('spend', 'clicks') }} as {{ type_money() }}) as cost_per_click,
    cast({{ safe_ratio('spend', 'impressions', 1000) }} as {{ type_money() }}) as cost_per_mille,
    cast({{ safe_ratio('attributed_revenue', 'spend') }} as {{ type_double() }}) as return_on_ad_spend,
    cast({{ safe_ratio('spend', 'attributed_orders') }} as {{ type_money() }}) as cost_per_acquisition,
    cast({{ safe_ratio('spend', 'attributed_new_customers') }} as {{ type_money() }}) as customer_acquisition_cost,
    cast({{ safe_ratio('platform_conversions', 'attributed_orders') }} as {{ type_double() }})
        as platform_overcount_ratio,
    cast({{ safe_ratio('incremental_attributed_revenue', 'spend') }} as {{ type_double() }})
        as incremental_return_on_ad_spend,
    cast({{ safe_ratio('incremental_attributed_revenue + acquisition_repeat_revenue', 'spend') }} as {{ type_double() }})
        as incremental_return_on_ad_spend_with_repeat
{%- endmacro %}

{#- `sum(x) as x` for every additive measure (a rollup's select list). -#}
{% macro sum_performance_measures() -%}
    {%- for measure in performance_additive_measures() %}
    sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    The attribution models fct_attribution holds, as a one-column relation (for cross joins): the six
    rule-based models, plus markov and shapley once the Python asset has written their channel-set
    credits (the same condition fct_attribution uses). Independent of the data, so an unattributed
    line exists for every model even on a day without any attributable conversion.
-#}
{% macro attribution_models_relation() -%}
    {%- set models = attribution_rule_models() -%}
    {%- if existing_source_relation('ml', 'attribution_channel_set_credits') is not none -%}
        {%- set models = models + attribution_data_driven_models() -%}
    {%- endif -%}
    {%- for model_name in models %}
    select '{{ model_name }}' as model{{ ' union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Contracted type of each additive measure. -#}
{% macro performance_measure_type(measure) -%}
    {%- if measure in ('impressions', 'clicks', 'sessions') -%}
        {{ dbt.type_bigint() }}
    {%- elif measure in ('platform_conversions', 'attributed_orders', 'attributed_new_customers') -%}
        {{ type_double() }}
    {%- else -%}
        {{ type_money() }}
    {%- endif -%}
{%- endmacro %}

{#- `cast(<qualifier>.x as <type>) as x` for every additive measure (trailing comma included). -#}
{% macro cast_performance_measures(qualifier=none) -%}
    {%- for measure in performance_additive_measures() %}
    cast({{ (qualifier ~ '.') if qualifier else '' }}{{ measure }} as {{ performance_measure_type(measure) }}) as {{ measure }},
    {%- endfor %}
{%- endmacro %}

{#-
    Measures and blended ratios of the market performance marts, from summed columns:
    contribution margin = contribution before ad spend − marketing spend; ROAS = net revenue / spend;
    CAC = spend / new customers; CPA = spend / orders; AOV = net revenue / orders; site CVR = orders /
    sessions; platform over-count = platform-claimed conversions / all orders of the market.
-#}
{% macro market_performance_columns(qualifier=none) -%}
    {%- set q = (qualifier ~ '.') if qualifier else '' -%}
    cast({{ q }}spend as {{ type_money() }}) as spend,
    cast({{ q }}ad_spend as {{ type_money() }}) as ad_spend,
    cast({{ q }}creator_fees as {{ type_money() }}) as creator_fees,
    cast({{ q }}impressions as {{ dbt.type_bigint() }}) as impressions,
    cast({{ q }}clicks as {{ dbt.type_bigint() }}) as clicks,
    cast({{ q }}platform_conversions as {{ type_double() }}) as platform_conversions,
    cast({{ q }}platform_conversion_value as {{ type_money() }}) as platform_conversion_value,
    cast({{ q }}sessions as {{ dbt.type_bigint() }}) as sessions,
    cast({{ q }}orders as {{ dbt.type_bigint() }}) as orders,
    cast({{ q }}new_customers as {{ dbt.type_bigint() }}) as new_customers,
    cast({{ q }}net_revenue as {{ type_money() }}) as net_revenue,
    cast({{ q }}contribution_before_ad_spend as {{ type_money() }}) as contribution_before_ad_spend,
    cast({{ q }}contribution_before_ad_spend - {{ q }}spend as {{ type_money() }}) as contribution_margin,
    cast({{ q }}attributable_orders as {{ dbt.type_bigint() }}) as attributable_orders,
    cast({{ q }}attributable_revenue as {{ type_money() }}) as attributable_revenue,
    cast({{ q }}orders - {{ q }}attributable_orders as {{ dbt.type_bigint() }}) as unattributed_orders,
    cast({{ q }}net_revenue - {{ q }}attributable_revenue as {{ type_money() }}) as unattributed_revenue,
    cast({{ safe_ratio(q ~ 'clicks', q ~ 'impressions') }} as {{ type_double() }}) as click_through_rate,
    cast({{ safe_ratio(q ~ 'spend', q ~ 'clicks') }} as {{ type_money() }}) as cost_per_click,
    cast({{ safe_ratio(q ~ 'spend', q ~ 'impressions', 1000) }} as {{ type_money() }}) as cost_per_mille,
    cast({{ safe_ratio(q ~ 'net_revenue', q ~ 'spend') }} as {{ type_double() }}) as return_on_ad_spend,
    cast({{ safe_ratio(q ~ 'spend', q ~ 'orders') }} as {{ type_money() }}) as cost_per_acquisition,
    cast({{ safe_ratio(q ~ 'spend', q ~ 'new_customers') }} as {{ type_money() }}) as customer_acquisition_cost,
    cast({{ safe_ratio(q ~ 'net_revenue', q ~ 'orders') }} as {{ type_money() }}) as average_order_value,
    cast({{ safe_ratio(q ~ 'orders', q ~ 'sessions') }} as {{ type_double() }}) as session_conversion_rate,
    cast({{ safe_ratio(q ~ 'platform_conversions', q ~ 'orders') }} as {{ type_double() }}) as platform_overcount_ratio
{%- endmacro %}

{#-
    The attribution model single-model summaries report (fct_creator_performance, fct_content_performance,
    the cohort and threshold marts default to it): var('attribution_reporting_model'), default
    'time_decay'. A data-driven model falls back to 'linear' until the Python asset has written its
    credits (the model column of those marts always says which model was used).
-#}
{% macro reporting_attribution_model() -%}
    {%- set requested = var('attribution_reporting_model', 'time_decay') -%}
    {%- if requested in attribution_data_driven_models()
          and existing_source_relation('ml', 'attribution_channel_set_credits') is none -%}
        {{ return('linear') }}
    {%- endif -%}
    {{ return(requested) }}
{%- endmacro %}

{#-
    Measures and ratios of the creator / content marts from summed columns: engagement rate =
    engagements / reach; ROAS = attributed revenue / creator fees; CPA = fees / attributed orders;
    contribution margin = attributed contribution before ad spend − fees.
-#}
{% macro creator_performance_columns(qualifier=none) -%}
    {%- set q = (qualifier ~ '.') if qualifier else '' -%}
    cast({{ q }}creator_fees as {{ type_money() }}) as creator_fees,
    cast({{ q }}posts as {{ dbt.type_bigint() }}) as posts,
    cast({{ q }}reach as {{ dbt.type_bigint() }}) as reach,
    cast({{ q }}engagements as {{ dbt.type_bigint() }}) as engagements,
    cast({{ q }}video_views as {{ dbt.type_bigint() }}) as video_views,
    cast({{ q }}sessions as {{ dbt.type_bigint() }}) as sessions,
    cast({{ q }}code_redemptions as {{ dbt.type_bigint() }}) as code_redemptions,
    cast({{ q }}attributed_orders as {{ type_double() }}) as attributed_orders,
    cast({{ q }}attributed_new_customers as {{ type_double() }}) as attributed_new_customers,
    cast({{ q }}attributed_revenue as {{ type_money() }}) as attributed_revenue,
    cast({{ q }}attributed_contribution_before_ad_spend as {{ type_money() }}) as attributed_contribution_before_ad_spend,
    cast({{ q }}attributed_contribution_before_ad_spend - {{ q }}creator_fees as {{ type_money() }}) as contribution_margin,
    cast({{ safe_ratio(q ~ 'engagements', q ~ 'reach') }} as {{ type_double() }}) as engagement_rate,
    cast({{ safe_ratio(q ~ 'attributed_revenue', q ~ 'creator_fees') }} as {{ type_double() }}) as return_on_ad_spend,
    cast({{ safe_ratio(q ~ 'creator_fees', q ~ 'attributed_orders') }} as {{ type_money() }}) as cost_per_acquisition
{%- endmacro %}
