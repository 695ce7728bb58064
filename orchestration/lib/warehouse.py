"""The DuckDB warehouse: one writer at a time, readers open read-only (DESIGN section 10).

Writers (dlt loads, dbt builds) never use this module's connections: they open their own
read-write connection inside an asset that sits in the `duckdb_warehouse` concurrency pool.
Everything else — the run summary, row counts, the UI start-up probe — reads through
`read_only_connection`, which never takes the write lock and never creates a file.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from orchestration.lib import settings

_LOCK_PID = re.compile(r"PID (\d+)")


class WarehouseLockedError(RuntimeError):
    """Another process holds the DuckDB write lock on the warehouse file."""

    def __init__(self, path: Path, holder: str):
        self.path = path
        self.holder = holder
        super().__init__(f"warehouse {path} is locked by {holder}")


def holder_from_error(error: Exception) -> str | None:
    message = str(error)
    if "lock" not in message.lower():
        return None
    match = _LOCK_PID.search(message)
    return f"process {match.group(1)}" if match else "another process"


def lock_holder(path: Path | None = None, *, for_write: bool = True) -> str | None:
    """Who holds a lock that would stop us, or None when the warehouse is free.

    `for_write=True` asks "could I write now?" (a read-write open, as a run needs);
    `for_write=False` asks "could I read now?" (a read-only open, as the UI needs). A missing
    file is free: nothing is probed and nothing is created.
    """
    path = Path(path or settings.warehouse_path())
    if not path.exists():
        return None
    try:
        connection = duckdb.connect(str(path), read_only=not for_write)
    except duckdb.IOException as error:
        holder = holder_from_error(error)
        if holder is None:
            raise
        return holder
    connection.close()
    return None


def ensure_writable(path: Path | None = None) -> None:
    path = Path(path or settings.warehouse_path())
    holder = lock_holder(path, for_write=True)
    if holder:
        raise WarehouseLockedError(path, holder)


@contextmanager
def read_only_connection(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path or settings.warehouse_path())
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        holder = holder_from_error(error)
        if holder is None:
            raise
        raise WarehouseLockedError(path, holder) from error
    connection.execute("set enable_progress_bar = false")  # never draw DuckDB's bar into our output
    try:
        yield connection
    finally:
        connection.close()


def table_row_counts(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """Exact row counts of every base table and view, keyed by (schema, name)."""
    relations = connection.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_schema not in ('information_schema', 'pg_catalog')
        """
    ).fetchall()
    counts: dict[tuple[str, str], int] = {}
    for schema, name in relations:
        try:
            (count,) = connection.execute(
                f'select count(*) from "{schema}"."{name}"'
            ).fetchone()
        except duckdb.Error:
            continue
        counts[(schema, name)] = int(count)
    return counts


def dataset_columns(path: Path, schema: str) -> dict[str, set[str]]:
    """Columns per table of one schema (dlt bookkeeping columns and tables left out).

    For use *inside a warehouse-writing step* (which holds the writer pool slot): it opens a
    plain connection, the same configuration dlt uses, so it can coexist with dlt's own.
    """
    if not Path(path).exists():
        return {}
    connection = duckdb.connect(str(path))
    try:
        rows = connection.execute(
            "select table_name, column_name from information_schema.columns where table_schema = ?",
            [schema],
        ).fetchall()
    finally:
        connection.close()
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        if table.startswith("_dlt") or column.startswith("_dlt"):
            continue
        columns.setdefault(table, set()).add(column)
    return columns
