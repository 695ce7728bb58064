"""Response curves with a shape shared by every channel: per-channel scale, pooled adstock and saturation.

Why: a brand moves each channel's spend by a few tens of percent around its plan, so one channel's own days
rarely identify where its curve bends (on the demo market the separate fits of `fit_response_curves` reach R^2
0.03-0.30 with adstock decays at the grid edge, and their marginal ROAS ranks channels almost at random). Pooling
the shape across channels borrows strength: one adstock decay ``d``, one Hill shape ``s`` and one half-saturation
*relative to each channel's mean spend* ``kappa`` are fitted on every channel's days at once; each channel keeps
its own scale ``beta_c``. The curves then differ by how much revenue each channel earns per dollar (the data
identify that well) and bend the same way around each channel's usual spend.

    revenue_ct = beta_c * Hill(adstock(spend_c, d)_t; K_c = kappa * mean(spend_c), s)

For fixed (d, s, kappa) every ``beta_c`` has a closed form (least squares through the origin), so the search runs
over three parameters (L-BFGS-B from a small grid of starts); each channel's squared errors are scaled by its
mean revenue, so a large channel does not set the shape alone.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

from analytics.budget.curves import geometric_adstock, hill
from analytics.budget.fit import MIN_DAYS, FittedCurve, ResponseCurves, group_series
from analytics.clv.errors import InsufficientDataError, require_columns

BOUNDS = ((0.0, 0.95), (0.5, 3.0), (0.05, 50.0))  # decay, shape, kappa
STARTS = [(d, s, k) for d in (0.1, 0.4, 0.7) for s in (1.0, 2.0) for k in (0.5, 2.0, 8.0)]


def _series(daily: pd.DataFrame, by, date_col, spend_col, revenue_col):
    out, skipped = {}, {}
    for key, spend, revenue in group_series(daily, by, date_col, spend_col, revenue_col):
        if len(spend) < MIN_DAYS:
            skipped[key] = f"only {len(spend)} days of data (< {MIN_DAYS})"
        elif spend.sum() <= 0:
            skipped[key] = "no spend in the period"
        elif revenue.sum() <= 0:
            skipped[key] = "no revenue credited in the period"
        else:
            out[key] = (spend, revenue)
    return out, skipped


def _profile(theta, series) -> tuple[float, dict]:
    """Scaled squared error with each beta_c at its least-squares value, and those betas."""
    decay, shape, kappa = theta
    loss, betas = 0.0, {}
    for key, (spend, revenue) in series.items():
        h = hill(geometric_adstock(spend, decay), kappa * spend.mean(), shape)
        beta = max(float(h @ revenue) / max(float(h @ h), 1e-12), 0.0)
        scale = max(revenue.mean(), 1e-9)
        loss += float((((revenue - beta * h) / scale) ** 2).mean())
        betas[key] = beta
    return loss, betas


def fit_pooled_response_curves(
    daily: pd.DataFrame,
    *,
    by: tuple[str, ...] | list[str] = ("channel",),
    date_col: str = "date",
    spend_col: str = "spend",
    revenue_col: str = "revenue",
    current_window_days: int = 30,
) -> ResponseCurves:
    """One adstock + Hill curve per group of `by` with a shared decay, shape and relative half-saturation.

    Same input and output as `fit_response_curves` (missing days are zero spend and revenue; groups with < 28 days,
    no spend or no credited revenue are `.skipped`); every curve's `notes` say it was pooled and its R^2 is its own.
    Needs at least two groups to pool (with one, use `fit_response_curves`)."""
    by = list(by)
    require_columns(daily, [date_col, spend_col, revenue_col, *by], "fit_pooled_response_curves")
    series, skipped = _series(daily, by, date_col, spend_col, revenue_col)
    if len(series) < 2:
        detail = "; ".join(f"{'/'.join(map(str, k))}: {v}" for k, v in skipped.items()) or "one group"
        raise InsufficientDataError(f"fit_pooled_response_curves: needs >= 2 groups with data ({detail})")

    best = None
    for start in STARTS:
        res = optimize.minimize(lambda t: _profile(t, series)[0], start, method="L-BFGS-B", bounds=BOUNDS)
        if best is None or res.fun < best.fun:
            best = res
    decay, shape, kappa = (float(v) for v in best.x)
    _, betas = _profile(best.x, series)
    edge = [name for name, v, (lo, hi) in zip(("adstock decay", "shape", "half-saturation"), best.x, BOUNDS)
            if abs(v - lo) < 1e-6 or abs(v - hi) < 1e-6]
    curves = {}
    for key, (spend, revenue) in series.items():
        k = kappa * spend.mean()
        pred = betas[key] * hill(geometric_adstock(spend, decay), k, shape)
        ss_tot = float(((revenue - revenue.mean()) ** 2).sum())
        r2 = 1 - float(((revenue - pred) ** 2).sum()) / ss_tot if ss_tot > 0 else 0.0
        cv = float(spend.std() / spend.mean())
        notes = [f"shape pooled over {len(series)} channels (decay {decay:.2f}, Hill shape {shape:.2f}, "
                 f"half-saturation {kappa:.2f} x mean spend)"]
        if edge:
            notes.append("pooled " + ", ".join(edge) + " at its bound")
        curves[key] = FittedCurve(
            key=key, params={"beta": betas[key], "half_saturation": k, "shape": shape, "adstock_decay": decay,
                             "baseline": 0.0},
            current_daily_spend=float(spend[-current_window_days:].mean()), n_days=len(spend), r_squared=r2,
            spend_cv=cv, min_spend=float(spend.min()), max_spend=float(spend.max()), converged=bool(best.success),
            confidence="medium" if r2 >= 0.3 else "low", notes=notes)
    return ResponseCurves(curves, skipped)


def combine_curves(separate: ResponseCurves, pooled: ResponseCurves) -> ResponseCurves:
    """Each channel's own curve where its data identify it (`confidence` "high": R^2 >= 0.6 and spend CV >= 0.15),
    the pooled curve elsewhere, with a note saying which and why."""
    out = {}
    for key in sorted(set(separate) | set(pooled)):
        own, shared = separate.get(key), pooled.get(key)
        if shared is None or (own is not None and own.confidence == "high"):
            out[key] = own
            continue
        if own is not None:
            shared.notes.insert(0, f"own curve not identified (R^2 {own.r_squared:.2f}, spend CV "
                                   f"{own.spend_cv:.2f}): pooled shape used")
        out[key] = shared
    skipped = {k: v for k, v in {**pooled.skipped, **separate.skipped}.items() if k not in out}
    return ResponseCurves(out, skipped)
