"""Erasure of a data subject (GDPR Art. 17 / CCPA "right to delete").

What it does, in order (docs/decisions.md, "Privacy: erasure"):

1. **Subjects.** The e-mail addresses of every request in ``raw_privacy.erasure_requests`` (or the
   addresses passed in), normalised like staging does (trimmed, lower-cased).
2. **Identifiers.** The subject's e-mail hash (salted SHA-256, the same recipe as the dbt macro
   ``hash_email``) is looked up in the current identity map (``marts.dim_customer_identifiers``, else
   ``intermediate.int_identity__map``): every identifier of the same person is erased too — Shopify
   customer and login ids, Amazon buyer proxy, cookies and app instances, phone hash. Identifiers
   flagged as super identifiers (shared devices) are not followed: they belong to other people too.
3. **Raw rows.** In every raw schema (``raw_*``), including dlt's staging datasets (``raw_*_staging``)
   and the per-source rejects tables, a row is deleted when one of its columns holds one of the
   identifiers: id columns by value, e-mail/phone columns by hashing them with the same salt, and
   free-text columns (rejects payloads, URLs) by containment of the raw e-mail, phone or id.
   Child tables of a deleted row (dlt ``_dlt_parent_id``) go with it, and so do the subject's orders'
   dependants in other sources (shipments, payment attempts, loyalty entries by ``order_ref``,
   Amazon returns by order id, referrals by converted order).
4. **Derived rows.** Every table in the other schemas (intermediate, marts, ...) loses the rows that
   hold one of the subject's identifiers, hashes or person ids; then ``dbt build`` rebuilds the
   models, so incremental facts are "delete-then-insert" and nothing derived keeps the subject.
5. **Log.** ``privacy_ops.erasure_log`` records the request id, when, and how many rows went from
   which table — never the subject's identifiers.

The job is idempotent: running it again finds nothing to delete.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SALT = "xborder-dev-only-not-a-secret"  # dbt_project.yml default; production sets PII_SALT

# Column name patterns (lower-case) that hold identifiers, by how they are compared.
EMAIL_COLUMN = re.compile(r"(^|_)(email|buyer_email|subject_email|referrer_email|referee_email|amazon_buyer_email)$")
PHONE_COLUMN = re.compile(r"(^|_)(phone|phone_number)$")
ID_COLUMN = re.compile(
    r"(^|_)(anonymous_id|user_id|customer_id|customer__id|shopify_customer_id|referrer_customer_id|referee_customer_id"
    r"|member_id|profile_id)$"
)
# Keys of the subject's own records whose dependants elsewhere carry only the key.
OWNED_KEYS = [
    ("raw_loyalty", "members", "member_id"),
    ("raw_email", "profiles", "id"),
]
TEXT_COLUMN = re.compile(r"(raw_payload|payload|url|landing_site|page_url|page_referrer|note)$")


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str) -> str:
    digits = re.sub(r"[^0-9]", "", value)
    return f"+{digits}" if digits else ""


def hash_pii(value: str, salt: str) -> str:
    """Same recipe as macros/hash_pii.sql: lower-hex sha256(salt || value)."""
    return hashlib.sha256((salt + value).encode("utf-8")).hexdigest()


@dataclass
class Subject:
    emails: set[str] = field(default_factory=set)
    email_hashes: set[str] = field(default_factory=set)
    phone_hashes: set[str] = field(default_factory=set)
    phones_raw: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)  # cookies, login ids, customer ids, buyer proxies
    person_ids: set[str] = field(default_factory=set)
    order_refs: set[str] = field(default_factory=set)  # 'shopify:<id>', 'amazon:<id>'

    def all_tokens(self) -> set[str]:
        return self.emails | self.email_hashes | self.phone_hashes | self.phones_raw | self.ids | self.person_ids


@dataclass
class ErasureResult:
    request_ids: list[str]
    deleted_rows: dict[str, int]
    subject: Subject


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(con: duckdb.DuckDBPyConnection, schema_filter: str) -> list[tuple[str, str]]:
    return con.execute(
        f"""
        select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE' and ({schema_filter})
        order by table_schema, table_name
        """
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()


def _relation_exists(con, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
        ).fetchone()[0]
    )


RAW_SCHEMAS = "table_schema like 'raw\\_%' escape '\\'"


def pending_requests(con) -> list[tuple[str, str]]:
    """(request id, e-mail) of every erasure request landed in raw_privacy (raw and dlt staging)."""
    out = []
    for schema in ("raw_privacy", "raw_privacy_staging"):
        if _relation_exists(con, schema, "erasure_requests"):
            cols = {c for c, _ in _columns(con, schema, "erasure_requests")}
            if "subject_email" in cols:
                out += con.execute(
                    f"select cast(id as varchar), subject_email from {schema}.erasure_requests where subject_email is not null"
                ).fetchall()
    return sorted(set(out))


def resolve_subject(con, emails: list[str], salt: str) -> Subject:
    """Every identifier of the people who hold these e-mails, through the current identity map."""
    subject = Subject()
    subject.emails = {normalize_email(e) for e in emails if e and e.strip()}
    subject.email_hashes = {hash_pii(e, salt) for e in subject.emails}
    map_relation = None
    for schema, table in (("marts", "dim_customer_identifiers"), ("intermediate", "int_identity__map")):
        if _relation_exists(con, schema, table):
            map_relation = f"{schema}.{table}"
            break
    if map_relation and subject.email_hashes:
        hashes = list(subject.email_hashes)
        has_super = "is_super_identifier" in {c for c, _ in _columns(con, *map_relation.split("."))}
        not_super = "and not coalesce(is_super_identifier, false)" if has_super else ""
        person_ids = [
            r[0]
            for r in con.execute(
                f"select distinct person_id from {map_relation} where identifier_type = 'email' and identifier in "
                f"(select unnest(?::varchar[]))",
                [hashes],
            ).fetchall()
        ]
        subject.person_ids = set(person_ids)
        if person_ids:
            rows = con.execute(
                f"select identifier_type, identifier from {map_relation} where person_id in "
                f"(select unnest(?::varchar[])) {not_super}",
                [person_ids],
            ).fetchall()
            for identifier_type, identifier in rows:
                if identifier_type in ("email", "amazon_buyer_id"):  # both hashed with hash_email
                    subject.email_hashes.add(identifier)
                elif identifier_type == "phone":
                    subject.phone_hashes.add(identifier)
                else:
                    subject.ids.add(str(identifier))
    return subject


def _raw_match_predicate(con, schema: str, table: str, subject: Subject, salt: str, params: list) -> str | None:
    """A SQL predicate matching the subject's rows in one raw table, or None if no column can match."""
    clauses = []
    salt_sql = "'" + salt.replace("'", "''") + "'"
    for column, data_type in _columns(con, schema, table):
        name = column.lower()
        col = _q(column)
        text = f"cast({col} as varchar)"
        if name.startswith("_dlt"):
            continue
        if EMAIL_COLUMN.search(name) and subject.email_hashes:
            clauses.append(f"sha256(concat({salt_sql}, lower(trim({text})))) in (select unnest(?::varchar[]))")
            params.append(sorted(subject.email_hashes))
        if PHONE_COLUMN.search(name) and subject.phone_hashes:
            clauses.append(
                f"sha256(concat({salt_sql}, concat('+', regexp_replace({text}, '[^0-9]', '', 'g')))) "
                f"in (select unnest(?::varchar[]))"
            )
            params.append(sorted(subject.phone_hashes))
        if (ID_COLUMN.search(name) or (table == "customers" and name == "id" and schema.startswith("raw_shopify"))) and subject.ids:
            clauses.append(f"{text} in (select unnest(?::varchar[]))")
            params.append(sorted(subject.ids))
        if (TEXT_COLUMN.search(name) or "VARCHAR" in data_type.upper() and name in ("value",)) and (
            subject.emails or subject.phones_raw
        ):
            for token in sorted(subject.emails | subject.phones_raw):
                clauses.append(f"contains(lower({text}), ?)")
                params.append(token.lower())
        if "JSON" in data_type.upper() or name in ("raw_payload", "payload"):
            for token in sorted(subject.ids):
                if len(token) >= 4:
                    clauses.append(f"contains({text}, ?)")
                    params.append(f'"{token}"')
                    clauses.append(f"contains({text}, ?)")
                    params.append(f": {token},")
    if not clauses:
        return None
    return " or ".join(f"({c})" for c in clauses)


