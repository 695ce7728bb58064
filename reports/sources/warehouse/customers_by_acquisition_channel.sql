-- One row per acquisition channel: customers (persons with an order) and their historical LTV.
select
    acquisition_channel,
    count(*)::bigint as customers,
    avg(ltv_90d)::double as avg_ltv_90d,
    avg(ltv_180d)::double as avg_ltv_180d,
    sum(net_revenue)::double as net_revenue
from marts.dim_customers
where is_customer
group by 1
order by 1
