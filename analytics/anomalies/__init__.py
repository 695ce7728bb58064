"""Daily KPI anomalies (robust same-weekday median + MAD band), largest-contributor drill-down, ETS forecasts."""

from analytics.anomalies.detect import ANOMALY_COLUMNS, complete_daily, detect_anomalies
from analytics.anomalies.drilldown import largest_contributors
from analytics.anomalies.forecast import FORECAST_COLUMNS, forecast_by_series, forecast_series
from analytics.clv.errors import InsufficientDataError

__all__ = [
    "ANOMALY_COLUMNS",
    "FORECAST_COLUMNS",
    "InsufficientDataError",
    "complete_daily",
    "detect_anomalies",
    "forecast_by_series",
    "forecast_series",
    "largest_contributors",
]
