"""Fit one adstock + Hill response curve per channel (or channel x market) by bounded least squares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.signal import lfilter

from analytics.budget.curves import geometric_adstock, hill
from analytics.clv.errors import InsufficientDataError, require_columns

MIN_DAYS = 28
DECAY_GRID = (0.0, 0.2, 0.4, 0.6, 0.8)
SHAPE_BOUNDS = (0.5, 3.0)


@dataclass
class FittedCurve:
    key: tuple
    params: dict
    current_daily_spend: float  # mean daily spend over the last `current_window_days`
    n_days: int
    r_squared: float
    spend_cv: float
    min_spend: float
    max_spend: float
    converged: bool
    confidence: str
    notes: list[str] = field(default_factory=list)


class ResponseCurves(dict):
    """{key tuple: FittedCurve}, plus `skipped`: {key tuple: why no curve was fitted}."""

    def __init__(self, curves=None, skipped=None):
        super().__init__(curves or {})
        self.skipped: dict[tuple, str] = dict(skipped or {})


def _predict(theta_vec, spend, fit_baseline):
    beta, k, s, decay = theta_vec[:4]
    base = theta_vec[4] if fit_baseline else 0.0
    return base + beta * hill(geometric_adstock(spend, decay), k, s)


def _jacobian(theta_vec, spend, fit_baseline):
    """d prediction / d (beta, K, s, decay[, baseline]) in closed form (adstock derivative by recursion)."""
    beta, k, s, decay = theta_vec[:4]
    a = geometric_adstock(spend, decay)
    # d a_t / d decay = decay * d a_{t-1} / d decay + (a_{t-1} - spend_t); zero on day 0 (steady-state start)
    drive = np.r_[0.0, a[:-1] - spend[1:]]
    da = lfilter([1.0], [1.0, -decay], drive)
    a_pos = np.maximum(a, 1e-12)
    r = np.power(a_pos / k, s)
    h = r / (1 + r)
    common = r / (1 + r) ** 2
    cols = [
        h,
        -beta * s * common / k,
        beta * common * np.log(a_pos / k),
        beta * s * common / a_pos * da,
    ]
    if fit_baseline:
        cols.append(np.ones_like(h))
    return np.column_stack(cols)


def _fit_one(spend: np.ndarray, revenue: np.ndarray, fit_baseline: bool):
    mean_spend = max(spend.mean(), 1e-9)
    max_rev = max(revenue.max(), 1e-9)
    lower = [0.0, 0.05 * mean_spend, SHAPE_BOUNDS[0], 0.0]
    upper = [100.0 * max_rev, 50.0 * max(spend.max(), mean_spend), SHAPE_BOUNDS[1], 0.95]
    if fit_baseline:
        lower.append(0.0)
        upper.append(max_rev)
    scale = max(np.abs(revenue).mean(), 1e-9)

    def residuals(v):
        return (_predict(v, spend, fit_baseline) - revenue) / scale

    def jacobian(v):
        return _jacobian(v, spend, fit_baseline) / scale

    best = None
    # Start near "linear" and near "saturated" shapes for each adstock decay on a grid.
    for decay in DECAY_GRID:
        for k_mult, s0 in ((1.0, 1.0), (4.0, 1.0), (0.5, 1.5)):
            k0 = k_mult * mean_spend
            beta0 = revenue.mean() / max(hill(mean_spend, k0, s0), 1e-6)
            x0 = [min(beta0, upper[0] * 0.99), k0, s0, decay] + ([0.0] if fit_baseline else [])
            x0 = np.clip(x0, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
            res = optimize.least_squares(
                residuals, x0, jac=jacobian, bounds=(lower, upper), method="trf", x_scale="jac", max_nfev=400
            )
            if best is None or res.cost < best.cost:
                best = res
    return best


def group_series(daily: pd.DataFrame, by, date_col: str, spend_col: str, revenue_col: str):
    """Yield (key tuple, daily spend, daily revenue) per group of `by`, every calendar day from the group's first to
    its last (missing days are zero spend and revenue; negative spend counts as 0)."""
    data = daily.copy()
    data[date_col] = pd.to_datetime(data[date_col], errors="coerce").dt.normalize()
    data = data.dropna(subset=[date_col])
    for key, g in data.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        s = g.groupby(date_col)[[spend_col, revenue_col]].sum()
        s = s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="D"), fill_value=0.0)
        spend = pd.to_numeric(s[spend_col], errors="coerce").fillna(0.0).clip(lower=0).to_numpy(dtype=float)
        revenue = pd.to_numeric(s[revenue_col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        yield key, spend, revenue


def fit_response_curves(
    daily: pd.DataFrame,
    *,
    by: tuple[str, ...] | list[str] = ("channel",),
    date_col: str = "date",
    spend_col: str = "spend",
    revenue_col: str = "revenue",
    current_window_days: int = 30,
    fit_baseline: bool = False,
) -> ResponseCurves:
    """Fit revenue_t = [baseline +] beta * Hill(adstock(spend)_t) per group of `by`.

    `daily`: one row per group and date with spend and the revenue attributed to it
    (data-driven attribution) in the reporting currency. Missing days count as zero
    spend and zero revenue. Least squares (scipy `least_squares`, trust-region
    reflective, bounds: shape 0.5..3, decay 0..0.95, half-saturation 0.05x..50x spend)
    from 15 starts (5 adstock decays x 3 shapes), keeping the best.
    Returns a `ResponseCurves` dict {key tuple: FittedCurve}; groups with fewer than 28
    days, no spend or no spend variation get no curve and are listed with the reason in
    `.skipped`; when no group at all can be fitted `InsufficientDataError` says why.
    `FittedCurve.confidence` is high / medium / low from R^2 and the spend variation the
    curve was identified from; `current_daily_spend` is the mean of the last
    `current_window_days` days.
    """
    by = list(by)
    require_columns(daily, [date_col, spend_col, revenue_col, *by], "fit_response_curves")
    if daily.empty:
        raise InsufficientDataError("fit_response_curves: the input has no rows")
    curves: dict[tuple, FittedCurve] = {}
    skipped: dict[tuple, str] = {}
    for key, spend, revenue in group_series(daily, by, date_col, spend_col, revenue_col):
        if len(spend) < MIN_DAYS:
            skipped[key] = f"only {len(spend)} days of data (< {MIN_DAYS})"
            continue
        if spend.sum() <= 0:
            skipped[key] = "no spend in the period"
            continue
        cv = float(spend.std() / spend.mean())
        if cv < 0.02:
            skipped[key] = "spend never varied: the response to a change cannot be estimated"
            continue
        res = _fit_one(spend, revenue, fit_baseline)
        pred = _predict(res.x, spend, fit_baseline)
        ss_res = float(((revenue - pred) ** 2).sum())
        ss_tot = float(((revenue - revenue.mean()) ** 2).sum())
        r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 0.0
        params = {
            "beta": float(res.x[0]),
            "half_saturation": float(res.x[1]),
            "shape": float(res.x[2]),
            "adstock_decay": float(res.x[3]),
            "baseline": float(res.x[4]) if fit_baseline else 0.0,
        }
        notes = []
        if cv < 0.15:
            notes.append(f"little spend variation (CV {cv:.2f}): the curve is extrapolated beyond small changes")
        if r2 < 0.3:
            notes.append(f"weak fit (R^2 {r2:.2f})")
        if abs(res.x[2] - SHAPE_BOUNDS[0]) < 1e-6 or abs(res.x[2] - SHAPE_BOUNDS[1]) < 1e-6:
            notes.append("Hill shape at its bound")
        confidence = "high" if (r2 >= 0.6 and cv >= 0.15) else ("medium" if r2 >= 0.3 else "low")
        recent = spend[-current_window_days:]
        curves[key] = FittedCurve(
            key=key,
            params=params,
            current_daily_spend=float(recent.mean()),
            n_days=len(spend),
            r_squared=float(r2),
            spend_cv=cv,
            min_spend=float(spend.min()),
            max_spend=float(spend.max()),
            converged=bool(res.success),
            confidence=confidence,
            notes=notes,
        )
    if not curves:
        detail = "; ".join(f"{'/'.join(map(str, k))}: {v}" for k, v in skipped.items())
        raise InsufficientDataError(f"fit_response_curves: no group could be fitted ({detail})")
    return ResponseCurves(curves, skipped)
