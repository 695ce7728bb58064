"""Web/app events from daily export files (GA4/Snowplow-like NDJSON, gzip) (`raw_web_events`).

`event_files` lists `events_YYYYMMDD.ndjson.gz` and is incremental on the file date (the last loaded day is re-read,
which `merge` on `event_id` makes harmless); `events` parses each file into an Arrow table (fast enough for millions of
events) and yields it to dlt. Lines that are not JSON objects, or whose `event_id`,
`event_timestamp`, `value` or `currency` do not parse, go to `web_events_rejects` with the raw line.

Where the files are (`bucket_url`):
* a local folder (default: the simulator store's `web_events/`),
* `http(s)://...` — the simulator's file listing (`GET <bucket_url>/files`, download `/files/<name>`),
* any fsspec URL (`s3://bucket/prefix`, `gs://...`, `az://...`) with that backend installed and its usual
  credentials in the environment.
"""
from __future__ import annotations

import gzip
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Optional

import dlt
import orjson
import pyarrow as pa

from ._http import HttpSettings, PlatformClient
from ._validate import ISO_4217, NOTES, add_rejects_table, current_load_id, make_reject, parse_date, rejects_table
from ._resources import SCHEMA_CONTRACT

FILE_NAME = re.compile(r"events_(\d{4})(\d{2})(\d{2})\.ndjson(\.gz)?$")
KNOWN_COLUMNS = ["event_id", "event_name", "event_timestamp", "anonymous_id", "platform", "user_id",
                 "device_category", "os", "user_agent", "country", "page_url", "page_referrer", "item_id", "value",
                 "currency", "transaction_id"]
KNOWN_SET = frozenset(KNOWN_COLUMNS)


def file_date(name: str) -> Optional[date]:
    match = FILE_NAME.search(name)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def _as_text(value: Any) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def _string_array(values: list) -> pa.Array:
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers or objects in a text field: keep their text
        return pa.array([_as_text(v) for v in values], pa.string())


class EventFileReader:
    """Parses one NDJSON export into (good events as an Arrow table, reject rows).

    One `orjson.loads` per line and a few checks per event, then columns are built straight into Arrow: about a
    million events in well under a minute of one core. `event_timestamp` becomes a UTC timestamp, `value` a double,
    every other field text (unknown fields from schema drift included, objects as JSON text)."""

    def parse(self, raw: bytes) -> tuple[pa.Table, list[tuple[str, Optional[str], str]]]:
        data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        good: list[dict] = []
        bad: list[tuple[str, Optional[str], str]] = []
        extra: set[str] = set()
        known = KNOWN_SET
        from_iso = datetime.fromisoformat
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                record = None
            if not isinstance(record, dict):
                bad.append((line.decode("utf-8", "replace"), None, "line is not a JSON object"))
                continue
            problems = []
            event_id = record.get("event_id")
            if event_id is None or event_id == "":
                problems.append("event_id: missing")
            ts = record.get("event_timestamp")
            if ts is None:
                problems.append("event_timestamp: missing")
            else:
                try:
                    parsed = from_iso(ts[:-1] + "+00:00" if ts[-1:] in ("Z", "z") else ts)
                    record["event_timestamp"] = (parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None
                                                 else parsed.astimezone(timezone.utc))
                except (TypeError, ValueError):
                    problems.append(f"event_timestamp: unparseable timestamp {ts!r}")
            value = record.get("value")
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                try:
                    record["value"] = float(value)
                except (TypeError, ValueError):
                    problems.append(f"value: not a number {value!r}")
            currency = record.get("currency")
            if currency is not None and currency not in ISO_4217:
                problems.append(f"currency: unknown currency code {currency!r}")
            if problems:
                bad.append((line.decode("utf-8", "replace"), _as_text(event_id) or None, "; ".join(problems)))
                continue
            good.append(record)
            if not record.keys() <= known:
                extra.update(k for k in record if k not in known)
        columns: dict[str, pa.Array] = {}
        for name in KNOWN_COLUMNS + sorted(extra):
            values = [r.get(name) for r in good]
            if name == "event_timestamp":
                columns[name] = pa.array(values, pa.timestamp("us", tz="UTC"))
            elif name == "value":
                columns[name] = pa.array([None if v is None else float(v) for v in values], pa.float64())
            else:
                columns[name] = _string_array(values)
        schema = pa.schema([pa.field(n, a.type, nullable=n not in ("event_id", "event_timestamp"))
                            for n, a in columns.items()])
        return pa.Table.from_arrays(list(columns.values()), schema=schema), bad


@dlt.source(name="web_events")
def web_events_source(
    bucket_url: str = dlt.config.value,
    file_glob: str = "events_*.ndjson.gz",
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    is_http = bucket_url.startswith(("http://", "https://"))
    client = PlatformClient("web_events", bucket_url, {}, settings) if is_http else None
    reader = EventFileReader()

    def list_files() -> list[dict]:
        if client is not None:
            listing = client.request("/files").json().get("files", [])
            return [{"file_name": f["name"], "file_date": file_date(f["name"]), "location": f"/files/{f['name']}"}
                    for f in listing if file_date(f["name"])]
        if "://" in bucket_url and not bucket_url.startswith("file://"):
            import fsspec

            fs, root = fsspec.core.url_to_fs(bucket_url)
            paths = fs.glob(f"{root.rstrip('/')}/{file_glob}")
            return [{"file_name": Path(p).name, "file_date": file_date(p), "location": p} for p in paths if file_date(p)]
        folder = Path(bucket_url.removeprefix("file://"))
        return [{"file_name": p.name, "file_date": file_date(p.name), "location": str(p)}
                for p in sorted(folder.glob(file_glob)) if file_date(p.name)]

    def read_bytes(location: str) -> bytes:
        if client is not None:
            return client.request(location).content
        if "://" in bucket_url and not bucket_url.startswith("file://"):
            import fsspec

            fs, _ = fsspec.core.url_to_fs(bucket_url)
            with fs.open(location, "rb") as fh:
                return fh.read()
        return Path(location).read_bytes()

    initial = parse_date(start_date) if start_date else None

    @dlt.resource(name="event_files", selected=False)
    def event_files(
        day: dlt.sources.incremental[date] = dlt.sources.incremental("file_date", initial_value=initial,
                                                                     primary_key=()),
    ) -> Iterator[list]:
        files = sorted(list_files(), key=lambda f: f["file_name"])
        yield files

    @dlt.transformer(name="events", write_disposition="merge", primary_key="event_id",
                     schema_contract=SCHEMA_CONTRACT)
    def events(files: list[dict]) -> Iterator[Any]:
        for f in files:
            good, bad = reader.parse(read_bytes(f["location"]))
            if good.num_rows:
                yield good
            if bad:
                load_id = current_load_id()
                NOTES.add("web_events", "events", "rejected", len(bad))
                yield dlt.mark.with_table_name(
                    [make_reject("events", line, (), reason, load_id) | {"record_key": event_id}
                     for line, event_id, reason in bad], rejects_table("web_events"))

    add_rejects_table(events, "web_events")
    return event_files | events
