"""Cross-integration automation: the full-graph job, its daily schedule and failure alerts.

Integration-specific automation lives with its integration: the web-events file sensor in
`defs/dlt/sensors.py`, freshness checks and their sensor in `defs/dbt/freshness.py`.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    RunFailureSensorContext,
    ScheduleDefinition,
    define_asset_job,
    run_failure_sensor,
)

from orchestration.lib.alerts import write_alert

WAREHOUSE_JOB_NAME = "warehouse_full_build"

# Raw -> staging -> marts, everything. `make run` executes this same job in-process.
warehouse_full_build = define_asset_job(
    name=WAREHOUSE_JOB_NAME,
    selection=AssetSelection.all(),
    description=(
        "Every asset: each platform's dlt loads, then the dbt build (seeds, staging, "
        "intermediate, marts) with its tests as asset checks. `make run` runs this job in-process."
    ),
    tags={"xborder/kind": "full_build"},
)

warehouse_daily_schedule = ScheduleDefinition(
    name="warehouse_daily",
    job=warehouse_full_build,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily full build at 06:00 UTC, after the platforms have closed yesterday.",
)


def failure_alert_record(context: RunFailureSensorContext) -> dict:
    run = context.dagster_run
    failed_steps = sorted(
        {event.step_key for event in context.get_step_failure_events() if event.step_key}
    )
    return {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "tags": dict(run.tags),
        "failed_steps": failed_steps,
        "message": context.failure_event.message,
        "ui_path": f"/runs/{run.run_id}",
    }


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Appends one alert record per failed run to data/alerts/run_failures.jsonl "
        "(beside the warehouse; see orchestration/lib/alerts.py)."
    ),
)
def alert_on_run_failure(context: RunFailureSensorContext) -> None:
    path = write_alert(failure_alert_record(context))
    context.log.info(f"alert written to {path} for run {context.dagster_run.run_id}")


defs = Definitions(
    jobs=[warehouse_full_build],
    schedules=[warehouse_daily_schedule],
    sensors=[alert_on_run_failure],
)
