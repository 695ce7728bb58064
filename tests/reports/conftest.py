"""Fixtures for the reports checker tests.

`reports_check` is scripts/reports_check.py loaded as a module (scripts/ is not a package).
`mini_warehouse` is a tiny DuckDB warehouse built per test; `write_reports` writes a tiny
Evidence project (sources + pages) next to it.
"""
from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECKER_PATH = REPO_ROOT / "scripts" / "reports_check.py"


@pytest.fixture(scope="session")
def reports_check():
    spec = importlib.util.spec_from_file_location("reports_check", CHECKER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reports_check", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_contract_warehouse():
    """tests/reports/contract_warehouse.py's builder (loaded by path: tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("reports_contract_warehouse", Path(__file__).with_name("contract_warehouse.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_contract_warehouse


@pytest.fixture
def mini_warehouse(tmp_path: Path) -> Path:
    """Orders in two countries, and an empty table."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        """
        create schema marts;
        create table marts.orders as
        select * from (values
            (1, 'US', date '2026-03-01', 10, 25.50::decimal(18, 2), true),
            (2, 'US', date '2026-03-02', 20, 40.00::decimal(18, 2), false),
            (3, 'DE', date '2026-03-02', 5, 12.25::decimal(18, 2), null)
        ) as t(order_id, country_code, order_date, quantity, net_revenue, is_first_order);
        create table marts.no_rows (order_id integer);
        """
    )
    con.close()
    return path


@pytest.fixture
def write_reports(tmp_path: Path):
    """write_reports(sources={"file.sql": sql}, pages={"page.md": markdown}) -> reports dir."""

    def write(sources: dict[str, str], pages: dict[str, str]) -> Path:
        root = tmp_path / "reports"
        src = root / "sources" / "warehouse"
        src.mkdir(parents=True, exist_ok=True)
        (src / "connection.yaml").write_text(
            "name: warehouse\ntype: duckdb\noptions:\n  filename: warehouse.duckdb\n"
        )
        for name, sql in sources.items():
            (src / name).write_text(textwrap.dedent(sql))
        for name, text in pages.items():
            page = root / "pages" / name
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(textwrap.dedent(text))
        return root

    return write


@pytest.fixture
def reports_check_warehouse(request) -> Path:
    """The warehouse the real reports are checked against.

    REPORTS_CHECK_WAREHOUSE=<path> wins; otherwise a session fixture named
    `small_market_warehouse` (returning the path of the warehouse built on the
    small market) is used when the suite defines one; otherwise the test skips.
    """
    import os

    env = os.environ.get("REPORTS_CHECK_WAREHOUSE")
    if env:
        path = Path(env)
        if not path.is_file():
            pytest.fail(f"REPORTS_CHECK_WAREHOUSE={env} does not exist")
        return path
    try:
        return Path(request.getfixturevalue("small_market_warehouse"))
    except pytest.FixtureLookupError:
        pytest.skip(
            "no warehouse to check the reports against: set REPORTS_CHECK_WAREHOUSE=<warehouse.duckdb> "
            "or provide a session fixture `small_market_warehouse`"
        )
