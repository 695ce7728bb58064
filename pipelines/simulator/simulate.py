"""Runs of the engine: the real world (recorded), counterfactual replicates, and Monte Carlo rollouts of the future.

* ``run_real_world`` simulates every block day by day through ``as_of + FUTURE_HORIZON_DAYS``; days up to as_of are
  handed to ``on_day`` for rendering; later days only feed the realised future of each person (never the store).
* ``run_counterfactuals`` re-simulates days 0..as_of with the real world's random numbers in replicate worlds:
  the real world itself (a built-in check), each channel removed, all touchpoints removed, each experiment off.
* ``run_rollouts`` continues from the real world's state at as_of in K worlds with fresh random numbers: the mean
  is each person's expected future.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .engine import C, BlockEngine, BlockStatic, DayLog, EngineState, RepConfig
from .scenario import CHANNELS
from .world import FUTURE_HORIZON_DAYS, World

ROLLOUTS = 20
LARGE_TRUTH_BLOCKS = 4  # at large scale counterfactuals run on the first blocks and are scaled up


@dataclass
class RealWorldResult:
    orders_by_market: np.ndarray
    revenue_by_market: np.ndarray
    expected_orders_by_market: np.ndarray
    realised: dict[str, np.ndarray]       # per person: orders/revenue in the 90 / 180 days after as_of
    states_at_as_of: list[EngineState]
    stage_at_as_of: np.ndarray             # per person: 0 prospect, 1 alive customer, 2 churned
    orders_to_date: np.ndarray             # per person, orders placed in the simulated period (incl. before start)


def _blocks(world: World, limit: int | None = None) -> list[BlockStatic]:
    blocks = world.blocks if limit is None else world.blocks[:limit]
    return [BlockStatic(world, b, lo, hi) for b, (lo, hi) in enumerate(blocks)]


def run_real_world(world: World, on_day: Callable[[int, list[DayLog]], None],
                   progress: Callable[[str], None] | None = None, future: bool = True) -> RealWorldResult:
    as_of = world.as_of_day
    E = world.experiments.n
    counter = [0]
    engines = [BlockEngine(world, bs, RepConfig.real(E), as_of_day=as_of, future_start=as_of + 1, record=True,
                           share_counter=counter) for bs in _blocks(world)]
    states = []
    n = world.pop.n
    stage = np.zeros(n, dtype=np.int8)
    orders_to_date = np.zeros(n, dtype=np.int32)
    end = as_of + (FUTURE_HORIZON_DAYS if future else 0)
    for day in range(end + 1):
        logs = []
        for eng in engines:
            eng.record = day <= as_of
            log = eng.step(day)
            if log is not None:
                logs.append(log)
        if day <= as_of:
            on_day(day, logs)
        if day == as_of:
            for eng in engines:
                states.append(eng.state.copy())
                stage[eng.bs.lo:eng.bs.hi] = eng.state.stage[0]
                orders_to_date[eng.bs.lo:eng.bs.hi] = eng.state.n_orders[0]
        if progress and (day % 30 == 29 or day == end):
            phase = "history" if day <= as_of else "realised future"
            progress(f"  real world: day {day + 1}/{end + 1} ({phase})")
    realised = {k: np.concatenate([eng.future[k][0] for eng in engines]) for k in engines[0].future}
    return RealWorldResult(
        orders_by_market=sum(e.orders_by_market[0] for e in engines),
        revenue_by_market=sum(e.revenue_by_market[0] for e in engines),
        expected_orders_by_market=sum(e.expected_orders_by_market[0] for e in engines),
        realised=realised, states_at_as_of=states, stage_at_as_of=stage, orders_to_date=orders_to_date,
    )


@dataclass
class CounterfactualResult:
    labels: list[str]                      # "actual", "no_<channel>", "no_touchpoints", "no_<experiment>"
    orders_by_market: np.ndarray           # (R, M)
    revenue_by_market: np.ndarray          # (R, M)
    expected_orders_by_market: np.ndarray  # (R, M)
    experiment_assigned: np.ndarray        # (R, E, V) units assigned per variant
    experiment_converted: np.ndarray       # (R, E, V) of which converted (Shopify order while in the experiment)
    people_share: float                    # share of people simulated (1.0 unless large scale samples blocks)


def counterfactual_reps(world: World) -> tuple[list[str], RepConfig]:
    E = world.experiments.n
    labels = ["actual"] + [f"no_{c}" for c in CHANNELS] + ["no_touchpoints"] + [f"no_{x}" for x in world.experiments.ids]
    R = len(labels)
    on = np.ones((R, C), dtype=bool)
    exp_on = np.ones((R, E), dtype=bool)
    for ci in range(C):
        on[1 + ci, ci] = False
    on[1 + C, :] = False
    for e in range(E):
        exp_on[2 + C + e, e] = False
    return labels, RepConfig(np.zeros(R, dtype=np.int64), on, exp_on)


def run_counterfactuals(world: World, progress: Callable[[str], None] | None = None) -> CounterfactualResult:
    labels, reps = counterfactual_reps(world)
    limit = LARGE_TRUTH_BLOCKS if len(world.blocks) > LARGE_TRUTH_BLOCKS * 2 else None
    blocks = _blocks(world, limit)
    ex = world.experiments
    V = max((len(s["variants"]) for s in ex.specs), default=1)
    R, M = reps.n, len(world.people_by_market)
    out = {k: np.zeros((R, M)) for k in ("orders", "revenue", "expected")}
    assigned = np.zeros((R, ex.n, V))
    converted = np.zeros((R, ex.n, V))
    for bs in blocks:
        eng = BlockEngine(world, bs, reps, as_of_day=world.as_of_day)
        for day in range(world.as_of_day + 1):
            eng.step(day)
            if progress and day % 30 == 29:
                progress(f"  counterfactuals: block {bs.index + 1}/{len(blocks)} day {day + 1}/{world.as_of_day + 1}")
        out["orders"] += eng.orders_by_market
        out["revenue"] += eng.revenue_by_market
        out["expected"] += eng.expected_orders_by_market
        for e in range(ex.n):
            variant = eng.variant_cache[e]
            for r in range(R):
                a = eng.state.assigned_day[r, e, :] >= 0
                assigned[r, e] += np.bincount(variant[a], minlength=V)[:V]
                converted[r, e] += np.bincount(variant[a & eng.state.converted[r, e, :]], minlength=V)[:V]
    share = sum(b.n for b in blocks) / world.pop.n
    return CounterfactualResult(labels, out["orders"], out["revenue"], out["expected"], assigned, converted, share)


def run_rollouts(world: World, states: list[EngineState], rollouts: int = ROLLOUTS,
                 progress: Callable[[str], None] | None = None) -> dict[str, np.ndarray]:
    """Expected orders / revenue per person over the 90 and 180 days after as_of (mean of the rollouts)."""
    as_of = world.as_of_day
    E = world.experiments.n
    reps = RepConfig(np.arange(1, rollouts + 1, dtype=np.int64), np.ones((rollouts, C), dtype=bool),
                     np.ones((rollouts, E), dtype=bool))
    n = world.pop.n
    expected = {k: np.zeros(n) for k in ("orders_90", "revenue_90", "orders_180", "revenue_180")}
    for bs, state in zip(_blocks(world), states):
        eng = BlockEngine(world, bs, reps, state=state.replicate(rollouts), as_of_day=as_of, future_start=as_of + 1)
        for day in range(as_of + 1, as_of + FUTURE_HORIZON_DAYS + 1):
            eng.step(day)
        for k in expected:
            expected[k][bs.lo:bs.hi] = eng.future[k].mean(axis=0)
        if progress:
            progress(f"  rollouts: block {bs.index + 1}/{len(world.blocks)} ({rollouts} futures x {FUTURE_HORIZON_DAYS} days)")
    return expected
