"""Per-customer CLV scores from fitted BG/NBD (+ Gamma-Gamma) models, vectorised over all customers."""

from __future__ import annotations

import pandas as pd

from analytics.clv.bgnbd import BgNbdFit, expected_purchases, probability_alive
from analytics.clv.errors import require_columns
from analytics.clv.gamma_gamma import GammaGammaFit, conditional_expected_value


def prediction_columns(horizons_days) -> list[str]:
    cols = ["p_alive"]
    for h in horizons_days:
        cols.append(f"expected_orders_{h}d")
    cols.append("expected_order_value")
    for h in horizons_days:
        cols.append(f"expected_revenue_{h}d")
    return cols


def predict(
    summary: pd.DataFrame,
    bgnbd: BgNbdFit | dict,
    gamma_gamma: GammaGammaFit | dict | None = None,
    horizons=(90, 180),
    *,
    time_unit_days: float | None = None,
) -> pd.DataFrame:
    """P(alive), expected orders and expected revenue per customer for each horizon (in days).

    - ``expected_orders_{H}d``: BG/NBD conditional expectation of repeat purchases in the next H days.
    - ``expected_order_value``: Gamma-Gamma conditional mean of a future transaction value
      (population mean for customers without repeat history).
    - ``expected_revenue_{H}d`` = expected orders x expected order value (undiscounted).

    Keeps every column of `summary` that is not a prediction (ids, etc.). Time units
    follow the fit (`BgNbdFit.time_unit_days`, or the `time_unit_days` argument for a dict).
    An empty summary gives an empty frame with the prediction columns and
    ``attrs["note"]``. Without `gamma_gamma`, revenue columns are omitted.
    """
    require_columns(summary, ["frequency", "recency", "T"], "predict")
    horizons = tuple(int(h) for h in horizons)
    unit = time_unit_days if time_unit_days is not None else getattr(bgnbd, "time_unit_days", 1.0)
    cols = prediction_columns(horizons)
    if gamma_gamma is None:
        cols = [c for c in cols if not c.startswith("expected_revenue") and c != "expected_order_value"]
    out = summary.drop(columns=[c for c in cols if c in summary.columns]).copy()
    if summary.empty:
        for c in cols:
            out[c] = pd.Series(dtype=float)
        out.attrs["note"] = "no customers to score"
        return out

    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    T = summary["T"].to_numpy(dtype=float)
    out["p_alive"] = probability_alive(bgnbd, x, t_x, T)
    orders = {h: expected_purchases(bgnbd, h / unit, x, t_x, T) for h in horizons}
    for h in horizons:
        out[f"expected_orders_{h}d"] = orders[h]
    if gamma_gamma is not None:
        require_columns(summary, ["monetary"], "predict (Gamma-Gamma)")
        value = conditional_expected_value(gamma_gamma, x, summary["monetary"].to_numpy(dtype=float))
        out["expected_order_value"] = value
        for h in horizons:
            out[f"expected_revenue_{h}d"] = orders[h] * value
    return out


def fit_and_predict(
    transactions: pd.DataFrame,
    as_of,
    horizons=(90, 180),
    **summary_kwargs,
) -> tuple[pd.DataFrame, BgNbdFit, GammaGammaFit]:
    """Convenience: summarise, fit BG/NBD and Gamma-Gamma, predict. Returns (scores, bgnbd, gamma_gamma)."""
    from analytics.clv.bgnbd import fit_bgnbd
    from analytics.clv.gamma_gamma import fit_gamma_gamma
    from analytics.clv.summary import summarise_transactions

    summary = summarise_transactions(transactions, as_of, **summary_kwargs)
    unit = summary_kwargs.get("time_unit_days", 1.0)
    bg = fit_bgnbd(summary, time_unit_days=unit)
    gg = fit_gamma_gamma(summary)
    return predict(summary, bg, gg, horizons), bg, gg


__all__ = ["predict", "fit_and_predict", "prediction_columns"]
