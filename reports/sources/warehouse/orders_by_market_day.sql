-- One row per order date x shipping country x order currency (non-cancelled orders):
-- orders and revenue per market, region from marts.dim_markets.
select
    orders.order_date::date as date_day,
    orders.shipping_country_code as country_code,
    coalesce(markets.region, 'unknown') as region,
    orders.currency_code as currency,
    count(*)::bigint as orders,
    sum(orders.net_revenue)::double as net_revenue,
    sum(orders.net_revenue_local)::double as net_revenue_local,
    count(*) filter (where orders.is_first_order)::bigint as new_customers,
    count(*) filter (where orders.is_delivered_within_7_days)::bigint as delivered_within_7d,
    count(orders.is_delivered_within_7_days)::bigint as orders_with_delivery_outcome
from marts.fct_orders as orders
left join marts.dim_markets as markets on markets.country_code = orders.shipping_country_code
where not orders.is_cancelled
group by all
order by 1, 2, 4
