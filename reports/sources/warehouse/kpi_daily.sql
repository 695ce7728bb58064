-- One row per day: brand-wide KPIs in the reporting currency.
-- Reads marts.fct_kpi_daily whatever its extra grain (market, channel): additive
-- measures are summed, rates are re-weighted by orders.  Every aggregate is cast
-- (sum() of integers is HUGEINT, which Evidence cannot carry).
select
    date_day::date as date_day,
    sum(gmv)::double as gmv,
    sum(net_revenue)::double as net_revenue,
    sum(orders)::bigint as orders,
    sum(new_customers)::bigint as new_customers,
    sum(spend)::double as spend,
    sum(contribution_margin)::double as contribution_margin,
    (sum(repeat_purchase_rate * orders) / nullif(sum(orders), 0))::double as repeat_purchase_rate,
    (sum(pct_delivered_within_7d * orders) / nullif(sum(orders), 0))::double as pct_delivered_within_7d
from marts.fct_kpi_daily
group by 1
order by 1
