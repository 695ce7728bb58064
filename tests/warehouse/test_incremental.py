"""Append-a-day: an incremental build after one more day equals a full rebuild, and touches only what it must.

N days are generated, landed and built in full; the simulator's N+1-day run (which reproduces the N days and adds
day N+1 with late refunds/returns and new identity links) is landed into the same warehouse; then

* an incremental ``dbt run`` of that warehouse must leave every mart equal to a ``--full-refresh`` build of the same
  raw data (exactly, except floating-point columns: see ``_equal_up_to_float_noise``), and
* each incremental model must report (dbt ``run_results.json``, ``adapter_response.rows_affected``) exactly the
  rows of its late-arriving window plus the older rows whose person changed — not the whole table.
"""
from __future__ import annotations

import datetime as dt
import math
import shutil

import duckdb
import pytest

from conftest import SEED, generate_market, ingest, run_dbt

LATE_ARRIVING_DAYS = 3  # dbt_project.yml var late_arriving_days
SMALL_DAYS = 59  # the small scale has 60 days; fewer days may lack whole raw tables (no erasure request yet)

# incremental model -> (window column, identifying key, person column or None)
INCREMENTAL_MODELS = {
    "int_sessions__sessionized": ("intermediate", "session_start_date", "session_id", None),
    "fct_sessions": ("marts", "session_start_date", "session_id", "person_id"),
    "fct_touchpoints": ("marts", "touchpoint_date", "touchpoint_id", "person_id"),
    "fct_ad_performance_daily": ("marts", "date_day", "ad_performance_id", None),
    "fct_order_lines": ("marts", "source_updated_at", "order_line_id", "person_id"),
}


def _tables(con, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
        "order by table_name", [schema]).fetchall()]


FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}
FLOAT_REL_TOL = 1e-9  # float noise is ~1e-16 relative; any real difference (a stale row) is far larger


def _except_all_counts(con, mine: str, theirs: str, columns: str = "*") -> tuple[int, int]:
    extra = con.execute(
        f"select count(*) from (select {columns} from {mine} except all select {columns} from {theirs})").fetchone()[0]
    missing = con.execute(
        f"select count(*) from (select {columns} from {theirs} except all select {columns} from {mine})").fetchone()[0]
    return extra, missing


def _floats_close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=FLOAT_REL_TOL, abs_tol=1e-12)


def _equal_up_to_float_noise(con, schema: str, table: str, mine: str, theirs: str) -> bool:
    """Every non-float column equal as a multiset of rows; float columns equal up to rounding.

    Floating-point sums and averages (fractional attribution credits, ratios, averages of day counts) depend on the
    order in which rows are added: an incremental table is physically ordered differently from a rebuilt one, and
    DuckDB's parallel aggregation does not fix the order either (two ``--full-refresh`` builds of the same raw data
    differ in the last bit of the same performance/threshold marts). Rows are paired by sorting both sides on all
    columns (non-float first) once the non-float projections are known to match.
    """
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table]).fetchall()
    floats = [f'"{name}"' for name, data_type in columns if data_type in FLOAT_TYPES]
    others = [f'"{name}"' for name, data_type in columns if data_type not in FLOAT_TYPES]
    if not floats or (others and _except_all_counts(con, mine, theirs, ", ".join(others)) != (0, 0)):
        return False
    order = ", ".join(others + floats)
    mine_rows = con.execute(f"select {', '.join(floats)} from {mine} order by {order}").fetchall()
    their_rows = con.execute(f"select {', '.join(floats)} from {theirs} order by {order}").fetchall()
    return len(mine_rows) == len(their_rows) and all(
        _floats_close(a, b) for mine_row, their_row in zip(mine_rows, their_rows) for a, b in zip(mine_row, their_row))


def _rows_affected(run_results: dict) -> dict[str, int]:
    out = {}
    for result in run_results["results"]:
        name = result["unique_id"].split(".")[-1]
        out[name] = (result.get("adapter_response") or {}).get("rows_affected")
    return out


