"""Daily spend and revenue drawn from known response curves (for tests and benchmarks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.budget.curves import response


def simulate_channel_days(
    true_curves: dict,
    current_spend: dict,
    *,
    days: int = 180,
    spend_variation: float = 0.35,
    revenue_noise: float = 0.10,
    start_date="2025-01-01",
    seed: int = 0,
) -> pd.DataFrame:
    """One row per channel and day: spend wandering around the channel's current level, revenue from its curve.

    Spend = current x exp(a slow AR(1) walk + day noise) with overall spread about
    `spend_variation`; revenue = curve response x (1 + `revenue_noise` x N(0, 1)), floored at 0.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start_date, periods=days, freq="D")
    parts = []
    for name, curve in true_curves.items():
        walk = np.zeros(days)
        shocks = rng.normal(0, 1, days)
        for t in range(1, days):
            walk[t] = 0.9 * walk[t - 1] + shocks[t]
        walk = walk / max(walk.std(), 1e-9)
        log_mult = spend_variation * (0.8 * walk + 0.6 * rng.normal(0, 1, days))
        spend = current_spend[name] * np.exp(log_mult - log_mult.mean())
        revenue = response(spend, curve) * (1 + revenue_noise * rng.normal(0, 1, days))
        parts.append(pd.DataFrame({"channel": name, "date": dates, "spend": spend, "revenue": np.maximum(revenue, 0)}))
    return pd.concat(parts, ignore_index=True)
