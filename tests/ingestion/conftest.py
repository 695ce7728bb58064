"""Fixtures for the ingestion tests: fixture stores (no dependency on the real generator), tmp warehouses, helpers."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ingestion_fixture_store import write_store  # noqa: E402

FULL_DAYS = 8


@pytest.fixture(scope="session")
def store_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., dict]:
    """`store_factory(days)` -> manifest (+ planted cases) of a fixture store written once per (days, mess)."""
    cache: dict[tuple, dict] = {}

    def make(days: int = FULL_DAYS, mess: bool = True) -> dict:
        key = (days, mess)
        if key not in cache:
            path = tmp_path_factory.mktemp(f"store_{days}d_{'mess' if mess else 'clean'}")
            cache[key] = {**write_store(path, days=days, mess=mess), "path": path}
        return cache[key]

    return make


@pytest.fixture(scope="session")
def full_store(store_factory: Callable[..., dict]) -> dict:
    return store_factory(FULL_DAYS)


@pytest.fixture(scope="session")
def full_load(full_store: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every source loaded once from the 8-day fixture store, faults on (shared, read-only for tests)."""
    from pipelines.ingest import run_ingestion

    warehouse = tmp_path_factory.mktemp("full_load") / "warehouse.duckdb"
    summary = run_ingestion(store=full_store["path"], warehouse=warehouse, verbose=False)
    return {"summary": summary, "warehouse": warehouse, "store": full_store}


@pytest.fixture
def ingest() -> Callable[..., dict]:
    from pipelines.ingest import run_ingestion

    def run(store: dict | Path, warehouse: Path, sources: list[str] | None = None, **kwargs: Any) -> dict:
        path = store["path"] if isinstance(store, dict) else store
        return run_ingestion(sources, store=path, warehouse=warehouse, verbose=False, **kwargs)

    return run
