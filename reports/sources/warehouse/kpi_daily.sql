-- One row per day: brand-wide KPIs in the reporting currency (marts.fct_kpi_daily),
-- plus contribution margin = the orders' contribution before ad spend (net revenue -
-- COGS - shipping cost - payment and marketplace fees, marts.fct_orders) - ad spend.
-- Every column is cast: Evidence carries numbers as doubles, and sum() of integers
-- would be HUGEINT, which it cannot carry.
with kpis as (
    select * from marts.fct_kpi_daily
),

order_margin as (
    select
        order_date as date_day,
        sum(contribution_before_ad_spend) as contribution_before_ad_spend
    from marts.fct_orders
    where not is_cancelled
    group by order_date
)

select
    kpis.date_day::date as date_day,
    kpis.gmv::double as gmv,
    kpis.net_revenue::double as net_revenue,
    kpis.orders::bigint as orders,
    kpis.new_customers::bigint as new_customers,
    kpis.ad_spend::double as spend,
    (coalesce(order_margin.contribution_before_ad_spend, 0) - kpis.ad_spend)::double as contribution_margin,
    kpis.repeat_purchase_rate::double as repeat_purchase_rate,
    kpis.share_delivered_within_7_days::double as pct_delivered_within_7d
from kpis
left join order_margin on order_margin.date_day = kpis.date_day
order by 1
