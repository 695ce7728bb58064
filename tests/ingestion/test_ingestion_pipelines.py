"""End-to-end ingestion behaviour on the fixture store: simulator server -> dlt connectors -> DuckDB raw schemas."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingestion_helpers import query, row_counts, table_contents

from pipelines.sources import SOURCES

ALL_DATASETS = [spec.dataset for spec in SOURCES.values()]


# ----------------------------------------------------------------------------------------------------------------------
# Completeness, rejects, business rules
# ----------------------------------------------------------------------------------------------------------------------
def test_every_source_lands_all_served_records_as_rows_or_rejects(full_load: dict) -> None:
    reconciliation = full_load["summary"]["reconciliation"]
    assert set(reconciliation) == set(SOURCES)
    manifest_resources = full_load["store"]["resources"]
    checked = 0
    for source, rows in reconciliation.items():
        for row in rows:
            key = f"{source}/{row['resource']}"
            assert key in manifest_resources, f"{key} landed but the store has no such resource"
            assert row["landed"] + row["rejected"] + row["skipped"] == row["served"], row | {"source": source}
            checked += 1
    assert checked == len(manifest_resources)


def test_faults_were_served_and_absorbed(full_load: dict) -> None:
    stats = full_load["summary"]["simulator"]
    assert stats["requests"] > 50
    retried = sum(r["http"]["retried"] for r in full_load["summary"]["sources"].values())
    assert retried == stats["faults"]["429"] + stats["faults"]["500"] + stats["faults"]["503"]


def test_malformed_rows_go_to_rejects_with_reason_and_raw_payload(full_load: dict) -> None:
    warehouse = full_load["warehouse"]
    planted = full_load["store"]["malformed"]
    assert planted, "the fixture store must plant malformed records"
    for key, keys in planted.items():
        source, resource = key.split("/")
        rows = query(warehouse, f'select record_key, reason, raw_payload from "raw_{source}"."{source}_rejects" '
                                "where resource = ? order by record_key", [resource])
        assert sorted(r[0] for r in rows) == sorted(keys), key
        for record_key, reason, raw_payload in rows:
            assert reason and ":" in reason
            payload = json.loads(raw_payload)
            assert isinstance(payload, dict)


@pytest.mark.parametrize("source, resource, expected", [
    ("shopify", "orders", "currency: unknown currency code 'XXX'"),
    ("shopify", "orders", "processed_at: unparseable timestamp '2026-13-45'"),
    ("amazon_sp", "orders", "PurchaseDate: unparseable timestamp 'yesterday'"),
    ("amazon_sp", "returns", "RefundAmount.CurrencyCode: unknown currency code 'EURO'"),
    ("google_ads", "ad_metrics_daily", "metrics.impressions: not a number 'n/a'"),
    ("meta_ads", "insights_daily", "spend: not a number 'abc'"),
    ("tiktok_ads", "report_daily", "metrics.currency: unknown currency code 'XXX'"),
    ("amazon_ads", "sp_daily", "clicks: not an integer 'many'"),
    ("email", "events", "attributes.datetime: unparseable timestamp 'yesterday'"),
    ("creators", "fees", "paid_at: unparseable timestamp 'not a date'"),
    ("logistics", "shipments", "shipped_at: unparseable timestamp '2026-13-45'"),
    ("payments", "payment_attempts", "amount: not an integer '12.3x'"),
    ("web_events", "events", "event_timestamp: unparseable timestamp '2026-13-45T00:00:00Z'"),
    ("web_events", "events", "currency: unknown currency code 'EURO'"),
    ("web_events", "events", "line is not a JSON object"),
    ("fx", "rates", "Date: unparseable date '2026-02-30'"),
])
def test_reject_reasons_name_the_field_and_the_value(full_load: dict, source: str, resource: str,
                                                     expected: str) -> None:
    reasons = [r for (r,) in query(full_load["warehouse"],
                                   f'select reason from "raw_{source}"."{source}_rejects" where resource = ?',
                                   [resource])]
    assert any(expected in r for r in reasons), reasons


def test_good_rows_of_a_page_with_a_bad_row_still_land(full_load: dict) -> None:
    warehouse = full_load["warehouse"]
    # orders 5010..5013 are on the same page; 5013 has currency XXX
    ids = [i for (i,) in query(warehouse, "select id from raw_shopify.orders where id between 5010 and 5013 order by 1")]
    assert ids == [5010, 5011, 5012]
    web_rows = query(warehouse, "select count(*) from raw_web_events.events where event_id like 'ev001%'")[0][0]
    assert web_rows == 30  # day 1 file: 30 good events + one truncated line that went to rejects


def test_business_rule_problems_land_for_staging_to_quarantine(full_load: dict) -> None:
    warehouse = full_load["warehouse"]
    negative = query(warehouse, "select count(*) from raw_google_ads.ad_metrics_daily "
                                "where metrics__cost_micros like '-%'")[0][0]
    assert negative == 1
    zero_qty = query(warehouse, "select count(*) from raw_shopify.orders__line_items where quantity = 0")[0][0]
    assert zero_qty >= 1
    early = query(warehouse, "select count(*) from raw_logistics.shipments where delivered_at < shipped_at")[0][0]
    assert early >= 1


def test_raw_types_are_parsed_and_stable(full_load: dict) -> None:
    types = dict(query(full_load["warehouse"], "select table_name || '.' || column_name, data_type "
                                               "from information_schema.columns where table_schema = 'raw_shopify'"))
    assert types["orders.updated_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["orders.created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["orders.total_price"] == "VARCHAR"  # money strings land as the platform sent them
    assert types["orders__line_items.quantity"] == "BIGINT"
    assert not [c for c in types if "__v_" in c], "no variant columns: bad values went to rejects"
    web = dict(query(full_load["warehouse"], "select column_name, data_type from information_schema.columns "
                                             "where table_schema = 'raw_web_events' and table_name = 'events'"))
    assert web["event_timestamp"] == "TIMESTAMP WITH TIME ZONE" and web["value"] == "DOUBLE"


def test_fx_is_unpivoted_and_na_cells_are_counted_not_loaded(full_load: dict) -> None:
    warehouse = full_load["warehouse"]
    cols = [c for (c,) in query(warehouse, "select column_name from information_schema.columns where "
                                           "table_schema = 'raw_fx' and table_name = 'rates' and column_name not like '\\_dlt%' escape '\\' "
                                           "order by ordinal_position")]
    assert cols == ["date", "currency", "rate_per_eur"]
    notes = full_load["summary"]["sources"]["fx"]["notes"]["rates"]
    assert notes["n/a_skipped"] == full_load["store"]["fx_na"] > 0
    krw_days = query(warehouse, "select count(*) from raw_fx.rates where currency = 'KRW'")[0][0]
    assert krw_days == 8 - 2 - 1  # 8 days, 2 N/A fixings, 1 row with a bad date


# ----------------------------------------------------------------------------------------------------------------------
# Incremental correctness
# ----------------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def next_day_load(full_load: dict, store_factory, tmp_path_factory) -> dict:
    """The 7-day store loaded, then the 8-day store loaded incrementally on top."""
    from pipelines.ingest import run_ingestion

    warehouse = tmp_path_factory.mktemp("next_day") / "warehouse.duckdb"
    run_ingestion(store=store_factory(7)["path"], warehouse=warehouse, verbose=False)
    summary = run_ingestion(store=full_load["store"]["path"], warehouse=warehouse, verbose=False)
    return {"warehouse": warehouse, "summary": summary}


def test_next_day_incremental_load_equals_fresh_load(full_load: dict, next_day_load: dict) -> None:
    for source, rows in next_day_load["summary"]["reconciliation"].items():
        for row in rows:
            assert row["landed"] + row["rejected"] + row["skipped"] == row["served"], (source, row)
    for dataset in ALL_DATASETS:
        assert table_contents(next_day_load["warehouse"], dataset) == table_contents(full_load["warehouse"], dataset), \
            dataset


def test_rerun_of_the_same_window_adds_nothing(full_load: dict, next_day_load: dict, ingest) -> None:
    warehouse = next_day_load["warehouse"]
    before = row_counts(warehouse, ALL_DATASETS)
    again = ingest(full_load["store"], warehouse)
    assert row_counts(warehouse, ALL_DATASETS) == before
    assert all(not r["new_columns"] and not r["new_tables"] for r in again["sources"].values())
    for dataset in ALL_DATASETS:
        assert table_contents(warehouse, dataset) == table_contents(full_load["warehouse"], dataset), dataset


def test_late_update_replaces_the_old_version_and_its_nested_rows(store_factory, ingest, tmp_path: Path) -> None:
    warehouse = tmp_path / "late.duckdb"
    ingest(store_factory(2), warehouse, ["shopify", "logistics", "creators"])
    assert query(warehouse, "select financial_status from raw_shopify.orders where id = 5000") == [("paid",)]
    ingest(store_factory(4), warehouse, ["shopify", "logistics", "creators"])
    assert query(warehouse, "select financial_status from raw_shopify.orders where id = 5000") == [("refunded",)]
    refunds = query(warehouse, "select r.id from raw_shopify.orders__refunds r join raw_shopify.orders o "
                               "on r._dlt_root_id = o._dlt_id where o.id = 5000")
    assert refunds == [(805000,)]
    titles = query(warehouse, "select li.title from raw_shopify.orders__line_items li join raw_shopify.orders o "
                              "on li._dlt_root_id = o._dlt_id where o.id = 5000")
    assert titles == [("Tee (refunded)",)], "the old line item row must be replaced, not kept beside the new one"
    orphans = query(warehouse, "select count(*) from raw_shopify.orders__line_items li left join raw_shopify.orders o "
                               "on li._dlt_root_id = o._dlt_id where o._dlt_id is null")[0][0]
    assert orphans == 0
    prices = query(warehouse, "select v.price from raw_shopify.products__variants v join raw_shopify.products p "
                              "on v._dlt_root_id = p._dlt_id where p.id = 301")
    assert prices == [("24.95",)]
    assert query(warehouse, "select status from raw_logistics.shipments where shipment_id = 'sh0_1'") == [("delivered",)]
    assert query(warehouse, "select reach from raw_creators.posts where id = 'post0'") == [(4000,)]


def test_schema_drift_columns_evolve_and_are_reported(store_factory, ingest, tmp_path: Path) -> None:
    warehouse = tmp_path / "drift.duckdb"
    first = ingest(store_factory(2), warehouse, ["shopify", "meta_ads"])
    assert first["sources"]["shopify"]["first_load"]
    second = ingest(store_factory(5), warehouse, ["shopify", "meta_ads"])
    assert "client_details__browser_ip" in second["sources"]["shopify"]["new_columns"]["orders"]
    assert "insights_daily__video_thruplay_watched_actions" in second["sources"]["meta_ads"]["new_tables"]
    from pipelines.ingest import format_summary

    text = format_summary(second)
    assert "new columns in raw_shopify.orders: client_details__browser_ip" in text
    drifted = query(warehouse, "select count(*) from raw_shopify.orders where client_details__browser_ip is not null")
    assert drifted == query(warehouse, "select count(*) from raw_shopify.orders where id >= 5030")  # days 3 and 4


# ----------------------------------------------------------------------------------------------------------------------
# Failure and recovery
# ----------------------------------------------------------------------------------------------------------------------
def test_interrupted_run_then_rerun_recovers_exactly(full_load: dict, store_factory, ingest, tmp_path: Path,
                                                     monkeypatch) -> None:
    from pipelines.sources import _http

    sources = ["shopify", "payments", "email"]
    monkeypatch.setenv("SOURCES__SHOPIFY__PAGE_SIZE", "5")
    monkeypatch.setenv("SOURCES__PAYMENTS__PAGE_SIZE", "4")
    monkeypatch.setenv("SOURCES__EMAIL__PAGE_SIZE", "7")
    reference = full_load["warehouse"]  # a clean load of the same 8-day store

    warehouse = tmp_path / "interrupted.duckdb"
    ingest(store_factory(4), warehouse, sources)
    original = _http.PlatformClient.paginate
    pages_seen = {"n": 0}

    def crash_after_three_pages(self, *args, **kwargs):
        for page in original(self, *args, **kwargs):
            pages_seen["n"] += 1
            if pages_seen["n"] > 3:
                raise ConnectionResetError("simulated crash mid-run")
            yield page

    for source in sources:
        pages_seen["n"] = 0
        monkeypatch.setattr(_http.PlatformClient, "paginate", crash_after_three_pages)
        with pytest.raises(Exception, match="simulated crash"):
            ingest(store_factory(8), warehouse, [source])
    monkeypatch.setattr(_http.PlatformClient, "paginate", original)
    ingest(store_factory(8), warehouse, sources)
    for source in sources:
        dataset = f"raw_{source}"
        assert table_contents(warehouse, dataset) == table_contents(reference, dataset), dataset


def test_crash_between_extract_and_load_loses_nothing(full_load: dict, store_factory, ingest, tmp_path: Path) -> None:
    """A package extracted but never loaded (process killed) is loaded by the next run, before new data."""
    from pipelines.ingest import build_source, make_pipeline
    from pipelines.simulator.server import serve

    reference = full_load["warehouse"]
    warehouse = tmp_path / "pending.duckdb"
    ingest(store_factory(4), warehouse, ["loyalty"])
    base_url, stop = serve(store_factory(8)["path"], faults=False)
    try:
        pipeline = make_pipeline("loyalty", warehouse)
        pipeline.extract(build_source("loyalty", base_url))
        pipeline.normalize()  # ... and the process dies before `load`
    finally:
        stop()
    ingest(store_factory(8), warehouse, ["loyalty"])
    assert table_contents(warehouse, "raw_loyalty") == table_contents(reference, "raw_loyalty")


def test_429_and_5xx_storm_is_survived(store_factory, ingest, tmp_path: Path, monkeypatch) -> None:
    sources = ["shopify", "amazon_sp", "google_ads", "meta_ads", "tiktok_ads", "amazon_ads", "email", "payments"]
    for source in ("shopify", "amazon_sp", "meta_ads", "tiktok_ads", "email", "payments"):
        monkeypatch.setenv(f"SOURCES__{source.upper()}__PAGE_SIZE", "3")  # many pages: many chances for faults
    storm = {"fault_rates": {"429": 0.25, "5xx": 0.15, "dup": 0.3}, "retry_after": (0,)}
    summary = ingest(store_factory(8), tmp_path / "storm.duckdb", sources, server_options=storm, seed=7)
    faults = summary["simulator"]["faults"]
    assert faults["429"] >= 10 and faults["500"] + faults["503"] >= 5 and faults["dup"] >= 3
    for source, rows in summary["reconciliation"].items():
        for row in rows:
            assert row["landed"] + row["rejected"] + row["skipped"] == row["served"], (source, row)


def test_exhausted_retries_raise_a_clear_error(store_factory, tmp_path: Path) -> None:
    import dlt
    from dlt.pipeline.exceptions import PipelineStepFailed

    from pipelines.simulator.server import serve
    from pipelines.sources._http import SIMULATOR_HTTP, PlatformRequestError
    from pipelines.sources.shopify import shopify_source

    base_url, stop = serve(store_factory(2)["path"], faults=True, fault_rates={"429": 1.0}, retry_after=(0,))
    try:
        pipeline = dlt.pipeline("exhausted", destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
                                dataset_name="raw_shopify", pipelines_dir=str(tmp_path / "dlt"))
        http = SIMULATOR_HTTP.__class__(max_attempts=3, backoff_factor=0.001, max_retry_delay=0.01)
        with pytest.raises(PipelineStepFailed) as info:
            pipeline.run(shopify_source(base_url=f"{base_url}/shopify", access_token="x", http=http))
    finally:
        stop()
    cause = info.value.__cause__
    while cause is not None and not isinstance(cause, PlatformRequestError):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, PlatformRequestError)
    assert "HTTP 429 after 3 attempts" in str(cause) and "shopify" in str(cause)


def test_missing_store_and_locked_warehouse_fail_with_one_clear_line(tmp_path: Path, capsys, full_store) -> None:
    import duckdb

    from pipelines.ingest import main

    assert main(["--store", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "python -m pipelines.simulator generate" in err

    import subprocess
    import sys

    locked = tmp_path / "locked.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(locked)!r}); "
                               "print('ready', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["--store", str(full_store["path"]), "--warehouse", str(locked), "--sources", "fx"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "another process" in err
    finally:
        holder.kill()
        holder.wait()
    del duckdb


def test_web_events_via_server_listing_equal_local_files(full_load: dict, ingest, tmp_path: Path) -> None:
    warehouse = tmp_path / "web.duckdb"
    ingest(full_load["store"], warehouse, ["web_events"], web_events_via_server=True)
    assert table_contents(warehouse, "raw_web_events") == table_contents(full_load["warehouse"], "raw_web_events")


def test_fresh_warehouse_does_not_reuse_stale_cursors(store_factory, ingest, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    ingest(store_factory(8), warehouse, ["inventory"])
    assert (tmp_path / "wh" / "dlt").is_dir(), "dlt state lives beside the warehouse"
    warehouse.unlink()  # the user deletes the warehouse but not data/dlt
    summary = ingest(store_factory(8), warehouse, ["inventory"])
    row = summary["reconciliation"]["inventory"][0]
    assert row["landed"] == row["served"] == 16
