"""Erasure (GDPR Art. 17 / CCPA): after the job, no schema or table holds the subject, raw or hashed."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from conftest import PII_SALT, copy_market, run_dbt
from identity_eval import hash_value


def _subject(market) -> dict[str, set[str]]:
    """A real person of the simulated market with an e-mail, a Shopify customer id, devices and orders."""
    truth = pd.read_parquet(market.truth_dir / "identity.parquet")
    # the subject's identifiers are those the data links to them: an Amazon proxy that never met the loyalty
    # programme, or a cookie that never logged in, cannot be attributed to anyone (truth: is_linkable false)
    truth = truth[~truth["is_shared"] & truth["is_linkable"]]
    kinds = truth.groupby("true_person_id")["identifier_type"].apply(set)
    wanted = {"email", "shopify_customer_id", "cookie", "login_user_id"}
    candidates = [p for p, k in kinds.items() if wanted <= k]
    assert candidates, "no person with e-mail, customer id, login and cookie in the small market"
    person = sorted(candidates)[0]
    rows = truth[truth["true_person_id"] == person]
    raw = {str(v) for v in rows["identifier"]}
    hashed = {hash_value(t, str(v), PII_SALT) for t, v in zip(rows["identifier_type"], rows["identifier"])}
    emails = sorted(str(v) for t, v in zip(rows["identifier_type"], rows["identifier"]) if t == "email")
    return {"emails": set(emails), "raw": raw, "hashed": hashed - raw}


def _scan(warehouse, tokens: set[str]) -> dict[str, int]:
    """Rows per relation (every schema, tables and views) where a text column contains one of the tokens."""
    found = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema not in ('information_schema', 'pg_catalog')").fetchall()
        for schema, table in relations:
            cols = con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table]).fetchall()
            clauses = []
            for column, data_type in cols:
                quoted = '"' + column.replace('"', '""') + '"'
                if any(k in data_type.upper() for k in ("CHAR", "TEXT", "JSON")):
                    # short numeric ids (customer ids) by equality, everything else by containment
                    clauses += [f"cast({quoted} as varchar) = '{t}'" for t in tokens if t.isdigit()]
                    clauses += [f"contains(lower(cast({quoted} as varchar)), '{t.lower()}')" for t in tokens
                                if not t.isdigit()]
                elif any(k in data_type.upper() for k in ("INT", "DECIMAL")) and "customer" in column.lower():
                    clauses += [f"cast({quoted} as varchar) = '{t}'" for t in tokens if t.isdigit()]
            if not clauses:
                continue
            n = con.execute(f'select count(*) from "{schema}"."{table}" where ' + " or ".join(clauses)).fetchone()[0]
            if n:
                found[f"{schema}.{table}"] = n
    finally:
        con.close()
    return found


def test_erased_subject_leaves_no_trace_in_any_schema(warehouse_market, tmp_path):
    from pipelines.privacy.erasure import erase

    market = copy_market(warehouse_market, tmp_path)
    subject = _subject(market)
    tokens = subject["raw"] | subject["hashed"]
    before = _scan(market.warehouse, tokens)
    assert any(k.startswith("raw_") for k in before), "the planted subject should be in the raw data first"
    assert any(k.startswith("marts.") for k in before), "the planted subject should be in the marts first"

    # plant the request the way the privacy platform would, then run the job over every landed request
    con = duckdb.connect(str(market.warehouse))
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw_privacy' "
        "and table_name = 'erasure_requests'").fetchall()}
    values = {"id": "er_pytest_1", "subject_email": sorted(subject["emails"])[0], "regulation": "GDPR",
              "status": "received", "_dlt_load_id": "0", "_dlt_id": "er_pytest_1"}
    values = {k: v for k, v in values.items() if k in columns}
    timestamps = [c for c in ("requested_at", "updated_at") if c in columns]
    con.execute(
        f"insert into raw_privacy.erasure_requests ({', '.join(list(values) + timestamps)}) "
        f"values ({', '.join('?' for _ in values)}{''.join(', current_timestamp' for _ in timestamps)})",
        list(values.values()))
    con.close()
    result = erase(market.warehouse, salt=PII_SALT, rebuild=False)
    assert "er_pytest_1" in result.request_ids
    assert result.deleted_rows, "the job deleted nothing"
    run_dbt(["run"], market.warehouse, market.workdir, market.as_of_date)

    after = _scan(market.warehouse, tokens)
    assert after == {}, f"the subject is still in: {after}"

    con = duckdb.connect(str(market.warehouse), read_only=True)
    try:
        log = con.execute("select request_id, deleted_rows_json from privacy_ops.erasure_log").fetchall()
    finally:
        con.close()
    assert any(r[0] == "er_pytest_1" for r in log)


@pytest.mark.parametrize("days, expected_left", [(10_000, "all"), (0, "none")])
def test_retention_purge_deletes_only_rows_older_than_the_period(warehouse_market, tmp_path, days, expected_left):
    from pipelines.privacy.retention import purge
    import datetime as dt

    market = copy_market(warehouse_market, tmp_path)
    con = duckdb.connect(str(market.warehouse), read_only=True)
    total = con.execute("select count(*) from raw_web_events.events").fetchone()[0]
    con.close()
    as_of = dt.date.fromisoformat(market.as_of_date) + dt.timedelta(days=1)
    deleted = purge(market.warehouse, as_of, {"web_events.events": days})
    con = duckdb.connect(str(market.warehouse), read_only=True)
    left = con.execute("select count(*) from raw_web_events.events").fetchone()[0]
    con.close()
    if expected_left == "all":
        assert left == total and "raw_web_events.events" not in deleted
    else:
        assert left == 0 and deleted["raw_web_events.events"] == total
