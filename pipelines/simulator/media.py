"""Paid media: the daily spend plan per channel and market, and the true spend -> clicks response curves.

For paid channel c in market m on day d:

    spend[d]   = plan_spend * flighting(d) * lognormal_noise(d)          (E[noise] = 1)
    A[d]       = spend[d] + adstock_decay * A[d-1]                        (geometric adstock of spend)
    clicks[d]  = max_clicks * A[d]^shape / (A[d]^shape + half_saturation^shape)   (Hill saturation)

Region-level parameters of the scenario are given for the reference population (20 000 people) and split over the
region's markets in proportion to their people, then scaled by people / 20 000.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import SimCalendar
from .markets import MARKETS
from .rng import Rng, Stream
from .scenario import PAID_MEDIA_CHANNELS

REFERENCE_POPULATION = 20_000


def hill(adstocked: np.ndarray, half_saturation, shape, max_clicks) -> np.ndarray:
    a = np.maximum(np.asarray(adstocked, dtype=float), 0.0)
    hs = np.asarray(half_saturation, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a > 0, max_clicks * a ** shape / (a ** shape + hs ** shape), 0.0)
    return np.nan_to_num(out)


@dataclass
class MediaPlan:
    channels: tuple[str, ...]
    plan_spend: np.ndarray       # (P, M) mean daily spend USD
    half_saturation: np.ndarray  # (P, M) in adstocked USD
    max_clicks: np.ndarray       # (P, M)
    adstock_decay: np.ndarray    # (P,)
    hill_shape: np.ndarray       # (P,)
    spend: np.ndarray            # (P, M, D) actual daily spend USD
    adstock: np.ndarray          # (P, M, D)
    expected_clicks: np.ndarray  # (P, M, D)
    scale_factor: float

    def index(self, channel: str) -> int:
        return self.channels.index(channel)


def build_media_plan(rng: Rng, scenario: dict, cal: SimCalendar, n_days: int, people_by_market: np.ndarray,
                     n_people: int) -> MediaPlan:
    media = scenario["media"]
    scale = n_people / REFERENCE_POPULATION
    P, M = len(PAID_MEDIA_CHANNELS), len(MARKETS)
    plan = np.zeros((P, M))
    half = np.ones((P, M))
    cmax = np.zeros((P, M))
    decay = np.zeros(P)
    shape = np.ones(P)
    for pi, ch in enumerate(PAID_MEDIA_CHANNELS):
        spec = media[ch]
        decay[pi] = spec["adstock_decay"]
        shape[pi] = spec["hill_shape"]
        for region, values in spec["regions"].items():
            members = [mi for mi, m in enumerate(MARKETS) if m.region == region
                       and (ch != "amazon_ads" or m.amazon_marketplace_id)]
            weights = np.array([people_by_market[mi] for mi in members], dtype=float)
            if weights.sum() <= 0:
                continue
            weights = weights / weights.sum()
            for mi, w in zip(members, weights):
                if w <= 0:
                    continue
                plan[pi, mi] = values["daily_spend"] * w * scale
                half[pi, mi] = values["half_saturation"] * w * scale
                cmax[pi, mi] = values["max_clicks"] * w * scale

    flight = np.ones((P, n_days))
    for f in media["flighting"]:
        pi = PAID_MEDIA_CHANNELS.index(f["channel"])
        lo, hi = cal.day_of(f["start_date"]), cal.day_of(f["end_date"])
        lo, hi = max(lo, 0), min(hi, n_days - 1)
        if lo <= hi:
            flight[pi, lo:hi + 1] *= f["multiplier"]
    sigma = media["spend_noise"]
    spend = np.zeros((P, M, n_days))
    for day in range(n_days):  # noise depends only on (seed, day): append-a-day safe
        z = rng.generator(Stream.SPEND_NOISE, day).normal(0.0, 1.0, (P, M))
        spend[:, :, day] = plan * flight[:, day, None] * np.exp(sigma * z - sigma ** 2 / 2)
    spend = np.round(spend, 2)
    adstock = np.zeros_like(spend)
    for day in range(n_days):
        prev = adstock[:, :, day - 1] if day else plan / np.maximum(1 - decay[:, None], 1e-9)  # start at steady state
        adstock[:, :, day] = spend[:, :, day] + decay[:, None] * prev
    clicks = hill(adstock, half[:, :, None], shape[:, None, None], cmax[:, :, None])
    return MediaPlan(PAID_MEDIA_CHANNELS, plan, half, cmax, decay, shape, spend, adstock, clicks, scale)
