"""The static world of one run: scale, calendar, people, catalogue, FX, media plan, creators, experiments, e-mail
programme and per-day/per-region calendars (weekday and promotion multipliers, promotions, delivery disruptions).

Nothing here depends on the number of visible days except array lengths: the world is built for
``days + FUTURE_HORIZON_DAYS`` days so the truth can see the realised future without it entering the store.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalogue import Catalogue, build_catalogue
from .clock import SimCalendar
from .creators import Creators, build_creators
from .email_program import EmailProgram, build_email_program
from .experiments import Experiments, build_experiments
from .fx import FxRates
from .markets import MARKETS, REGIONS
from .media import MediaPlan, build_media_plan
from .people import Population, build_population
from .rng import Rng
from .scenario import CHANNELS

SCALES = {"small": (2_000, 60), "demo": (20_000, 180), "large": (1_000_000, 365)}
BLOCK_SIZE = 50_000
FUTURE_HORIZON_DAYS = 180
CH = {c: i for i, c in enumerate(CHANNELS)}
WEB_CHANNELS = np.array([c != "amazon_ads" for c in CHANNELS])


@dataclass
class World:
    scenario: dict
    scale: str
    seed: int
    rng: Rng
    cal: SimCalendar
    total_days: int
    pop: Population
    catalogue: Catalogue
    fx: FxRates
    media: MediaPlan
    creators: Creators
    experiments: Experiments
    email: EmailProgram
    decay: np.ndarray           # (C,) daily adstock retention per channel
    lift: np.ndarray            # (C,)
    saturation: np.ndarray      # (C,)
    interactions: list[tuple[int, int, int, float]]   # (source, target, window_days, multiplier)
    tracked: list[int]          # channels whose last touch day is tracked (interaction sources, creators, referral)
    baseline_multiplier: np.ndarray   # (D, regions) weekday x promotion hazard multiplier
    promo_index: np.ndarray           # (D, regions) promotion running, -1 none
    promo_discount: np.ndarray
    promo_code_prob: np.ndarray
    disruption_days: np.ndarray       # (D, regions) extra delivery days
    blocks: list[tuple[int, int]]
    people_by_market: np.ndarray

    @property
    def as_of_day(self) -> int:
        return self.cal.as_of_day

    @property
    def n_days(self) -> int:
        return self.cal.days


def build_world(scenario: dict, scale: str, seed: int, days: int | None = None,
                n_people: int | None = None) -> World:
    people, default_days = SCALES[scale]
    n = int(n_people or people)
    days = int(days or default_days)
    cal = SimCalendar(scenario["start_date"], days)
    total = days + FUTURE_HORIZON_DAYS
    rng = Rng(seed)
    pop = build_population(rng, scenario, n)
    fx = FxRates(rng, total)
    catalogue = build_catalogue(rng, fx.per_eur[0])
    people_by_market = np.bincount(pop.market, minlength=len(MARKETS)).astype(float)
    media = build_media_plan(rng, scenario, cal, total, people_by_market, n)
    creators = build_creators(rng, scenario, total, np.maximum(people_by_market, 0) + 1e-9, media.scale_factor)
    experiments = build_experiments(scenario, cal)
    email = build_email_program(scenario, cal, total)

    ch = scenario["channels"]
    decay = np.array([0.5 ** (1.0 / ch[c]["half_life_days"]) for c in CHANNELS])
    lift = np.array([ch[c]["lift"] for c in CHANNELS])
    saturation = np.array([ch[c]["saturation"] for c in CHANNELS])
    interactions = [(CH[i["source"]], CH[i["target"]], int(i["window_days"]), float(i["multiplier"]))
                    for i in scenario["interactions"]]
    tracked = sorted({s for s, _, _, _ in interactions} | {CH["affiliate_kol"], CH["referral"]})

    R = len(REGIONS)
    weekday = np.array(scenario["acquisition"]["weekday_multipliers"])
    base_mult = np.ones((total, R))
    promo_index = np.full((total, R), -1, dtype=np.int64)
    for d in range(total):
        base_mult[d, :] = weekday[cal.date_of(d).weekday()]
    promos = scenario["promotions"]
    for pi, p in enumerate(promos):
        lo, hi = max(cal.day_of(p["start_date"]), 0), min(cal.day_of(p["end_date"]), total - 1)
        regions = [REGIONS.index(r) for r in p["regions"]] or list(range(R))
        for d in range(lo, hi + 1):
            for r in regions:
                if promo_index[d, r] < 0:
                    promo_index[d, r] = pi
                    base_mult[d, r] *= p["hazard_multiplier"]
    disruption = np.zeros((total, R), dtype=np.int64)
    for dis in scenario["logistics"]["disruptions"]:
        lo, hi = max(cal.day_of(dis["start_date"]), 0), min(cal.day_of(dis["end_date"]), total - 1)
        if lo <= hi:
            disruption[lo:hi + 1, REGIONS.index(dis["region"])] += int(dis["extra_delivery_days"])
    blocks = [(lo, min(lo + BLOCK_SIZE, n)) for lo in range(0, n, BLOCK_SIZE)]
    return World(
        scenario=scenario, scale=scale, seed=seed, rng=rng, cal=cal, total_days=total, pop=pop, catalogue=catalogue,
        fx=fx, media=media, creators=creators, experiments=experiments, email=email, decay=decay, lift=lift,
        saturation=saturation, interactions=interactions, tracked=tracked, baseline_multiplier=base_mult,
        promo_index=promo_index, promo_discount=np.array([p["discount"] for p in promos] or [0.0]),
        promo_code_prob=np.array([p["code_use_prob"] for p in promos] or [0.0]), disruption_days=disruption,
        blocks=blocks, people_by_market=people_by_market,
    )
