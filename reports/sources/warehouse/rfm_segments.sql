-- One row per RFM segment (named in marts.dim_customers).
select
    rfm_segment,
    count(*)::bigint as customers,
    avg(orders_count)::double as avg_orders,
    avg(net_revenue)::double as avg_net_revenue,
    sum(net_revenue)::double as net_revenue
from marts.dim_customers
group by 1
order by net_revenue desc
