"""Helpers shared by the ingestion tests: read a warehouse, compare two warehouses' contents."""
from __future__ import annotations

from pathlib import Path

import duckdb


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_names(warehouse: Path, dataset: str) -> list[str]:
    return [t for (t,) in query(warehouse, "select table_name from information_schema.tables where table_schema = ? "
                                           "and table_name not like '\\_dlt%' escape '\\' order by 1", [dataset])]


def row_counts(warehouse: Path, datasets: list[str]) -> dict[str, int]:
    out = {}
    for ds in datasets:
        for t in table_names(warehouse, ds):
            out[f"{ds}.{t}"] = query(warehouse, f'select count(*) from "{ds}"."{t}"')[0][0]
    return out


def _parent(table: str, tables: set[str]) -> str | None:
    parts = table.split("__")
    for i in range(len(parts) - 1, 0, -1):
        candidate = "__".join(parts[:i])
        if candidate in tables:
            return candidate
    return None


def table_contents(warehouse: Path, dataset: str) -> dict[str, list[tuple]]:
    """Every table's rows without dlt bookkeeping: nested rows are keyed by their root row's content path instead of
    dlt's random ids, so two warehouses loaded differently compare equal when their data is equal."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = set(table_names(warehouse, dataset))
        cols = {t: [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by column_name", [dataset, t]).fetchall()] for t in tables}
        path_sql: dict[str, str] = {}

        def build(t: str) -> str:
            if t in path_sql:
                return path_sql[t]
            data_cols = [c for c in cols[t] if not c.startswith("_dlt") and c != "rejected_at_load"]
            parent = _parent(t, tables)
            row_text = " || '|' || ".join(f"coalesce(cast(\"{c}\" as varchar), '∅')" for c in data_cols) or "''"
            if parent is None:
                sql = f'select _dlt_id, ({row_text}) as path from "{dataset}"."{t}"'
            else:
                sql = (f"select c._dlt_id, p.path || '/' || cast(c._dlt_list_idx as varchar) as path "
                       f'from "{dataset}"."{t}" c join ({build(parent)}) p on c._dlt_parent_id = p._dlt_id')
            path_sql[t] = sql
            return sql

        out = {}
        for t in sorted(tables):
            data_cols = [c for c in cols[t] if not c.startswith("_dlt") and c != "rejected_at_load"]
            select_cols = ", ".join(f't."{c}"' for c in data_cols)
            parent = _parent(t, tables)
            if parent is None:
                sql = f'select {select_cols} from "{dataset}"."{t}" t'
            else:
                sql = (f"select p.path, {select_cols} from \"{dataset}\".\"{t}\" t "
                       f"join ({build(parent)}) p on t._dlt_parent_id = p._dlt_id")
            rows = [tuple("" if v is None else str(v) for v in row) for row in con.execute(sql).fetchall()]
            out[t] = sorted(rows)
        return out
    finally:
        con.close()
