"""A/B experiments as arrays the engine can use: windows, targeted markets, variant shares and true lifts.

A person is assigned to a running experiment at their first session in its window (if their market is targeted);
the variant is a pure function of (seed, experiment, person) drawn with the *actual* shares, so a planted
sample-ratio mismatch shows up as actual != declared shares. A variant's ``true_relative_lift`` multiplies the
person's Shopify purchase hazard from the assignment day until the experiment ends.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .clock import SimCalendar
from .markets import MARKETS
from .rng import Rng, Stream


@dataclass
class Experiments:
    ids: list[str]
    specs: list[dict]
    start_day: np.ndarray      # (E,)
    end_day: np.ndarray        # (E,) inclusive
    market_mask: np.ndarray    # (E, M) bool
    actual_cum: list[np.ndarray]   # per experiment cumulative actual shares
    lifts: list[np.ndarray]        # per experiment variant lifts

    @property
    def n(self) -> int:
        return len(self.ids)

    def variant_of(self, rng: Rng, e: int, persons: np.ndarray) -> np.ndarray:
        u = rng.keyed(Stream.EXPERIMENT, 0, persons, salt=1000 + e)
        cum = self.actual_cum[e]
        return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1)

    def srm_planted(self, e: int) -> bool:
        v = self.specs[e]["variants"]
        return any(abs(x["declared_share"] - x["actual_share"]) > 1e-9 for x in v)


def build_experiments(scenario: dict, cal: SimCalendar) -> Experiments:
    specs = scenario["experiments"]
    E, M = len(specs), len(MARKETS)
    mask = np.zeros((E, M), dtype=bool)
    for e, s in enumerate(specs):
        if s["markets"]:
            for code in s["markets"]:
                mask[e, [m.code for m in MARKETS].index(code)] = True
        else:
            mask[e, :] = True
    return Experiments(
        ids=[s["id"] for s in specs], specs=specs,
        start_day=np.array([cal.day_of(s["start_date"]) for s in specs], dtype=np.int32),
        end_day=np.array([cal.day_of(s["end_date"]) for s in specs], dtype=np.int32),
        market_mask=mask,
        actual_cum=[np.cumsum([v["actual_share"] for v in s["variants"]]) for s in specs],
        lifts=[np.array([v["true_relative_lift"] for v in s["variants"]]) for s in specs],
    )
