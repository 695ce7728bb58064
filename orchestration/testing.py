"""Test support: one small simulated market and warehouse built through the real definitions.

Used by the session fixture `small_dagster_build` (tests/conftest.py), which every suite that needs
the built warehouse shares. Everything lives under one tmp root; nothing touches data/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

@dataclass
class SmallWarehouse:
    root: Path
    result: Any = None  # ExecuteInProcessResult of the full build
    env_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def warehouse(self) -> Path:
        return self.root / "data" / "warehouse.duckdb"

    @property
    def store(self) -> Path:
        return self.root / "data" / "sim"

    @property
    def truth(self) -> Path:
        return self.root / "data" / "truth"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    @property
    def run_id(self) -> str:
        return self.result.run_id

    def env(self, warehouse: Path | None = None) -> dict[str, str]:
        return {
            "WAREHOUSE_PATH": str(warehouse or self.warehouse),
            "SIM_STORE_PATH": str(self.store),
            "TRUTH_PATH": str(self.truth),
            "DAGSTER_HOME": str(self.dagster_home),
            **self.env_overrides,
        }

    def copy_warehouse(self, dest_dir: Path) -> Path:
        """A private copy of the built warehouse (for tests that write); dlt state is not copied
        (dlt restores it from the warehouse)."""
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / "warehouse.duckdb"
        shutil.copy2(self.warehouse, dest)
        return dest

    def instance(self) -> Any:
        from dagster import DagsterInstance

        return DagsterInstance.from_config(str(self.dagster_home))


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_small_warehouse(
    root: Path,
    store: Path,
    truth: Path,
    env_overrides: dict[str, str] | None = None,
) -> SmallWarehouse:
    """Copy an already generated market (simulator store + truth) under `root`, parse dbt and
    materialise every asset in-process."""
    from orchestration.lib.instance import write_instance_config
    from orchestration.prepare import dbt_parse

    built = SmallWarehouse(root=root, env_overrides=dict(env_overrides or {}))
    built.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with environment(built.env()):
        shutil.copytree(store, built.store, dirs_exist_ok=True)
        shutil.copytree(truth, built.truth, dirs_exist_ok=True)
        dbt_parse()
        write_instance_config(built.dagster_home)
        from orchestration.run import build_warehouse

        with built.instance() as instance:
            built.result = build_warehouse(instance, log_file=root / "build.log")
    return built
