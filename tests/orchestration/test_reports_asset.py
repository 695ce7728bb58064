"""The reports asset (`reports/evidence_queries`) and its check `evidence_build_possible`.

Most tests use a tiny warehouse and a tiny Evidence project written here; the last one materialises
the asset on a copy of the session's small built warehouse. None of them uses the network or npm.
"""

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from dagster import AssetCheckSeverity, AssetKey, Failure, materialize

from orchestration import defs
from orchestration.defs.reports import assets as reports_assets
from orchestration.defs.reports import checks as reports_checks
from orchestration.defs.reports.assets import EVIDENCE_QUERIES_KEY, check_reports, upstream_keys
from orchestration.lib.settings import WAREHOUSE_WRITER_POOL

ORDERS_SQL = """
-- orders per day; marts.dim_products is only mentioned in this comment
with daily as (
    select order_date, count(*)::bigint as orders from marts.orders group by all
)
select daily.order_date, daily.orders from daily
"""


def _reports(root: Path, sources: dict[str, str], pages: dict[str, str]) -> Path:
    source_dir = root / "reports" / "sources" / "warehouse"
    source_dir.mkdir(parents=True)
    (source_dir / "connection.yaml").write_text("name: warehouse\ntype: duckdb\noptions:\n  filename: warehouse.duckdb\n")
    for name, sql in sources.items():
        (source_dir / name).write_text(textwrap.dedent(sql))
    for name, text in pages.items():
        page = root / "reports" / "pages" / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(textwrap.dedent(text))
    return root / "reports"


