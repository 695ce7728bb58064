"""The Evidence reports as a Dagster asset: every report query, validated against the warehouse.

Evidence's own build (`make reports`) needs network -- its DuckDB-wasm downloads the parquet
extension from extensions.duckdb.org -- so the asset does not run it. It runs what CI runs instead,
scripts/reports_check.py (read its docstring): every `reports/sources/**/*.sql` on the warehouse
opened READ-ONLY, every page query on their results the way Evidence compiles it. Whether the real
build could run here is the asset check `evidence_build_possible` (checks.py), a warning when not.

* key `reports/evidence_queries`, group `reports`;
* deps: the dbt models / dbt sources (e.g. the `ml` tables) the source SQL names as `schema.table`,
  resolved through dbt's manifest to the keys the dbt / ml assets have, so the asset runs after the
  marts it reads;
* metadata: pages, source queries, page queries, rows per source, the checker's summary;
* fails when any report query fails or a page has a problem (a defect a stakeholder would see);
* in the `duckdb_warehouse` pool although it never writes: DuckDB locks the file for any open, so while
  it reads, a writer of the same run (an `ml` asset) cannot open the file and fails (seen on a bench run:
  ml.budget_suggestions_by_market failed with "Could not set lock" while the report queries ran). The pool
  runs one warehouse step at a time. A read-only open still fails while a process outside the run holds
  the lock, so it retries a few times, then fails saying who holds the lock.
"""


import importlib.util
import json
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import duckdb
from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from orchestration.lib import settings
from orchestration.lib.warehouse import holder_from_error

REPORTS_DIR = settings.REPO_ROOT / "reports"
CHECKER_PATH = settings.REPO_ROOT / "scripts" / "reports_check.py"
EVIDENCE_QUERIES_KEY = AssetKey(["reports", "evidence_queries"])
GROUP = "reports"

# Read-only open while a writer holds the lock: attempts and the pause before each retry (grows linearly).
LOCK_ATTEMPTS = 5
LOCK_RETRY_DELAY_S = 5.0

_RELATION = re.compile(r'(?<![\w."])"?([A-Za-z_]\w*)"?\s*\.\s*"?([A-Za-z_]\w*)"?')
_LINE_COMMENT = re.compile(r"--[^\n]*")


