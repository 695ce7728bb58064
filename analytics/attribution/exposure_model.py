"""The Shapley game from a daily purchase hazard: person-days at risk instead of journeys.

Why: a journey (fct_journey_paths) records which channels touched a person in up to 30 days, not when, and a
converting journey ends at its order while a non-converting one runs its full window. So a channel set's
conversion rate mixes the channels' effect with time at risk, and channels that touch a person often and long
before the order (direct visits, organic search, e-mail to the whole list) share the credit of those that act in
the days before it. Purchases happen on days; the unit here is the person-day.

Model (the same additive hazard as :mod:`.coalition_model`, one unit = one person-day at risk)::

    P(order on day t) = 1 - exp(-(b0 + γ · returning_t + Σ_c β_c · exposed_c,t))

``exposed_c,t`` = the person had a touchpoint of channel ``c`` on one of the days ``t-W+1 … t`` (the exposure
window, ``W`` days); ``returning_t`` = an order before day ``t``, or before the warehouse's order history began (the
storefront's customer record says so: int_orders__prior_history). A person is at risk from the day of their first
touchpoint to the as-of date. The person-days are aggregated to distinct (channel set, returning, ordered) cells,
so the fit costs the same for 10⁵ or 10⁸ person-days (the Dagster asset builds them in the warehouse:
``read_exposure_cells`` in orchestration/defs/attribution/data_driven.py). ``W`` is not a tuning knob: each candidate
window is fitted on the same person-days and outcomes and the one with the highest likelihood is kept
(:func:`choose_window`).

Crediting a conversion: its *exposure set* is the channels of its eligible touchpoints within ``W`` days before it
(:func:`exposure_touchpoints`); the Shapley values of that set, from ``v`` of the fitted model, split its value,
and the baseline share ``h0 / h`` of that set is the customer's own part. A conversion whose touchpoints are all
older than the window is owed wholly to the baseline by the model (incremental revenue 0); its attributed revenue
is still split, by the Shapley values of its whole path set, so every conversion with a touchpoint keeps credits
that sum to 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .coalition_model import CoalitionModel, fit_cells

DEFAULT_WINDOWS = (3, 7, 14, 21, 30)
"""Candidate exposure windows (days); the longest should not exceed the attribution lookback."""


@dataclass(frozen=True)
class ExposureFit:
    window_days: int
    model: CoalitionModel
    log_likelihoods: dict[int, float]   # candidate window -> maximised log-likelihood

    @property
    def person_days(self) -> int:
        return self.model.journeys

    @property
    def order_days(self) -> int:
        return self.model.conversions


def choose_window(cells_by_window: dict[int, pd.DataFrame], channels: tuple[str, ...],
                  covariates: tuple[str, ...] = ("is_returning_customer",)) -> ExposureFit:
    """Fit the hazard for every candidate window and keep the most likely one.

    All candidates must describe the same person-days and outcomes (only the channel masks differ), which is what
    makes their likelihoods comparable; that is checked."""
    if not cells_by_window:
        raise ValueError("no candidate exposure window to fit")
    totals = {w: (int(c["weight"].sum()), int(c.loc[c["converted"].astype(bool), "weight"].sum()))
              for w, c in cells_by_window.items()}
    if len(set(totals.values())) > 1:
        raise ValueError(f"candidate windows disagree on person-days / order-days: {totals}")
    fits = {w: fit_cells(cells, channels, covariates) for w, cells in sorted(cells_by_window.items())}
    likelihoods = {w: m.log_likelihood for w, m in fits.items()}
    best = max(likelihoods, key=lambda w: (likelihoods[w], -w))
    return ExposureFit(window_days=int(best), model=fits[best], log_likelihoods=likelihoods)


def exposure_touchpoints(touchpoints: pd.DataFrame, conversions: pd.DataFrame, window_days: int) -> pd.DataFrame:
    """The touchpoints that carry a conversion's Shapley credit, with ``in_exposure_window``.

    A touchpoint is in the window when its calendar day is fewer than ``window_days`` days before the conversion's
    (UTC days, as the person-day cells count them). A conversion with no touchpoint in the window keeps all its
    touchpoints (its credit then follows the whole path set; see the module doc)."""
    converted_at = conversions.set_index("conversion_id")["converted_at"]
    days = (pd.to_datetime(touchpoints["conversion_id"].map(converted_at)).dt.normalize()
            - pd.to_datetime(touchpoints["touched_at"]).dt.normalize()).dt.days
    in_window = (days < window_days).to_numpy()
    any_in = pd.Series(in_window).groupby(touchpoints["conversion_id"].to_numpy()).transform("any").to_numpy()
    keep = in_window | ~any_in
    return touchpoints.loc[keep].assign(in_exposure_window=in_window[keep])


def credit_within_window(touchpoints: pd.DataFrame, conversions: pd.DataFrame, window_days: int,
                         credit) -> pd.DataFrame:
    """``credit(counted touchpoints)`` (a conversion × touchpoint credit frame, e.g. Shapley's) over the touchpoints
    :func:`exposure_touchpoints` counts, and credit 0 on every other eligible touchpoint, so each keeps its row."""
    counted = exposure_touchpoints(touchpoints, conversions, window_days)
    credited = credit(counted.drop(columns="in_exposure_window"))
    rest = touchpoints.drop(index=counted.index)
    if not len(rest):
        return credited
    zero = credited.iloc[:0].reindex(range(len(rest)))
    zero["conversion_id"] = rest["conversion_id"].to_numpy()
    zero["touchpoint_id"] = rest["touchpoint_id"].to_numpy()
    zero["channel"] = rest["channel"].to_numpy()
    zero["model"] = credited["model"].iloc[0] if len(credited) else None
    zero["credit"] = 0.0
    zero["attributed_revenue"] = 0.0
    return pd.concat([credited, zero.astype(credited.dtypes.to_dict())], ignore_index=True)
