"""Where things live, read from the environment at call time (never frozen at import).

Every path the orchestration touches comes from here, so that `make run`, `make ui`, the
tests (tmp dirs) and a production deployment differ only in environment variables:

| variable          | default                    | what                                            |
|-------------------|----------------------------|-------------------------------------------------|
| `WAREHOUSE_PATH`  | `data/warehouse.duckdb`    | the DuckDB warehouse (one writer at a time)     |
| `SIM_STORE_PATH`  | `data/sim`                 | the simulator's platform store (+ manifest.json) |
| `TRUTH_PATH`      | `data/truth`               | ground truth (evaluation only; never read here)  |
| `DAGSTER_HOME`    | `data/dagster_home`        | Dagster instance (runs, events, schedules)       |
| `AS_OF_DATE`      | simulator manifest's date  | the warehouse's "today" (dbt var `as_of_date`)   |

Relative paths are resolved against the repository root, which is also the directory dbt
runs in, so dbt's profile (`env_var('WAREHOUSE_PATH')`) and Python agree on the same file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Name of the Dagster concurrency pool shared by every asset that writes the DuckDB warehouse.
# The instance config (orchestration/lib/instance.py) gives pools a limit of 1.
WAREHOUSE_WRITER_POOL = "duckdb_warehouse"


def _path_from_env(name: str, default: str) -> Path:
    raw = os.environ.get(name) or default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path)


def warehouse_path() -> Path:
    return _path_from_env("WAREHOUSE_PATH", "data/warehouse.duckdb")


def data_dir() -> Path:
    """The folder beside the warehouse: dlt state, alerts and other run artefacts live here."""
    return warehouse_path().parent


def dlt_pipelines_dir() -> Path:
    """dlt state (cursors) lives beside the warehouse it describes (DESIGN section 10)."""
    return data_dir() / "dlt"


def sim_store_path() -> Path:
    return _path_from_env("SIM_STORE_PATH", "data/sim")


def truth_path() -> Path:
    return _path_from_env("TRUTH_PATH", "data/truth")


def dagster_home() -> Path:
    return _path_from_env("DAGSTER_HOME", "data/dagster_home")


def alerts_path() -> Path:
    """JSON-lines file the run-failure sensor appends one alert record per failed run to."""
    return data_dir() / "alerts" / "run_failures.jsonl"


def dbt_project_dir() -> Path:
    return REPO_ROOT


def dbt_target_dir() -> Path:
    return dbt_project_dir() / "target"


def sim_manifest() -> dict | None:
    """The simulator store's manifest.json, or None when there is no simulated store."""
    manifest_file = sim_store_path() / "manifest.json"
    if not manifest_file.exists():
        return None
    try:
        return json.loads(manifest_file.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def as_of_date() -> str:
    """The warehouse's "today" (YYYY-MM-DD), or "" for "the current UTC date".

    `AS_OF_DATE` wins; otherwise the simulator store's `as_of_date` when a simulated store
    exists (runs on simulated data are reproducible); otherwise empty, which the dbt macro
    `as_of_date()` reads as the current UTC date (live platform data).
    """
    explicit = (os.environ.get("AS_OF_DATE") or "").strip()
    if explicit:
        return explicit
    manifest = sim_manifest() or {}
    return str(manifest.get("as_of_date") or "")
