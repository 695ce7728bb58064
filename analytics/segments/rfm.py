"""RFM quintile scores and named RFM segments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.clv.errors import InsufficientDataError, require_columns

# Ordered rules: the first that matches names the segment. R, F, M are 1..5 (5 = best).
SEGMENT_RULES: list[tuple[str, str]] = [
    ("Champions", "R >= 4 and F >= 4 and M >= 4"),
    ("Loyal", "R >= 3 and F >= 4"),
    ("Can't Lose Them", "R <= 2 and F >= 4 and M >= 4"),
    ("At Risk", "R <= 2 and F >= 3"),
    ("Potential Loyalist", "R >= 4 and 2 <= F <= 3"),
    ("New", "R == 5 and F == 1"),
    ("Promising", "R == 4 and F == 1"),
    ("Need Attention", "R == 3 and 2 <= F <= 3"),
    ("About to Sleep", "R == 3 and F == 1"),
    ("Hibernating", "R == 2 and F <= 2"),
    ("Lost", "R == 1 and F <= 2"),
]


def quintile_score(values, higher_is_better: bool = True) -> np.ndarray:
    """1..5 by rank: score = 1 + floor(5 * (rank - 1) / n) with ties given their lowest rank.

    Ties share a score (customers with equal frequency are scored alike), so with a
    heavily tied column (most customers with one order) the upper scores start later.
    """
    s = pd.Series(np.asarray(values, dtype=float))
    if not higher_is_better:
        s = -s
    ranks = s.rank(method="min").to_numpy()
    n = len(s)
    return (1 + np.floor(5 * (ranks - 1) / max(n, 1))).astype(int).clip(1, 5)


def rfm_from_orders(
    orders: pd.DataFrame,
    as_of,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str = "value",
) -> pd.DataFrame:
    """recency_days (as_of - last order), frequency (orders), monetary (total value) per customer."""
    require_columns(orders, [customer_col, date_col, value_col], "rfm_from_orders")
    as_of_ts = pd.Timestamp(as_of).normalize()
    dates = pd.to_datetime(orders[date_col], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    df = pd.DataFrame(
        {
            "customer_id": orders[customer_col].to_numpy(),
            "day": dates.dt.normalize().to_numpy(),
            "value": pd.to_numeric(orders[value_col], errors="coerce").fillna(0.0).to_numpy(),
        }
    ).dropna(subset=["customer_id", "day"])
    df = df[df["day"] <= as_of_ts]
    if df.empty:
        raise InsufficientDataError(f"rfm_from_orders: no orders on or before {as_of_ts.date()}")
    g = df.groupby("customer_id")
    out = pd.DataFrame(
        {
            "recency_days": (as_of_ts - g["day"].max()).dt.days,
            "frequency": g.size(),
            "monetary": g["value"].sum(),
        }
    ).reset_index()
    return out.rename(columns={"customer_id": customer_col})


def name_segments(r, f, m) -> np.ndarray:
    """Segment name per customer from R/F/M scores, by `SEGMENT_RULES` (first match wins)."""
    R, F, M = (np.asarray(v) for v in (r, f, m))
    conditions = [
        (R >= 4) & (F >= 4) & (M >= 4),
        (R >= 3) & (F >= 4),
        (R <= 2) & (F >= 4) & (M >= 4),
        (R <= 2) & (F >= 3),
        (R >= 4) & (F >= 2) & (F <= 3),
        (R == 5) & (F == 1),
        (R == 4) & (F == 1),
        (R == 3) & (F >= 2) & (F <= 3),
        (R == 3) & (F == 1),
        (R == 2) & (F <= 2),
        (R == 1) & (F <= 2),
    ]
    return np.select(conditions, [name for name, _ in SEGMENT_RULES], default="Other")


def rfm_scores(customers: pd.DataFrame) -> pd.DataFrame:
    """Add r_score, f_score, m_score (quintiles 1..5), rfm_cell ("545") and segment.

    Input: one row per customer with recency_days, frequency, monetary (as from
    `rfm_from_orders` or the customer mart). An empty input returns an empty frame
    with the output columns and ``attrs["note"]``.
    """
    require_columns(customers, ["recency_days", "frequency", "monetary"], "rfm_scores")
    out = customers.copy()
    if out.empty:
        for c in ["r_score", "f_score", "m_score"]:
            out[c] = pd.Series(dtype=int)
        out["rfm_cell"] = pd.Series(dtype=str)
        out["segment"] = pd.Series(dtype=str)
        out.attrs["note"] = "no customers to score"
        return out
    out["r_score"] = quintile_score(out["recency_days"], higher_is_better=False)
    out["f_score"] = quintile_score(out["frequency"])
    out["m_score"] = quintile_score(out["monetary"])
    out["rfm_cell"] = (
        out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    )
    out["segment"] = name_segments(out["r_score"], out["f_score"], out["m_score"])
    return out


def segment_sizes(scored: pd.DataFrame, segment_col: str = "segment") -> pd.DataFrame:
    """Customers and share per segment, largest first."""
    require_columns(scored, [segment_col], "segment_sizes")
    sizes = scored[segment_col].value_counts().rename_axis(segment_col).reset_index(name="n_customers")
    sizes["share"] = sizes["n_customers"] / max(len(scored), 1)
    return sizes
