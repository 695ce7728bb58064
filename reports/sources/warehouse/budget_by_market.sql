-- One row per paid channel x market: the plan at the grain the brand's rules act on (ml.budget_suggestions_by_market).
select
    channel,
    market,
    current_daily_spend::double as current_daily_spend,
    suggested_daily_spend::double as suggested_daily_spend,
    expected_revenue_current::double as expected_revenue_current,
    expected_revenue_suggested::double as expected_revenue_suggested,
    marginal_roas::double as marginal_roas,
    coalesce(rule, action) as action,
    rule is not null as fixed_by_rule,
    reason
from ml.budget_suggestions_by_market
order by channel, market
