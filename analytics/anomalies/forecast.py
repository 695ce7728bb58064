"""30-day forecasts per KPI series with prediction intervals (statsmodels Holt-Winters exponential smoothing)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from analytics.anomalies.detect import complete_daily
from analytics.clv.errors import InsufficientDataError, require_columns

MIN_POINTS = 7  # below this: no forecast
MIN_TREND_POINTS = 10  # below this: level only
MIN_SEASONAL_POINTS = 28  # four weeks before a weekly season is estimated
N_SIMULATIONS = 2000
FORECAST_COLUMNS = ["date", "forecast", "lower", "upper", "model", "note"]


def forecast_series(
    daily: pd.DataFrame,
    *,
    horizon_days: int = 30,
    value_col: str = "value",
    date_col: str = "date",
    seasonal_period: int = 7,
    interval: float = 0.95,
) -> pd.DataFrame:
    """Forecast one daily series `horizon_days` ahead with a `interval` prediction interval.

    Additive Holt-Winters exponential smoothing (statsmodels `ExponentialSmoothing`,
    the point forecasts of ETS(A,Ad,A)); the interval is the quantile band of 2,000
    simulated future paths with normal errors of the fitted residual variance (fixed seed).
    - >= 28 days: damped additive trend + additive weekly season;
    - 10..27 days: damped additive trend, no season (note: too short for a weekly season);
    - 7..9 days: level only (simple exponential smoothing), with a note;
    - < 7 days: `InsufficientDataError`.
    Missing days inside the range are interpolated linearly (note gives the count).
    If the history is never negative (revenue, spend), forecasts and bounds are clipped at 0.
    """
    require_columns(daily, [date_col, value_col], "forecast_series")
    s = complete_daily(daily, date_col, value_col)
    n_valid = int(s.notna().sum())
    if n_valid < MIN_POINTS:
        raise InsufficientDataError(
            f"forecast_series: needs at least {MIN_POINTS} days of history, got {n_valid}; no forecast"
        )
    notes = []
    n_missing = int(s.isna().sum())
    if n_missing:
        s = s.interpolate(limit_direction="both")
        notes.append(f"{n_missing} missing day(s) interpolated")
    y = pd.Series(s.to_numpy(dtype=float), index=pd.DatetimeIndex(s.index, freq="D"))
    n = len(y)
    if n >= MIN_SEASONAL_POINTS:
        kwargs, model_name = dict(trend="add", damped_trend=True, seasonal="add", seasonal_periods=seasonal_period), "HW(A,Ad,A)"
    elif n >= MIN_TREND_POINTS:
        kwargs, model_name = dict(trend="add", damped_trend=True), "HW(A,Ad,N)"
        notes.append(f"only {n} days (< {MIN_SEASONAL_POINTS}): no weekly seasonality")
    else:
        kwargs, model_name = {}, "HW(A,N,N)"
        notes.append(f"only {n} days (< {MIN_TREND_POINTS}): level only, no trend or seasonality")
    if float(np.std(y)) == 0.0:
        mean = lower = upper = np.full(horizon_days, y.iloc[-1])
        model_name = "constant"
        notes.append("constant history: flat forecast")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ExponentialSmoothing(y, initialization_method="estimated", **kwargs).fit()
            mean = fit.forecast(horizon_days).to_numpy()
            paths = fit.simulate(horizon_days, repetitions=N_SIMULATIONS, error="add", random_state=0)
        tail = (1 - interval) / 2
        lower, upper = np.quantile(np.asarray(paths), [tail, 1 - tail], axis=1)
        retvals = getattr(fit, "mle_retvals", None)
        if retvals is not None and not getattr(retvals, "success", True):
            notes.append("smoothing-parameter optimiser did not converge")
    if (y >= 0).all():
        mean, lower, upper = (np.clip(a, 0, None) for a in (mean, lower, upper))
    dates = pd.date_range(y.index[-1] + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    return pd.DataFrame(
        {"date": dates, "forecast": mean, "lower": lower, "upper": upper, "model": model_name, "note": "; ".join(notes)}
    )


def forecast_by_series(
    daily: pd.DataFrame,
    series_cols: list[str] | tuple[str, ...],
    *,
    horizon_days: int = 30,
    value_col: str = "value",
    date_col: str = "date",
    interval: float = 0.95,
) -> pd.DataFrame:
    """`forecast_series` for every series (e.g. per market); a series too short gets one row with its note."""
    series_cols = list(series_cols)
    require_columns(daily, [date_col, value_col, *series_cols], "forecast_by_series")
    if daily.empty:
        raise InsufficientDataError("forecast_by_series: the input has no rows")
    parts = []
    for key, g in daily.groupby(series_cols, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        try:
            out = forecast_series(g, horizon_days=horizon_days, value_col=value_col, date_col=date_col, interval=interval)
        except InsufficientDataError as exc:
            out = pd.DataFrame(
                {"date": [pd.NaT], "forecast": [np.nan], "lower": [np.nan], "upper": [np.nan], "model": ["none"], "note": [str(exc)]}
            )
        for i, col in enumerate(series_cols):
            out.insert(i, col, key[i])
        parts.append(out)
    return pd.concat(parts, ignore_index=True)
