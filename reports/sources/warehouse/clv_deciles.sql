-- Predicted 180-day customer value (ml.customer_scores) in ten equal-count groups.
with scored as (
    select
        expected_revenue_180d,
        p_alive,
        ntile(10) over (order by expected_revenue_180d) as clv_decile
    from ml.customer_scores
    where expected_revenue_180d is not null
)
select
    clv_decile::integer as clv_decile,
    count(*)::bigint as customers,
    min(expected_revenue_180d)::double as min_expected_revenue_180d,
    max(expected_revenue_180d)::double as max_expected_revenue_180d,
    avg(expected_revenue_180d)::double as avg_expected_revenue_180d,
    sum(expected_revenue_180d)::double as expected_revenue_180d,
    avg(p_alive)::double as avg_p_alive
from scored
group by 1
order by 1
