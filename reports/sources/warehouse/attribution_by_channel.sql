-- One row per attribution model x channel over the whole warehouse period:
-- conversions credited (sum of credit), attributed net revenue, and its incremental part (the customers' own
-- baseline part of each conversion removed; equal to attributed revenue before the baseline shares exist), and
-- the repeat revenue of the customers its first orders won (acquisition_repeat_revenue; 0 before the shares exist).
select
    model,
    channel,
    sum(credit)::double as attributed_conversions,
    sum(attributed_revenue)::double as attributed_revenue,
    sum(coalesce(incremental_attributed_revenue, attributed_revenue))::double as incremental_attributed_revenue,
    sum(coalesce(acquisition_repeat_revenue, 0))::double as acquisition_repeat_revenue
from marts.fct_attribution
group by all
order by 1, 2
