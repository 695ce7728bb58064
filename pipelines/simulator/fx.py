"""Daily FX rates: a seeded random walk per currency (units per 1 EUR, ECB convention); AED and SAR peg to USD."""
from __future__ import annotations

import numpy as np

from .markets import FX_CURRENCIES, FX_DAILY_VOL, FX_START_PER_EUR, FX_USD_PEGS
from .rng import Rng, Stream

CURRENCY_INDEX = {c: i for i, c in enumerate(("EUR",) + FX_CURRENCIES)}


class FxRates:
    """``per_eur[day, currency_index]`` for every simulated day (index 0 is EUR itself = 1.0)."""

    def __init__(self, rng: Rng, n_days: int) -> None:
        free = [c for c in FX_CURRENCIES if c not in FX_USD_PEGS]
        steps = np.zeros((n_days, len(free)))
        vols = np.array([FX_DAILY_VOL[c] for c in free])
        for day in range(1, n_days):  # each day's moves depend only on (seed, day): append-a-day safe
            steps[day] = rng.generator(Stream.FX, day).normal(0.0, 1.0, len(free)) * vols
        levels = np.array([FX_START_PER_EUR[c] for c in free]) * np.exp(np.cumsum(steps, axis=0))
        self.per_eur = np.ones((n_days, len(CURRENCY_INDEX)))
        for j, c in enumerate(free):
            self.per_eur[:, CURRENCY_INDEX[c]] = levels[:, j]
        usd = self.per_eur[:, CURRENCY_INDEX["USD"]]
        for c, peg in FX_USD_PEGS.items():
            self.per_eur[:, CURRENCY_INDEX[c]] = usd * peg
        # ECB publishes 4 decimals (5 significant digits); the simulation uses the published values.
        self.per_eur = np.round(self.per_eur, 4)

    def to_usd(self, amount, currency_index, day) -> np.ndarray:
        """Convert local amounts to USD at the day's published rates."""
        d = np.asarray(day)
        return np.asarray(amount, dtype=np.float64) / self.per_eur[d, currency_index] * self.per_eur[d, CURRENCY_INDEX["USD"]]

    def from_usd(self, amount_usd, currency_index, day) -> np.ndarray:
        d = np.asarray(day)
        return np.asarray(amount_usd, dtype=np.float64) * self.per_eur[d, currency_index] / self.per_eur[d, CURRENCY_INDEX["USD"]]
