"""Launch the web-events load when a new daily export file lands.

The platform drops one `events_YYYYMMDD.ndjson.gz` per day into its export folder
(`$SIM_STORE_PATH/web_events/`; a real deployment points `WEB_EVENTS_EXPORT_DIR` at its own
folder). The cursor is the newest file name seen; names sort by date, so "newer" is a string
comparison. On its very first tick the sensor only records the newest file when the web-events
asset has already been loaded (e.g. by `make run`), so opening the UI does not trigger a reload.
"""

import os
from pathlib import Path

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from orchestration.lib import settings

WEB_EVENTS_KEY = AssetKey(["raw_web_events", "events"])
EXPORT_GLOB = "events_*.ndjson*"


def export_dir() -> Path:
    explicit = os.environ.get("WEB_EVENTS_EXPORT_DIR")
    return Path(explicit) if explicit else settings.sim_store_path() / "web_events"


def newest_export_file(folder: Path) -> str | None:
    if not folder.is_dir():
        return None
    names = sorted(p.name for p in folder.glob(EXPORT_GLOB) if p.is_file())
    return names[-1] if names else None


@sensor(
    name="web_events_new_export_file",
    asset_selection=[WEB_EVENTS_KEY],
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Loads raw_web_events/events when a new daily export file appears (cursor = newest file name).",
)
def web_events_new_export_file(context: SensorEvaluationContext):
    folder = export_dir()
    newest = newest_export_file(folder)
    if newest is None:
        return SkipReason(f"no export files in {folder}")
    if context.cursor and newest <= context.cursor:
        return SkipReason(f"no export file newer than {context.cursor}")
    if not context.cursor and context.instance.get_latest_materialization_event(WEB_EVENTS_KEY):
        return SensorResult(
            skip_reason=f"web events already loaded; watching for files after {newest}",
            cursor=newest,
        )
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=f"web_events:{newest}",
                asset_selection=[WEB_EVENTS_KEY],
                tags={"xborder/web_events_file": newest},
            )
        ],
        cursor=newest,
    )
