-- The 30-day forecasts (ml.forecasts): one row per day x market x metric.
select
    date_day::date as date_day,
    market,
    metric,
    forecast_value::double as forecast_value,
    lower_bound::double as lower_bound,
    upper_bound::double as upper_bound
from ml.forecasts
order by 1, 2, 3
