{#- One row per month × market: fct_market_performance_daily rolled up, ratios recomputed. -#}
with

daily as (

    select * from {{ ref('fct_market_performance_daily') }}

),

monthly as (

    select
        month_start,
        market_code,
        country_name,
        region,
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
    from daily
    group by
        month_start,
        market_code,
        country_name,
        region

),

final as (

    select
        {{ compound_key(['month_start', 'market_code']) }} as market_performance_key,
        month_start,
        market_code,
        country_name,
        region,
        {{ market_performance_columns() | indent(8) }}
    from monthly

)

select * from final
