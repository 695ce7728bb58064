{#-
    One row per day × market (country, with its region): blended marketing performance. Nothing
    here depends on the attribution model (a conversion's credits sum to 1 and its market is the
    order's), so attributable and unattributed revenue are single columns.
-#}
with

costs as (

    select * from {{ ref('int_performance__marketing_costs') }}

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where touchpoint_type = 'web_session'

),

orders as (

    select * from {{ ref('fct_orders') }}
    where not is_cancelled

),

eligible_conversions as (

    select distinct conversion_id
    from {{ ref('int_attribution__eligible_touchpoints') }}

),

markets as (

    select * from {{ ref('dim_markets') }}

),

components as (

    select
        date_day,
        market_code,
        spend,
        case when cost_type = 'ad_spend' then spend else 0 end as ad_spend,
        case when cost_type = 'creator_fee' then spend else 0 end as creator_fees,
        impressions,
        clicks,
        platform_conversions,
        platform_conversion_value,
        0 as sessions,
        0 as orders,
        0 as new_customers,
        0 as net_revenue,
        0 as contribution_before_ad_spend,
        0 as attributable_orders,
        0 as attributable_revenue
    from costs

    union all

    select
        touchpoint_date as date_day,
        coalesce(country_code, 'ZZ') as market_code,
        0 as spend,
        0 as ad_spend,
        0 as creator_fees,
        0 as impressions,
        0 as clicks,
        0 as platform_conversions,
        0 as platform_conversion_value,
        1 as sessions,
        0 as orders,
        0 as new_customers,
        0 as net_revenue,
        0 as contribution_before_ad_spend,
        0 as attributable_orders,
        0 as attributable_revenue
    from touchpoints

    union all

    select
        orders.order_date as date_day,
        coalesce(orders.shipping_country_code, 'ZZ') as market_code,
        0 as spend,
        0 as ad_spend,
        0 as creator_fees,
        0 as impressions,
        0 as clicks,
        0 as platform_conversions,
        0 as platform_conversion_value,
        0 as sessions,
        1 as orders,
        case when orders.is_first_order then 1 else 0 end as new_customers,
        orders.net_revenue,
        orders.contribution_before_ad_spend,
        case when eligible_conversions.conversion_id is not null then 1 else 0 end as attributable_orders,
        case when eligible_conversions.conversion_id is not null then orders.net_revenue else 0 end
            as attributable_revenue
    from orders
    left join eligible_conversions
        on orders.order_id = eligible_conversions.conversion_id

),

daily as (

    select
        date_day,
        market_code,
        sum(spend) as spend,
        sum(ad_spend) as ad_spend,
        sum(creator_fees) as creator_fees,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value) as platform_conversion_value,
        sum(sessions) as sessions,
        sum(orders) as orders,
        sum(new_customers) as new_customers,
        sum(net_revenue) as net_revenue,
        sum(contribution_before_ad_spend) as contribution_before_ad_spend,
        sum(attributable_orders) as attributable_orders,
        sum(attributable_revenue) as attributable_revenue
    from components
    group by
        date_day,
        market_code

),

final as (

    select
        {{ compound_key(['daily.date_day', 'daily.market_code']) }} as market_performance_key,
        daily.date_day,
        {{ month_start('daily.date_day') }} as month_start,
        daily.market_code,
        markets.country_name,
        coalesce(markets.region, 'UNKNOWN') as region,
        {{ market_performance_columns('daily') | indent(8) }}
    from daily
    left join markets
        on daily.market_code = markets.country_code

)

select * from final
