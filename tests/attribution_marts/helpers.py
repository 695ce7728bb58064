"""Shared helpers of the attribution-mart tests: build a warehouse through dbt and the data-driven asset code,
read the marts, and compute the accuracy table against the simulator's truth.

The data-driven step is the asset's own function (orchestration/defs/attribution/data_driven.py), loaded from
its file so that importing it does not load the whole Dagster definitions (which re-parse the dbt project).
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DATA_DRIVEN_FILE = REPO / "orchestration" / "defs" / "attribution" / "data_driven.py"
MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov",
          "shapley")
RULE_MODELS = MODELS[:6]
MART_FOLDERS = ("models/marts/attribution", "models/marts/performance")


def load_data_driven():
    """orchestration/defs/attribution/data_driven.py as a module (without importing `orchestration`)."""
    name = "xborder_attribution_data_driven"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DATA_DRIVEN_FILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


@dataclass
class DbtRun:
    args: list[str]
    returncode: int
    output: str


def run_dbt(args: list[str], warehouse: Path, workdir: Path, as_of_date: str | None) -> DbtRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update({
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO),
        "AS_OF_DATE": as_of_date or "",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    cmd = [dbt_executable(), *args, "--project-dir", str(REPO),
           "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=3600)
    return DbtRun(args, proc.returncode, proc.stdout + proc.stderr)


def as_of_from_manifest(raw_warehouse: Path) -> str | None:
    """AS_OF_DATE, else the as_of_date of the simulator manifest stored beside the raw warehouse."""
    explicit = os.environ.get("AS_OF_DATE")
    if explicit:
        return explicit
    for manifest in (raw_warehouse.parent / "sim" / "manifest.json", raw_warehouse.parent.parent / "sim" / "manifest.json"):
        if manifest.exists():
            return json.loads(manifest.read_text()).get("as_of_date")
    return None


@dataclass
class AttributionWarehouse:
    path: Path
    as_of_date: str | None
    workdir: Path
    runs: list[DbtRun]
    models_before_python: list[str]
    truth_dir: Path | None = None

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=True)

    def query(self, sql: str, params=None) -> pd.DataFrame:
        with self.connect() as con:
            return con.execute(sql, params or []).df()

    def manifest(self) -> dict:
        return json.loads((self.workdir / "target" / "manifest.json").read_text())


def build_attribution_warehouse(raw_warehouse: Path, workdir: Path, as_of_date: str | None) -> AttributionWarehouse:
    """The Dagster job's order on a private copy: dbt (everything the marts need) -> data-driven asset -> dbt
    (the attribution and performance marts again, with their tests)."""
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "warehouse.duckdb"
    shutil.copy(raw_warehouse, warehouse)
    runs = [run_dbt(["seed"], warehouse, workdir, as_of_date)]
    selection = [f"+{folder}" for folder in MART_FOLDERS]
    runs.append(run_dbt(["run", "--select", *selection], warehouse, workdir, as_of_date))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = sorted(r[0] for r in con.execute("select distinct model from marts.fct_attribution").fetchall()) \
            if _has_table(con, "marts", "fct_attribution") else []
    with duckdb.connect(str(warehouse)) as con:
        load_data_driven().run_data_driven_attribution(con, as_of_date=as_of_date)
    runs.append(run_dbt(["build", "--select", *MART_FOLDERS, "threshold_rules", "source:ml"],
                        warehouse, workdir, as_of_date))
    return AttributionWarehouse(warehouse, as_of_date, workdir, runs, before)


def _has_table(con, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, table]).fetchone()[0])


INCREMENTAL_SUFFIX = "_incremental"


def accuracy_table(con: duckdb.DuckDBPyConnection, truth_file: Path):
    """(side-by-side shares with a TVD row, distances per model) of fct_attribution against the truth.

    Each model appears twice once the baseline shares exist: as built (attributed_revenue: every conversion's whole
    value) and as `<model>_incremental`: incremental_attributed_revenue (the Shapley conversion model's baseline part
    of each conversion removed) plus acquisition_repeat_revenue (the later conversions' part owed to the customer
    being one, carried back to the acquisition) — the same estimand as the truth's, a channel's incremental revenue
    being the orders it caused and the repeat orders of the customers it won. ratio_to_last_touch is always to last
    touch as built."""
    from analytics.attribution import accuracy_report, read_truth

    credits = con.execute("""
        select conversion_id, touchpoint_id, channel, model, credit,
               cast(attributed_revenue as double) as attributed_revenue,
               cast(incremental_attributed_revenue as double)
               + coalesce(cast(acquisition_repeat_revenue as double), 0.0) as incremental_attributed_revenue
        from marts.fct_attribution
    """).df()
    incremental = credits.loc[credits["incremental_attributed_revenue"].notna()]
    if len(incremental):
        incremental = incremental.assign(model=incremental["model"] + INCREMENTAL_SUFFIX,
                                         attributed_revenue=incremental["incremental_attributed_revenue"])
        credits = pd.concat([credits, incremental], ignore_index=True)
    report = accuracy_report(credits.drop(columns="incremental_attributed_revenue"), read_truth(truth_file))
    return report.side_by_side(), report.distances.set_index("model")


DATA_DRIVEN = ("markov", "shapley", "markov" + INCREMENTAL_SUFFIX, "shapley" + INCREMENTAL_SUFFIX)


def best_data_driven(distances: pd.DataFrame) -> tuple[str, float]:
    """(model, TVD) of the closest data-driven model, as built or incremental."""
    tvd = distances["tvd"].reindex([m for m in DATA_DRIVEN if m in distances.index])
    return str(tvd.idxmin()), float(tvd.min())