@pytest.fixture
def tiny_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        create schema marts;
        create table marts.orders as select * from (values
            (1, date '2026-03-01'), (2, date '2026-03-02'), (3, date '2026-03-02')
        ) as t(order_id, order_date);
        """
    )
    con.close()
    return path


def _page(query: str) -> str:
    return f"# Orders\n\n```sql daily\n{query}\n```\n\n<DataTable data={{daily}}/>\n"


# ------------------------------------------------------------------------------------ definitions


def test_the_asset_is_in_the_definitions_downstream_of_the_tables_its_sources_read():
    graph = defs.resolve_asset_graph()
    node = graph.get(EVIDENCE_QUERIES_KEY)
    assert node.group_name == "reports"
    deps = set(node.parent_keys)
    assert {AssetKey(["marts", "fct_orders"]), AssetKey(["ml", "customer_scores"])} <= deps
    assert AssetKey(["quarantine", "stg_quarantine__records"]) in deps
    # every dep is a real, materialisable asset of the graph (no dangling keys)
    assert all(graph.has(key) and graph.get(key).is_materializable for key in deps), deps
    assert node.check_keys == {reports_checks.evidence_build_possible.check_key}


def test_the_asset_only_reads_but_sits_in_the_writer_pool_so_its_lock_never_blocks_a_writer():
    assert reports_assets.evidence_queries.op.pool == WAREHOUSE_WRITER_POOL


def test_deps_come_from_schema_dot_table_names_in_the_source_sql(tmp_path):
    reports = _reports(tmp_path, {
        "a.sql": ORDERS_SQL.replace("marts.orders", "marts.fct_orders"),
        "b.sql": 'select p.person_id from "ml"."customer_scores" as p',
    }, {})
    assert upstream_keys(reports) == [AssetKey(["marts", "fct_orders"]), AssetKey(["ml", "customer_scores"])]


# ------------------------------------------------------------------------------------ the check run


def test_check_reports_returns_counts_and_rows_per_source(tiny_warehouse, tmp_path):
    reports = _reports(tmp_path, {"daily_orders.sql": ORDERS_SQL},
                       {"index.md": _page("select order_date, orders from warehouse.daily_orders")})
    metadata = check_reports(tiny_warehouse, reports)
    assert metadata["pages"] == 1
    assert metadata["source_queries"] == 1
    assert metadata["page_queries"] == 1
    assert metadata["failed_queries"] == 0
    assert metadata["rows_per_source"].value == {"warehouse.daily_orders": 2}


def test_a_broken_report_query_fails_the_asset(tiny_warehouse, tmp_path):
    reports = _reports(tmp_path, {"daily_orders.sql": ORDERS_SQL},
                       {"index.md": _page("select order_date, no_such_column from warehouse.daily_orders")})
    with pytest.raises(Failure, match="no_such_column"):
        check_reports(tiny_warehouse, reports)


def test_a_missing_warehouse_fails_clearly(tmp_path):
    with pytest.raises(Failure, match="no warehouse at"):
        check_reports(tmp_path / "warehouse.duckdb", tmp_path)
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_a_writer_holding_the_lock_fails_clearly_after_retries(tiny_warehouse, tmp_path):
    reports = _reports(tmp_path, {"daily_orders.sql": ORDERS_SQL}, {"index.md": _page("select 1 as x")})
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(tiny_warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(Failure, match="write lock") as failure:
            check_reports(tiny_warehouse, reports, attempts=2, delay=0)
        assert f"process {holder.pid}" in str(failure.value)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


# ------------------------------------------------------------------------------------ evidence_build_possible


@pytest.fixture
def installed_reports(tmp_path, monkeypatch) -> Path:
    reports = tmp_path / "reports"
    (reports / "node_modules").mkdir(parents=True)
    monkeypatch.setattr(reports_checks.shutil, "which", lambda name: f"/usr/bin/{name}")
    return reports


def test_build_possible_passes_with_npm_node_modules_and_network(installed_reports, monkeypatch):
    probed = []
    monkeypatch.setattr(reports_checks, "host_reachable", lambda host, port=443: probed.append(host) or True)
    result = reports_checks.build_possible(installed_reports)
    assert result.passed
    assert reports_checks.DUCKDB_EXTENSIONS_HOST in probed
    assert result.metadata["duckdb_extensions_reachable"].value is True


def test_build_possible_warns_offline_without_failing(installed_reports, monkeypatch):
    monkeypatch.setattr(reports_checks, "host_reachable", lambda host, port=443: False)
    result = reports_checks.build_possible(installed_reports)
    assert not result.passed
    assert result.severity == AssetCheckSeverity.WARN
    assert "needs network for DuckDB's wasm parquet extension" in result.description
    assert "make reports" in result.description
    assert "extensions.duckdb.org" in result.description


def test_build_possible_warns_without_npm_or_node_modules(tmp_path, monkeypatch):
    monkeypatch.setattr(reports_checks, "host_reachable", lambda host, port=443: True)
    monkeypatch.setattr(reports_checks.shutil, "which", lambda name: None)
    result = reports_checks.build_possible(tmp_path / "reports")
    assert not result.passed and result.severity == AssetCheckSeverity.WARN
    assert "npm" in result.description and "node_modules" in result.description


def test_the_reachability_probe_never_hangs(monkeypatch):
    def stuck(*args, **kwargs):  # e.g. a DNS lookup that never answers
        time.sleep(30)

    monkeypatch.setattr(reports_checks.socket, "create_connection", stuck)
    started = time.monotonic()
    assert reports_checks.host_reachable("example.invalid", timeout=0.2) is False
    assert time.monotonic() - started < 2


# ------------------------------------------------------------------------------------ on the built warehouse


def test_materialises_on_the_small_built_warehouse(small_built_warehouse, tmp_path, monkeypatch):
    # a private copy under the same file name: dbt's views name their catalog after the file
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(small_built_warehouse.path, warehouse)
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setattr(reports_checks, "host_reachable", lambda host, port=443: False)

    result = materialize([reports_assets.evidence_queries, reports_checks.evidence_build_possible])

    assert result.success
    (materialization,) = result.asset_materializations_for_node("reports__evidence_queries")
    metadata = materialization.metadata
    assert metadata["pages"].value >= 8
    assert metadata["source_queries"].value > 10
    assert metadata["page_queries"].value > 10
    rows = metadata["rows_per_source"].value
    assert len(rows) == metadata["source_queries"].value and all(n > 0 for n in rows.values()), rows
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "evidence_build_possible"
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
