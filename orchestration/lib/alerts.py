"""Alert records for failed runs.

One JSON object per line in `<warehouse dir>/alerts/run_failures.jsonl` (`data/alerts/...` by
default). A file, not a warehouse table, on purpose: a failure alert must be writable while a
run still holds the DuckDB write lock, and must survive a warehouse that failed to build. Read
them with `duckdb -c "select * from read_json_auto('data/alerts/run_failures.jsonl')"` or any
log shipper; each record names the run so the Dagster UI page is one click away.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from orchestration.lib import settings


def write_alert(record: dict[str, Any], path: Path | None = None) -> Path:
    path = Path(path or settings.alerts_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "alerted_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "kind": "run_failure",
        **record,
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str, sort_keys=True) + "\n")
    return path


def read_alerts(path: Path | None = None) -> list[dict[str, Any]]:
    path = Path(path or settings.alerts_path())
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
