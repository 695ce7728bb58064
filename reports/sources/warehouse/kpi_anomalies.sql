-- Every KPI check of the last 30 days (flagged or not), so the source is never empty.
select
    date_day::date as date_day,
    kpi,
    market,
    actual_value::double as actual_value,
    expected_value::double as expected_value,
    lower_bound::double as lower_bound,
    upper_bound::double as upper_bound,
    is_anomaly,
    largest_contributor
from ml.kpi_anomalies
where date_day >= (select max(date_day) from ml.kpi_anomalies) - interval 29 day
order by 1, 2, 3
