"""Fixtures for the warehouse (intermediate + marts) tests: a simulated market, landed and built.

``warehouse_market`` (session scope) is the session's shared small market (tests/conftest.py): landed by the real
dlt pipelines (``small_raw_warehouse``) and built by the Dagster full build (``small_built_warehouse``).
``demo_market`` generates, lands and builds (dbt) the demo scale for the ``accuracy`` tests. Every dbt run uses its own target and
log paths and a private warehouse file (DuckDB has one writer; never ``data/warehouse.duckdb``).

"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PII_SALT = "pytest-salt-not-secret"  # = tests/conftest.py TEST_PII_SALT (the shared build uses it)
SEED = 7  # not the default seed: accuracy must hold on data the models were not tuned on


@dataclass
class Market:
    raw_warehouse: Path  # as landed; copy before writing
    warehouse: Path  # built by dbt
    truth_dir: Path
    store_dir: Path | None
    as_of_date: str
    workdir: Path
    salt: str = PII_SALT


@dataclass
class DbtResult:
    returncode: int
    output: str
    run_results: dict | None


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def run_dbt(args: list[str], warehouse: Path, workdir: Path, as_of_date: str, check: bool = True) -> DbtResult:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update({
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO),
        "PII_SALT": PII_SALT,
        "AS_OF_DATE": as_of_date,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    target = workdir / "target"
    cmd = [dbt_executable(), *args, "--project-dir", str(REPO), "--target-path", str(target),
           "--log-path", str(workdir / "logs")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=3600)
    results_file = target / "run_results.json"
    run_results = json.loads(results_file.read_text()) if results_file.exists() else None
    result = DbtResult(proc.returncode, proc.stdout + proc.stderr, run_results)
    if check and proc.returncode != 0:
        tail = "\n".join(result.output.splitlines()[-60:])
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{tail}")
    return result


def generate_market(scale: str, seed: int, store: Path, truth: Path, days: int | None = None) -> dict:
    try:
        from pipelines.simulator import generate
    except ImportError as exc:  # pragma: no cover - the simulator is part of the repo
        pytest.skip(f"simulator not importable: {exc}")
    kwargs = {"scale": scale, "seed": seed, "out_dir": str(store), "truth_dir": str(truth)}
    if days is not None:
        kwargs["days"] = days
    return generate(**kwargs)


def ingest(store: Path, raw_warehouse: Path) -> None:
    from pipelines.ingest import run_ingestion

    run_ingestion(warehouse=str(raw_warehouse), store=str(store), verbose=False)


def build_market(tmp: Path, scale: str, seed: int = SEED) -> Market:
    store, truth = tmp / "sim", tmp / "truth"
    manifest = generate_market(scale, seed, store, truth)
    as_of = str(manifest["as_of_date"])
    raw = tmp / "raw" / "warehouse.duckdb"
    raw.parent.mkdir(parents=True)
    ingest(store, raw)
    warehouse = tmp / "built" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    workdir = tmp / "dbt"
    shutil.copy(raw, warehouse)
    run_dbt(["seed"], warehouse, workdir, as_of)
    run_dbt(["build", "--exclude", "test_type:unit"], warehouse, workdir, as_of)
    return Market(raw, warehouse, truth, store, as_of, workdir)


@pytest.fixture(scope="session")
def warehouse_market(small_raw_warehouse, small_built_warehouse, tmp_path_factory) -> Market:
    market = small_built_warehouse.market
    return Market(small_raw_warehouse.path, small_built_warehouse.path, market.truth, market.store,
                  market.as_of_date, tmp_path_factory.mktemp("warehouse_dbt"))


@pytest.fixture(scope="session")
def demo_market(tmp_path_factory) -> Market:
    return build_market(tmp_path_factory.mktemp("demo_market"), "demo")


def copy_market(market: Market, tmp: Path) -> Market:
    """A private copy of a built market to write to (erasure, planted records)."""
    warehouse = tmp / "warehouse.duckdb"
    shutil.copy(market.warehouse, warehouse)
    return Market(market.raw_warehouse, warehouse, market.truth_dir, market.store_dir, market.as_of_date, tmp / "dbt")
