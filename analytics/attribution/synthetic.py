"""A small causal world with known channel effects, for tests and benchmarks (not the market simulator).

Each journey is exposed to a set of channels. Exposure is **correlated**: being exposed to an
upper-funnel channel (e.g. TikTok) raises the chance of a later lower-funnel touch (brand search,
direct), which is what makes last-touch over-credit the lower funnel. Each exposed channel leaves
``1 + Poisson(mean_touches - 1)`` touchpoints, timed by the channel's funnel ``stage`` (0 = early in the
journey, 1 = just before the purchase decision).

Conversion: ``logit P(convert) = base_log_odds + Σ_{c exposed} log_odds_lift[c]
+ Σ_{(a, b) both exposed} interaction_lift[a, b]`` — each channel multiplies the conversion odds by
``exp(lift)``, whatever the order or number of its touches; an interaction (e.g. a creator post making
a later search more effective) adds to the odds only when both channels are present.
Order values are Gamma(2) with mean ``mean_order_value`` and independent of channels.

Truth, by counterfactual removal with everything else held fixed (expected values, no sampling noise):
``incremental_orders[c] = Σ_{j exposed to c} (p_j − p_j^{−c})`` (``p^{−c}`` drops c's lift and its
interactions) and ``incremental_revenue[c]`` the same
weighted by each journey's order value; the ``baseline`` row is the expected orders/revenue with no
touchpoints at all. All random draws are made in a fixed order whose shapes do not depend on the lifts,
so two worlds that differ only in lifts share their random numbers (used by the shift test).

Converting journeys with no exposure are kept as empty-path journeys and conversions without
touchpoints (the "unattributed (baseline)" line); non-converting empty journeys are not observable
and are left out, as in the warehouse.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .paths import PATH_SEPARATOR


@dataclass(frozen=True)
class ChannelSpec:
    exposure: float          # probability a journey is exposed to the channel (before induced exposure)
    log_odds_lift: float     # additive log-odds of conversion when exposed
    stage: float             # 0 = upper funnel (early touches) … 1 = lower funnel (late touches)
    mean_touches: float = 1.5


@dataclass(frozen=True)
class SyntheticWorld:
    channels: dict[str, ChannelSpec]
    induced_exposure: dict[tuple[str, str], float] = field(default_factory=dict)
    interaction_lift: dict[tuple[str, str], float] = field(default_factory=dict)
    base_log_odds: float = -3.5
    journey_days: float = 30.0
    mean_order_value: float = 80.0
    start: str = "2026-01-01"
    period_days: int = 150

    def with_lift(self, channel: str, log_odds_lift: float) -> "SyntheticWorld":
        channels = dict(self.channels)
        channels[channel] = replace(channels[channel], log_odds_lift=log_odds_lift)
        return replace(self, channels=channels)


def default_world() -> SyntheticWorld:
    """Upper funnel with large effects, lower funnel with small ones but induced, late touches."""
    spec = ChannelSpec
    return SyntheticWorld(
        channels={
            "paid_social_tiktok": spec(0.30, 0.9, 0.0),
            "paid_social_meta": spec(0.30, 0.6, 0.1),
            "affiliate_kol": spec(0.10, 0.8, 0.2),
            "referral": spec(0.05, 0.7, 0.4),
            "email": spec(0.20, 0.3, 0.6, 2.0),
            "organic_search": spec(0.20, 0.3, 0.7),
            "shopping": spec(0.12, 0.3, 0.8),
            "paid_search": spec(0.15, 0.15, 0.9),
            "direct": spec(0.25, 0.05, 1.0, 2.0),
        },
        induced_exposure={
            ("paid_social_tiktok", "paid_search"): 0.5,
            ("paid_social_tiktok", "direct"): 0.4,
            ("paid_social_meta", "paid_search"): 0.4,
            ("paid_social_meta", "organic_search"): 0.3,
            ("affiliate_kol", "direct"): 0.4,
            ("affiliate_kol", "shopping"): 0.3,
            ("email", "direct"): 0.3,
        },
    )


@dataclass(frozen=True)
class SyntheticData:
    journeys: pd.DataFrame
    conversions: pd.DataFrame
    touchpoints: pd.DataFrame
    truth: pd.DataFrame      # channel, incremental_orders, incremental_revenue (+ baseline row)
    touch_log: pd.DataFrame  # every touch, converting journey or not: journey_id, channel, touched_at


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def simulate(world: SyntheticWorld, n_journeys: int, seed: int = 0) -> SyntheticData:
    """Draw ``n_journeys`` journeys (vectorised; memory ~ a few hundred bytes per journey)."""
    names = list(world.channels)
    specs = [world.channels[c] for c in names]
    index = {c: i for i, c in enumerate(names)}
    rng = np.random.default_rng(seed)
    n, k = n_journeys, len(names)

    exposed = rng.random((n, k)) < np.array([s.exposure for s in specs])
    for (source, target), prob in world.induced_exposure.items():
        exposed[:, index[target]] |= exposed[:, index[source]] & (rng.random(n) < prob)
    extra = rng.poisson(np.array([max(s.mean_touches - 1.0, 0.0) for s in specs]), size=(n, k))
    conversion_draw = rng.random(n)
    value = rng.gamma(2.0, world.mean_order_value / 2.0, size=n)
    journey_start = rng.random(n) * world.period_days

    lift = np.array([s.log_odds_lift for s in specs])
    contribution = exposed * lift  # log-odds each channel adds to each journey, interactions included
    for (a, b), pair_lift in world.interaction_lift.items():
        both = exposed[:, index[a]] & exposed[:, index[b]]
        contribution[:, index[a]] += both * pair_lift / 2.0
        contribution[:, index[b]] += both * pair_lift / 2.0
    log_odds = world.base_log_odds + contribution.sum(axis=1)
    p = _sigmoid(log_odds)
    converted = conversion_draw < p

    truth_orders, truth_revenue = np.zeros(k), np.zeros(k)
    for i in range(k):
        without = log_odds - lift[i] * exposed[:, i]
        for (a, b), pair_lift in world.interaction_lift.items():
            if i in (index[a], index[b]):
                without = without - pair_lift * (exposed[:, index[a]] & exposed[:, index[b]])
        gain = p - _sigmoid(without)
        truth_orders[i] = gain.sum()
        truth_revenue[i] = (gain * value).sum()
    p0 = _sigmoid(world.base_log_odds)
    truth = pd.DataFrame({
        "channel": names + ["baseline"],
        "incremental_orders": np.r_[truth_orders, p0 * n],
        "incremental_revenue": np.r_[truth_revenue, p0 * value.sum()],
    })

    touches = np.where(exposed, 1 + extra, 0)
    journey_of_touch, channel_of_touch = np.nonzero(touches)
    repeat = touches[journey_of_touch, channel_of_touch]
    journey_of_touch = np.repeat(journey_of_touch, repeat)
    channel_of_touch = np.repeat(channel_of_touch, repeat)
    stage = np.array([s.stage for s in specs])[channel_of_touch]
    when = (stage * 0.6 + rng.random(len(channel_of_touch)) * 0.4) * world.journey_days
    order = np.lexsort((when, journey_of_touch))
    journey_of_touch, channel_of_touch, when = journey_of_touch[order], channel_of_touch[order], when[order]

    per_journey = np.bincount(journey_of_touch, minlength=n)
    offsets = np.r_[0, np.cumsum(per_journey)].astype(np.int32)
    names_arr = pa.array(names)
    steps = pa.DictionaryArray.from_arrays(pa.array(channel_of_touch.astype(np.int32)), names_arr).cast(pa.string())
    path = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), steps), PATH_SEPARATOR)

    keep = converted | (per_journey > 0)
    base_time = pd.Timestamp(world.start)
    journeys = pd.DataFrame({
        "journey_id": np.arange(n)[keep],
        "path": path.filter(pa.array(keep)).to_pandas(),
        "converted": converted[keep],
        "conversion_value": np.where(converted, value, 0.0)[keep],
    })
    converted_at = base_time + pd.to_timedelta(journey_start + world.journey_days, unit="D")
    conversions = pd.DataFrame({
        "conversion_id": np.flatnonzero(converted),
        "conversion_value": value[converted],
        "converted_at": converted_at[converted],
    })
    touch_log = pd.DataFrame({
        "journey_id": journey_of_touch,
        "channel": pd.Categorical.from_codes(channel_of_touch, categories=names).astype(str),
        "touched_at": base_time + pd.to_timedelta(journey_start[journey_of_touch] + when, unit="D"),
    })
    touch_converted = converted[journey_of_touch]
    touch_rows = np.flatnonzero(touch_converted)
    touched_at = base_time + pd.to_timedelta(journey_start[journey_of_touch[touch_rows]] + when[touch_rows], unit="D")
    touchpoints = pd.DataFrame({
        "conversion_id": journey_of_touch[touch_rows],
        "touchpoint_id": touch_rows,
        "channel": pd.Categorical.from_codes(channel_of_touch[touch_rows], categories=names).astype(str),
        "touched_at": touched_at,
    })
    return SyntheticData(journeys=journeys, conversions=conversions, touchpoints=touchpoints, truth=truth,
                         touch_log=touch_log)
