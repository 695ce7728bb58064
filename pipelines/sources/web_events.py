"""Web/app events from daily export files (GA4/Snowplow-like NDJSON, gzip) (`raw_web_events`).

`event_files` lists `events_YYYYMMDD.ndjson.gz` and is incremental on the file date (the last loaded day is re-read,
which `merge` on `event_id` makes harmless); `events` reads each file with DuckDB's JSON functions into an Arrow table
(fast enough for millions of events) and yields it to dlt. Lines that are not JSON objects, or whose `event_id`,
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
import threading
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Optional

import dlt
import duckdb
import pyarrow as pa

from ._http import HttpSettings, PlatformClient
from ._validate import ISO_4217, NOTES, add_rejects_table, current_load_id, make_reject, parse_date, rejects_table
from ._resources import SCHEMA_CONTRACT

FILE_NAME = re.compile(r"events_(\d{4})(\d{2})(\d{2})\.ndjson(\.gz)?$")
KNOWN_COLUMNS = ["event_id", "event_name", "event_timestamp", "anonymous_id", "platform", "user_id",
                 "device_category", "os", "user_agent", "country", "page_url", "page_referrer", "item_id", "value",
                 "currency", "transaction_id"]
_CURRENCY_SQL = ", ".join(f"'{c}'" for c in sorted(ISO_4217))


def file_date(name: str) -> Optional[date]:
    match = FILE_NAME.search(name)
    return date(int(match[1]), int(match[2]), int(match[3])) if match else None


class EventFileReader:
    """Parses one NDJSON export into (good events as Arrow, reject rows) using an in-memory DuckDB."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = duckdb.connect(":memory:")
        return con

    def parse(self, raw: bytes) -> tuple[pa.Table, list[tuple[str, Optional[str], str]]]:
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8", errors="replace")
        lines = [line for line in text.split("\n") if line.strip()]
        con = self.con
        con.register("raw_lines", pa.table({"n": pa.array(range(len(lines)), pa.int64()), "line": pa.array(lines)}))
        try:
            con.execute(f"""
                create or replace temp table checked as
                with j as (
                    select n, line, case when json_valid(line) then json_type(line) = 'OBJECT' else false end as is_object
                    from raw_lines
                ), f as (
                    select n, line, is_object,
                        case when is_object then (line->>'$.event_id') end as event_id,
                        case when is_object then (line->>'$.event_timestamp') end as ts_text,
                        case when is_object then (line->>'$.value') end as value_text,
                        case when is_object then (line->>'$.currency') end as currency
                    from j
                )
                select *,
                    concat_ws('; ',
                        case when not is_object then 'line is not a JSON object' end,
                        case when is_object and coalesce(event_id, '') = '' then 'event_id: missing' end,
                        case when is_object and ts_text is null then 'event_timestamp: missing'
                             when is_object and try_cast(ts_text as timestamptz) is null
                             then 'event_timestamp: unparseable timestamp ' || ts_text end,
                        case when value_text is not null and try_cast(value_text as double) is null
                             then 'value: not a number ' || value_text end,
                        case when currency is not null and currency not in ({_CURRENCY_SQL})
                             then 'currency: unknown currency code ' || currency end
                    ) as reason
                from f
            """)
            bad = con.execute("select line, event_id, reason from checked where reason <> '' order by n").fetchall()
            keys = [k for (k,) in con.execute(
                "select distinct unnest(json_keys(line)) from checked where reason = ''").fetchall()]
            extra = sorted(k for k in keys if k not in KNOWN_COLUMNS)
            selects = []
            for col in KNOWN_COLUMNS + extra:
                if col not in keys and col not in ("event_id", "event_timestamp"):
                    continue
                quoted = col.replace("'", "''")
                if col == "event_timestamp":
                    expr = "cast(ts_text as timestamptz)"
                elif col == "value":
                    expr = "try_cast(value_text as double)"
                else:
                    expr = f"line->>'$.\"{quoted}\"'"
                selects.append(f'{expr} as "{col}"')
            good = con.execute(f"select {', '.join(selects)} from checked where reason = '' order by n").arrow()
            if hasattr(good, "read_all"):
                good = good.read_all()
        finally:
            con.unregister("raw_lines")
        fields = []
        for fld in good.schema:
            if fld.name == "event_timestamp":  # always UTC, never null after validation
                fld = pa.field(fld.name, pa.timestamp("us", tz="UTC"), nullable=False)
            elif fld.name == "event_id":
                fld = pa.field(fld.name, fld.type, nullable=False)
            fields.append(fld)
        return good.cast(pa.schema(fields)), bad


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
