"""Attribution engine benchmark: time and peak memory of each model at scale, plus the accuracy table.

    .venv/bin/python -m bench.attribution_bench                 # 1M journeys, then ~1M conversions
    .venv/bin/python -m bench.attribution_bench --journeys 200000 --scenarios journeys

Data come from the synthetic causal world (analytics/attribution/synthetic.py), written once to
parquet; every step then runs in its own spawned process (bench.measure.run_step) so its peak RSS is
its own. Results are printed and written to bench/results/attribution.json.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analytics.attribution.exposure_model import DEFAULT_WINDOWS
from bench.measure import run_step, write_results

RESULTS = Path(__file__).resolve().parent / "results" / "attribution.json"
SCENARIOS = {
    # name: (base log-odds of the synthetic world, people simulated per requested journey); people
    # with no touchpoint who do not buy leave no journey, hence the multipliers
    "journeys": (None, 1.17),         # default world: ~1M journeys, ~9% convert
    "conversions": (0.5, 1.3),        # high-intent world: ~1M conversions (~82% of journeys convert)
}


def _timed(label, timings, func, *args, **kwargs):
    started = time.perf_counter()
    out = func(*args, **kwargs)
    timings[label] = round(time.perf_counter() - started, 3)
    return out


def generate(directory: str, journeys: int, seed: int, base_log_odds: float | None) -> dict:
    from analytics.attribution.synthetic import default_world, simulate

    world = default_world()
    if base_log_odds is not None:
        world = replace(world, base_log_odds=base_log_odds)
    data = simulate(world, journeys, seed=seed)
    out = Path(directory)
    for name in ("journeys", "conversions", "touchpoints", "truth", "touch_log"):
        getattr(data, name).to_parquet(out / f"{name}.parquet", index=False)
    return {"journeys": len(data.journeys), "conversions": len(data.conversions),
            "touchpoints": len(data.touchpoints), "touches_all_journeys": len(data.touch_log)}


def _read(directory: str, *names: str) -> list[pd.DataFrame]:
    return [pd.read_parquet(Path(directory) / f"{n}.parquet") for n in names]


def aggregate(directory: str) -> dict:
    from analytics.attribution import aggregate_paths

    timings: dict = {}
    (journeys,) = _timed("read", timings, _read, directory, "journeys")
    counts = _timed("aggregate_paths", timings, aggregate_paths, journeys)
    return {"distinct_paths": len(counts.path), "timings": timings}


def markov(directory: str) -> dict:
    from analytics.attribution import aggregate_paths, markov_channel_credit, markov_conversion_credit

    timings: dict = {}
    journeys, conversions, touchpoints = _timed("read", timings, _read, directory, "journeys", "conversions",
                                                "touchpoints")
    counts = _timed("aggregate_paths", timings, aggregate_paths, journeys)
    credit = _timed("removal_effects", timings, markov_channel_credit, counts)
    out = _timed("conversion_credit", timings, markov_conversion_credit, touchpoints, conversions=conversions,
                 channel_credit=credit)
    return {"rows": len(out), "timings": timings,
            "share": credit.set_index("channel")["share"].round(4).to_dict()}


def shapley(directory: str) -> dict:
    from analytics.attribution import aggregate_paths, fit_shapley, shapley_conversion_credit

    timings: dict = {}
    journeys, conversions, touchpoints = _timed("read", timings, _read, directory, "journeys", "conversions",
                                                "touchpoints")
    counts = _timed("aggregate_paths", timings, aggregate_paths, journeys)
    model = _timed("fit_exact_game", timings, fit_shapley, counts)
    out = _timed("conversion_credit", timings, shapley_conversion_credit, touchpoints, conversions=conversions,
                 model=model)
    return {"rows": len(out), "channels": len(model.channels), "timings": timings}


def shapley_person_days(directory: str) -> dict:
    """The Dagster asset's code path: person-day cells built in DuckDB for every candidate window (every touch of
    every journey, converting or not; a synthetic journey is one person), the window chosen by likelihood, Markov and
    Shapley fitted and every converting journey's touchpoints credited (orchestration/defs/attribution/data_driven.py)."""
    timings: dict = {}
    started = time.perf_counter()
    import duckdb

    from orchestration.defs.attribution.data_driven import fit_data_driven, read_exposure_cells
    timings["import"] = round(time.perf_counter() - started, 3)
    journeys, conversions, touchpoints = _timed("read", timings, _read, directory, "journeys", "conversions",
                                                "touchpoints")
    connection = duckdb.connect()
    log, orders = (str(Path(directory) / f"{n}.parquet") for n in ("touch_log", "conversions"))
    connection.execute(f"""create view bench_touchpoints as
        select journey_id as person_id, channel, touched_at as touchpoint_at, false as is_navigational
        from read_parquet('{log}')""")
    connection.execute(f"""create view bench_orders as
        select conversion_id as person_id, converted_at as ordered_at, false as is_cancelled
        from read_parquet('{orders}')""")
    sizes: dict = {}

    def cells(channels):
        out = {}
        for window in DEFAULT_WINDOWS:
            out[window] = _timed(f"cells_{window}d", timings, read_exposure_cells, connection, channels, window,
                                 touchpoints_relation="bench_touchpoints", orders_relation="bench_orders",
                                 prior_history_relation=None)
            sizes[window] = len(out[window])
        return out

    started = time.perf_counter()
    result = fit_data_driven(journeys, touchpoints, conversions, exposure_cells=cells)
    cell_seconds = sum(v for k, v in timings.items() if k.startswith("cells_"))
    timings["fit_and_credit"] = round(time.perf_counter() - started - cell_seconds, 3)
    exposure = result.exposure
    return {"rows": len(result.conversion_credits), "timings": timings, "window_days": exposure.window_days,
            "person_days": exposure.person_days, "order_days": exposure.order_days, "cells_per_window": sizes}


