"""Staging layer: builds, hashes PII, quarantines rule breakers and keeps only the latest version per key.

Each test runs once per raw flavour (contract-shaped sample and, when available, the real simulator + dlt pipelines);
see conftest.py. One `dbt seed` + `dbt build --select staging` per flavour is shared by all tests.
"""
from __future__ import annotations

import hashlib
import re

import pytest

from conftest import PII_SALT, PLANTED_STALE_TOTAL

EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"


def _user_schemas(con) -> list[str]:
    rows = con.execute("select distinct schema_name from information_schema.schemata").fetchall()
    return sorted(s for (s,) in rows if not s.startswith("raw_") and s not in ("information_schema", "pg_catalog"))


def test_seed_and_staging_build_pass(staged_warehouse):
    assert staged_warehouse.build_run.returncode == 0, staged_warehouse.build_run.output[-6000:]


def test_schema_names_are_clean(staged_warehouse):
    with staged_warehouse.connect() as con:
        schemas = _user_schemas(con)
    assert {"staging", "quarantine", "seeds"} <= set(schemas), schemas
    assert not [s for s in schemas if s.startswith("main_")], schemas


def test_no_raw_email_outside_raw_schemas(staged_warehouse):
    """Every text column of every relation outside raw_* is scanned for anything shaped like an e-mail address."""
    offenders = []
    with staged_warehouse.connect() as con:
        columns = con.execute("""
            select table_schema, table_name, column_name
            from information_schema.columns
            where data_type = 'VARCHAR' and table_schema not like 'raw\\_%' escape '\\'
              and table_schema not in ('information_schema', 'pg_catalog')
        """).fetchall()
        by_table: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            by_table.setdefault((schema, table), []).append(column)
        for (schema, table), cols in by_table.items():
            predicate = " or ".join(f'regexp_matches("{c}", \'{EMAIL_PATTERN}\')' for c in cols)
            hits = con.execute(f'select count(*) from "{schema}"."{table}" where {predicate}').fetchone()[0]
            if hits:
                offenders.append(f"{schema}.{table}: {hits} rows")
    assert not offenders, offenders


def test_email_hash_is_salted_sha256_of_normalised_email(staged_warehouse):
    with staged_warehouse.connect() as con:
        customer_id, raw_email = con.execute(
            "select id, email from raw_shopify.customers where email is not null order by id limit 1").fetchone()
        staged = con.execute("select email_hash from staging.stg_shopify__customers where customer_id = ?",
                             [customer_id]).fetchone()[0]
    expected = hashlib.sha256((PII_SALT + raw_email.strip().lower()).encode()).hexdigest()
    assert staged == expected
    assert re.fullmatch(r"[0-9a-f]{64}", staged)


def test_same_email_hashes_identically_across_sources(staged_warehouse):
    """Shopify customers and loyalty members share e-mails: their hashes must meet (identity stitching needs it)."""
    with staged_warehouse.connect() as con:
        raw_overlap = con.execute("""
            select count(distinct lower(trim(c.email)))
            from raw_shopify.customers as c
            inner join raw_loyalty.members as m on lower(trim(c.email)) = lower(trim(m.email))
        """).fetchone()[0]
        staged_overlap = con.execute("""
            select count(distinct c.email_hash)
            from staging.stg_shopify__customers as c
            inner join staging.stg_loyalty__members as m on c.email_hash = m.email_hash
        """).fetchone()[0]
    assert staged_overlap == raw_overlap


def test_quarantine_catches_planted_negative_spend(staged_warehouse):
    ad_id = staged_warehouse.planted["negative_ad_id"]
    with staged_warehouse.connect() as con:
        quarantined = con.execute("""
            select quarantine_rule, blocks_budget_models
            from quarantine.stg_quarantine__records
            where source_entity = 'google_ads.ad_metrics_daily' and record_key like ?
        """, [f"%-{ad_id}-%"]).fetchall()
        staged = con.execute("select count(*) from staging.stg_google_ads__ad_metrics_daily where ad_id = ?",
                             [ad_id]).fetchone()[0]
        negative = con.execute("select count(*) from staging.stg_google_ads__ad_metrics_daily where spend_local < 0"
                               ).fetchone()[0]
    assert quarantined == [("negative_spend", True)]
    assert staged == 0
    assert negative == 0


def test_blocking_guard_tests_ran_and_passed(staged_warehouse):
    output = staged_warehouse.build_run.output
    guards = re.findall(r"PASS excludes_quarantined_\w+", output)
    assert len(guards) >= 4, "expected the blocking excludes_quarantined tests on the ad-metric models"


def test_dedupe_keeps_latest_version(staged_warehouse):
    order_id = staged_warehouse.planted["stale_order_id"]
    with staged_warehouse.connect() as con:
        raw_versions = con.execute("select count(*) from raw_shopify.orders where id = ?", [order_id]).fetchone()[0]
        rows = con.execute("select total_price_local, updated_at from staging.stg_shopify__orders where order_id = ?",
                           [order_id]).fetchall()
        latest_updated_at = con.execute(
            "select max(timezone('UTC', updated_at)) from raw_shopify.orders where id = ?", [order_id]).fetchone()[0]
    assert raw_versions == 2
    assert len(rows) == 1
    total, updated_at = rows[0]
    assert str(total) != PLANTED_STALE_TOTAL and float(total) != float(PLANTED_STALE_TOTAL)
    assert updated_at == latest_updated_at


def test_every_raw_table_is_a_declared_source(staged_warehouse):
    """A new raw table (e.g. a dlt child table for a new nested list) must be declared and staged deliberately."""
    import json

    manifest = json.loads((staged_warehouse.workdir / "target" / "manifest.json").read_text())
    declared = {(s["schema"], s["identifier"]) for s in manifest["sources"].values()}
    with staged_warehouse.connect() as con:
        landed = {(s, t) for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like 'raw\\_%' escape '\\' and table_name not like '\\_dlt%' escape '\\' "
            # dlt's merge staging datasets (raw_<source>_staging) are loader internals, not sources
            "and table_schema not like '%\\_staging' escape '\\'").fetchall()}
    missing = sorted(landed - declared)
    assert not missing, f"raw tables without a source declaration: {missing}"


def test_every_staging_model_states_its_grain_and_documents_columns(staged_warehouse):
    import json

    manifest = json.loads((staged_warehouse.workdir / "target" / "manifest.json").read_text())
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or "/staging/" not in "/" + node["original_file_path"]:
            continue
        if not node["description"].startswith("One row per"):
            problems.append(f"{node['name']}: description must start with its grain ('One row per ...')")
        with staged_warehouse.connect() as con:
            cols = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [node["schema"], node["alias"]]).fetchall()]
        undocumented = [c for c in cols if not node["columns"].get(c, {}).get("description")]
        if undocumented:
            problems.append(f"{node['name']}: undocumented columns {undocumented}")
    assert not problems, problems
