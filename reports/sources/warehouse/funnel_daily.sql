-- One row per day x country x device: impression -> click -> session -> add-to-cart -> checkout -> order.
select
    date_day::date as date_day,
    country_code,
    device_category,
    sum(impressions)::bigint as impressions,
    sum(clicks)::bigint as clicks,
    sum(sessions)::bigint as sessions,
    sum(add_to_carts)::bigint as add_to_carts,
    sum(checkouts)::bigint as checkouts,
    sum(orders)::bigint as orders
from marts.fct_funnel_daily
group by all
order by 1, 2, 3