def _collect_raw_phones(con, subject: Subject, salt: str) -> None:
    """Recover the raw phone strings of the subject (needed to find them inside payload text)."""
    if not subject.phone_hashes and not subject.email_hashes:
        return
    salt_sql = "'" + salt.replace("'", "''") + "'"
    for schema, table in _tables(con, RAW_SCHEMAS):
        for column, _ in _columns(con, schema, table):
            if PHONE_COLUMN.search(column.lower()) and subject.phone_hashes:
                rows = con.execute(
                    f"select distinct cast({_q(column)} as varchar) from {_q(schema)}.{_q(table)} "
                    f"where sha256(concat({salt_sql}, concat('+', regexp_replace(cast({_q(column)} as varchar), '[^0-9]', '', 'g')))) "
                    f"in (select unnest(?::varchar[]))",
                    [sorted(subject.phone_hashes)],
                ).fetchall()
                subject.phones_raw |= {r[0] for r in rows if r[0]}


def _collect_order_refs(con, subject: Subject, salt: str) -> None:
    """Orders of the subject (before their rows are deleted), as 'shopify:<id>' / 'amazon:<id>'."""
    for schema in ("raw_shopify", "raw_amazon_sp"):
        if not _relation_exists(con, schema, "orders"):
            continue
        params: list = []
        predicate = _raw_match_predicate(con, schema, "orders", subject, salt, params)
        if predicate is None:
            continue
        key = "id" if schema == "raw_shopify" else "amazon_order_id"
        prefix = "shopify:" if schema == "raw_shopify" else "amazon:"
        rows = con.execute(f"select distinct cast({key} as varchar) from {schema}.orders where {predicate}", params).fetchall()
        subject.order_refs |= {prefix + r[0] for r in rows}


