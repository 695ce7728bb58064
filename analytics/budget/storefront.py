"""Revenue per dollar of a paid channel whose sales land on a storefront of its own (Amazon Ads -> Amazon orders).

Why: such a channel has no user-level touchpoints (its clicks happen on the marketplace), so attribution gives it
nothing and the budget used to value it by its platform-claimed revenue deflated by the *other* platforms'
over-count. Platforms over-count by different factors (on the TikTok-heavy bench market Google's and Meta's claims
were 10-14x our incremental revenue, Amazon's about 1.7x its true one), so that borrowed factor can be off by
several times. The storefront's own daily sales say more: when the channel spends more in a market on a day, does
that market's storefront revenue move?

Estimate (two-way fixed effects, ordinary least squares)::

    revenue[m, d] = α_m + δ_d + b · spend[m, d] + ε

``α_m`` absorbs each market's level, ``δ_d`` every day's shock common to all markets (weekday, promotions,
seasonality), so ``b`` comes only from a market spending more or less than usual on a day relative to the others.
Same-day spend: how long the effect lasts is not identified on this data (longer adstocks fit equally well, with
b growing), so the estimate is the conservative same-day one and says so. ``b`` is the marginal revenue of a dollar
around the current plan, which is what a budget reallocation needs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_MARKET_DAYS = 60
MIN_T_STAT = 2.0


@dataclass(frozen=True)
class StorefrontEstimate:
    revenue_per_dollar: float | None   # b; None when not estimable (see reason)
    standard_error: float | None
    market_days: int
    markets: int
    usable: bool                       # b > 0 with t >= MIN_T_STAT
    reason: str


def revenue_per_dollar(daily: pd.DataFrame) -> StorefrontEstimate:
    """``daily``: one row per market x day with ``market``, ``day``, ``spend`` and ``revenue`` (the storefront's net
    revenue that day in that market, 0 when none). Returns the two-way fixed-effects slope and whether it is usable
    (positive, t >= MIN_T_STAT, at least MIN_MARKET_DAYS rows over two or more markets)."""
    frame = daily.loc[daily["spend"].notna()]
    n, k = len(frame), frame["market"].nunique() if len(frame) else 0
    if n < MIN_MARKET_DAYS or k < 2:
        return StorefrontEstimate(None, None, n, k, False, f"{n} market-days in {k} market(s): need >= "
                                                            f"{MIN_MARKET_DAYS} in two or more markets")
    market = pd.get_dummies(frame["market"], drop_first=False, dtype=float).to_numpy()
    day = pd.get_dummies(frame["day"], drop_first=True, dtype=float).to_numpy()
    spend = frame["spend"].to_numpy(dtype=float)
    X = np.column_stack([spend, market, day])
    y = frame["revenue"].fillna(0.0).to_numpy(dtype=float)
    coef, _, rank, _ = np.linalg.lstsq(X, y, rcond=None)
    dof = n - rank
    if dof <= 0 or rank < X.shape[1]:
        return StorefrontEstimate(None, None, n, k, False,
                                  "spend does not vary within market and day: slope not identified")
    resid = y - X @ coef
    cov = np.linalg.pinv(X.T @ X) * (float(resid @ resid) / dof)
    b, se = float(coef[0]), float(np.sqrt(cov[0, 0]))
    t = b / se if se > 0 else float("nan")
    if not (b > 0 and t >= MIN_T_STAT):
        return StorefrontEstimate(b, se, n, k, False, f"slope {b:.2f} per dollar with t {t:.1f}: not "
                                                      f"distinguishable from no effect (need > 0 and t >= {MIN_T_STAT})")
    return StorefrontEstimate(b, se, n, k, True, f"{b:.2f} revenue per dollar (t {t:.1f}) within market and day, "
                                                 f"{n} market-days in {k} markets")
