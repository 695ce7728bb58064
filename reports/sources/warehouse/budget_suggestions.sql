-- One row per channel: current vs suggested daily spend and what each is expected to return.
select
    channel,
    current_daily_spend::double as current_daily_spend,
    suggested_daily_spend::double as suggested_daily_spend,
    expected_revenue_current::double as expected_revenue_current,
    expected_revenue_suggested::double as expected_revenue_suggested,
    marginal_roas::double as marginal_roas,
    total_budget::double as total_budget,
    reason
from ml.budget_suggestions
order by suggested_daily_spend desc