def rules(directory: str) -> dict:
    from analytics.attribution import RULE_MODELS, rule_credit

    timings: dict = {}
    conversions, touchpoints = _timed("read", timings, _read, directory, "conversions", "touchpoints")
    for model in RULE_MODELS:
        _timed(model, timings, rule_credit, touchpoints, model, conversions)
    return {"timings": timings}


def all_models_and_accuracy(directory: str) -> dict:
    from analytics.attribution import accuracy_report, attribute, check_invariants

    timings: dict = {}
    journeys, conversions, touchpoints, truth = _timed("read", timings, _read, directory, "journeys",
                                                       "conversions", "touchpoints", "truth")
    out = _timed("attribute_8_models", timings, attribute, journeys, touchpoints, conversions)
    _timed("check_invariants", timings, check_invariants, out, touchpoints, conversions)
    report = accuracy_report(out, truth)
    return {"timings": timings, "rows": len(out),
            "tvd": report.distances.set_index("model")["tvd"].round(4).to_dict(),
            "side_by_side": report.side_by_side().round(4).to_dict()}


STEPS = [("aggregate", aggregate), ("markov", markov), ("shapley", shapley),
         ("shapley_person_days", shapley_person_days), ("rules", rules),
         ("all_models_and_accuracy", all_models_and_accuracy)]


def run(journeys: int, seed: int, scenarios: list[str]) -> dict:
    results: dict = {"journeys_requested": journeys, "seed": seed, "scenarios": {}}
    for scenario in scenarios:
        base_log_odds, multiplier = SCENARIOS[scenario]
        n = int(journeys * multiplier)
        with tempfile.TemporaryDirectory(prefix="attribution_bench_") as directory:
            steps = [run_step("generate", generate, directory=directory, journeys=n, seed=seed,
                              base_log_odds=base_log_odds)]
            if not steps[0].ok:
                raise RuntimeError(steps[0].error)
            steps += [run_step(name, func, directory=directory) for name, func in STEPS]
        results["scenarios"][scenario] = [vars(s) for s in steps]
        _print(scenario, steps)
    return results


def _print(scenario: str, steps) -> None:
    size = steps[0].output
    print(f"\n== scenario {scenario}: {size.get('journeys')} journeys, {size.get('conversions')} conversions, "
          f"{size.get('touchpoints')} touchpoints")
    print(f"{'step':<26}{'seconds':>9}{'peak MB':>10}  detail")
    for step in steps:
        detail = step.output.get("timings", "") if step.ok else f"FAILED: {step.error.splitlines()[0]}"
        if step.ok and "window_days" in step.output:
            detail = (f"{detail}; {step.output['person_days']:,} person-days, window chosen "
                      f"{step.output['window_days']} d")
        print(f"{step.name:<26}{step.seconds:>9.2f}{step.peak_rss_mb:>10.0f}  {detail}")
    accuracy = steps[-1].output.get("tvd") if steps[-1].ok else None
    if accuracy:
        print("TVD to true incremental revenue shares:",
              ", ".join(f"{model} {value:.3f}" for model, value in accuracy.items()))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = run(args.journeys, args.seed, args.scenarios)
    write_results(args.out, results)
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
