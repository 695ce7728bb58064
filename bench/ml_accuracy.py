"""`make bench` step `ml`: build a demo market per scenario end to end (the same `make run` pipeline, in its own
folder) and score the ML tables against that market's truth with `tests/ml_assets/run_accuracy.py`.

    python -m bench --only ml                                    # default, search_heavy, tiktok_heavy, meta_heavy (~8 min each)
    python -m bench --only ml --scenarios default --reuse-store  # re-score an already built market

Each market lives in data/bench/ml-<scenario>/ (warehouse, sim, truth, dagster_home); `make run`'s own warehouse
is never touched. Results: bench/results/ml_accuracy.json and .md (merged per label, e.g. demo-default), and the
attribution accuracy table of the same markets in bench/results/attribution_accuracy.json and .md.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "ml_accuracy.json"
SCENARIOS = REPO / "pipelines" / "simulator" / "scenarios"
DEFAULT_SCENARIOS = ("default", "search_heavy", "tiktok_heavy", "meta_heavy")
SALT = "bench-ml-salt-not-secret"


def _scenario_path(name: str) -> Path | None:
    """None for the built-in default; a name of pipelines/simulator/scenarios/ or a path to a YAML file."""
    if name == "default":
        return None
    path = Path(name) if name.endswith((".yaml", ".yml")) else SCENARIOS / f"{name}.yaml"
    if not path.is_file():
        raise SystemExit(f"bench ml: no scenario {name!r} (looked for {path})")
    return path


def build_market(name: str, *, scale: str, seed: int, reuse: bool, say=print) -> tuple[Path, Path, float | None]:
    label = Path(name).stem
    root = REPO / "data" / "bench" / (f"ml-{label}" if scale == "demo" else f"ml-{label}-{scale}")
    warehouse, truth = root / "warehouse.duckdb", root / "truth"
    if reuse and warehouse.exists() and (truth / "customer_future.parquet").exists():
        say(f"bench ml [{label}]: reusing {warehouse}")
        return warehouse, truth, None
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "SIM_STORE_PATH": str(root / "sim"),
           "TRUTH_PATH": str(truth), "DAGSTER_HOME": str(root / "dagster_home"), "PII_SALT": SALT}
    env.pop("AS_OF_DATE", None)
    cmd = [sys.executable, "-m", "orchestration.run", "--scale", scale, "--seed", str(seed)]
    scenario = _scenario_path(name)
    if scenario:
        cmd += ["--scenario", str(scenario)]
    root.mkdir(parents=True, exist_ok=True)
    log = root / "run.log"
    say(f"bench ml [{label}]: building the {scale} market end to end (log {log}) ...")
    started = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"bench ml [{label}]: the build failed (exit {proc.returncode}); see {log}")
    return warehouse, truth, seconds


def run(scenarios=DEFAULT_SCENARIOS, *, scale: str = "demo", seed: int = 42, reuse: bool = False, say=print) -> dict:
    sys.path.insert(0, str(REPO))
    from bench import attribution_accuracy
    from tests.ml_assets import run_accuracy

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in scenarios:
        warehouse, truth, seconds = build_market(name, scale=scale, seed=seed, reuse=reuse, say=say)
        res = run_accuracy.evaluate(warehouse, truth, salt=SALT)
        res.update({"scenario": name, "scale": scale, "seed": seed, "build_seconds": seconds})
        results[f"{scale}-{Path(name).stem}"] = res
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        RESULTS.with_suffix(".md").write_text(run_accuracy.markdown(results))
        say(f"bench ml [{name}]: " + "; ".join(f"{k} {v}" for k, v in res["bars"].items()))
        attribution_accuracy.record(f"{scale}-{Path(name).stem}", warehouse, truth, say=say)
    return results