def _delete_children(con, schema: str, table: str, parent_ids: list[str], deleted: dict[str, int]) -> None:
    """dlt child tables `<table>__<field>` hang off their parent's `_dlt_id` by `_dlt_parent_id`."""
    if not parent_ids:
        return
    children = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_name like ? escape '\\'",
        [schema, table.replace("_", "\\_") + "\\_\\_%"],
    ).fetchall()
    for (child,) in children:
        if child.count("__") != table.count("__") + 1:
            continue
        cols = {c for c, _ in _columns(con, schema, child)}
        if "_dlt_parent_id" not in cols:
            continue
        child_ids = [
            r[0]
            for r in con.execute(
                f"select _dlt_id from {_q(schema)}.{_q(child)} where _dlt_parent_id in (select unnest(?::varchar[]))",
                [parent_ids],
            ).fetchall()
        ]
        _delete_children(con, schema, child, child_ids, deleted)
        n = con.execute(
            f"delete from {_q(schema)}.{_q(child)} where _dlt_parent_id in (select unnest(?::varchar[]))", [parent_ids]
        ).fetchone()[0]
        if n:
            deleted[f"{schema}.{child}"] = deleted.get(f"{schema}.{child}", 0) + n


def _delete_where(con, schema: str, table: str, predicate: str, params: list, deleted: dict[str, int]) -> None:
    relation = f"{_q(schema)}.{_q(table)}"
    cols = {c for c, _ in _columns(con, schema, table)}
    if "_dlt_id" in cols:
        ids = [r[0] for r in con.execute(f"select _dlt_id from {relation} where {predicate}", params).fetchall()]
        _delete_children(con, schema, table, ids, deleted)
    n = con.execute(f"delete from {relation} where {predicate}", params).fetchone()[0]
    if n:
        deleted[f"{schema}.{table}"] = deleted.get(f"{schema}.{table}", 0) + n


def _collect_owned_keys(con, subject: Subject, salt: str) -> None:
    """Loyalty member ids and e-mail profile ids of the subject (their ledgers and events follow)."""
    for schema, table, key in OWNED_KEYS:
        for schema_name in (schema, f"{schema}_staging"):
            if not _relation_exists(con, schema_name, table):
                continue
            params: list = []
            predicate = _raw_match_predicate(con, schema_name, table, subject, salt, params)
            if predicate:
                rows = con.execute(
                    f"select distinct cast({key} as varchar) from {schema_name}.{table} where {predicate}", params
                ).fetchall()
                subject.ids |= {r[0] for r in rows if r[0]}


def erase_raw(con, subject: Subject, salt: str) -> dict[str, int]:
    deleted: dict[str, int] = {}
    _collect_raw_phones(con, subject, salt)
    _collect_owned_keys(con, subject, salt)
    _collect_order_refs(con, subject, salt)
    for schema, table in _tables(con, RAW_SCHEMAS):
        if table.startswith("_dlt") or "__" in table:
            continue  # dlt bookkeeping; child tables go with their parents
        params: list = []
        predicate = _raw_match_predicate(con, schema, table, subject, salt, params)
        cols = {c.lower(): c for c, _ in _columns(con, schema, table)}
        order_clauses = []
        if subject.order_refs:
            refs = sorted(subject.order_refs)
            shopify_ids = [r.split(":", 1)[1] for r in refs if r.startswith("shopify:")]
            amazon_ids = [r.split(":", 1)[1] for r in refs if r.startswith("amazon:")]
            if "order_ref" in cols:
                order_clauses.append(("cast(order_ref as varchar) in (select unnest(?::varchar[]))", refs))
            if "converted_order_id" in cols and shopify_ids:
                order_clauses.append(("cast(converted_order_id as varchar) in (select unnest(?::varchar[]))", shopify_ids))
            if "transaction_id" in cols and shopify_ids:
                order_clauses.append(("cast(transaction_id as varchar) in (select unnest(?::varchar[]))", shopify_ids))
            if "amazon_order_id" in cols and amazon_ids:
                order_clauses.append(("cast(amazon_order_id as varchar) in (select unnest(?::varchar[]))", amazon_ids))
            if schema.startswith("raw_shopify") and table == "orders" and shopify_ids:
                order_clauses.append(("cast(id as varchar) in (select unnest(?::varchar[]))", shopify_ids))
        for clause, values in order_clauses:
            predicate = f"({predicate}) or ({clause})" if predicate else clause
            params.append(values)
        if predicate:
            _delete_where(con, schema, table, predicate, params, deleted)
    return deleted


