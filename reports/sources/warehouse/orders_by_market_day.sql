-- One row per order date x country x currency: orders and revenue per market.
-- Delivery: is_delivered_within_7d is true/false once the outcome is known, null before.
select
    order_date::date as date_day,
    country_code,
    region,
    currency,
    count(*)::bigint as orders,
    sum(net_revenue)::double as net_revenue,
    sum(net_revenue_local)::double as net_revenue_local,
    count(*) filter (where is_first_order)::bigint as new_customers,
    count(*) filter (where is_delivered_within_7d)::bigint as delivered_within_7d,
    count(is_delivered_within_7d)::bigint as orders_with_delivery_outcome
from marts.fct_orders
group by all
order by 1, 2, 4
