"""Builds the dlt resources every platform module shares: incremental cursor, merge on primary key with a dedup sort on
the cursor, schema contract, validation and the rejects table.

A platform module describes each endpoint with an `Endpoint` and supplies a `fetch(cursor)` generator of pages
(lists of raw records). `build_resource` wires the rest:

* `dlt.sources.incremental(cursor)` — the cursor value is parsed by the validator first (ISO strings with any offset
  become UTC datetimes, dates become dates), so dlt compares real instants, never strings with mixed offsets. The
  state only advances when the load commits (dlt writes it in the same load package), so an interrupted run re-reads
  its window. Boundary de-duplication is off (`primary_key=()`): the inclusive lower bound re-reads the last instant and
  `merge` makes that a no-op.
* `write_disposition="merge"` on the primary key, `dedup_sort: desc` on the cursor: duplicates inside a load (pages
  that overlap) collapse to the latest version; a late update replaces the stored version and its nested rows (dlt's
  delete-insert merge propagates the root key to child tables).
* schema contract: new tables and columns evolve (and are reported by ingest); data types are frozen, because anything
  that does not parse was already routed to `<source>_rejects` by the validator.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Optional

import dlt
from dlt.extract.items import DataItemWithMeta

from ._validate import Validator, add_rejects_table, parse_date, parse_timestamp

SCHEMA_CONTRACT = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


@dataclass
class Endpoint:
    name: str
    primary_key: tuple[str, ...]
    cursor: Optional[str] = None
    cursor_type: str = "ts"  # ts | date | epoch
    fields: dict[str, str] = field(default_factory=dict)
    lag_days: Optional[float] = None  # re-read this many days before the last cursor (ad reports restate)


def to_cursor_value(value: Any, cursor_type: str) -> Any:
    if value is None or value == "":
        return None
    if cursor_type == "ts":
        return parse_timestamp(value)
    if cursor_type == "date":
        return parse_date(value)
    return int(value)


def format_ts(value: Any) -> Optional[str]:
    """UTC ISO-8601 with `Z` (what every platform accepts in a filter)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_timestamp(value)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def format_date(value: Any) -> Optional[str]:
    if value is None:
        return None
    return (value if isinstance(value, date) and not isinstance(value, datetime) else parse_date(value)).isoformat()


def date_windows(start: date, end: date, max_days: int) -> Iterator[tuple[date, date]]:
    """Split [start, end] into inclusive windows of at most `max_days` days (platform report range limits)."""
    while start <= end:
        stop = min(end, start + timedelta(days=max_days - 1))
        yield start, stop
        start = stop + timedelta(days=1)


def resolve_end_date(end_date: Optional[str]) -> date:
    """The last day a report may ask for: the configured end date (the simulator's as_of_date) or today (UTC)."""
    return parse_date(end_date) if end_date else datetime.now(timezone.utc).date()


def resolve_start_date(start_date: Optional[str], end: date, default_days: int = 395) -> date:
    return parse_date(start_date) if start_date else end - timedelta(days=default_days)


Fetch = Callable[[Any], Iterator[list]]


def build_resource(source_name: str, endpoint: Endpoint, fetch: Fetch, initial_value: Any = None,
                   parallelized: bool = False) -> Any:
    """A merge resource for `endpoint`: `fetch(incremental_or_None)` yields pages of raw records."""
    validator = Validator(source_name, endpoint.name, endpoint.fields, endpoint.primary_key, endpoint.cursor,
                          endpoint.cursor_type)
    columns: dict[str, dict[str, Any]] = {}
    if endpoint.cursor:
        columns["__".join(endpoint.cursor.split("."))] = {"dedup_sort": "desc"}  # dlt normalizes the name
        initial = to_cursor_value(initial_value, endpoint.cursor_type)

        def pages(cursor: dlt.sources.incremental[Any] = dlt.sources.incremental(
            endpoint.cursor, initial_value=initial, on_cursor_value_missing="include", primary_key=(),
            lag=endpoint.lag_days,
        )) -> Iterator[Any]:
            for page in fetch(cursor):
                yield from _emit(validator, page)
    else:
        def pages() -> Iterator[Any]:  # type: ignore[misc]
            for page in fetch(None):
                yield from _emit(validator, page)

    resource = dlt.resource(
        pages,
        name=endpoint.name,
        write_disposition="merge",
        primary_key=["__".join(k.split(".")) for k in endpoint.primary_key],
        columns=columns or None,
        schema_contract=SCHEMA_CONTRACT,
        parallelized=parallelized,
    )
    return add_rejects_table(resource, source_name)


def _emit(validator: Validator, page: Any) -> Iterator[Any]:
    if isinstance(page, DataItemWithMeta):  # already dispatched by the platform module (e.g. its own rejects)
        yield page
    else:
        yield from validator.emit(page)


def cursor_start(cursor: Any) -> Any:
    """The lower bound to send to the platform (lag already applied by dlt), or None on a first full load."""
    if cursor is None:
        return None
    return cursor.start_value


def once(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Memoise a zero-argument fetch (e.g. the list of ad accounts) for the lifetime of one source instance."""
    box: list = []

    def wrapper() -> Any:
        if not box:
            box.append(fn())
        return box[0]

    return wrapper
