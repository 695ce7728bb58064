"""The Dagster instance under $DAGSTER_HOME, shared by `make run` and `make ui`.

`make run` records its in-process run in the same instance the UI reads, so the UI shows the
run, its materialisations and its check results. The instance config enforces the one-writer
rule: every asset that writes DuckDB is in the `duckdb_warehouse` pool, and pools default to a
limit of 1, so runs launched from the UI, the schedule and the sensors queue for the warehouse
instead of fighting over its lock.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from orchestration.lib import settings

MANAGED_MARKER = "# managed-by: orchestration/lib/instance.py"

INSTANCE_CONFIG: dict = {
    # One writer at a time: every pool (we use one, `duckdb_warehouse`) admits one op.
    "concurrency": {"pools": {"default_limit": 1, "granularity": "op"}},
    # Detect run workers that died and free their pool slots, so a crashed run never blocks
    # the warehouse pool forever.
    "run_monitoring": {
        "enabled": True,
        "poll_interval_seconds": 30,
        "free_slots_after_run_end_seconds": 60,
    },
    "telemetry": {"enabled": False},
}


def write_instance_config(home: Path | None = None) -> Path:
    """Write $DAGSTER_HOME/dagster.yaml (ours) and return DAGSTER_HOME.

    A dagster.yaml that is not ours (no marker line) is left alone: the owner may have pointed
    the instance at Postgres. We only warn when it lacks the pool limit.
    """
    home = Path(home or settings.dagster_home())
    home.mkdir(parents=True, exist_ok=True)
    config_file = home / "dagster.yaml"
    if config_file.exists() and MANAGED_MARKER not in config_file.read_text():
        existing = yaml.safe_load(config_file.read_text()) or {}
        pools = (existing.get("concurrency") or {}).get("pools") or {}
        if pools.get("default_limit") != 1:
            print(
                f"warning: {config_file} is not managed by this project and does not set "
                "concurrency.pools.default_limit: 1 - runs may contend for the DuckDB write lock"
            )
        return home
    body = yaml.safe_dump(INSTANCE_CONFIG, sort_keys=False)
    config_file.write_text(
        f"{MANAGED_MARKER}\n"
        "# Rewritten by `make run` / `make ui`; remove the marker line to manage it yourself.\n"
        f"{body}"
    )
    return home


def prepare_instance_home() -> Path:
    """Resolve DAGSTER_HOME (absolute, exported for child processes) and write its config."""
    home = settings.dagster_home()
    os.environ["DAGSTER_HOME"] = str(home)
    return write_instance_config(home)
