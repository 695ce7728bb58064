"""`make bench` / `python -m bench`: ingestion and the warehouse build at demo and large scale, plus attribution.

    python -m bench                                     # ingestion, warehouse build, attribution (slow)
    python -m bench --only ingestion --scales demo      # a few minutes
    python -m bench --only ingestion --scales large --people 100000    # intermediate scale (large calendar)
    python -m bench --only warehouse --scales demo      # full vs one-day incremental dbt build (~30-40 min)
    python -m bench --only warehouse --scales demo --reuse-store --keep   # a rerun reuses stores + prepared warehouse
    python -m bench --only attribution --journeys 200000
    python -m bench --only ml                           # demo market per scenario, ML scored vs truth (~30 min)
    make bench BENCH_ARGS="--only ingestion --scales demo --strict"

Steps (in this order): `ingestion` (bench/ingestion.py: generate a market, land every source; rows/s, peak RSS),
`warehouse` (bench/warehouse_build.py: N-1 days landed and built in full, day N appended, then `dbt run`
incremental -> T_incremental vs `dbt run --full-refresh` -> T_full on the same raw data, models only, selection
`--exclude source:ml+` as the Dagster `warehouse_dbt` step; headline T_incremental / T_full), `attribution`
(bench/attribution_bench.py), `ml` (bench/ml_accuracy.py: a demo market per scenario built end to end, the ML
tables scored against its truth: CLV, churn, budget vs oracle).

Every measured step runs in its own spawned process (bench/measure.py). Ingestion results go to
bench/results/ingestion.json and ingestion.md, warehouse build results to bench/results/warehouse_build.json and
.md (both merged per scale label), attribution results to bench/results/attribution.json. Thresholds live in
bench/thresholds.yaml; each is printed PASS/FAIL, and the exit status is non-zero when a step crashes, and on a
threshold FAIL only with --strict (timings on a shared machine are noisy).
"""
from __future__ import annotations

import argparse
import sys

STEPS = ("ingestion", "warehouse", "attribution", "ml")  # the default order


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=_csv, default=list(STEPS), help=f"comma-separated subset of {','.join(STEPS)}")
    parser.add_argument("--scales", type=_csv, default=["demo", "large"],
                        help="ingestion / warehouse scales (small,demo,large)")
    parser.add_argument("--people", type=int, default=None,
                        help="override the number of people (intermediate scale; labelled e.g. large-100000p)")
    parser.add_argument("--days", type=int, default=None, help="override the number of days (labelled ...-Nd)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sources", type=_csv, default=None, help="ingest only these sources (default all)")
    parser.add_argument("--no-faults", action="store_true", help="serve without 429/5xx/duplicates (default: on)")
    parser.add_argument("--reuse-store", action="store_true",
                        help="skip generation when data/bench/<label>/sim already matches (keeps the old numbers); "
                             "warehouse: reuse data/bench/<label>-wh/sim*, and a prepared warehouse kept by --keep")
    parser.add_argument("--keep", action="store_true",
                        help="keep the benchmark warehouse under data/bench/<label>/ (warehouse step: <label>-wh/)")
    parser.add_argument("--time-cap", type=float, default=None, metavar="MINUTES",
                        help="stop a generate/ingest/dbt step after this long (recorded as not measured, with its "
                             "memory trajectory so far)")
    parser.add_argument("--memory-cap", type=float, default=12288, metavar="MB",
                        help="stop a step whose RSS exceeds this (default 12288 = 1.5x the 8 GB target: protects a "
                             "shared machine and is recorded as a FAIL with its peak; 0 disables)")
    parser.add_argument("--journeys", type=int, default=None, help="attribution bench journeys (default its own)")
    parser.add_argument("--scenarios", type=_csv, default=None,
                        help="ml step: scenario names or YAML paths (default default,search_heavy,tiktok_heavy,meta_heavy)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a threshold FAILs")
    args = parser.parse_args(argv)
    unknown = [s for s in args.only if s not in STEPS]
    if unknown:
        parser.error(f"unknown --only {','.join(unknown)} (choose from {','.join(STEPS)})")
    bad_scales = [s for s in args.scales if s not in ("small", "demo", "large")]
    if bad_scales:
        parser.error(f"unknown scale {','.join(bad_scales)}")

    failed = crashed = False
    if "ingestion" in args.only:
        from bench import ingestion

        runs = {}
        for scale in args.scales:
            entry = ingestion.run_scale(scale, seed=args.seed, people=args.people, days=args.days,
                                        faults=not args.no_faults, reuse_store=args.reuse_store, keep=args.keep,
                                        sources=args.sources,
                                        time_cap=args.time_cap * 60 if args.time_cap else None,
                                        memory_cap_mb=args.memory_cap or None)
            runs[entry["label"]] = entry
            # write after every scale so a long large run never loses the demo numbers
            results = ingestion.finish(runs, say=print if scale == args.scales[-1] else (lambda *_: None))
        failed |= any(c["result"].startswith("FAIL") for c in results["thresholds"])
        crashed |= any(not (e.get("ingest", {}).get("ok")) for e in runs.values())
    if "warehouse" in args.only:
        from bench import warehouse_build

        wh_runs = {}
        for scale in args.scales:
            entry = warehouse_build.run_scale(scale, seed=args.seed, people=args.people, days=args.days,
                                              faults=not args.no_faults, reuse_store=args.reuse_store,
                                              keep=args.keep, time_cap=args.time_cap * 60 if args.time_cap else None,
                                              memory_cap_mb=args.memory_cap or None)
            wh_runs[entry["label"]] = entry
            wh_results = warehouse_build.finish(wh_runs,
                                                say=print if scale == args.scales[-1] else (lambda *_: None))
        failed |= any(c["result"].startswith("FAIL") for c in wh_results["thresholds"])
        crashed |= any(not (e.get("incremental", {}).get("ok") and e.get("full", {}).get("ok"))
                       for e in wh_runs.values())
    if "attribution" in args.only:
        from bench import attribution_bench

        attr_args = [] if args.journeys is None else ["--journeys", str(args.journeys)]
        try:
            attribution_bench.main(attr_args + ["--seed", str(args.seed)])
        except Exception as exc:  # noqa: BLE001 — report and carry on to the exit status
            print(f"attribution bench FAILED: {exc}", file=sys.stderr)
            crashed = True
    if "ml" in args.only:
        from bench import ml_accuracy

        try:
            ml = ml_accuracy.run(args.scenarios or ml_accuracy.DEFAULT_SCENARIOS, seed=args.seed,
                                 reuse=args.reuse_store)
            failed |= any(v.startswith("FAIL") for r in ml.values() for v in r.get("bars", {}).values())
        except Exception as exc:  # noqa: BLE001 — report and carry on to the exit status
            print(f"ml bench FAILED: {exc}", file=sys.stderr)
            crashed = True
    return 1 if crashed or (failed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
