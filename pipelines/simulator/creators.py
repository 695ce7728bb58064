"""Creators (KOL / KOC / UGC), their posts, reach that grows for a week, clicks into the shop, fees and codes.

Posts are exogenous: whether creator k posts on day d depends only on (seed, day, k). Post metrics grow over the
seven days after posting (late updates); clicks into the shop follow the same growth curve.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .markets import MARKETS
from .rng import Rng, Stream
from .scenario import CREATOR_TIERS

# Share of a post's final metrics reached by the end of day t after posting (t = 0..7; final from day 7 on).
GROWTH = np.array([0.45, 0.70, 0.83, 0.90, 0.95, 0.98, 0.995, 1.0])
CLICK_SHARE = np.diff(np.concatenate([[0.0], GROWTH]))
PLATFORMS = ("tiktok", "instagram", "youtube")
_FOLLOWERS = {"KOL": (200_000, 2_000_000), "KOC": (5_000, 80_000), "UGC": (1_000, 15_000)}
_REACH_RATE = {"KOL": 0.22, "KOC": 0.35, "UGC": 0.5}
_HANDLES = ("aiko", "mina", "leo", "sofia", "kai", "noor", "lucas", "yuna", "mateo", "ines", "hana", "omar",
            "zoe", "rafa", "emi", "jun", "lea", "nico", "sara", "theo", "ana", "ken", "lina", "max")


@dataclass
class Creators:
    creator_id: np.ndarray   # (K,)
    handle: list[str]
    platform: np.ndarray     # (K,) index into PLATFORMS
    tier: np.ndarray         # (K,) index into CREATOR_TIERS
    market: np.ndarray       # (K,) index into MARKETS
    followers: np.ndarray
    affiliate_code: list[str]
    fee_usd: np.ndarray      # per post
    created_day: np.ndarray
    # posts (chronological)
    post_creator: np.ndarray  # (Q,) index into creators
    post_day: np.ndarray
    post_reach: np.ndarray    # final reach
    post_clicks: np.ndarray   # expected clicks from our population over the 7 days
    post_is_video: np.ndarray

    @property
    def post_id(self) -> np.ndarray:
        return 70_001 + np.arange(len(self.post_day))


def build_creators(rng: Rng, scenario: dict, n_days: int, market_weights: np.ndarray, scale_factor: float) -> Creators:
    spec = scenario["creators"]
    gen = rng.generator(Stream.CREATOR_POSTS)
    tiers, platforms, markets, followers, handles, codes, fees = [], [], [], [], [], [], []
    mw = market_weights / market_weights.sum()
    for ti, tier in enumerate(CREATOR_TIERS):
        for _ in range(int(spec["count"][tier])):
            k = len(tiers)
            tiers.append(ti)
            platforms.append(int(gen.choice(3, p=[0.45, 0.40, 0.15])))
            markets.append(int(gen.choice(len(MARKETS), p=mw)))
            lo, hi = _FOLLOWERS[tier]
            followers.append(int(np.exp(gen.uniform(np.log(lo), np.log(hi)))))
            base = _HANDLES[k % len(_HANDLES)]
            handles.append(f"@{base}.{('daily', 'style', 'life', 'looks', 'finds')[k % 5]}{k + 1}")
            codes.append(f"{base.upper()}{k + 1}{int(round(100 * scenario['creators']['affiliate_discount']))}")
            fees.append(float(spec["fee_usd"][tier]) * float(np.exp(gen.normal(0, 0.25))))
    K = len(tiers)
    tiers_a = np.array(tiers, dtype=np.int8)
    rate = np.array([spec["posts_per_30_days"][CREATOR_TIERS[t]] / 30.0 for t in tiers_a]) if K else np.zeros(0)
    post_creator, post_day = [], []
    for day in range(n_days):  # exogenous schedule: depends only on (seed, day)
        if K == 0:
            break
        u = rng.keyed(Stream.CREATOR_POSTS, day, np.arange(K))
        for k in np.flatnonzero(u < rate):
            post_creator.append(int(k))
            post_day.append(day)
    post_creator_a = np.array(post_creator, dtype=np.int32)
    post_day_a = np.array(post_day, dtype=np.int32)
    q = np.arange(len(post_day_a))
    noise = np.exp(rng.keyed(Stream.CREATOR_POSTS, 10**6, q, salt=3) - 0.5)
    fol = np.array(followers, dtype=float)
    reach = np.zeros(len(q))
    if len(q):
        reach = np.round(fol[post_creator_a] * np.array([_REACH_RATE[CREATOR_TIERS[t]] for t in tiers_a])[post_creator_a]
                         * noise)
    clicks = reach / 1000.0 * spec["clicks_per_1k_reach"] * scale_factor
    is_video = np.array([platforms[c] != 1 or u > 0.5 for c, u in
                         zip(post_creator, rng.keyed(Stream.CREATOR_POSTS, 10**6, q, salt=4))], dtype=bool)
    created = -np.array([30 + (k * 37) % 400 for k in range(K)], dtype=np.int32)
    return Creators(
        creator_id=9_001 + np.arange(K), handle=handles, platform=np.array(platforms, dtype=np.int8), tier=tiers_a,
        market=np.array(markets, dtype=np.int16), followers=fol.astype(np.int64), affiliate_code=codes,
        fee_usd=np.round(np.array(fees), 2), created_day=created, post_creator=post_creator_a, post_day=post_day_a,
        post_reach=reach, post_clicks=clicks, post_is_video=is_video,
    )
