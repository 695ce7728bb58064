"""Ingestion of the real simulator's store (small scale, mess on): completeness, idempotent re-run, next day.

These use `pipelines.simulator.generate`; they are skipped (with the reason) only if it cannot be imported."""
from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from ingestion_helpers import row_counts, table_contents

try:
    from pipelines.simulator import generate
except ImportError as exc:  # pragma: no cover - only while the generator is missing
    pytest.skip(f"pipelines.simulator.generate is not importable yet: {exc}", allow_module_level=True)

from pipelines.sources import SOURCES

ALL_DATASETS = [spec.dataset for spec in SOURCES.values()]
SEED = 11
SHORT_DAYS = 20  # a short window keeps the next-day test quick; small scale otherwise


def _parameters() -> set[str]:
    try:
        from pipelines.simulator.market import generate as impl

        return set(inspect.signature(impl).parameters)
    except (ImportError, TypeError, ValueError):
        return set(inspect.signature(generate).parameters)


def _has_days_parameter() -> bool:
    return "days" in _parameters()


def _generate(out: Path, days: int | None, truth: bool = True) -> dict:
    kwargs: dict = {"days": days} if days is not None and _has_days_parameter() else {}
    if not truth and "with_truth" in _parameters():
        kwargs["with_truth"] = False  # the store is identical without the (slow) truth
    return generate(scale="small", seed=SEED, out_dir=out / "sim", truth_dir=out / "truth", **kwargs)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("gen_small")
    manifest = _generate(out, SHORT_DAYS)
    return {"path": out / "sim", "truth": out / "truth", "manifest": manifest}


@pytest.fixture(scope="module")
def small_load(small_store: dict, tmp_path_factory) -> dict:
    from pipelines.ingest import run_ingestion

    warehouse = tmp_path_factory.mktemp("gen_load") / "warehouse.duckdb"
    summary = run_ingestion(store=small_store["path"], warehouse=warehouse, verbose=False)
    return {"warehouse": warehouse, "summary": summary}


def test_generated_store_lands_completely(small_store: dict, small_load: dict) -> None:
    reconciliation = small_load["summary"]["reconciliation"]
    served = small_store["manifest"]["resources"]
    seen = set()
    for source, rows in reconciliation.items():
        for row in rows:
            key = f"{source}/{row['resource']}"
            seen.add(key)
            if row["served"] is None:
                continue
            assert row["landed"] + row["rejected"] + row["skipped"] == row["served"], (key, row)
    assert {k for k, v in served.items() if v["rows"]} <= seen


def test_generated_mess_is_rejected_and_no_variant_columns(small_load: dict) -> None:
    from ingestion_helpers import query

    rejected = sum(r["rejected"] for rows in small_load["summary"]["reconciliation"].values() for r in rows)
    assert rejected > 0, "the generator plants malformed records (mess on by default)"
    variants = query(small_load["warehouse"], "select table_schema || '.' || table_name || '.' || column_name "
                                              "from information_schema.columns where column_name like '%\\_\\_v\\_%' escape '\\'")
    assert variants == []


def test_rejects_are_exactly_the_records_the_generator_malformed(small_store: dict, small_load: dict) -> None:
    """`truth/mess.json` names every malformed record by reason; the rejects tables must hold exactly those keys."""
    import json

    from ingestion_helpers import query

    mess_file = small_store["truth"] / "mess.json"
    if not mess_file.exists():
        pytest.skip("the generator wrote no truth/mess.json")
    mess = json.loads(mess_file.read_text())
    assert mess.get("malformed"), "mess is on by default: some records must be malformed"
    for resource_key, info in mess["malformed"].items():
        source, resource = resource_key.split("/")
        expected = sorted(k for keys in info["keys"].values() for k in keys)
        if source == "web_events":  # the web reader keys rejects by event_id; invalid lines have none
            got = query(small_load["warehouse"], "select count(*) from raw_web_events.web_events_rejects")[0][0]
            assert got == info["total"], resource_key
            continue
        got = sorted(k for (k,) in query(small_load["warehouse"],
                                         f'select record_key from "raw_{source}"."{source}_rejects" where resource = ?',
                                         [resource]))
        assert got == expected, resource_key


def test_generated_store_rerun_adds_nothing(small_store: dict, small_load: dict) -> None:
    from pipelines.ingest import run_ingestion

    before = row_counts(small_load["warehouse"], ALL_DATASETS)
    run_ingestion(store=small_store["path"], warehouse=small_load["warehouse"], verbose=False)
    assert row_counts(small_load["warehouse"], ALL_DATASETS) == before


@pytest.mark.skipif(not _has_days_parameter(), reason="generate() has no `days` parameter to build an N-day store")
def test_generated_next_day_incremental_equals_fresh(small_store: dict, small_load: dict, tmp_path: Path) -> None:
    from pipelines.ingest import run_ingestion

    shorter = tmp_path / "short"
    _generate(shorter, SHORT_DAYS - 1, truth=False)
    warehouse = tmp_path / "incremental.duckdb"
    run_ingestion(store=shorter / "sim", warehouse=warehouse, verbose=False)
    run_ingestion(store=small_store["path"], warehouse=warehouse, verbose=False)
    for dataset in ALL_DATASETS:
        assert table_contents(warehouse, dataset) == table_contents(small_load["warehouse"], dataset), dataset
