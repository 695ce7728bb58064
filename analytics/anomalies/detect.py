"""Robust daily KPI anomaly detection: same-weekday trailing median baseline, MAD band."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from analytics.clv.errors import InsufficientDataError, require_columns

ANOMALY_COLUMNS = ["date", "value", "expected", "lower", "upper", "robust_z", "is_anomaly", "direction", "note"]
MAD_TO_SIGMA = 1.4826
MIN_RESIDUAL_DAYS = 28  # days of residuals before a day is scored (fewer gave ~1% false flags)
FLAT_NOTE = "not scored: the baseline has no spread (series flat at zero in the trailing weeks)"


def complete_daily(series: pd.DataFrame, date_col: str, value_col: str) -> pd.Series:
    """Values on a gap-free daily calendar (missing days are NaN; duplicate days summed)."""
    dates = pd.to_datetime(series[date_col], errors="coerce").dt.normalize()
    values = pd.to_numeric(series[value_col], errors="coerce")
    s = values.groupby(dates).sum(min_count=1).sort_index()
    s = s[s.index.notna()]
    if s.empty:
        return s
    return s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="D"))


def _trailing_nanmedian(values: np.ndarray, window: int, min_count: int) -> np.ndarray:
    """Median of the `window` values strictly before each point (NaN until `min_count` are there)."""
    n = len(values)
    padded = np.r_[np.full(window, np.nan), values]
    windows = sliding_window_view(padded, window)[:n]  # row t = values[t - window : t]
    enough = np.sum(~np.isnan(windows), axis=1) >= min_count
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(windows, axis=1)
    return np.where(enough, med, np.nan), windows


def _score_one(values: np.ndarray, weeks: int, mad_window: int, threshold: float, rel_floor: float):
    n = len(values)
    lags = np.full((n, weeks), np.nan)
    for k in range(1, weeks + 1):
        if n > 7 * k:
            lags[7 * k:, k - 1] = values[: n - 7 * k]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(lags, axis=1)
    expected = np.where(np.sum(~np.isnan(lags), axis=1) >= 2, expected, np.nan)
    residual = values - expected
    centre, windows = _trailing_nanmedian(residual, mad_window, MIN_RESIDUAL_DAYS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mad = np.nanmedian(np.abs(windows - centre[:, None]), axis=1)
    scale = np.fmax(MAD_TO_SIGMA * mad, rel_floor * np.abs(expected))
    centred = expected + centre
    # a baseline without spread (a series flat at zero: zero MAD and a zero expected value, so the relative floor is
    # zero too) defines no band; such days are not scored, and carry no expected value either, so every row with
    # an expected value has a band lower <= upper
    flat = ~np.isnan(centred) & ~(scale > 0)
    scale = np.where(scale > 0, scale, np.nan)
    centred = np.where(flat, np.nan, centred)
    z = (residual - centre) / scale
    lower = centred - threshold * scale
    upper = centred + threshold * scale
    return centred, lower, upper, z, flat


def detect_anomalies(
    daily: pd.DataFrame,
    *,
    value_col: str = "value",
    date_col: str = "date",
    series_cols: tuple[str, ...] | list[str] = (),
    weeks: int = 4,
    mad_window: int = 56,
    threshold: float = 3.5,
    rel_floor: float = 0.01,
) -> pd.DataFrame:
    """Flag days whose value leaves the robust band around the expected value, per series.

    For each series (``series_cols``, e.g. market and channel) on a gap-free daily calendar:
    - expected = median of the same weekday over the previous `weeks` weeks (needs 2),
      plus the median residual over the trailing `mad_window` days (level drift);
    - scale = 1.4826 x MAD of the trailing residuals (needs 28 days), floored at
      `rel_floor` x |expected| so a flat series does not flag rounding noise;
    - band = expected +- `threshold` x scale; robust_z = (value - expected) / scale.
    Only past days enter a day's baseline and scale (a detector that can run "today").
    Days without enough history get NaN expected, ``is_anomaly`` False and a note; so do days whose baseline has
    no spread (zero MAD and zero expected value: a series flat at zero), where no band can be drawn.
    Raises `InsufficientDataError` for an empty input.
    """
    series_cols = list(series_cols)
    require_columns(daily, [date_col, value_col, *series_cols], "detect_anomalies")
    if daily.empty:
        raise InsufficientDataError("detect_anomalies: the input has no rows")
    groups = daily.groupby(series_cols, sort=True, dropna=False) if series_cols else [((), daily)]
    parts = []
    for key, g in groups:
        s = complete_daily(g, date_col, value_col)
        if s.empty:
            continue
        values = s.to_numpy(dtype=float)
        expected, lower, upper, z, flat = _score_one(values, weeks, mad_window, threshold, rel_floor)
        flag = np.abs(z) > threshold
        flag = np.where(np.isnan(z), False, flag)
        out = pd.DataFrame(
            {
                "date": s.index,
                "value": values,
                "expected": expected,
                "lower": lower,
                "upper": upper,
                "robust_z": z,
                "is_anomaly": flag.astype(bool),
                "direction": np.where(flag, np.where(z > 0, "up", "down"), None),
                "note": np.where(
                    np.isnan(values), "no data for this day",
                    np.where(flat, FLAT_NOTE,
                             np.where(np.isnan(z), "warming up: not enough history for a baseline", "")),
                ),
            }
        )
        key = key if isinstance(key, tuple) else (key,)
        for col, val in zip(series_cols, key):
            out.insert(series_cols.index(col), col, val)
        parts.append(out)
    if not parts:
        raise InsufficientDataError("detect_anomalies: no row has a valid date")
    return pd.concat(parts, ignore_index=True)
