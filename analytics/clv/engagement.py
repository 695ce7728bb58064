"""Weight BG/NBD + Gamma-Gamma expectations per customer by a model that sees more than order history.

BG/NBD infers whether a customer is still active from the timing of their orders only. A lapsed customer also
stops visiting on their own and opening e-mail; the churn model (analytics.churn) reads those signals and gives
P(at least one order in its horizon) = 1 - churn_score. Each customer's expected orders and revenue are multiplied
by that probability, scaled by one constant so the total expected 180-day revenue is unchanged:

    weight_i = c * p_i,   c = sum_j rev180_j / sum_j (rev180_j * p_j)

BG/NBD keeps the portfolio level (its aggregate is the calibrated part) and the per-customer split follows both
models: a product of two experts whose errors differ (order timing vs engagement). The weight is stored per customer
(`engagement_weight`), so BG/NBD's own value is always `expected_* / engagement_weight`. Customers the churn model
did not score get the mean probability (weight c * mean p), i.e. no information. Measured on the bench markets
(docs/ml.md): Spearman of predicted vs realised 180-day revenue per person rises by about 0.06.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTED_PREFIXES = ("expected_orders_", "expected_revenue_")
REFERENCE_COLUMN = "expected_revenue_180d"


def engagement_weighted(pred: pd.DataFrame, p_active: pd.Series, *, customer_col: str = "customer_id",
                        reference: str = REFERENCE_COLUMN) -> pd.DataFrame:
    """`pred` (from `analytics.clv.predict`) with its expected_orders_* / expected_revenue_* columns multiplied by
    `engagement_weight` (see the module doc). `p_active`: P(>= 1 order soon) indexed by customer id. Without any
    usable probability (empty, all missing, or all zero-weighted) every weight is 1 and the values are unchanged."""
    out = pred.copy()
    p = pd.to_numeric(out[customer_col].map(p_active), errors="coerce").astype(float)
    ref = out[reference].to_numpy(dtype=float) if reference in out else np.ones(len(out))
    weight = np.ones(len(out))
    if len(out) and p.notna().any():
        p = p.fillna(float(p.mean())).clip(0.0, 1.0).to_numpy()
        denom = float(np.sum(ref * p))
        if denom > 0:
            weight = p * float(np.sum(ref)) / denom
    out["engagement_weight"] = weight
    for col in [c for c in out.columns if c.startswith(WEIGHTED_PREFIXES)]:
        out[col] = out[col].to_numpy(dtype=float) * weight
    return out


__all__ = ["engagement_weighted"]
