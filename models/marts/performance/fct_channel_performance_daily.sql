{#-
    One row per day × channel × market (country) × attribution model, plus one
    'unattributed' channel row per day × market × model for conversions without any eligible
    touchpoint (the baseline, never spread over channels). Model-independent measures (spend,
    delivery, sessions, platform claims) repeat on each model's row: filter one model before
    summing them. incremental_attributed_revenue: on channel rows the channels' part of their
    credited revenue (fct_attribution), on the unattributed row the revenue no channel earned (the
    conversions without a touchpoint plus the baseline part of every attributed conversion), so per
    model it sums to the same total as attributed_revenue. Before the data-driven asset has written
    the baseline shares, it equals attributed_revenue.
-#}
with

costs as (

    select * from {{ ref('int_performance__marketing_costs') }}

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where touchpoint_type = 'web_session'

),

attribution as (

    select * from {{ ref('fct_attribution') }}

),

eligible_conversions as (

    select distinct conversion_id
    from {{ ref('int_attribution__eligible_touchpoints') }}

),

orders as (

    select * from {{ ref('fct_orders') }}
    where not is_cancelled

),

markets as (

    select * from {{ ref('dim_markets') }}

),

models as (

    {{ attribution_models_relation() }}

),

cost_components as (

    select
        date_day,
        channel,
        market_code,
        sum(spend) as spend,
        sum(case when cost_type = 'ad_spend' then spend else 0 end) as ad_spend,
        sum(case when cost_type = 'creator_fee' then spend else 0 end) as creator_fees,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        0 as sessions,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value) as platform_conversion_value
    from costs
    group by
        date_day,
        channel,
        market_code

),

session_components as (

    select
        touchpoint_date as date_day,
        channel,
        coalesce(country_code, 'ZZ') as market_code,
        count(*) as sessions
    from touchpoints
    group by
        touchpoint_date,
        channel,
        coalesce(country_code, 'ZZ')

),

model_independent as (

    select
        date_day,
        channel,
        market_code,
        spend,
        ad_spend,
        creator_fees,
        impressions,
        clicks,
        sessions,
        platform_conversions,
        platform_conversion_value
    from cost_components

    union all

    select
        date_day,
        channel,
        market_code,
        0 as spend,
        0 as ad_spend,
        0 as creator_fees,
        0 as impressions,
        0 as clicks,
        sessions,
        0 as platform_conversions,
        0 as platform_conversion_value
    from session_components

),

attributed_components as (

    select
        conversion_date as date_day,
        channel,
        coalesce(market_code, 'ZZ') as market_code,
        model,
        sum(credit) as attributed_orders,
        sum(case when is_first_order then credit else 0 end) as attributed_new_customers,
        sum(attributed_revenue) as attributed_revenue,
        sum(attributed_contribution_before_ad_spend) as attributed_contribution_before_ad_spend,
        sum(coalesce(incremental_attributed_revenue, attributed_revenue)) as incremental_attributed_revenue,
        sum(coalesce(acquisition_repeat_revenue, 0)) as acquisition_repeat_revenue
    from attribution
    group by
        conversion_date,
        channel,
        coalesce(market_code, 'ZZ'),
        model

),

baseline_parts as (

    select
        conversion_date as date_day,
        coalesce(market_code, 'ZZ') as market_code,
        model,
        sum(attributed_revenue - coalesce(incremental_attributed_revenue, attributed_revenue)) as baseline_revenue
    from attribution
    group by
        conversion_date,
        coalesce(market_code, 'ZZ'),
        model

),

unattributed_orders as (

    select
        orders.order_date as date_day,
        coalesce(orders.shipping_country_code, 'ZZ') as market_code,
        count(*) as orders,
        sum(case when orders.is_first_order then 1 else 0 end) as new_customers,
        sum(orders.net_revenue) as net_revenue,
        sum(orders.contribution_before_ad_spend) as contribution_before_ad_spend
    from orders
    left join eligible_conversions
        on orders.order_id = eligible_conversions.conversion_id
    where eligible_conversions.conversion_id is null
    group by
        orders.order_date,
        coalesce(orders.shipping_country_code, 'ZZ')

),

unattributed_lines as (

    select
        unattributed_orders.date_day,
        unattributed_orders.market_code,
        models.model,
        unattributed_orders.orders,
        unattributed_orders.new_customers,
        unattributed_orders.net_revenue,
        unattributed_orders.contribution_before_ad_spend,
        unattributed_orders.net_revenue as incremental_revenue
    from unattributed_orders
    cross join models

    union all

    select
        date_day,
        market_code,
        model,
        0 as orders,
        0 as new_customers,
        0 as net_revenue,
        0 as contribution_before_ad_spend,
        baseline_revenue as incremental_revenue
    from baseline_parts

),

components as (

    select
        model_independent.date_day,
        model_independent.channel,
        model_independent.market_code,
        models.model,
        {{- performance_measure_columns(performance_model_independent_measures(), 'model_independent') | indent(4) }},
        {{- performance_zero_columns(performance_attributed_measures()) | indent(4) }}
    from model_independent
    cross join models

    union all

    select
        date_day,
        channel,
        market_code,
        model,
        {{- performance_zero_columns(performance_model_independent_measures()) | indent(4) }},
        {{- performance_measure_columns(performance_attributed_measures(), 'attributed_components') | indent(4) }}
    from attributed_components

    union all

    select
        date_day,
        {{ unattributed_channel() }} as channel,
        market_code,
        model,
        0 as spend,
        0 as ad_spend,
        0 as creator_fees,
        0 as impressions,
        0 as clicks,
        0 as sessions,
        0 as platform_conversions,
        0 as platform_conversion_value,
        orders as attributed_orders,
        new_customers as attributed_new_customers,
        net_revenue as attributed_revenue,
        contribution_before_ad_spend as attributed_contribution_before_ad_spend,
        incremental_revenue as incremental_attributed_revenue,
        0 as acquisition_repeat_revenue
    from unattributed_lines

),

daily as (

    select
        date_day,
        channel,
        market_code,
        model,
        {{ sum_performance_measures() }}
    from components
    group by
        date_day,
        channel,
        market_code,
        model

),

final as (

    select
        {{ compound_key(['daily.date_day', 'daily.channel', 'daily.market_code', 'daily.model']) }} as channel_performance_key,
        daily.date_day,
        {{ month_start('daily.date_day') }} as month_start,
        daily.channel,
        daily.channel = {{ unattributed_channel() }} as is_unattributed,
        daily.market_code,
        coalesce(markets.region, 'UNKNOWN') as region,
        daily.model,
        {{- cast_performance_measures('daily') | indent(4) }}
        {{ performance_ratio_columns() | indent(8) }}
    from daily
    left join markets
        on daily.market_code = markets.country_code

)

select * from final
