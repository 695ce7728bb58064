"""Retention purge of raw data (DESIGN.md section 9).

Each raw data class has a retention period; rows whose event time is older than
``as_of_date - retention_days`` are deleted from the raw table, its dlt staging copy
(``raw_*_staging``) and its dlt child tables. The periods live in ``RETENTION_DAYS`` below and
can be overridden with a JSON file (``--config``) of the same shape, e.g.
``{"web_events.events": 400}``. ``as_of_date`` is the warehouse's "today" (AS_OF_DATE), never the
wall clock, so purges are reproducible. Run the dbt build afterwards (the Dagster job does) so
derived tables follow; incremental facts keep history already derived unless fully refreshed —
their own retention is the derived-data policy in docs/decisions.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.privacy.erasure import _columns, _delete_where, _q, _relation_exists


@dataclass(frozen=True)
class RetentionRule:
    source: str  # raw schema without the raw_ prefix
    table: str
    time_column: str
    days: int


# Data class -> (time column, days). Behavioural data is kept shorter than commercial records,
# which tax law makes us keep (orders, refunds, payments: 10 years).
RETENTION_DAYS: dict[str, tuple[str, int]] = {
    "web_events.events": ("event_timestamp", 400),
    "email.events": ("attributes__datetime", 730),
    "experiments.assignments": ("assigned_at", 730),
    "privacy.consent_events": ("changed_at", 3650),
    "shopify.orders": ("created_at", 3650),
    "amazon_sp.orders": ("purchase_date", 3650),
    "payments.payment_attempts": ("created", 3650),
    "logistics.shipments": ("updated_at", 1825),
    "loyalty.points_ledger": ("created_at", 1825),
    "referrals.referrals": ("shared_at", 1825),
}


def rules(overrides: dict[str, int] | None = None) -> list[RetentionRule]:
    out = []
    for key, (column, days) in RETENTION_DAYS.items():
        source, table = key.split(".", 1)
        days = int((overrides or {}).get(key, days))
        out.append(RetentionRule(source, table, column, days))
    return out


def _time_expression(column: str, data_type: str) -> str:
    col = _q(column)
    upper = data_type.upper()
    if "TIMESTAMP" in upper or upper == "DATE":
        return f"cast({col} as timestamp)"
    if "INT" in upper or "DOUBLE" in upper or "DECIMAL" in upper or "BIGINT" in upper:
        return f"cast(to_timestamp(cast({col} as double)) as timestamp)"
    return f"try_cast({col} as timestamp)"


def purge(warehouse_path: str | Path, as_of_date: dt.date, overrides: dict[str, int] | None = None) -> dict[str, int]:
    """Delete raw rows older than their class's retention period. Returns rows deleted per table."""
    deleted: dict[str, int] = {}
    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute("begin")
        for rule in rules(overrides):
            cutoff = dt.datetime.combine(as_of_date - dt.timedelta(days=rule.days), dt.time())
            for schema in (f"raw_{rule.source}", f"raw_{rule.source}_staging"):
                if not _relation_exists(con, schema, rule.table):
                    continue
                types = {c.lower(): (c, t) for c, t in _columns(con, schema, rule.table)}
                if rule.time_column.lower() not in types:
                    continue
                column, data_type = types[rule.time_column.lower()]
                predicate = f"{_time_expression(column, data_type)} < ?"
                _delete_where(con, schema, rule.table, predicate, [cutoff], deleted)
        con.execute("commit")
    finally:
        con.close()
    return deleted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=os.environ.get("WAREHOUSE_PATH", "data/warehouse.duckdb"))
    parser.add_argument("--as-of-date", default=os.environ.get("AS_OF_DATE") or dt.date.today().isoformat())
    parser.add_argument("--config", help="JSON file {\"<source>.<table>\": days}")
    args = parser.parse_args(argv)
    overrides = json.loads(Path(args.config).read_text()) if args.config else None
    result = purge(args.warehouse, dt.date.fromisoformat(args.as_of_date), overrides)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