@lru_cache(maxsize=1)
def reports_check() -> ModuleType:
    """scripts/reports_check.py as a module (scripts/ is not a package)."""
    loaded = sys.modules.get("reports_check")
    if loaded is not None and Path(getattr(loaded, "__file__", "")).resolve() == CHECKER_PATH.resolve():
        return loaded
    spec = importlib.util.spec_from_file_location("reports_check", CHECKER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["reports_check"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- deps


def source_relations(reports_dir: Path = REPORTS_DIR) -> set[tuple[str, str]]:
    """Every `schema.table`-shaped name in the report source SQL (comments dropped), lower-cased.

    Over-inclusive on purpose (CTE `alias.column` matches too); `upstream_keys` keeps only the
    names that are warehouse relations."""
    rc = reports_check()
    queries, _ = rc.discover_sources(Path(reports_dir), rc.Report())
    found: set[tuple[str, str]] = set()
    for query in queries:
        sql = _LINE_COMMENT.sub("", query.sql)
        found |= {(schema.lower(), table.lower()) for schema, table in _RELATION.findall(sql)}
    return found


def relation_asset_keys() -> dict[tuple[str, str], AssetKey]:
    """(schema, relation) -> asset key, for every dbt model, seed, snapshot and source in the manifest,
    with the keys the dbt assets use (dbt sources such as `ml.*` are the Python assets that write them)."""
    # the dbt assets' own translator (`get_asset_key_for_model` wants exactly one dbt AssetsDefinition;
    # the project has two dbt steps)
    from orchestration.defs.dbt.assets import translator
    from orchestration.defs.dbt.project import dbt_project

    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    keys: dict[tuple[str, str], AssetKey] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        relation = (str(node["schema"]).lower(), str(node.get("alias") or node["name"]).lower())
        keys[relation] = translator.get_asset_key(node)
    for source in manifest["sources"].values():
        relation = (str(source["schema"]).lower(), str(source.get("identifier") or source["name"]).lower())
        keys.setdefault(relation, translator.get_asset_key(source))
    return keys


def upstream_keys(reports_dir: Path = REPORTS_DIR) -> list[AssetKey]:
    """The asset keys of the warehouse tables the report sources read."""
    known = relation_asset_keys()
    return sorted({known[r] for r in source_relations(reports_dir) if r in known}, key=lambda k: k.path)


# --------------------------------------------------------------------------- the check run


def _run_with_lock_retries(rc: ModuleType, warehouse: Path, reports_dir: Path, log, attempts: int, delay: float):
    holder = "another process"
    for attempt in range(1, attempts + 1):
        try:
            return rc.run_check(warehouse, reports_dir)
        except duckdb.IOException as error:
            found = holder_from_error(error)
            if found is None:
                raise
            holder = found
            if attempt < attempts:
                pause = delay * attempt
                if log is not None:
                    log.warning(
                        f"warehouse {warehouse} is locked by {holder} (a writer); retrying the read-only "
                        f"open in {pause:.0f} s ({attempt}/{attempts})"
                    )
                time.sleep(pause)
    raise Failure(
        description=(
            f"cannot open the warehouse {warehouse} read-only: {holder} holds its write lock "
            f"(tried {attempts} times). Run the reports asset when no dlt/dbt/ml step is writing "
            "(DuckDB has one writer at a time and readers cannot open the file meanwhile)."
        ),
        metadata={"warehouse": str(warehouse), "lock_holder": holder},
    )


def check_reports(
    warehouse: Path | str | None = None,
    reports_dir: Path | str = REPORTS_DIR,
    *,
    log=None,
    attempts: int | None = None,
    delay: float | None = None,
) -> dict:
    """Validate every report query against the warehouse (default: the configured one).

    Returns the materialisation metadata; raises `Failure` when any query or page fails, when the
    warehouse does not exist, or when a writer keeps it locked."""
    warehouse = Path(warehouse or settings.warehouse_path())
    reports_dir = Path(reports_dir)
    if not warehouse.is_file():
        raise Failure(description=f"no warehouse at {warehouse}: build it first (make run)")
    rc = reports_check()
    report = _run_with_lock_retries(
        rc, warehouse, reports_dir, log,
        LOCK_ATTEMPTS if attempts is None else attempts,
        LOCK_RETRY_DELAY_S if delay is None else delay,
    )
    pages = sorted(str(p.relative_to(reports_dir)) for p in (reports_dir / "pages").rglob("*.md"))
    rows_per_source = {c.query: c.rows for c in report.checks if c.kind == "source"}
    metadata = {
        "warehouse": MetadataValue.path(str(warehouse)),
        "pages": len(pages),
        "source_queries": report.count("source"),
        "page_queries": report.count("page"),
        "input_queries": report.count("input"),
        "failed_queries": len(report.failures),
        "page_problems": len(report.problems),
        "rows_per_source": MetadataValue.json(rows_per_source),
        "page_files": MetadataValue.json(pages),
        "summary": MetadataValue.text(report.summary()),
    }
    if not report.ok:
        failures = [f"{c.location} :: {c.query}: {'; '.join(c.messages) or c.status}" for c in report.failures]
        failures += [f"{location}: {message}" for location, message in report.problems]
        raise Failure(
            description=(
                f"report queries fail on {warehouse}: {report.summary()}\n"
                + "\n".join(failures[:30])
                + ("\n..." if len(failures) > 30 else "")
                + "\nReproduce with: python scripts/reports_check.py --warehouse " + str(warehouse)
            ),
            metadata={**metadata, "failures": MetadataValue.text("\n".join(failures))},
        )
    if log is not None:
        log.info(f"reports: {report.summary()}")
    return metadata


@asset(
    key=EVIDENCE_QUERIES_KEY,
    deps=upstream_keys(),
    group_name=GROUP,
    pool=settings.WAREHOUSE_WRITER_POOL,   # its read lock would block the run's writers (module docstring)
    kinds={"evidence", "duckdb"},
    description=(
        "Every query of the Evidence reports (reports/sources, reports/pages) run against the warehouse, "
        "read-only, the way Evidence runs them (scripts/reports_check.py). Fails on any broken query. "
        "The Evidence build itself needs network: see the check `evidence_build_possible` and `make reports`."
    ),
)
def evidence_queries(context: AssetExecutionContext) -> MaterializeResult:
    return MaterializeResult(metadata=check_reports(log=context.log))


__all__ = ["EVIDENCE_QUERIES_KEY", "check_reports", "evidence_queries", "upstream_keys"]
