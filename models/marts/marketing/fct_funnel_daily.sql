{#-
    One row per date × market × channel × device with the funnel from ad impression to order.
    Impressions and clicks come from the ad platforms (account-local date; platforms do not
    report devices, so their device is 'unknown'); sessions, add-to-cart, checkout and orders come
    from human (non-bot) web/app sessions (UTC date). Orders are distinct purchase transactions
    of those sessions, so site CVR = orders / sessions.
-#}
with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

ad_funnel as (

    select
        date_day,
        country_code as market_code,
        channel,
        'unknown' as device_category,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        sum(clicks) as ad_clicks,
        0 as sessions,
        0 as sessions_with_product_view,
        0 as sessions_with_add_to_cart,
        0 as sessions_with_checkout,
        0 as orders
    from ad_performance
    group by
        date_day,
        country_code,
        channel

),

site_funnel as (

    select
        session_start_date as date_day,
        country_code as market_code,
        channel,
        coalesce(device_category, 'unknown') as device_category,
        0 as impressions,
        0 as ad_clicks,
        count(*) as sessions,
        sum(case when item_views > 0 then 1 else 0 end) as sessions_with_product_view,
        sum(case when add_to_carts > 0 then 1 else 0 end) as sessions_with_add_to_cart,
        sum(case when checkouts > 0 then 1 else 0 end) as sessions_with_checkout,
        count(distinct purchase_transaction_id) as orders
    from sessions
    where not is_bot_session
    group by
        session_start_date,
        country_code,
        channel,
        coalesce(device_category, 'unknown')

),

unioned as (

    select * from ad_funnel
    union all
    select * from site_funnel

),

funnel as (

    select
        date_day,
        coalesce(market_code, 'ZZ') as market_code,
        channel,
        device_category,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(ad_clicks) as {{ dbt.type_bigint() }}) as ad_clicks,
        cast(sum(sessions) as {{ dbt.type_bigint() }}) as sessions,
        cast(sum(sessions_with_product_view) as {{ dbt.type_bigint() }}) as sessions_with_product_view,
        cast(sum(sessions_with_add_to_cart) as {{ dbt.type_bigint() }}) as sessions_with_add_to_cart,
        cast(sum(sessions_with_checkout) as {{ dbt.type_bigint() }}) as sessions_with_checkout,
        cast(sum(orders) as {{ dbt.type_bigint() }}) as orders
    from unioned
    group by
        date_day,
        coalesce(market_code, 'ZZ'),
        channel,
        device_category

),

final as (

    select
        {{ compound_key(['date_day', 'market_code', 'channel', 'device_category']) }} as funnel_key,
        date_day,
        market_code,
        channel,
        device_category,
        impressions,
        ad_clicks,
        sessions,
        sessions_with_product_view,
        sessions_with_add_to_cart,
        sessions_with_checkout,
        orders,
        cast(case when impressions > 0 then ad_clicks * 1.0 / impressions end as decimal(18, 6)) as click_through_rate,
        cast(case when sessions > 0 then orders * 1.0 / sessions end as decimal(18, 6)) as session_conversion_rate
    from funnel

)

select * from final
