-- Churn scores (ml.customer_scores) in bins of 0.1.
select
    (least(floor(churn_score * 10), 9) / 10)::double as churn_score_bin,
    count(*)::bigint as customers
from ml.customer_scores
where churn_score is not null
group by 1
order by 1
