"""All eight models on one grain (conversion × touchpoint × model), and the invariants they share."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .credits import MODEL_NAMES
from .markov import markov_conversion_credit
from .paths import aggregate_paths, attributable_revenue, ordered_touchpoints
from .rules import RULE_MODELS, rule_credit
from .shapley import fit_shapley, shapley_conversion_credit

DATA_DRIVEN_MODELS = ("markov", "shapley")
MODELS = MODEL_NAMES  # the six of RULE_MODELS, then DATA_DRIVEN_MODELS


def attribute(journeys, touchpoints, conversions, models=MODELS, half_life_days: float = 7.0,
              shapley_options: dict | None = None) -> pd.DataFrame:
    """Credits of every requested model: ``conversion_id, touchpoint_id, channel, model, credit,
    attributed_revenue``. Markov and Shapley are fitted on ``journeys`` (converting and not) and
    applied to the conversions' ``touchpoints``; rule-based models use the touchpoints only."""
    unknown = set(models) - set(MODELS)
    if unknown:
        raise ValueError(f"unknown model(s) {sorted(unknown)}; expected from {MODELS}")
    tp = ordered_touchpoints(touchpoints)
    paths = aggregate_paths(journeys) if set(models) & set(DATA_DRIVEN_MODELS) else None
    frames = []
    for model in models:
        if model == "markov":
            frames.append(markov_conversion_credit(tp, paths, conversions))
        elif model == "shapley":
            fitted = fit_shapley(paths, **(shapley_options or {}))
            frames.append(shapley_conversion_credit(tp, conversions=conversions, model=fitted))
        else:
            frames.append(rule_credit(tp, model, conversions, half_life_days))
    return pd.concat(frames, ignore_index=True)


def check_invariants(attribution: pd.DataFrame, touchpoints, conversions, tol: float = 1e-9) -> pd.DataFrame:
    """Per model: worst deviation of credits-per-conversion from 1, attributed vs attributable revenue.
    Raises ``AssertionError`` when an invariant fails; returns the summary otherwise."""
    expected = attributable_revenue(touchpoints, conversions)
    n_conversions = pd.Series(touchpoints["conversion_id"]).nunique()
    rows = []
    for model, frame in attribution.groupby("model", sort=False, observed=True):
        sums = frame.groupby("conversion_id")["credit"].sum()
        rows.append({
            "model": model,
            "conversions": len(sums),
            "max_credit_error": float(np.abs(sums - 1.0).max()) if len(sums) else 0.0,
            "min_credit": float(frame["credit"].min()),
            "attributed_revenue": float(frame["attributed_revenue"].sum()),
            "attributable_revenue": expected,
        })
    summary = pd.DataFrame(rows)
    bad = summary[(summary["max_credit_error"] > tol) | (summary["conversions"] != n_conversions)
                  | ~np.isclose(summary["attributed_revenue"], expected, rtol=1e-9, atol=1e-6)
                  | (summary["min_credit"] < -tol)]
    if len(bad):
        raise AssertionError(f"attribution invariants failed:\n{bad.to_string()}")
    return summary
