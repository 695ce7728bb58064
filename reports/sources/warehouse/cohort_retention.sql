-- One row per acquisition month x months since acquisition x acquisition channel
-- (marts.fct_cohort_retention summed over home markets).
select
    acquisition_month::date as cohort_month,
    months_since_acquisition::integer as months_since_acquisition,
    acquisition_channel,
    sum(cohort_customers)::bigint as cohort_customers,
    sum(active_customers)::bigint as retained_customers,
    sum(net_revenue)::double as net_revenue
from marts.fct_cohort_retention
group by all
order by 1, 2, 3
