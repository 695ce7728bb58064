"""scripts/reports_check.py: the offline stand-in for Evidence's build.

Unit tests run the checker on a tiny warehouse and tiny Evidence projects built in
fixtures; the last tests run it over the real reports/ -- against the contract
warehouse (tests/reports/contract_warehouse.py) and against the warehouse built on
the small market (REPORTS_CHECK_WAREHOUSE or a `small_market_warehouse` fixture).
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

ORDERS_SOURCE = {
    "orders.sql": """
        select order_id, country_code, order_date, quantity, net_revenue, is_first_order
        from marts.orders
    """
}


def check_of(report, query: str):
    matches = [c for c in report.checks if c.query == query]
    assert matches, f"no check named {query!r} in {[c.query for c in report.checks]}"
    return matches[0]


def page(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


def sql(name: str, body: str) -> str:
    return f"```sql {name}\n{body.strip()}\n```"


# ---------------------------------------------------------------- sources


def test_source_results_become_tables_named_source_dot_file(reports_check, mini_warehouse, write_reports):
    reports = write_reports(
        ORDERS_SOURCE,
        {"index.md": page(sql("us_orders", "select count(*)::bigint as n from warehouse.orders where country_code = 'US'"))},
    )
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    source = check_of(report, "warehouse.orders")
    assert source.kind == "source" and source.rows == 3
    assert check_of(report, "us_orders").rows == 1


def test_source_columns_take_evidence_types(reports_check, mini_warehouse, write_reports):
    """Evidence stores numbers as DOUBLE and dates as TIMESTAMP, so sum() in a page is not HUGEINT."""
    reports = write_reports(
        ORDERS_SOURCE,
        {"index.md": page(sql("totals", """
            select sum(quantity) as quantity, sum(net_revenue) as revenue, max(order_date) as last_day
            from warehouse.orders
        """))},
    )
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert dict(check_of(report, "totals").columns) == {
        "quantity": "DOUBLE", "revenue": "DOUBLE", "last_day": "TIMESTAMP",
    }


def test_erroring_source_query_fails_and_blocks_the_pages_using_it(reports_check, mini_warehouse, write_reports):
    reports = write_reports(
        {**ORDERS_SOURCE, "kpis.sql": "select date_day, revenue from marts.fct_kpi_daily"},
        {"index.md": page(
            sql("kpis", "select * from warehouse.kpis"),
            sql("orders", "select * from warehouse.orders"),
        )},
    )
    report = reports_check.run_check(mini_warehouse, reports)
    assert not report.ok
    source = check_of(report, "warehouse.kpis")
    assert source.status == "FAIL" and "fct_kpi_daily" in source.messages[0]
    blocked = check_of(report, "kpis")
    assert blocked.status == "BLOCKED" and "warehouse.kpis" in blocked.messages[0]
    assert check_of(report, "orders").status == "ok"


def test_empty_source_query_fails_even_with_allow_empty(reports_check, mini_warehouse, write_reports):
    reports = write_reports(
        {"nothing.sql": "-- allow-empty: nothing yet\nselect order_id from marts.no_rows"},
        {"index.md": page(sql("one", "select 1 as x"))},
    )
    report = reports_check.run_check(mini_warehouse, reports)
    source = check_of(report, "warehouse.nothing")
    assert source.status == "FAIL" and "0 rows" in source.messages[0]


def test_hugeint_source_column_is_flagged(reports_check, mini_warehouse, write_reports):
    reports = write_reports(
        {"totals.sql": "select sum(quantity) as quantity from marts.orders"},
        {"index.md": page(sql("one", "select 1 as x"))},
    )
    report = reports_check.run_check(mini_warehouse, reports)
    source = check_of(report, "warehouse.totals")
    assert source.status == "FAIL" and "HUGEINT" in source.messages[0]


def test_prefix_statements_run_before_the_query_like_evidence(reports_check, mini_warehouse, write_reports):
    reports = write_reports(
        {"dynamic.sql": """
            set variable country = 'DE';
            select order_id from marts.orders where country_code = getvariable('country')
        """},
        {"index.md": page(sql("one", "select 1 as x"))},
    )
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "warehouse.dynamic").rows == 1


def test_warehouse_is_opened_read_only(reports_check, mini_warehouse, write_reports):
    """Another read-only connection stays open; a read-write open by the checker would be refused."""
    before = hashlib.sha256(mini_warehouse.read_bytes()).hexdigest()
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(sql("n", "select count(*)::bigint as n from warehouse.orders"))})
    holder = duckdb.connect(str(mini_warehouse), read_only=True)
    try:
        report = reports_check.run_check(mini_warehouse, reports)
    finally:
        holder.close()
    assert report.ok, report.render()
    assert hashlib.sha256(mini_warehouse.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------- page queries


def test_erroring_page_query_fails(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(sql("broken", "select no_such_column from warehouse.orders"))})
    report = reports_check.run_check(mini_warehouse, reports)
    broken = check_of(report, "broken")
    assert broken.status == "FAIL" and "no_such_column" in broken.messages[0]
    assert not report.ok


def test_page_query_cannot_read_warehouse_tables(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(sql("direct", "select * from marts.orders"))})
    report = reports_check.run_check(mini_warehouse, reports)
    direct = check_of(report, "direct")
    assert direct.status == "FAIL" and "name warehouse tables in sources" in direct.messages[0]


def test_empty_page_query_without_annotation_fails(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(sql("fr", "select * from warehouse.orders where country_code = 'FR'"))})
    report = reports_check.run_check(mini_warehouse, reports)
    fr = check_of(report, "fr")
    assert fr.status == "FAIL" and "0 rows" in fr.messages[0]


def test_empty_page_query_with_allow_empty_reason_passes(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("fr", "-- allow-empty: we do not sell in France yet\nselect * from warehouse.orders where country_code = 'FR'"),
        '<DataTable data={fr} emptySet=pass emptyMessage="No French orders." />',
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "fr").status == "empty-allowed"


def test_allow_empty_needs_a_reason(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("fr", "-- allow-empty:\nselect * from warehouse.orders where country_code = 'FR'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert check_of(report, "fr").failed


def test_component_over_allow_empty_query_needs_empty_set(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("fr", "-- allow-empty: not selling in France yet\nselect * from warehouse.orders where country_code = 'FR'"),
        "<DataTable data={fr} />",
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert any("emptySet" in msg for _, msg in report.problems), report.render()


def test_hugeint_page_column_is_flagged(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("counted", "select count(*) as orders from warehouse.orders"),
        sql("huge", "select sum(x) as total from (select 1::bigint as x)"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert check_of(report, "counted").status == "ok"  # count(*) is BIGINT
    huge = check_of(report, "huge")
    assert huge.status == "FAIL" and "HUGEINT" in huge.messages[0] and "BigInt" in huge.messages[0]


def test_chained_query_is_inlined_in_dependency_order(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        # defined before the query it uses: order on the page does not matter
        sql("top_country", "select country_code from ${by_country} order by revenue desc limit 1"),
        sql("by_country", "select country_code, sum(net_revenue) as revenue from ${us_and_de} group by 1"),
        sql("us_and_de", "select * from warehouse.orders where country_code in ('US', 'DE')"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "top_country").rows == 1


def test_circular_chain_fails(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("a", "select * from ${b}"),
        sql("b", "select * from ${a}"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert "circular" in check_of(report, "a").messages[0]


def test_trailing_comment_fails_because_evidence_wraps_queries(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("base", "select * from warehouse.orders -- all orders"),
        sql("n", "select count(*)::bigint as n from ${base}"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    base = " ".join(check_of(report, "base").messages)
    assert "swallows the closing parenthesis" in base
    assert "row-count query around it fails" in base  # Evidence's SELECT COUNT(*) FROM (<sql>)
    assert check_of(report, "n").failed  # and DuckDB agrees: the ')' is commented out


def test_templated_page_param_filled_from_sample_annotation(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"markets/[country].md": page(
        "<!-- sample: params.country = 'DE' -->",
        sql("market_orders", "select * from warehouse.orders where country_code = '${params.country}'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "market_orders").rows == 1


def test_templated_page_param_filled_from_a_source_column(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"markets/[country].md": page(
        "<!-- sample-from: params.country = warehouse.orders.country_code -->",
        sql("market_orders", "select * from warehouse.orders where country_code = '${params.country}'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "market_orders").rows == 2  # first value: US


def test_templated_page_param_without_sample_fails_with_a_hint(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"markets/[country].md": page(
        sql("market_orders", "select * from warehouse.orders where country_code = '${params.country}'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    message = check_of(report, "market_orders").messages[0]
    assert "params.country" in message and "sample-from" in message


def test_dropdown_input_uses_first_value_of_its_data(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("countries", "select distinct country_code from warehouse.orders"),
        "<Dropdown name=country data={countries} value=country_code />",
        sql("country_orders", "select * from warehouse.orders where country_code = '${inputs.country.value}'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "country_orders").rows == 1  # DE sorts first
    assert check_of(report, "input:country").rows == 2


def test_dropdown_with_all_option_also_runs_a_specific_value(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("countries", "select distinct country_code from warehouse.orders"),
        '<Dropdown name=country data={countries} value=country_code>\n'
        '    <DropdownOption value="%" valueLabel="All" />\n</Dropdown>',
        sql("country_orders", "select * from warehouse.orders where country_code like '${inputs.country.value}'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "country_orders").rows == 3  # default: the "%" option
    assert check_of(report, "country_orders [alt inputs.country.value=DE]").rows == 1


def test_date_range_input_spans_its_data(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("days", "select order_date from warehouse.orders"),
        "<DateRange name=period data={days} dates=order_date />",
        sql("in_period", """
            select * from warehouse.orders
            where order_date::date between '${inputs.period.start}'::date and '${inputs.period.end}'::date
        """),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "in_period").rows == 3


def test_input_sample_annotation_overrides_the_default(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("q", "-- sample: inputs.search = US\nselect * from warehouse.orders where country_code = '${inputs.search}'"),
        "<TextInput name=search />",
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert report.ok, report.render()
    assert check_of(report, "q").rows == 2


def test_input_without_any_sample_fails_with_a_hint(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        "<TextInput name=search />",
        sql("q", "select * from warehouse.orders where country_code = '${inputs.search}'"),
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    assert "-- sample: inputs.search" in check_of(report, "q").messages[0]


# ---------------------------------------------------------------- components and page hygiene


def test_component_column_must_exist_in_its_query(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("by_country", "select country_code, sum(net_revenue) as revenue from warehouse.orders group by 1"),
        "<BarChart data={by_country} x=country_code y=net_revenue />",
        "<DataTable data={by_country}>\n    <Column id=country />\n</DataTable>",
        "<LineChart data={no_such_query} x=a y=b />",
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    messages = " ".join(msg for _, msg in report.problems)
    assert "y='net_revenue' is not a column of 'by_country'" in messages
    assert "Column id='country'" in messages
    assert "data={no_such_query} is not a query" in messages


def test_queries_evidence_would_drop_or_misread_are_flagged(reports_check, mini_warehouse, write_reports):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        "```sql my-query\nselect 1 as x\n```",
        "```\nplain code\n```",
        sql("regex", r"select regexp_matches(country_code, '\w+') as m from warehouse.orders"),
        "```python\nprint('not a query')\n```",
    )})
    report = reports_check.run_check(mini_warehouse, reports)
    messages = " ".join(msg for _, msg in report.problems)
    assert "'my-query' is not a valid identifier" in messages
    assert "'untitled'" in messages
    assert "backslash" in check_of(report, "regex").messages[0]
    assert all(c.query != "python" for c in report.checks)


def test_cli_prints_the_table_and_exits_non_zero_on_failure(mini_warehouse, write_reports, tmp_path):
    reports = write_reports(ORDERS_SOURCE, {"index.md": page(
        sql("good", "select * from warehouse.orders"),
        sql("bad", "select nope from warehouse.orders"),
    )})
    out_json = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "reports_check.py"), "--warehouse", str(mini_warehouse),
         "--reports-dir", str(reports), "--json", str(out_json)],
        capture_output=True, text=True,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stdout.splitlines()[0].split() == ["page", "query", "rows", "status"]
    assert "pages/index.md :: bad:" in run.stdout
    assert "3 queries checked (1 source, 2 page runs, 0 input-option queries)" in run.stdout
    assert out_json.exists()


def test_cli_without_a_warehouse_is_a_usage_error(tmp_path):
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "reports_check.py"), "--warehouse", str(tmp_path / "nope.duckdb")],
        capture_output=True, text=True,
    )
    assert run.returncode == 2 and "does not exist" in run.stderr


# ---------------------------------------------------------------- the real reports


def test_reports_pass_against_the_contract_warehouse(reports_check, build_contract_warehouse, tmp_path):
    """Every page query is consistent with the source tables the contract promises."""
    warehouse = build_contract_warehouse(tmp_path / "contract.duckdb")
    report = reports_check.run_check(warehouse, REPO_ROOT / "reports")
    assert report.ok, report.render()
    assert report.count("page") >= 40


def test_reports_pass_against_the_small_market_warehouse(reports_check, reports_check_warehouse):
    report = reports_check.run_check(reports_check_warehouse, REPO_ROOT / "reports")
    assert report.ok, report.render()


def test_evidence_connector_agrees_with_the_checker_on_sources(reports_check, build_contract_warehouse, tmp_path):
    """Evidence's own DuckDB connector (node) returns the rows and types the checker materialises.

    Runs only where reports/node_modules is installed (make reports / npm ci); the connector
    needs no network -- only Evidence's later parquet step does.
    """
    import json
    import shutil

    connector = REPO_ROOT / "reports" / "node_modules" / "@evidence-dev" / "duckdb"
    if shutil.which("node") is None or not connector.is_dir():
        pytest.skip("Evidence is not installed here (cd reports && npm ci) or node is missing")
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    warehouse = build_contract_warehouse(db_dir / "warehouse.duckdb")
    run = subprocess.run(
        ["node", str(Path(__file__).with_name("evidence_sources.cjs")), str(REPO_ROOT / "reports"),
         str(REPO_ROOT / "reports" / "sources" / "warehouse"), str(db_dir)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    evidence = {r["file"][: -len(".sql")]: r for r in map(json.loads, run.stdout.splitlines())}
    report = reports_check.run_check(warehouse, REPO_ROOT / "reports")
    for check in (c for c in report.checks if c.kind == "source"):
        table = check.query.split(".", 1)[1]
        assert "error" not in evidence[table], evidence[table]
        assert evidence[table]["rows"] == check.rows, table
        assert [list(c) for c in evidence[table]["columns"]] == [
            [name, reports_check.evidence_type(duck_type)] for name, duck_type in check.columns
        ], table