def erase_derived(con, subject: Subject) -> dict[str, int]:
    """Delete the subject's rows from every non-raw table (incremental facts included)."""
    deleted: dict[str, int] = {}
    tokens = sorted(subject.all_tokens())
    refs = sorted(subject.order_refs | {r.split(":", 1)[1] for r in subject.order_refs})
    if not tokens:
        return deleted
    tables = _tables(
        con,
        "table_schema not like 'raw\\_%' escape '\\' and table_schema not in ('information_schema', 'pg_catalog', 'privacy_ops')",
    )
    for schema, table in tables:
        clauses, params = [], []
        for column, data_type in _columns(con, schema, table):
            upper = data_type.upper()
            if "CHAR" in upper or "TEXT" in upper or "STRING" in upper:
                clauses.append(f"{_q(column)} in (select unnest(?::varchar[]))")
                params.append(tokens + refs)
            elif column.lower().endswith(("customer_id", "order_id")) and ("INT" in upper or "DECIMAL" in upper):
                clauses.append(f"cast({_q(column)} as varchar) in (select unnest(?::varchar[]))")
                params.append(tokens + refs)
        if clauses:
            n = con.execute(f"delete from {_q(schema)}.{_q(table)} where " + " or ".join(clauses), params).fetchone()[0]
            if n:
                deleted[f"{schema}.{table}"] = n
    return deleted


def write_log(con, request_ids: list[str], deleted: dict[str, int]) -> None:
    con.execute("create schema if not exists privacy_ops")
    con.execute(
        """
        create table if not exists privacy_ops.erasure_log (
            request_id varchar, processed_at timestamp, deleted_rows_json varchar
        )
        """
    )
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for rid in request_ids or ["manual"]:
        con.execute("insert into privacy_ops.erasure_log values (?, ?, ?)", [rid, now, json.dumps(deleted, sort_keys=True)])


def run_dbt_build(project_dir: Path, warehouse_path: Path, extra_args: list[str] | None = None, env: dict | None = None) -> None:
    run_env = {**os.environ, "WAREHOUSE_PATH": str(warehouse_path), "DBT_PROFILES_DIR": str(project_dir), **(env or {})}
    cmd = [sys.executable, "-m", "dbt.cli.main", "build", "--project-dir", str(project_dir), *(extra_args or [])]
    subprocess.run(cmd, check=True, env=run_env, cwd=project_dir)


def erase(
    warehouse_path: str | Path,
    emails: list[str] | None = None,
    salt: str | None = None,
    rebuild: bool = True,
    project_dir: str | Path = REPO_ROOT,
    dbt_args: list[str] | None = None,
    dbt_env: dict | None = None,
) -> ErasureResult:
    """Erase the given subjects (or every landed erasure request) and rebuild the warehouse."""
    salt = salt if salt is not None else os.environ.get("PII_SALT", DEFAULT_SALT)
    warehouse_path = Path(warehouse_path)
    con = duckdb.connect(str(warehouse_path))
    try:
        requests = pending_requests(con)
        request_ids = [r[0] for r in requests]
        subject_emails = list(emails) if emails else [r[1] for r in requests]
        subject = resolve_subject(con, subject_emails, salt)
        con.execute("begin")
        deleted = erase_raw(con, subject, salt)
        deleted.update(erase_derived(con, subject))
        write_log(con, request_ids if not emails else [], deleted)
        con.execute("commit")
    finally:
        con.close()
    if rebuild:
        run_dbt_build(Path(project_dir), warehouse_path, dbt_args, dbt_env)
    return ErasureResult(request_ids=request_ids, deleted_rows=deleted, subject=subject)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=os.environ.get("WAREHOUSE_PATH", "data/warehouse.duckdb"))
    parser.add_argument("--email", action="append", help="erase this subject (default: every landed erasure request)")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the dbt build after deleting")
    args = parser.parse_args(argv)
    result = erase(args.warehouse, emails=args.email, rebuild=not args.no_rebuild)
    print(json.dumps({"requests": result.request_ids, "deleted_rows": result.deleted_rows}, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