@pytest.fixture(scope="module")
def appended_day(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("append_a_day")
    warehouse = tmp / "incremental" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    first = generate_market("small", SEED, tmp / "sim_n", tmp / "truth_n", days=SMALL_DAYS)
    ingest(tmp / "sim_n", warehouse)
    run_dbt(["seed"], warehouse, tmp / "dbt_n", str(first["as_of_date"]))
    run_dbt(["run"], warehouse, tmp / "dbt_n", str(first["as_of_date"]))
    before = tmp / "before.duckdb"
    shutil.copy(warehouse, before)

    second = generate_market("small", SEED, tmp / "sim_n1", tmp / "truth_n1", days=SMALL_DAYS + 1)
    ingest(tmp / "sim_n1", warehouse)
    full = tmp / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copy(warehouse, full)
    as_of = str(second["as_of_date"])
    incremental_run = run_dbt(["run"], warehouse, tmp / "dbt_incremental", as_of)
    run_dbt(["run", "--full-refresh"], full, tmp / "dbt_full", as_of)
    return {"incremental": warehouse, "full": full, "before": before, "run_results": incremental_run.run_results,
            "as_of": as_of}


def test_incremental_build_after_appended_day_equals_full_rebuild(appended_day):
    con = duckdb.connect(str(appended_day["incremental"]), read_only=True)
    con.execute(f"attach '{appended_day['full']}' as full_build (read_only)")
    try:
        differences = {}
        for schema in ("intermediate", "marts"):
            for table in _tables(con, schema):
                mine = f'"{schema}"."{table}"'
                theirs = f'full_build."{schema}"."{table}"'
                extra, missing = _except_all_counts(con, mine, theirs)
                if (extra or missing) and not _equal_up_to_float_noise(con, schema, table, mine, theirs):
                    differences[f"{schema}.{table}"] = (extra, missing)
        assert not differences, f"incremental != full rebuild (rows only in incremental, only in full): {differences}"
    finally:
        con.close()


def test_incremental_run_touches_only_the_window_and_re_resolved_people(appended_day):
    affected = _rows_affected(appended_day["run_results"])
    con = duckdb.connect(str(appended_day["full"]), read_only=True)
    con.execute(f"attach '{appended_day['before']}' as before_run (read_only)")
    report = {}
    try:
        for model, (schema, window_column, key, person_column) in INCREMENTAL_MODELS.items():
            high_water_mark = con.execute(f'select max({window_column}) from before_run."{schema}"."{model}"').fetchone()[0]
            # as macros/marts/incremental_window.sql: the high-water mark's date (a timestamp's time of day dropped;
            # datetime is a subclass of date, so test for datetime) minus late_arriving_days
            if isinstance(high_water_mark, dt.datetime):
                high_water_mark = high_water_mark.date()
            window_start = high_water_mark - dt.timedelta(days=LATE_ARRIVING_DAYS)
            in_window = con.execute(
                f'select count(*) from "{schema}"."{model}" where cast({window_column} as date) >= ?', [window_start]
            ).fetchone()[0]
            re_resolved = 0
            if person_column:
                re_resolved = con.execute(
                    f'select count(*) from "{schema}"."{model}" as now_ '
                    f'inner join before_run."{schema}"."{model}" as then_ using ({key}) '
                    f'where cast(now_.{window_column} as date) < ? and now_.{person_column} <> then_.{person_column}',
                    [window_start]).fetchone()[0]
            total = con.execute(f'select count(*) from "{schema}"."{model}"').fetchone()[0]
            expected = in_window + re_resolved
            if model == "fct_order_lines":
                # window by source update time: lines of orders changed since the window start
                expected = con.execute(
                    f'select count(*) from "{schema}"."{model}" as now_ '
                    f'left join before_run."{schema}"."{model}" as then_ using ({key}) '
                    f'where cast(now_.source_updated_at as date) >= ? '
                    f'or (now_.person_id <> then_.person_id)', [window_start]).fetchone()[0]
            report[model] = {"rows_affected": affected.get(model), "expected": expected, "table_rows": total}
        print("rows affected by the incremental run:", report)
        for model, numbers in report.items():
            assert numbers["rows_affected"] == numbers["expected"], (model, numbers)
            assert numbers["rows_affected"] < numbers["table_rows"], (model, numbers)
    finally:
        con.close()
