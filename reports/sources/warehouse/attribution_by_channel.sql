-- One row per attribution model x channel over the whole warehouse period:
-- conversions credited (sum of credit) and attributed net revenue.
select
    model,
    channel,
    sum(credit)::double as attributed_conversions,
    sum(attributed_revenue)::double as attributed_revenue
from marts.fct_attribution
group by all
order by 1, 2
