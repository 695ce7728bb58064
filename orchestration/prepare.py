"""Get ready to load the definitions: instance config, dbt manifest, warehouse lock probe.

Used by `scripts/ui.sh` (through `python -m orchestration.ui`), `orchestration/run.py` and the
dbt project loader. Importing this module does not import the definitions.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from orchestration.lib import settings
from orchestration.lib.instance import prepare_instance_home
from orchestration.lib.warehouse import lock_holder

DBT_INPUTS = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
DBT_INPUT_DIRS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt/sql")


def export_absolute_paths() -> None:
    """Export every path variable as an absolute path, so that child processes (dbt, the
    Dagster webserver, run workers) all point at the same files whatever their cwd."""
    os.environ["WAREHOUSE_PATH"] = str(settings.warehouse_path())
    os.environ["SIM_STORE_PATH"] = str(settings.sim_store_path())
    os.environ["TRUTH_PATH"] = str(settings.truth_path())
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home())
    os.environ.setdefault("DBT_PROFILES_DIR", str(settings.dbt_project_dir()))


def manifest_is_stale() -> bool:
    manifest = settings.dbt_target_dir() / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = settings.dbt_project_dir()
    candidates = [root / name for name in DBT_INPUTS]
    for folder in DBT_INPUT_DIRS:
        base = root / folder
        if base.exists():
            candidates.extend(p for p in base.rglob("*") if p.is_file())
    return any(p.exists() and p.stat().st_mtime > built for p in candidates)


@contextlib.contextmanager
def _parse_lock(exclusive: bool) -> Iterator[None]:
    """A lock on target/: one `dbt parse` at a time, and no staleness check while one writes the manifest
    (`make run` and `make ui` started together, or the tests beside their background build, would otherwise
    parse into the same target/ at once)."""
    target = settings.dbt_target_dir()
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".dbt_parse.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dbt_parse(force: bool = False) -> bool:
    """`dbt parse` when the manifest is missing or older than the project. Returns True if run. A process that
    finds another one parsing waits for it and then uses its manifest."""
    if not force:
        with _parse_lock(exclusive=False):
            if not manifest_is_stale():
                return False
    with _parse_lock(exclusive=True):
        if not force and not manifest_is_stale():
            return False
        dbt = Path(sys.executable).parent / "dbt"
        command = [str(dbt) if dbt.exists() else "dbt", "parse", "--quiet"]
        completed = subprocess.run(
            command,
            cwd=settings.dbt_project_dir(),
            env={**os.environ, "DBT_TARGET_PATH": str(settings.dbt_target_dir())},
            capture_output=True,
            text=True,
        )
    if completed.returncode != 0:
        detail = (completed.stdout + completed.stderr).strip().splitlines()
        raise DbtParseError("\n".join(detail[-15:]))
    return True


class DbtParseError(RuntimeError):
    pass


def warehouse_status_line() -> str | None:
    """One line about the warehouse lock for people starting the UI, or None if it is free."""
    holder = lock_holder(for_write=False)
    if holder is None:
        return None
    return (
        f"note: the warehouse {settings.warehouse_path()} is being written by {holder}. "
        "The UI starts anyway (it never opens the warehouse itself); runs launched from it "
        "wait in the duckdb_warehouse pool or fail on the lock until that writer finishes."
    )


def prepare_for_ui() -> int:
    export_absolute_paths()
    home = prepare_instance_home()
    print(f"Dagster instance: {home} (dagster.yaml: one warehouse writer at a time)")
    try:
        if dbt_parse():
            print("dbt manifest refreshed (dbt parse)")
    except DbtParseError as error:
        print(f"error: dbt parse failed - fix the dbt project first:\n{error}", file=sys.stderr)
        return 2
    line = warehouse_status_line()
    if line:
        print(line)
    return 0
