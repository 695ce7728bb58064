-- One row per RFM segment of the customers (named in marts.dim_customers).
select
    coalesce(rfm_segment, 'unscored') as rfm_segment,
    count(*)::bigint as customers,
    avg(orders)::double as avg_orders,
    avg(net_revenue)::double as avg_net_revenue,
    sum(net_revenue)::double as net_revenue
from marts.dim_customers
where is_customer
group by 1
order by net_revenue desc
