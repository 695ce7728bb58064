"""Fixtures for the analytics algorithm tests: public CDNOW sample and simulated data built here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"  # not "data/": .gitignore drops every data/ folder


@pytest.fixture(scope="session")
def cdnow_transactions() -> pd.DataFrame:
    """CDNOW 1/10th sample (Fader & Hardie): 6,919 purchases of 2,357 customers, 1997-01-01..1998-06-30."""
    raw = pd.read_csv(
        FIXTURES / "cdnow_sample.txt.gz",
        sep=r"\s+",
        header=None,
        names=["sample_id", "customer_id", "date", "quantity", "value"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "date", "value"]]


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_transactions) -> pd.DataFrame:
    """Calibration summary in weeks at 1997-09-30, as in Fader, Hardie & Lee (2005)."""
    from analytics.clv import summarise_transactions

    return summarise_transactions(cdnow_transactions, "1997-09-30", time_unit_days=7)


@pytest.fixture
def marts_con():
    """make(**{table: DataFrame}) -> an in-memory DuckDB with those tables in schema `marts` (closed after the test)."""
    import duckdb

    made = []

    def make(**tables: pd.DataFrame):
        con = duckdb.connect()
        con.execute("create schema marts")
        for name, frame in tables.items():
            con.register("_frame", frame)
            con.execute(f"create table marts.{name} as select * from _frame")
            con.unregister("_frame")
        made.append(con)
        return con

    yield make
    for con in made:
        con.close()
