"""Schedule, web-events file sensor and run-failure alerts."""

import gzip
import json

import pytest
from dagster import (
    AssetMaterialization,
    DagsterEventType,
    DagsterInstance,
    RunRequest,
    SensorResult,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)

from orchestration.defs.automation import alert_on_run_failure, warehouse_daily_schedule
from orchestration.defs.dlt.sensors import WEB_EVENTS_KEY, web_events_new_export_file
from orchestration.lib.alerts import read_alerts


def _export(folder, day):
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / f"events_{day}.ndjson.gz", "wt") as handle:
        handle.write(json.dumps({"event_id": day}) + "\n")


@pytest.fixture
def export_folder(tmp_path, monkeypatch):
    folder = tmp_path / "web_events"
    monkeypatch.setenv("WEB_EVENTS_EXPORT_DIR", str(folder))
    return folder


def _evaluate(cursor=None, instance=None):
    context = build_sensor_context(cursor=cursor, instance=instance or DagsterInstance.ephemeral())
    return web_events_new_export_file(context), context


def _requests(result):
    if isinstance(result, SensorResult):
        return list(result.run_requests or [])
    if isinstance(result, RunRequest):
        return [result]
    return []


def test_daily_schedule_targets_the_full_graph():
    assert warehouse_daily_schedule.cron_schedule == "0 6 * * *"
    assert warehouse_daily_schedule.job_name == "warehouse_full_build"


def test_new_export_file_launches_the_web_events_asset(export_folder):
    _export(export_folder, "20260403")
    result, _ = _evaluate(cursor=None)
    [request] = _requests(result)
    assert request.asset_selection == [WEB_EVENTS_KEY]
    assert result.cursor == "events_20260403.ndjson.gz"

    # nothing new: skip
    result, _ = _evaluate(cursor="events_20260403.ndjson.gz")
    assert isinstance(result, SkipReason)

    # the next day's file arrives: launch again, cursor moves to the newest file
    _export(export_folder, "20260404")
    result, _ = _evaluate(cursor="events_20260403.ndjson.gz")
    [request] = _requests(result)
    assert request.run_key == "web_events:events_20260404.ndjson.gz"
    assert result.cursor == "events_20260404.ndjson.gz"


def test_first_tick_after_a_load_only_records_the_cursor(export_folder):
    _export(export_folder, "20260403")
    instance = DagsterInstance.ephemeral()
    instance.report_runless_asset_event(AssetMaterialization(asset_key=WEB_EVENTS_KEY))
    result, _ = _evaluate(cursor=None, instance=instance)
    assert _requests(result) == []
    assert result.cursor == "events_20260403.ndjson.gz"


def test_no_export_folder_is_a_skip(export_folder):
    result, _ = _evaluate(cursor=None)
    assert isinstance(result, SkipReason)


@op
def load_that_breaks():
    raise RuntimeError("platform returned garbage")


@job
def breaking_job():
    load_that_breaks()


def test_failed_run_writes_an_alert_record(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "warehouse.duckdb"))
    instance = DagsterInstance.ephemeral()
    result = breaking_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
    context = build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
    ).for_run_failure()
    alert_on_run_failure(context)
    [alert] = read_alerts(tmp_path / "alerts" / "run_failures.jsonl")
    assert alert["run_id"] == result.run_id
    assert alert["job_name"] == "breaking_job"
    assert alert["failed_steps"] == ["load_that_breaks"]
    assert alert["ui_path"] == f"/runs/{result.run_id}"
