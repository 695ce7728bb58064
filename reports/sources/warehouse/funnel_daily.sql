-- One row per day x market x device: impression -> click -> session -> add-to-cart -> checkout -> order
-- (marts.fct_funnel_daily summed over channels; ad platforms report no device, so their
-- impressions and clicks sit on device 'unknown').
select
    date_day::date as date_day,
    market_code as country_code,
    device_category,
    sum(impressions)::bigint as impressions,
    sum(ad_clicks)::bigint as clicks,
    sum(sessions)::bigint as sessions,
    sum(sessions_with_add_to_cart)::bigint as add_to_carts,
    sum(sessions_with_checkout)::bigint as checkouts,
    sum(orders)::bigint as orders
from marts.fct_funnel_daily
group by all
order by 1, 2, 3
