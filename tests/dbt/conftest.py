"""Fixtures for the dbt staging tests: a raw warehouse, planted records, and one dbt build per raw flavour.

Raw flavours (the `raw_flavour` parameter):

* ``contract``  - a tiny warehouse landed by dlt from contract-shaped records (tests/dbt/contract_raw.py). Always
  available; it checks that staging compiles against the contract's names and dlt's naming rules.
* ``simulator`` - the real thing: the market simulator (small scale) served on loopback and landed by the real dlt
  pipelines (``pipelines.ingest.run_ingestion``). Skipped with a reason when those packages cannot run yet.
  ``XBORDER_RAW_WAREHOUSE=<path to a raw warehouse.duckdb>`` (+ optional ``AS_OF_DATE``) reuses an existing raw
  warehouse instead of generating one; it is copied, never written.

Every build works on a private copy in a tmp dir, with its own dbt target/log paths, so it never touches
``data/warehouse.duckdb`` (DuckDB allows one writer) nor the shared ``target/``.
"""
from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PII_SALT = "pytest-salt-not-secret"

# Records planted into the raw copy before the build (see plant_records).
PLANTED_NEGATIVE_AD_ID = "990000000001"
PLANTED_STALE_TOTAL = "999999.99"


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


@dataclass
class DbtRun:
    returncode: int
    output: str


def run_dbt(args: list[str], warehouse: Path, workdir: Path, as_of_date: str | None) -> DbtRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update({
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO),
        "PII_SALT": PII_SALT,
        "AS_OF_DATE": as_of_date or "",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    cmd = [dbt_executable(), *args, "--project-dir", str(REPO),
           "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    return DbtRun(proc.returncode, proc.stdout + proc.stderr)


# ------------------------------------------------------------------------------------------------------------------
# Raw warehouses
# ------------------------------------------------------------------------------------------------------------------
def _call_with_supported(fn, **candidates):
    """Call fn with the candidate keyword arguments its signature accepts (the simulator API is young)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**candidates)
    return fn(**{k: v for k, v in candidates.items() if k in params})


def build_simulator_raw(tmp: Path) -> tuple[Path, str | None]:
    """Generate the small market and land it with the real pipelines; skip with a reason when impossible."""
    existing = os.environ.get("XBORDER_RAW_WAREHOUSE")
    if existing:
        if not Path(existing).exists():
            pytest.skip(f"XBORDER_RAW_WAREHOUSE={existing} does not exist")
        target = tmp / "raw.duckdb"
        shutil.copy(existing, target)
        as_of = os.environ.get("AS_OF_DATE")
        for manifest in (Path(existing).parent / "sim" / "manifest.json",
                         Path(existing).parent.parent / "sim" / "manifest.json"):
            if not as_of and manifest.exists():
                as_of = json.loads(manifest.read_text()).get("as_of_date")
        return target, as_of
    try:
        from pipelines import simulator  # noqa: F401
        from pipelines.ingest import run_ingestion
        generate = getattr(simulator, "generate")
    except Exception as exc:  # pragma: no cover - depends on other packages' progress
        pytest.skip(f"simulator raw data unavailable (pipelines.simulator.generate / pipelines.ingest.run_ingestion "
                    f"not importable: {exc!r}); set XBORDER_RAW_WAREHOUSE to reuse a landed raw warehouse")
    store, truth, warehouse = tmp / "sim", tmp / "truth", tmp / "raw.duckdb"
    try:
        from pipelines.simulator.market import generate as generate_impl  # the real signature, not the wrapper
    except Exception:
        generate_impl = generate
    manifest = _call_with_supported(generate_impl, scale="small", seed=42, out_dir=store, truth_dir=truth,
                                    with_truth=False)
    run_ingestion(warehouse=warehouse, store=store, verbose=False)
    as_of = None
    if isinstance(manifest, dict):
        as_of = manifest.get("as_of_date")
    elif (store / "manifest.json").exists():
        as_of = json.loads((store / "manifest.json").read_text()).get("as_of_date")
    return warehouse, as_of


def build_contract_raw(tmp: Path) -> tuple[Path, str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("xborder_contract_raw", Path(__file__).with_name("contract_raw.py"))
    contract_raw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(contract_raw)
    warehouse = contract_raw.load_contract_sample(tmp / "raw.duckdb", tmp / "dlt")
    return warehouse, contract_raw.AS_OF


def plant_records(warehouse: Path) -> dict:
    """Plant what the tests look for: a negative-spend ad row and a stale duplicate version of a Shopify order."""
    import duckdb

    con = duckdb.connect(str(warehouse))
    try:
        # A copy of one Google Ads metric row, for an ad nobody else reports, with negative spend.
        con.execute(f"""
            insert into raw_google_ads.ad_metrics_daily by name
            select * replace (
                '{PLANTED_NEGATIVE_AD_ID}' as ad_group_ad__ad__id,
                cast(-1234567 as {_column_type(con, 'raw_google_ads', 'ad_metrics_daily', 'metrics__cost_micros')}) as metrics__cost_micros,
                'planted-negative-spend' as _dlt_id
            )
            from raw_google_ads.ad_metrics_daily
            limit 1
        """)
        # An older version of one Shopify order (as a duplicate page would deliver it), with a different total.
        order_id, updated_at = con.execute(
            "select id, updated_at from raw_shopify.orders order by id limit 1").fetchone()
        con.execute(f"""
            insert into raw_shopify.orders by name
            select * replace (
                updated_at - interval 1 day as updated_at,
                cast('{PLANTED_STALE_TOTAL}' as {_column_type(con, 'raw_shopify', 'orders', 'total_price')}) as total_price,
                'planted-stale-version' as _dlt_id,
                '0000000001.0' as _dlt_load_id
            )
            from raw_shopify.orders
            where id = ?
        """, [order_id])
    finally:
        con.close()
    return {"negative_ad_id": PLANTED_NEGATIVE_AD_ID, "stale_order_id": order_id}


def _column_type(con, schema: str, table: str, column: str) -> str:
    row = con.execute("select data_type from information_schema.columns "
                      "where table_schema = ? and table_name = ? and column_name = ?", [schema, table, column]).fetchone()
    return row[0] if row else "varchar"


@dataclass
class StagedWarehouse:
    flavour: str
    path: Path
    as_of_date: str | None
    planted: dict
    build_run: DbtRun
    workdir: Path

    def connect(self):
        import duckdb

        return duckdb.connect(str(self.path), read_only=True)


@pytest.fixture(scope="session", params=["simulator"])
def staged_warehouse(request, tmp_path_factory, small_raw_warehouse) -> StagedWarehouse:
    # The real simulator landed by the real pipelines (shared session fixture); a hand-made "contract" raw
    # warehouse drifted from what the connectors land, so staging is verified on the real thing only.
    flavour = request.param
    tmp = tmp_path_factory.mktemp(f"dbt_{flavour}")
    raw = tmp / "raw.duckdb"
    shutil.copy(small_raw_warehouse.path, raw)
    as_of = small_raw_warehouse.market.as_of_date
    planted = plant_records(raw)
    # One invocation (one project parse): seeds + staging models + their tests. `cautious` keeps out tests of
    # downstream layers that merely touch staging (they need intermediate/marts models this build does not make).
    build_run = run_dbt(["build", "--select", "resource_type:seed", "staging", "--indirect-selection", "cautious"],
                        raw, tmp, as_of)
    return StagedWarehouse(flavour, raw, as_of, planted, build_run, tmp)
