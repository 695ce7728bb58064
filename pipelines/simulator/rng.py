"""Randomness keyed by (seed, stream, day, ...): the basis of determinism and of append-a-day.

Two kinds of draws, both independent of how many days a run covers:

* ``dense(...)`` — a PCG64 generator seeded from ``[seed, stream, day, block, rep_key]``; used for draws over every
  person of a person block on a day (e.g. the daily purchase uniform).
* ``keyed(...)`` — a counter-based hash (splitmix64) of ``(seed, stream, day, rep_key, salt, id)``; used for sparse
  draws that must be identical for the same entity in every counterfactual world (common random numbers): the
  basket of the order a person places on a day, their dropout draw, the time of a session, ...

``rep_key`` is 0 for the real world and for counterfactual replicates (they share the real world's random numbers),
and 1..K for Monte Carlo rollouts of the future (each gets its own numbers).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


class Stream:
    """Stream ids: one per independent source of randomness. Never renumber (it would change every output)."""

    POPULATION = 1
    PURCHASE = 2
    PLATFORM_CHOICE = 3
    BASKET = 4
    DROPOUT = 5
    PAID_CLICKS = 6
    AD_CHOICE = 7
    CREATOR_POSTS = 8
    CREATOR_CLICKS = 9
    ORGANIC = 10
    DIRECT = 11
    REFERRAL_SITE = 12
    EMAIL = 13
    REFERRAL_SHARE = 14
    SIGNUP = 15
    EXPERIMENT = 16
    TIME_OF_DAY = 17
    FX = 18
    SPEND_NOISE = 19
    ORDER_DETAILS = 20
    LOGISTICS = 21
    PAYMENTS = 22
    SESSION_RENDER = 23
    BOTS = 24
    MESS = 25
    LOYALTY = 26
    PRIVACY = 27
    PLATFORM_CLAIMS = 28
    CATALOGUE = 29
    INVENTORY = 30
    IDENTIFIERS = 31
    CAMPAIGNS = 32
    CONSENT = 33


def mix64(x: int) -> int:
    """splitmix64 finaliser on a Python int (scalar keys)."""
    x &= MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


@lru_cache(maxsize=65536)
def _mix_cached(x: int) -> int:
    return mix64(x)


@lru_cache(maxsize=262144)
def combine(*parts: int) -> int:
    """Hash a tuple of non-negative ints into one 64-bit key."""
    h = 0x243F6A8885A308D3
    for part in parts:
        h = mix64(h ^ mix64((int(part) + _GOLDEN) & MASK64))
    return h


def _mix_array(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def hash_ids(key: int, ids) -> np.ndarray:
    """64-bit hashes of ``ids`` (array-like of ints) under the scalar ``key`` (uint64 arithmetic wraps)."""
    arr = np.atleast_1d(np.asarray(ids)).astype(np.uint64, copy=False)
    return _mix_array(_mix_array(arr * np.uint64(_GOLDEN) + np.uint64(key)) ^ np.uint64(_mix_cached(key ^ 0x5851F42D)))


def to_uniform(h: np.ndarray) -> np.ndarray:
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


class Rng:
    """All random draws of one simulation run."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def key(self, stream: int, *parts: int) -> int:
        return combine(self.seed, stream, *parts)

    def generator(self, stream: int, *parts: int) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, stream, *[int(p) for p in parts]])))

    def dense(self, stream: int, day: int, block: int, size: int, rep_key: int = 0) -> np.ndarray:
        return self.generator(stream, day, block, rep_key).random(size)

    def keyed(self, stream: int, day: int, ids, rep_key=0, salt: int = 0) -> np.ndarray:
        """Uniforms in [0, 1) for each id; ``rep_key`` may be a scalar or an array aligned with ``ids``."""
        if np.isscalar(rep_key):
            return to_uniform(hash_ids(self.key(stream, day, int(rep_key), salt), ids))
        combined = self._with_reps(ids, rep_key)
        return to_uniform(hash_ids(self.key(stream, day, 0, salt + 7919), combined))

    @staticmethod
    def _with_reps(ids, rep_key) -> np.ndarray:
        ids = np.atleast_1d(np.asarray(ids)).astype(np.uint64)
        if np.isscalar(rep_key) and int(rep_key) == 0:
            return ids * np.uint64(1_000_003)
        reps = np.broadcast_to(np.asarray(rep_key).astype(np.uint64), ids.shape)
        return ids * np.uint64(1_000_003) + reps * np.uint64(0xD6E8FEB86659FD93)

    def keyed_block(self, stream: int, day: int, ids, rep_key=0, width: int = 8, salt: int = 0) -> np.ndarray:
        """``(len(ids), width)`` independent uniforms per id in one pass (column j plays the role of a salt)."""
        combined = self._with_reps(ids, rep_key)
        expanded = (combined[:, None] * np.uint64(width + 1) + np.arange(width, dtype=np.uint64)[None, :]).ravel()
        return to_uniform(hash_ids(self.key(stream, day, 1, salt + 104729), expanded)).reshape(-1, width)

    def keyed_int(self, stream: int, day: int, ids, salt: int = 0) -> np.ndarray:
        return hash_ids(self.key(stream, day, 0, salt), ids)

    def scalar(self, stream: int, *parts: int) -> float:
        return (self.key(stream, *parts) >> 11) * (1.0 / 9007199254740992.0)


def hex_id(rng: Rng, stream: int, salt: int, ids, width: int = 16) -> list[str]:
    """Stable hexadecimal identifiers (e.g. cookies) for integer ids."""
    h = rng.keyed_int(stream, 0, ids, salt=salt)
    return [format(int(v), "016x")[:width] for v in h]


def inverse_cdf(u: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    """Index drawn from a discrete distribution given its cumulative weights (last element = total)."""
    return np.minimum(np.searchsorted(cumulative, u * cumulative[-1], side="right"), len(cumulative) - 1)
