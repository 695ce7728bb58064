#!/usr/bin/env python3
"""Validate every query of the Evidence reports against a warehouse, offline.

Evidence cannot build on a machine without network (its DuckDB-wasm fetches the
parquet extension from extensions.duckdb.org), so CI never runs it.  This tool
reproduces, in Python DuckDB, what Evidence does with our queries, so a broken
report fails `make reports-check` / `make test` instead of a stakeholder's page:

1. **Sources** (`reports/sources/<dir>/connection.yaml` + `*.sql`, like
   `evidence sources`): the warehouse is opened READ-ONLY; each `.sql` file runs
   in its own session (`initialize.sql` first, every statement but the last as an
   ignored-on-error prefix, the last one as the query, `${x}` replaced from
   `EVIDENCE_VAR__x`), and its result is materialised in an in-memory DuckDB as
   table `<source name>.<file name up to the first dot>` -- the names pages use
   (`from warehouse.kpi_daily`).  Column types follow Evidence's conversion:
   numbers (DECIMAL and every integer type included) become DOUBLE, dates and
   timestamps TIMESTAMP (UTC), booleans BOOLEAN, everything else VARCHAR, and a
   date/boolean column holding only NULLs becomes DOUBLE.  A source query that
   returns no rows always fails: Evidence then writes no parquet file and the
   browser's table registration fails for the *whole site*.
2. **Pages** (`reports/pages/**/*.md`): every query Evidence would extract (a
   fenced block ```` ```sql name ```` -- or any fence whose language Evidence does
   not know; frontmatter `queries:` files) is compiled the way Evidence compiles
   it -- `${other_query}` inlined as `(<sql>)`, repeatedly, in dependency order;
   then the remaining `${...}` JavaScript expressions (`inputs.x.value`,
   `inputs.x.start`, `params.x`, ...) are filled with sample values -- and run
   against the source tables only (the warehouse is not reachable from a page,
   as in the browser), with the session settings Evidence's DuckDB-wasm uses.

Sample values, in order of precedence:
  * an annotation anywhere in the page, in SQL or in an HTML comment:
      ``-- sample: inputs.market.value = 'US'``   (a quoted literal is unquoted;
                                                    anything else is used verbatim)
      ``<!-- sample-from: params.country = warehouse.orders_by_market_day.country_code -->``
                                                   (first non-null value of a column
                                                    of a source table or page query)
  * the input component's own default (``defaultValue``, the first
    ``DropdownOption`` / ``ButtonGroupItem``, ``start``/``end``, ``checked``);
  * the first value of the query the input is built from (``data=`` + ``value=``;
    for a DateRange, min/max of ``dates=``).
When a Dropdown's default is a hard-coded option (e.g. ``%`` for "all") and it
also has data, the dependent queries run a second time with the first data value
("alt" rows), so both the "all" path and a specific-value path are exercised.

A query fails on: any error; zero rows, unless the query carries
``-- allow-empty: <reason>`` (page queries only; put annotations on the first
lines -- a trailing ``--`` comment would swallow the ``)`` Evidence adds when the
query is chained); a HUGEINT/UHUGEINT result column (cast: ``::bigint`` or
``::double``); a nested (LIST/STRUCT/MAP) source column; a backslash in page SQL
(pages are JavaScript template literals: ``'\\d'`` reaches DuckDB as ``'d'``); an
invalid query name (Evidence silently drops it).  Components are checked too:
``data={q}`` must name a page query, column props (``x``, ``y``, ``value``,
``series``, ``<Column id=...>``, ...) must exist in q's result, and a component
over an allow-empty query needs ``emptySet="pass"`` or ``"warn"`` (Evidence's
default renders an error box on an empty dataset and fails strict builds).

Usage:
    python scripts/reports_check.py --warehouse data/warehouse.duckdb [--reports-dir reports] [--json out.json]
Exit status: 0 all passed, 1 some check failed, 2 usage error (e.g. no warehouse).

Page queries run on DuckDB 1.5 here but on DuckDB-wasm in the browser; the
dialect differences between them are small but not nil.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent

# Languages Evidence's preprocessor treats as code, not queries
# (@evidence-dev/preprocess 40.x, utils/get-prism-langs.cjs, plus 'plaintext').
NON_QUERY_LANGS = {
    "bash", "c", "c++", "code", "cs", "csharp", "css", "dart", "dax", "dotnet", "go",
    "html", "java", "javascript", "js", "json", "kotlin", "kt", "kts", "markdown",
    "matlab", "md", "php", "powershell", "py", "python", "r", "rb", "ruby", "rust",
    "sh", "shell", "sql", "svelte", "ts", "typescript", "webmanifest", "yaml", "yml",
    "plaintext",
}
# Evidence's own (slightly odd) regex for query ids; ids that fail it are dropped silently.
VALID_QUERY_ID = re.compile(r"^[a-zA-Z_$][a-zA-Z0-9d_$]*$")
CHAIN_REF = re.compile(r"\$\{.*?\}")
TEMPLATE_EXPR = re.compile(r"\$\{((?:.|\s)+?)\}")
ALLOW_EMPTY = re.compile(r"--\s*allow-empty\s*:(.*)$", re.MULTILINE)
SAMPLE_ANNOTATION = re.compile(
    r"(?:--|<!--)\s*sample(-from)?\s*:\s*([^=\n]+?)\s*=\s*(.*?)\s*(?:-->)?\s*$", re.MULTILINE
)
FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
PARTIAL = re.compile(r"\{@partial\s+\"([^\"]+)\"\s*\}")
WAREHOUSE_SCHEMA_REF = re.compile(r"\b(marts|ml|staging|intermediate|main|raw_\w+)\s*\.\s*\w+", re.I)

NUMBER_TYPES = {
    "DOUBLE", "FLOAT", "TINYINT", "UTINYINT", "SMALLINT", "USMALLINT", "INTEGER",
    "UINTEGER", "UBIGINT", "HUGEINT", "BIGINT",
}
DATE_TYPES = {
    "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS",
}
BIGINT_JS_TYPES = {"HUGEINT", "UHUGEINT"}
INPUT_COMPONENTS = {"Dropdown", "ButtonGroup", "TextInput", "Checkbox", "DateRange", "DateInput", "Slider"}
# Props that name a column of the component's `data`.
COLUMN_PROPS = {
    "x", "y", "y2", "series", "value", "comparison", "sparkline", "dates", "column",
    "nameCol", "valueCol", "sourceCol", "targetCol", "percentCol", "size", "weightCol",
}
EMPTY_OK = {"pass", "warn"}


# --------------------------------------------------------------------------- results


@dataclass
class QueryCheck:
    """One executed (or refused) query and its verdict."""

    location: str  # "sources/warehouse" or "pages/index.md"
    query: str
    status: str = "ok"  # ok | empty-allowed | FAIL | BLOCKED
    rows: int | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kind: str = "page"  # source | page | input

    @property
    def failed(self) -> bool:
        return self.status in ("FAIL", "BLOCKED")

    def fail(self, message: str, status: str = "FAIL") -> None:
        if self.status != "BLOCKED":
            self.status = status
        self.messages.append(message)


@dataclass
class Report:
    checks: list[QueryCheck] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (location, message)

    @property
    def failures(self) -> list[QueryCheck]:
        return [c for c in self.checks if c.failed]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.problems

    def count(self, kind: str) -> int:
        return sum(1 for c in self.checks if c.kind == kind)

    def summary(self) -> str:
        failed_sources = sum(1 for c in self.failures if c.kind == "source")
        blocked = sum(1 for c in self.failures if c.status == "BLOCKED")
        detail = ""
        if self.failures:
            detail = (f" ({failed_sources} source, {blocked} blocked by failed sources, "
                      f"{len(self.failures) - failed_sources - blocked} other)")
        return (
            f"{len(self.checks)} queries checked ({self.count('source')} source, "
            f"{self.count('page')} page runs, {self.count('input')} input-option queries); "
            f"{len(self.failures)} failed{detail}, {len(self.problems)} page problem(s)"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "checks": [
                {
                    "location": c.location, "query": c.query, "kind": c.kind, "status": c.status,
                    "rows": c.rows, "columns": c.columns, "messages": c.messages, "notes": c.notes,
                }
                for c in self.checks
            ],
            "problems": [{"location": loc, "message": msg} for loc, msg in self.problems],
        }

    def render(self) -> str:
        header = ("page", "query", "rows", "status")
        rows = [
            (c.location, c.query, "-" if c.rows is None else str(c.rows), c.status) for c in self.checks
        ]
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
        line = lambda cells: "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()
        out = [line(header), line(tuple("-" * w for w in widths))]
        out += [line(r) for r in rows]
        notes = [(c, n) for c in self.checks for n in c.notes]
        if notes:
            out.append("")
            out.append("Notes:")
            out += [f"  {c.location} :: {c.query}: {n}" for c, n in notes]
        if self.failures or self.problems:
            out.append("")
            out.append("Failures:")
            for c in self.failures:
                for m in c.messages or ["failed"]:
                    out.append(f"  {c.location} :: {c.query}: {m}")
            for loc, msg in self.problems:
                out.append(f"  {loc}: {msg}")
        out.append("")
        out.append(("PASSED: " if self.ok else "FAILED: ") + self.summary())
        return "\n".join(out)


# --------------------------------------------------------------------------- helpers


def _one_line(error: Exception) -> str:
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    # DuckDB messages carry a useful "LINE n:" context on following lines; keep it short.
    rest = [l for l in text.splitlines()[1:] if l.strip()][:2]
    return " | ".join([first, *rest]) if rest else first


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_nested(duck_type: str) -> bool:
    t = duck_type.upper()
    return t.endswith("]") or t.startswith(("STRUCT", "MAP", "UNION"))


def evidence_type(duck_type: str) -> str:
    """The Evidence column type @evidence-dev/duckdb 2.0 assigns from DESCRIBE."""
    t = duck_type.upper()
    if "DECIMAL" in t:
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    if t in DATE_TYPES:
        return "date"
    if t in NUMBER_TYPES:
        return "number"
    return "string"


def _js_text(value: Any) -> str:
    """How a value looks once interpolated into a JavaScript template literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _sql_literal(value: Any) -> str:
    """duckdbSerialize for multi-select dropdown values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _js_text(value)
    return "'" + _js_text(value).replace("'", "''") + "'"


def _unquote_sample(raw: str) -> str:
    """`'US'` -> `US` (a whole quoted literal, '' escapes allowed); anything else verbatim."""
    raw = raw.strip()
    for q in ("'", '"'):
        m = re.fullmatch(q + "((?:[^" + q + "]|" + q + q + ")*)" + q, raw)
        if m:
            return m.group(1).replace(q + q, q)
    return raw


def _norm_expr(expr: str) -> str:
    return re.sub(r"\s+", "", expr)


# --------------------------------------------------------------------------- sources


@dataclass
class SourceQuery:
    source: str
    table: str
    path: Path
    sql: str


def discover_sources(reports_dir: Path, report: Report) -> tuple[list[SourceQuery], set[str]]:
    """Source queries the way `evidence sources` walks them."""
    sources_dir = reports_dir / "sources"
    queries: list[SourceQuery] = []
    names: set[str] = set()
    if not sources_dir.is_dir():
        report.problems.append((str(sources_dir), "no sources directory"))
        return queries, names
    for src_dir in sorted(p for p in sources_dir.iterdir() if p.is_dir()):
        rel = f"sources/{src_dir.name}"
        conn = src_dir / "connection.yaml"
        if not conn.exists():
            report.problems.append((rel, "no connection.yaml: Evidence skips this folder"))
            continue
        try:
            cfg = yaml.safe_load(conn.read_text()) or {}
        except yaml.YAMLError as e:
            report.problems.append((rel, f"connection.yaml does not parse: {e}"))
            continue
        name = str(cfg.get("name") or "")
        if not re.fullmatch(r"[a-zA-Z0-9_-]+", name):
            report.problems.append((rel, f"connection.yaml name {name!r} is missing or invalid"))
            continue
        if cfg.get("type") not in ("duckdb", "ddb"):
            report.problems.append(
                (rel, f"source type {cfg.get('type')!r} is not supported by this checker (duckdb only)")
            )
            continue
        names.add(name)
        seen: dict[str, Path] = {}
        for path in sorted(src_dir.rglob("*")):
            if not path.is_file() or path.name in ("connection.yaml", "connection.options.yaml"):
                continue
            if not path.name.endswith(".sql") or path.name.endswith("initialize.sql"):
                continue
            table = path.name.split(".")[0]
            if table in seen:
                report.problems.append(
                    (rel, f"{path.relative_to(src_dir)} and {seen[table].relative_to(src_dir)} "
                          f"both become table {name}.{table}")
                )
                continue
            seen[table] = path
            queries.append(SourceQuery(name, table, path, path.read_text()))
    return queries, names


def _sub_source_vars(sql: str) -> tuple[str, list[str]]:
    """@evidence-dev/sdk subSourceVariables: ${x} <- EVIDENCE_VAR__x; $${ -> ${."""
    missing: list[str] = []

    def repl(m: re.Match[str]) -> str:
        value = os.environ.get(f"EVIDENCE_VAR__{m.group(1)}")
        if value:
            return value
        missing.append(m.group(1))
        return m.group(0)

    out = re.sub(r"(?<!\$)\$\{(.+?)\}", repl, sql)
    return out.replace("$${", "${"), missing


def materialise_sources(
    warehouse: Path, sources: list[SourceQuery], page_con: duckdb.DuckDBPyConnection, report: Report,
    reports_dir: Path,
) -> set[tuple[str, str]]:
    """Run every source query on the read-only warehouse; returns the failed (source, table) pairs."""
    failed: set[tuple[str, str]] = set()
    base = duckdb.connect(str(warehouse), read_only=True)
    try:
        for schema in sorted({s.source for s in sources}):
            page_con.execute(f"create schema if not exists {_quote_ident(schema)}")
        for sq in sources:
            check = QueryCheck(
                f"sources/{sq.path.parent.relative_to(reports_dir / 'sources')}", f"{sq.source}.{sq.table}",
                kind="source",
            )
            report.checks.append(check)
            if not _run_source(base, sq, page_con, check):
                failed.add((sq.source, sq.table))
    finally:
        base.close()
    return failed


def _run_source(base: duckdb.DuckDBPyConnection, sq: SourceQuery, page_con: duckdb.DuckDBPyConnection,
                check: QueryCheck) -> bool:
    cur = base.cursor()  # a fresh session per query, as Evidence opens a new instance per file
    try:
        cur.execute("set TimeZone = 'UTC'")
        init = sq.path.parent / "initialize.sql"
        if init.exists():
            try:
                cur.execute(init.read_text())
            except duckdb.Error as e:  # Evidence ignores these too
                check.notes.append(f"initialize.sql failed (ignored, as Evidence does): {_one_line(e)}")
        sql, missing = _sub_source_vars(sq.sql)
        if missing:
            check.fail("unset source variable(s): " + ", ".join(f"EVIDENCE_VAR__{m}" for m in missing))
            return False
        try:
            statements = cur.extract_statements(sql)
        except duckdb.Error as e:
            check.fail(_one_line(e))
            return False
        if not statements:
            check.fail("the file holds no SQL statement")
            return False
        for stmt in statements[:-1]:
            try:
                cur.execute(stmt.query)
            except duckdb.Error as e:
                check.notes.append(f"prefix statement failed (Evidence ignores it too): {_one_line(e)}")
        try:
            rel = cur.sql(statements[-1].query)
            if rel is None:
                check.fail("the last statement returns no result set")
                return False
            columns = list(zip(rel.columns, (str(t) for t in rel.types)))
            table = rel.to_arrow_table()
        except duckdb.Error as e:
            message = _one_line(e)
            if re.search(r'Catalog "[^"]+" does not exist', message):
                message += (" (a dbt view names the database it was built in, i.e. the warehouse file's "
                            "name: open the warehouse under the file name dbt used)")
            check.fail(message)
            return False
        check.columns = columns
        check.rows = table.num_rows
        ok = True
        for name, duck_type in columns:
            if duck_type.upper() in BIGINT_JS_TYPES:
                check.fail(
                    f"column {name!r} is {duck_type}: cast it in the SQL (::bigint or ::double); "
                    "sum()/count-like aggregates of integers return HUGEINT"
                )
                ok = False
            elif _is_nested(duck_type):
                check.fail(
                    f"column {name!r} is {duck_type}: Evidence stores nested values as strings of no "
                    "fixed format; turn it into scalar columns (or array_to_string) in the SQL"
                )
                ok = False
        if table.num_rows == 0:
            check.fail(
                "returned 0 rows: Evidence writes no parquet file for an empty source result and the "
                "browser's table registration then fails for every page (allow-empty does not apply to "
                "sources; return a placeholder row, see reports/README.md)"
            )
            return False
        _create_page_table(page_con, sq, table, columns, check)
        return ok
    finally:
        cur.close()


def _create_page_table(page_con, sq: SourceQuery, table, columns, check: QueryCheck) -> None:
    view = "__evidence_source_result"
    page_con.register(view, table)
    try:
        exprs = []
        for name, duck_type in columns:
            col = _quote_ident(name)
            etype = evidence_type(duck_type)
            if etype in ("date", "boolean"):
                non_null = page_con.sql(f"select count({col}) from {view}").fetchone()[0]
                if non_null == 0:
                    check.notes.append(
                        f"column {name!r} ({duck_type}) holds only NULLs: Evidence stores it as DOUBLE"
                    )
                    exprs.append(f"cast(null as double) as {col}")
                    continue
            if etype == "number":
                exprs.append(f"cast({col} as double) as {col}")
            elif etype == "date":
                if duck_type.upper() == "TIMESTAMP WITH TIME ZONE":
                    exprs.append(f"cast(timezone('UTC', {col}) as timestamp) as {col}")
                else:
                    exprs.append(f"cast({col} as timestamp) as {col}")
            elif etype == "boolean":
                exprs.append(col)
            else:
                exprs.append(f"cast({col} as varchar) as {col}")
        target = f"{_quote_ident(sq.source)}.{_quote_ident(sq.table)}"
        page_con.execute(f"create or replace table {target} as select {', '.join(exprs) or '*'} from {view}")
    finally:
        page_con.unregister(view)


# --------------------------------------------------------------------------- pages


@dataclass
class PageQuery:
    name: str
    sql: str
    line: int
    inline: bool = True
    compile_error: str | None = None


@dataclass
class Tag:
    name: str
    attrs: dict[str, tuple[str, Any]]  # name -> (kind, value); kind in str|expr|bool
    line: int
    children: list["Tag"] = field(default_factory=list)

    def attr_text(self, key: str) -> str | None:
        kind, value = self.attrs.get(key, (None, None))
        if kind in ("str", "expr"):
            return str(value).strip()
        return None

    def flag(self, key: str) -> bool:
        kind, value = self.attrs.get(key, (None, None))
        if kind == "bool":
            return True
        if kind in ("str", "expr"):
            return str(value).strip().lower() not in ("false", "0", "")
        return False


def _strip_fences(text: str) -> tuple[str, list[tuple[str | None, str | None, str, int]]]:
    """Blank out fenced code blocks; returns (text without them, [(lang, meta, body, line)])."""
    lines = text.split("\n")
    out: list[str] = []
    blocks: list[tuple[str | None, str | None, str, int]] = []
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            fence, info = m.group(2), m.group(3).strip()
            body: list[str] = []
            start = i
            i += 1
            while i < len(lines):
                close = re.match(r"^ {0,3}(`{3,}|~{3,})\s*$", lines[i])
                if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                    break
                body.append(lines[i])
                i += 1
            parts = info.split(None, 1)
            lang = parts[0] if parts else None
            meta = parts[1].strip() if len(parts) > 1 else None
            blocks.append((lang, meta, "\n".join(body), start + 1))
            out.extend([""] * (i - start + 1))
            i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out), blocks


def _parse_attrs(src: str, pos: int) -> tuple[dict[str, tuple[str, Any]], int, bool]:
    """Parse Svelte-ish attributes from src[pos:]; returns (attrs, end position after '>', self_closing)."""
    attrs: dict[str, tuple[str, Any]] = {}
    n = len(src)
    while pos < n:
        while pos < n and src[pos].isspace():
            pos += 1
        if src.startswith("/>", pos):
            return attrs, pos + 2, True
        if pos < n and src[pos] == ">":
            return attrs, pos + 1, False
        if pos < n and src[pos] == "{":  # spread / shorthand {x}
            depth, j = 0, pos
            while j < n:
                depth += src[j] == "{"
                depth -= src[j] == "}"
                j += 1
                if depth == 0:
                    break
            inner = src[pos + 1 : j - 1].strip()
            if re.fullmatch(r"[A-Za-z_$][\w$]*", inner):
                attrs[inner] = ("expr", inner)
            pos = j
            continue
        m = re.compile(r"[A-Za-z_:][-\w:.]*").match(src, pos)
        if not m:
            pos += 1
            continue
        key = m.group(0)
        pos = m.end()
        while pos < n and src[pos].isspace():
            pos += 1
        if pos < n and src[pos] == "=":
            pos += 1
            while pos < n and src[pos].isspace():
                pos += 1
            if pos < n and src[pos] in "'\"":
                q = src[pos]
                end = src.find(q, pos + 1)
                end = n if end < 0 else end
                attrs[key] = ("str", src[pos + 1 : end])
                pos = end + 1
            elif pos < n and src[pos] == "{":
                depth, j = 0, pos
                while j < n:
                    depth += src[j] == "{"
                    depth -= src[j] == "}"
                    j += 1
                    if depth == 0:
                        break
                attrs[key] = ("expr", src[pos + 1 : j - 1])
                pos = j
            else:
                m2 = re.compile(r"[^\s>]+").match(src, pos)
                value = m2.group(0) if m2 else ""
                if value.endswith("/") and src.startswith(">", pos + len(value)):
                    value = value[:-1]
                attrs[key] = ("str", value)
                pos += len(value)
        else:
            attrs[key] = ("bool", True)
    return attrs, n, True


def parse_tags(text: str) -> list[Tag]:
    """Capitalised (component) tags with their nesting; code fences and comments must be removed first."""
    roots: list[Tag] = []
    stack: list[Tag] = []
    pos = 0
    tag_re = re.compile(r"<(/?)([A-Z][A-Za-z0-9_.]*)")
    while True:
        m = tag_re.search(text, pos)
        if not m:
            break
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1):  # closing tag
            name = m.group(2)
            for k in range(len(stack) - 1, -1, -1):
                if stack[k].name == name:
                    del stack[k:]
                    break
            end = text.find(">", m.end())
            pos = m.end() if end < 0 else end + 1
            continue
        attrs, pos, self_closing = _parse_attrs(text, m.end())
        tag = Tag(m.group(2), attrs, line)
        (stack[-1].children if stack else roots).append(tag)
        if not self_closing:
            stack.append(tag)
    return roots


def _walk(tags: list[Tag]):
    for t in tags:
        yield t
        yield from _walk(t.children)


@dataclass
class Page:
    path: Path
    rel: str
    text: str
    queries: dict[str, PageQuery]
    tags: list[Tag]
    annotations: dict[str, tuple[bool, str]]  # normalised expr -> (is_from, raw value)
    problems: list[str]


def parse_page(path: Path, reports_dir: Path) -> Page:
    rel = str(path.relative_to(reports_dir))
    text = path.read_text()
    problems: list[str] = []

    def include(m: re.Match[str]) -> str:
        partial = reports_dir / "partials" / m.group(1)
        if partial.exists():
            return partial.read_text()
        problems.append(f"partial {m.group(1)!r} not found in partials/")
        return ""

    text = PARTIAL.sub(include, text)
    queries: dict[str, PageQuery] = {}

    # Frontmatter `queries:` (external .sql files under reports/queries/).
    fm = re.match(r"^---\s*\n(.*?)\n---\s*(\n|$)", text, re.S)
    if fm:
        try:
            front = yaml.safe_load(fm.group(1)) or {}
        except yaml.YAMLError as e:
            front = {}
            problems.append(f"frontmatter does not parse: {e}")
        for item in (front.get("queries") or []) if isinstance(front, dict) else []:
            if isinstance(item, str):
                qid, file = item.split(".sql")[0].replace("/", "_", 1).replace("\\", "_", 1), item
            elif isinstance(item, dict) and item:
                qid, file = next(iter(item.items()))
            else:
                continue
            qfile = reports_dir / "queries" / str(file)
            if not str(file).endswith(".sql") or not qfile.exists():
                problems.append(f"frontmatter query file {file!r} not found under queries/")
                continue
            q = PageQuery(str(qid).lower(), qfile.read_text().strip(), 1, inline=False)
            queries[q.name] = q

    body, blocks = _strip_fences(text)
    for lang, meta, code, line in blocks:
        qid = lang if lang is not None else "untitled"
        if qid.lower() == "sql" and meta:
            qid = meta
        if qid.lower() in NON_QUERY_LANGS:
            continue
        if lang is None:
            problems.append(
                f"line {line}: a fence without a language becomes a query named 'untitled' in "
                "Evidence; write ```text for plain code"
            )
            continue
        if not VALID_QUERY_ID.match(qid):
            problems.append(f"line {line}: query name {qid!r} is not a valid identifier; Evidence ignores it")
            continue
        if qid in queries:
            problems.append(f"line {line}: query {qid!r} is defined twice")
            continue
        queries[qid] = PageQuery(qid, code.strip(), line)

    body = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), body, flags=re.S)
    tags = parse_tags(body)

    annotations: dict[str, tuple[bool, str]] = {}
    for m in SAMPLE_ANNOTATION.finditer(text):
        annotations[_norm_expr(m.group(2))] = (bool(m.group(1)), m.group(3))
    return Page(path, rel, text, queries, tags, annotations, problems)


class MissingSample(Exception):
    pass


class BlockedSample(MissingSample):
    """The sample would come from an input whose data depends on a failed source query."""


class PageRunner:
    """Compiles and runs one page's queries against the materialised source tables."""

    def __init__(self, page: Page, con: duckdb.DuckDBPyConnection, source_names: set[str],
                 failed_sources: set[tuple[str, str]], report: Report):
        self.page, self.con, self.report = page, con, report
        self.source_names, self.failed_sources = source_names, failed_sources
        self.chained: dict[str, str] = {}
        self.results: dict[str, tuple[list[str], list[tuple]]] = {}  # default-variant results
        self.inputs = self._collect_inputs()
        self.input_checks: dict[str, QueryCheck] = {}
        self.input_rows: dict[str, list[tuple]] = {}
        self.input_blocked: dict[str, list[str]] = {}
        self._resolving: set[str] = set()
        self._resolving_inputs: set[str] = set()

    # -- compilation ---------------------------------------------------------

    def chain(self, name: str, stack: tuple[str, ...] = ()) -> str:
        if name in self.chained:
            return self.chained[name]
        if name in stack or len(stack) > 15:
            raise ValueError("Compiler error: circular reference (" + " -> ".join((*stack, name)) + ")")
        query = self.page.queries[name]

        def repl(m: re.Match[str]) -> str:
            ref = m.group(0)[2:-1].strip()
            if ref not in self.page.queries:
                return m.group(0)
            target = self.page.queries[ref]
            if not query.inline and target.inline:
                raise ValueError(f"Cannot reference inline query from SQL File. (Referenced {ref})")
            return "(" + self.chain(ref, (*stack, name)) + ")"

        compiled = CHAIN_REF.sub(repl, query.sql)
        self.chained[name] = compiled
        return compiled

    def compile(self, name: str, overrides: dict[str, str] | None = None) -> tuple[str, list[str]]:
        """Chained SQL with every ${expr} filled; returns (sql, expressions used)."""
        sql = self.chain(name)
        used: list[str] = []

        def repl(m: re.Match[str]) -> str:
            expr = m.group(1).strip()
            used.append(expr)
            if overrides and _norm_expr(expr) in overrides:
                return overrides[_norm_expr(expr)]
            return self.sample(expr)

        return TEMPLATE_EXPR.sub(repl, sql), used

    # -- sample values --------------------------------------------------------

    def sample(self, expr: str) -> str:
        key = _norm_expr(expr)
        if key in self.page.annotations:
            is_from, raw = self.page.annotations[key]
            return self._sample_from(expr, raw) if is_from else _unquote_sample(raw)
        m = re.fullmatch(r"inputs\.([A-Za-z_$][\w$]*)(?:\.(\w+))?", key)
        if m and m.group(1) in self.inputs:
            value = self._input_value(m.group(1), m.group(2) or "")
            if value is not None:
                return value
            if m.group(1) in self.input_blocked:
                raise BlockedSample(
                    f"blocked: input {m.group(1)!r} is built from failed source query "
                    + ", ".join(self.input_blocked[m.group(1)])
                )
        if key.startswith("params."):
            raise MissingSample(
                f"no sample for ${{{expr}}}: add <!-- sample-from: {key} = <source>.<table>.<column> --> "
                f"or <!-- sample: {key} = 'value' --> to the page"
            )
        hint = ""
        if m and m.group(1) not in self.inputs:
            hint = f" (no input component named {m.group(1)!r} on this page)"
        elif m:
            hint = f" ({self.inputs[m.group(1)].name} {m.group(1)!r} gives no default for it)"
        raise MissingSample(f"no sample for ${{{expr}}}{hint}: add `-- sample: {key} = <value>` to the page")

    def _sample_from(self, expr: str, ref: str) -> str:
        parts = ref.strip().split(".")
        if len(parts) == 2 and parts[0] in self.page.queries:
            cols, rows = self.run_for_sample(parts[0])
            if parts[1] not in cols:
                raise MissingSample(f"sample-from for {expr}: query {parts[0]!r} has no column {parts[1]!r}")
            values = [r[cols.index(parts[1])] for r in rows if r[cols.index(parts[1])] is not None]
        elif len(parts) == 3:
            if (parts[0], parts[1]) in self.failed_sources:
                raise BlockedSample(f"blocked: the sample for {expr} comes from failed source query "
                                    f"{parts[0]}.{parts[1]}")
            table = f"{_quote_ident(parts[0])}.{_quote_ident(parts[1])}"
            try:
                values = [r[0] for r in self.con.sql(
                    f"select {_quote_ident(parts[2])} from {table} where {_quote_ident(parts[2])} is not null limit 1"
                ).fetchall()]
            except duckdb.Error as e:
                raise MissingSample(f"sample-from for {expr}: {_one_line(e)}") from None
        else:
            raise MissingSample(f"sample-from for {expr}: {ref!r} is neither <query>.<column> nor "
                                "<source>.<table>.<column>")
        if not values:
            raise MissingSample(f"sample-from for {expr}: {ref} has no non-null value")
        return _js_text(values[0])

    def _collect_inputs(self) -> dict[str, Tag]:
        inputs: dict[str, Tag] = {}
        for tag in _walk(self.page.tags):
            if tag.name in INPUT_COMPONENTS:
                name = tag.attr_text("name")
                if name:
                    inputs[name] = tag
        return inputs

    def _input_rows(self, name: str) -> list[tuple[Any, Any]]:
        """Run the options query Evidence builds for an input (value, label), recording it as a check."""
        tag = self.inputs[name]
        if name in self.input_checks:
            return self.input_rows.get(name, [])
        check = QueryCheck(self.page.rel, f"input:{name}", kind="input")
        self.input_checks[name] = check
        self.report.checks.append(check)
        source = self._input_source(tag, check)
        if source is None:
            return []
        if tag.name in ("DateRange", "DateInput"):
            dates = tag.attr_text("dates")
            if not dates:
                check.fail(f"{tag.name} {name!r} has data= but no dates= column")
                return []
            sql = f"select min({dates}) as start, max({dates}) as end from {source}"
        else:
            value = tag.attr_text("value") or "value"
            label = tag.attr_text("label") or value
            sql = f"select distinct {value} as value, {label} as label from {source}"
            if tag.attr_text("where"):
                sql += f" where {tag.attr_text('where')}"
            sql += f" order by {tag.attr_text('order')}" if tag.attr_text("order") else " order by label, value"
        blocked = self.blocked_by(sql)
        if blocked:
            self.input_blocked[name] = blocked
            check.fail("blocked: depends on failed source query " + ", ".join(blocked), status="BLOCKED")
            return []
        rows = self._execute(check, sql)
        if rows is None:
            return []
        if tag.name in ("DateRange", "DateInput"):
            if not rows or rows[0][0] is None:
                check.fail(f"{tag.name} {name!r}: no dates in {source}")
                return []
        elif not rows:
            check.fail(f"{tag.name} {name!r} has no options: queries that use it never run")
        self.input_rows[name] = rows
        return rows

    def _input_source(self, tag: Tag, check: QueryCheck) -> str | None:
        kind, data = tag.attrs.get("data", (None, None))
        if kind is None:
            return None
        data = str(data).strip()
        if kind == "expr":
            if data not in self.page.queries:
                check.fail(f"{tag.name} data={{{data}}} is not a query on this page")
                return None
            try:
                sql, _ = self.compile(data)
            except BlockedSample as e:
                check.fail(str(e), status="BLOCKED")
                return None
            except (MissingSample, ValueError) as e:
                check.fail(f"cannot compile its data query {data!r}: {e}")
                return None
            return f"({sql})"
        return data  # a table name such as warehouse.markets, or a subquery

    def _input_value(self, name: str, prop: str) -> str | None:
        if name in self._resolving_inputs:
            raise MissingSample(f"input {name!r} depends on itself")
        self._resolving_inputs.add(name)
        try:
            return self._input_value_inner(name, prop)
        finally:
            self._resolving_inputs.discard(name)

    def _input_value_inner(self, name: str, prop: str) -> str | None:
        tag = self.inputs[name]
        if tag.name == "Dropdown":
            if prop not in ("value", "label"):
                return None
            multiple = tag.flag("multiple")
            chosen = self._dropdown_defaults(tag)
            rows = self._input_rows(name) if "data" in tag.attrs else []
            if not chosen:
                if multiple and tag.flag("selectAllByDefault"):
                    chosen = [(r[0], r[1]) for r in rows]
                elif rows:
                    chosen = [(rows[0][0], rows[0][1])]
            if not chosen:
                return None
            if not multiple:
                chosen = chosen[:1]
            if prop == "label":
                return ", ".join(_js_text(c[1]) for c in chosen)
            if multiple:
                return "(" + ",".join(_sql_literal(c[0]) for c in chosen) + ")"
            return _js_text(chosen[0][0])
        if tag.name == "ButtonGroup":
            if prop:
                return None
            items = [t for t in _walk(tag.children) if t.name == "ButtonGroupItem"]
            default = tag.attr_text("defaultValue")
            if default is None:
                marked = [t for t in items if t.flag("default")]
                if marked or items:
                    default = (marked or items)[0].attr_text("value")
            if default is None and "data" in tag.attrs:
                rows = self._input_rows(name)
                default = _js_text(rows[0][0]) if rows else None
            return default
        if tag.name == "TextInput":
            default = tag.attr_text("defaultValue")
            if default is None:
                return None
            escaped = default if tag.flag("unsafe") else default.replace("'", "''")
            return {"": escaped, "sql": f"'{escaped}'"}.get(prop)
        if tag.name == "Checkbox":
            return None if prop else ("true" if tag.flag("checked") else "false")
        if tag.name == "Slider":
            if prop:
                return None
            return tag.attr_text("defaultValue") or tag.attr_text("min") or "0"
        if tag.name in ("DateRange", "DateInput"):
            is_range = tag.name == "DateRange" or tag.flag("range")
            if (is_range and prop not in ("start", "end")) or (not is_range and prop != "value"):
                return None
            start, end = tag.attr_text("start"), tag.attr_text("end")
            if "data" in tag.attrs and tag.attr_text("dates"):
                rows = self._input_rows(name)
                if rows:
                    start = start or _js_text(rows[0][0])[:10]
                    end = end or _js_text(rows[0][1])[:10]
            if prop == "start":
                return start
            return end
        return None

    def _dropdown_defaults(self, tag: Tag) -> list[tuple[Any, Any]]:
        kind, default = tag.attrs.get("defaultValue", (None, None))
        if kind == "str":
            return [(default, default)]
        if kind == "expr":
            values = re.findall(r"'([^']*)'|\"([^\"]*)\"", str(default))
            vals = [a or b for a, b in values]
            if vals:
                return [(v, v) for v in vals]
        options = [t for t in _walk(tag.children) if t.name == "DropdownOption"]
        if options:
            opt = options[0]
            value = opt.attr_text("value")
            return [(value, opt.attr_text("valueLabel") or value)]
        return []

    def alternates(self, used: list[str]) -> dict[str, str]:
        """Second sample for Dropdowns whose default is a hard-coded option: their first data value."""
        alt: dict[str, str] = {}
        for expr in used:
            m = re.fullmatch(r"inputs\.([A-Za-z_$][\w$]*)\.value", _norm_expr(expr))
            if not m or m.group(1) not in self.inputs or _norm_expr(expr) in self.page.annotations:
                continue
            tag = self.inputs[m.group(1)]
            if tag.name != "Dropdown" or "data" not in tag.attrs or not self._dropdown_defaults(tag):
                continue
            rows = self._input_rows(m.group(1))
            defaults = {_js_text(v) for v, _ in self._dropdown_defaults(tag)}
            candidates = [r for r in rows if _js_text(r[0]) not in defaults and r[0] is not None]
            if candidates:
                value = candidates[0][0]
                alt[_norm_expr(expr)] = (
                    "(" + _sql_literal(value) + ")" if tag.flag("multiple") else _js_text(value)
                )
        return alt

    # -- execution ------------------------------------------------------------

    def _execute(self, check: QueryCheck, sql: str) -> list[tuple] | None:
        try:
            rel = self.con.sql(sql)
            if rel is None:
                check.fail("the query returns no result set")
                return None
            check.columns = list(zip(rel.columns, (str(t) for t in rel.types)))
            rows = rel.fetchall()
        except duckdb.Error as e:
            message = _one_line(e)
            if "does not exist" in message and WAREHOUSE_SCHEMA_REF.search(sql):
                message += (" (page queries only see source tables such as "
                            f"{sorted(self.source_names)[0] if self.source_names else 'warehouse'}.<query>; "
                            "name warehouse tables in sources/*.sql)")
            check.fail(message)
            return None
        check.rows = len(rows)
        for name, duck_type in check.columns:
            if duck_type.upper() in BIGINT_JS_TYPES:
                check.fail(
                    f"column {name!r} is {duck_type}, which reaches the page as a JavaScript BigInt: "
                    "cast it (::bigint or ::double) -- sum()/count() over integers return HUGEINT"
                )
        return rows

    def _evidence_wrappers(self, check: QueryCheck, sql: str) -> None:
        """The metadata queries Evidence's Query class runs around every page query (sdk/usql)."""
        for label, wrapper in (
            ("row-count", f"SELECT COUNT(*) as rowCount FROM ({sql.strip()})"),
            ("columns", f"DESCRIBE {sql.strip()}"),
        ):
            try:
                self.con.sql(wrapper).fetchall()
            except duckdb.Error as e:
                check.fail(f"Evidence's {label} query around it fails: {_one_line(e)}")

    def blocked_by(self, sql: str) -> list[str]:
        hits = []
        for source in self.source_names:
            pattern = re.compile(
                r'(?<![\w."])"?' + re.escape(source) + r'"?\s*\.\s*"?([A-Za-z_][\w]*)"?', re.I
            )
            for m in pattern.finditer(sql):
                if (source, m.group(1)) in self.failed_sources:
                    hits.append(f"{source}.{m.group(1)}")
        return sorted(set(hits))

    def run_query(self, name: str) -> None:
        query = self.page.queries[name]
        check = QueryCheck(self.page.rel, name)
        self.report.checks.append(check)
        allow = [m.group(1).strip() for m in ALLOW_EMPTY.finditer(query.sql)]
        if any(not a for a in allow):
            check.fail("`-- allow-empty:` needs a reason after the colon")
        if "\\" in query.sql:
            check.fail(
                "contains a backslash: Evidence evaluates page SQL as a JavaScript template literal, so "
                "'\\d' reaches DuckDB as 'd' (use [0-9], chr(92), ...)"
            )
        last_line = query.sql.strip().splitlines()[-1] if query.sql.strip() else ""
        if "--" in last_line:
            check.fail(
                "ends with a `--` comment: Evidence wraps page queries as (<sql>) -- in its row-count "
                "query and wherever ${...} chains them -- so the comment swallows the closing "
                "parenthesis; move comments to the top"
            )
        if query.sql.strip().endswith(";"):
            check.fail("ends with ';': Evidence wraps page queries as (<sql>); drop the semicolon")
        try:
            sql, used = self.compile(name)
        except BlockedSample as e:
            check.fail(str(e), status="BLOCKED")
            return
        except (MissingSample, ValueError) as e:
            check.fail(str(e))
            return
        blocked = self.blocked_by(sql)
        if blocked:
            check.fail("blocked: depends on failed source query " + ", ".join(blocked), status="BLOCKED")
            return
        rows = self._execute(check, sql)
        if rows is not None:
            self._evidence_wrappers(check, sql)
            self.results[name] = ([c for c, _ in check.columns], rows)
            if not rows:
                if allow and all(allow):
                    check.status = "empty-allowed" if not check.failed else check.status
                    check.notes.append(f"empty, allowed: {allow[0]}")
                else:
                    check.fail("returned 0 rows (add `-- allow-empty: <reason>` at its top if that is normal)")
        # A second run with the alternate sample values (specific value instead of "all").
        alt = self.alternates(used)
        if alt:
            shown = ", ".join(f"{k}={v}" for k, v in alt.items())
            alt_check = QueryCheck(self.page.rel, f"{name} [alt {shown}]")
            self.report.checks.append(alt_check)
            try:
                alt_sql, _ = self.compile(name, alt)
            except (MissingSample, ValueError) as e:
                alt_check.fail(str(e))
                return
            alt_rows = self._execute(alt_check, alt_sql)
            if alt_rows is not None and not alt_rows:
                alt_check.status = "empty-alt" if not alt_check.failed else alt_check.status

    def run_for_sample(self, name: str) -> tuple[list[str], list[tuple]]:
        if name in self.results:
            return self.results[name]
        if name in self._resolving:
            raise MissingSample(f"sample resolution loops through query {name!r}")
        self._resolving.add(name)
        try:
            sql, _ = self.compile(name)
            rel = self.con.sql(sql)
            cols, rows = list(rel.columns), rel.fetchall()
        except duckdb.Error as e:
            raise MissingSample(f"query {name!r} failed while resolving a sample: {_one_line(e)}") from None
        finally:
            self._resolving.discard(name)
        return cols, rows

    def check_components(self) -> None:
        for tag in _walk(self.page.tags):
            kind, data = tag.attrs.get("data", (None, None))
            if kind != "expr":
                continue
            qname = str(data).strip()
            where = f"{self.page.rel} line {tag.line} <{tag.name}>"
            if not re.fullmatch(r"[A-Za-z_$][\w$]*", qname):
                continue  # an expression (e.g. a filtered array); not checkable here
            if qname not in self.page.queries:
                self.report.problems.append((where, f"data={{{qname}}} is not a query on this page"))
                continue
            query = self.page.queries[qname]
            if ALLOW_EMPTY.search(query.sql) and tag.name not in INPUT_COMPONENTS:
                empty_set = tag.attr_text("emptySet")
                if empty_set not in EMPTY_OK:
                    self.report.problems.append((
                        where,
                        f"{qname!r} may be empty (allow-empty) but the component has no "
                        'emptySet="pass"|"warn": Evidence shows an error box on an empty dataset',
                    ))
            if qname not in self.results or tag.name in INPUT_COMPONENTS:
                continue
            columns = self.results[qname][0]
            wanted: list[tuple[str, str]] = []
            for prop in COLUMN_PROPS:
                if prop not in tag.attrs:
                    continue
                akind, value = tag.attrs[prop]
                if akind == "str":
                    wanted.append((prop, str(value)))
                elif akind == "expr":
                    items = re.findall(r"'([^']*)'|\"([^\"]*)\"", str(value))
                    if items and re.fullmatch(r"\s*\[.*\]\s*", str(value), re.S):
                        wanted += [(prop, a or b) for a, b in items]
            if tag.name == "DataTable":
                if tag.attr_text("link"):
                    wanted.append(("link", tag.attr_text("link") or ""))
                for child in tag.children:
                    if child.name == "Column" and child.attr_text("id"):
                        wanted.append(("Column id", child.attr_text("id") or ""))
            for prop, col in wanted:
                if col not in columns:
                    self.report.problems.append(
                        (where, f"{prop}={col!r} is not a column of {qname!r} (columns: {', '.join(columns)})")
                    )


# --------------------------------------------------------------------------- driver


def new_page_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB set up like Evidence's DuckDB-wasm (universal-sql client)."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    con.execute("set ieee_floating_point_ops = false")
    con.execute("set old_implicit_casting = true")
    return con


def run_check(warehouse: Path | str, reports_dir: Path | str = REPO_ROOT / "reports") -> Report:
    warehouse, reports_dir = Path(warehouse), Path(reports_dir)
    report = Report()
    sources, source_names = discover_sources(reports_dir, report)
    page_con = new_page_connection()
    try:
        failed = materialise_sources(warehouse, sources, page_con, report, reports_dir)
        pages_dir = reports_dir / "pages"
        page_files = sorted(pages_dir.rglob("*.md")) if pages_dir.is_dir() else []
        if not page_files:
            report.problems.append((str(pages_dir), "no pages found"))
        for path in page_files:
            page = parse_page(path, reports_dir)
            report.problems += [(page.rel, p) for p in page.problems]
            runner = PageRunner(page, page_con, source_names, failed, report)
            for name in page.queries:
                try:
                    runner.run_query(name)
                except MissingSample as e:  # raised while resolving another query's sample
                    report.checks.append(QueryCheck(page.rel, name, status="FAIL", messages=[str(e)]))
            runner.check_components()
            for name in runner.inputs:  # inputs no query used still run their options query
                if "data" in runner.inputs[name].attrs and name not in runner.input_checks:
                    runner._input_rows(name)
    finally:
        page_con.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", default=os.environ.get("WAREHOUSE_PATH"),
                        help="DuckDB warehouse file (default: $WAREHOUSE_PATH); opened read-only")
    parser.add_argument("--reports-dir", default=str(REPO_ROOT / "reports"), help="Evidence project (default: reports/)")
    parser.add_argument("--json", dest="json_path", help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    if not args.warehouse:
        print("reports_check: no warehouse given (--warehouse PATH or WAREHOUSE_PATH)", file=sys.stderr)
        return 2
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        print(f"reports_check: warehouse {warehouse} does not exist; build it first (make run)", file=sys.stderr)
        return 2
    reports_dir = Path(args.reports_dir)
    if not reports_dir.is_dir():
        print(f"reports_check: reports directory {reports_dir} does not exist", file=sys.stderr)
        return 2
    try:
        report = run_check(warehouse, reports_dir)
    except duckdb.IOException as e:
        print(f"reports_check: cannot open {warehouse} read-only ({_one_line(e)}); "
              "is a writer (make run / Dagster) holding it?", file=sys.stderr)
        return 2
    print(report.render())
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report.to_json(), indent=2, default=str))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
