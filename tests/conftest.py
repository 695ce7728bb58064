"""Session fixtures shared by every suite: one small market, landed once, built once.

Generating, ingesting and building the small market are the expensive steps of the test session, so each happens
once and suites that only read reuse the result. Suites that must write (incremental, erasure, planted failures)
copy a warehouse with `copy_warehouse` and work on the copy.

Set XBORDER_TEST_CACHE=<dir> to keep these artefacts between local runs (never set in CI).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_SEED = 42
TEST_PII_SALT = "pytest-salt-not-secret"

# Suites that need the built warehouse (the session's Dagster build of the small market): part of
# `make test`; `make test-fast` skips them for a quick loop on the pipelines, simulator and libraries.
INTEGRATION_SUITES = ("dbt", "warehouse", "orchestration", "browser", "attribution_marts", "ml_assets")


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO / "tests").parts
        needs_marts = parts[0] == "reports" and "reports_check_warehouse" in getattr(item, "fixturenames", ())
        if parts[0] in INTEGRATION_SUITES or needs_marts:
            item.add_marker(pytest.mark.integration)


@dataclass(frozen=True)
class Market:
    store: Path
    truth: Path
    manifest: dict

    @property
    def as_of_date(self) -> str:
        return self.manifest["as_of_date"]


@dataclass(frozen=True)
class Warehouse:
    path: Path
    market: Market


def _cache_dir(tmp_path_factory, name: str) -> Path:
    root = os.environ.get("XBORDER_TEST_CACHE")
    if root:
        path = Path(root) / name
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp(name)


def generate_market(out: Path, days: int | None = None, seed: int = TEST_SEED, scenario: str | None = None,
                    people: int | None = None) -> Market:
    """Generate the small market (or `people` x `days` at the small scale's settings) into out/sim and out/truth
    (skipped when a manifest is there)."""
    from pipelines.simulator import generate

    store, truth = out / "sim", out / "truth"
    manifest_file = store / "manifest.json"
    if not manifest_file.exists():
        generate("small", seed=seed, scenario_path=scenario, days=days, out_dir=store, truth_dir=truth,
                 people=people)
    return Market(store=store, truth=truth, manifest=json.loads(manifest_file.read_text()))


def ingest_market(market: Market, warehouse: Path) -> dict:
    from pipelines.ingest import run_ingestion

    return run_ingestion(warehouse=warehouse, store=market.store, verbose=False)


def dbt_env(warehouse: Path, as_of_date: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update({
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO),
        "PII_SALT": TEST_PII_SALT,
        "AS_OF_DATE": as_of_date,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    return env


def run_dbt(args: list[str], warehouse: Path, as_of_date: str, workdir: Path) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this venv on `warehouse` with private target/log folders; never raises."""
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [str(dbt), *args, "--project-dir", str(REPO),
           "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    return subprocess.run(cmd, cwd=REPO, env=dbt_env(warehouse, as_of_date), capture_output=True, text=True)


def copy_warehouse(source: Warehouse, dest_dir: Path) -> Warehouse:
    """A private, writable copy. The file keeps its name: dbt views refer to the catalog by file name."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / source.path.name
    shutil.copy(source.path, target)
    return Warehouse(path=target, market=source.market)


@pytest.fixture(scope="session")
def small_market(tmp_path_factory) -> Market:
    """The small market (seed 42, mess on): simulator store and ground truth."""
    return generate_market(_cache_dir(tmp_path_factory, "small_market"))


@pytest.fixture(scope="session")
def small_raw_warehouse(small_market, tmp_path_factory) -> Warehouse:
    """The small market landed by the real dlt pipelines through the loopback simulator (faults on)."""
    folder = _cache_dir(tmp_path_factory, "small_raw")
    warehouse = folder / "warehouse.duckdb"
    if not warehouse.exists():
        ingest_market(small_market, warehouse)
    return Warehouse(path=warehouse, market=small_market)


@pytest.fixture(scope="session")
def small_dagster_build(small_market, tmp_path_factory):
    """The small market built the way `make run` builds it: the `warehouse_full_build` job of the one Dagster
    Definitions, in-process (dlt ingestion from the loopback simulator, both dbt steps, the data-driven
    attribution and ML assets, every check). An `orchestration.testing.SmallWarehouse`; read-only for tests."""
    from orchestration.testing import build_small_warehouse

    root = tmp_path_factory.mktemp("small_dagster")  # never cached: the orchestration tests read its run
    built = build_small_warehouse(root, small_market.store, small_market.truth,
                                  env_overrides={"PII_SALT": TEST_PII_SALT})
    if not built.result.success:
        pytest.fail(f"the full Dagster build of the small market failed; see {root / 'build.log'}", pytrace=False)
    return built


@pytest.fixture(scope="session")
def small_built_warehouse(small_dagster_build, small_market) -> Warehouse:
    """The built small-market warehouse (raw, staging, marts and `ml` tables); read-only: copy before writing."""
    return Warehouse(path=small_dagster_build.warehouse, market=small_market)


# The ML evaluation market: issue 6's accuracy bars (CLV, churn, budget, SRM) need more history and customers than
# the 60-day small market has (there, 60 days cannot show who has lapsed: CLV Spearman ~0.2, churn AUC ~0.58).
# 8,000 people over 180 days (~2,800 customers) is the smallest tried on which every bar is met with a margin
# (6,000 people left the CLV ratio at 0.86 against a bar of 0.85). About 5 minutes to generate and build.
ML_EVAL_PEOPLE, ML_EVAL_DAYS = 8_000, 180


@pytest.fixture(scope="session", autouse=True)
def ml_eval_background_build(request, tmp_path_factory):
    """Starts generating and building the ML evaluation market in a separate process (tests/build_eval_market.py)
    at the session's first test, when a selected test needs it: its ~5 minutes overlap the tests before it (the
    dbt parse it shares with them is locked, see orchestration.prepare.dbt_parse). Stopped at the session's end if
    still running. Yields the market and build folders and the process (None when the XBORDER_TEST_CACHE build is
    complete), or None when no selected test needs the market."""
    if not any("ml_eval_built_warehouse" in item.fixturenames for item in request.session.items):
        yield None
        return
    market_dir = _cache_dir(tmp_path_factory, "ml_eval_market")
    build_dir = _cache_dir(tmp_path_factory, "ml_eval_build")
    if (build_dir / "build.ok").exists():
        yield {"process": None, "market": market_dir, "build": build_dir}
        return
    log_path = build_dir.parent / f"{build_dir.name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("build_eval_market.py")),
                                    str(market_dir), str(build_dir)],
                                   cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    yield {"process": process, "market": market_dir, "build": build_dir, "log": log_path}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait()


@pytest.fixture(scope="session")
def ml_eval_built_warehouse(ml_eval_background_build) -> Warehouse:
    """The ML evaluation market (seed 42, 8,000 people, 180 days) built by the full Dagster job like the small one,
    in the background process started at the session's first test. Read-only. With XBORDER_TEST_CACHE the build is
    kept and reused (dev only)."""
    market_dir, build_dir = ml_eval_background_build["market"], ml_eval_background_build["build"]
    process = ml_eval_background_build["process"]
    if process is not None:
        if process.wait() != 0 or not (build_dir / "build.ok").exists():
            log = ml_eval_background_build["log"]
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            pytest.fail(f"building the ML evaluation market failed; see {log} and {build_dir / 'build.log'}:\n{tail}",
                        pytrace=False)
    return Warehouse(path=build_dir / "data" / "warehouse.duckdb",
                     market=generate_market(market_dir, days=ML_EVAL_DAYS, people=ML_EVAL_PEOPLE))


@pytest.fixture(scope="session")
def small_market_warehouse(small_built_warehouse) -> Path:
    """Path of the built small-market warehouse (name used by the reports suite)."""
    return small_built_warehouse.path
