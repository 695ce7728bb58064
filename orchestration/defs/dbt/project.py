"""The dbt project (repository root) and its manifest.

The manifest is prepared by `dbt parse` before the definitions load: `make run`
(orchestration/run.py), `make ui` (scripts/ui.sh) and the test fixtures run it. On import, a
manifest that is missing or older than any dbt project file is re-parsed here, so the definitions
never describe a different project than the one dbt will build - including after an edit while
`dagster dev` runs (reload the code location). This replaces `DbtProject.prepare_if_dev()`, which
re-parses unconditionally in every process `dagster dev` starts (each run worker and step).
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.lib import settings
from orchestration.prepare import DbtParseError, dbt_parse


def _ensure_dbt_on_path() -> None:
    """`make` calls `.venv/bin/python` without activating the venv: put its bin/ (where the
    `dbt` executable lives) on PATH so dagster-dbt and its preparer find dbt."""
    if shutil.which("dbt"):
        return
    venv_bin = str(Path(sys.executable).parent)
    os.environ["PATH"] = venv_bin + os.pathsep + os.environ.get("PATH", "")


_ensure_dbt_on_path()


def _profiles_dir() -> str:
    return os.environ.get("DBT_PROFILES_DIR") or str(settings.dbt_project_dir())


dbt_project = DbtProject(
    project_dir=settings.dbt_project_dir(),
    profiles_dir=_profiles_dir(),
    target_path="target",
)


try:
    dbt_parse()  # no-op when target/manifest.json is newer than every dbt project file
except DbtParseError as error:
    if not dbt_project.manifest_path.exists():
        raise
    # keep the UI usable on the last good manifest; the dbt asset refuses to build until fixed
    warnings.warn(f"dbt parse failed, loading the previous manifest: {error}", stacklevel=1)

# The manifest these definitions were built from; the dbt asset refuses to build a project that
# has changed since (dbt would build nodes Dagster does not know about).
LOADED_MANIFEST_MTIME = dbt_project.manifest_path.stat().st_mtime


def project_changed_since_load() -> bool:
    from orchestration.prepare import manifest_is_stale

    manifest = dbt_project.manifest_path
    return (
        not manifest.exists()
        or manifest.stat().st_mtime != LOADED_MANIFEST_MTIME
        or manifest_is_stale()
    )
