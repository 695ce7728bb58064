"""Run the dlt sources into the DuckDB warehouse and reconcile what was served with what landed.

    python -m pipelines.ingest                       # every source
    python -m pipelines.ingest --sources shopify,meta_ads
    python -m pipelines.ingest --no-faults --json    # clean server, machine-readable summary

A source with its real location configured (`[sources.<name>] base_url` / `bucket_url`, or the matching
`SOURCES__<NAME>__BASE_URL` variable) talks to the real platform; every other source is pointed at the loopback
simulator server, started here on a free port over the store at `SIM_STORE_PATH` (default `data/sim`).

The warehouse is `WAREHOUSE_PATH` (default `data/warehouse.duckdb`); dlt's pipeline state lives in `data/dlt/` beside
it (`<warehouse folder>/dlt`), so a new warehouse never inherits old cursors. `run_ingestion()` returns the summary as
a dict for the Makefile / Dagster.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_STORE = "data/sim"


class IngestionError(Exception):
    """A user-facing problem with one clear line of what to do."""


class StoreMissing(IngestionError):
    pass


class WarehouseLocked(IngestionError):
    pass


# ----------------------------------------------------------------------------------------------------------------------
# Paths and checks
# ----------------------------------------------------------------------------------------------------------------------
def warehouse_path(path: Optional[str | Path] = None) -> Path:
    return Path(path or os.environ.get("WAREHOUSE_PATH") or DEFAULT_WAREHOUSE)


def store_path(path: Optional[str | Path] = None) -> Path:
    return Path(path or os.environ.get("SIM_STORE_PATH") or DEFAULT_STORE)


def pipelines_dir(warehouse: Path) -> Path:
    """dlt state beside the warehouse it describes."""
    return warehouse.parent / "dlt"


def load_manifest(store: Path) -> dict:
    manifest = store / "manifest.json"
    if not manifest.exists():
        raise StoreMissing(f"No simulator store at {store} (manifest.json missing): generate it first with "
                           f"`python -m pipelines.simulator generate` (or `make run`), or set SIM_STORE_PATH.")
    return json.loads(manifest.read_text())


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text or "lock on file" in text)


def check_warehouse_writable(warehouse: Path) -> None:
    import duckdb

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.Error as exc:
        if _is_lock_error(exc):
            raise WarehouseLocked(f"The warehouse {warehouse} is open in another process (DuckDB allows one writer): "
                                  f"stop it (e.g. `make ui`, a notebook, a DuckDB shell) and run again.") from None
        raise


# ----------------------------------------------------------------------------------------------------------------------
# Building sources and pipelines (reused by Dagster)
# ----------------------------------------------------------------------------------------------------------------------
def has_real_location(name: str) -> bool:
    import dlt

    from pipelines.sources import get

    spec = get(name)
    for key in (f"sources.{name}.{spec.location_key}", f"sources.{name}.{name}.{spec.location_key}"):
        for accessor in (dlt.config, dlt.secrets):  # the location may sit in config.toml, secrets.toml or env
            try:
                if accessor.get(key):
                    return True
            except Exception:  # noqa: BLE001 — unresolvable config means "not configured"
                continue
    return False


def build_source(name: str, simulator_url: Optional[str] = None, manifest: Optional[dict] = None,
                 store: Optional[Path] = None, web_events_via_server: bool = False) -> Any:
    """The dlt source for `name`: against the simulator when `simulator_url` is given, else from dlt config."""
    from pipelines.sources import get
    from pipelines.sources._http import SIMULATOR_HTTP

    spec = get(name)
    factory = spec.factory_fn()
    if simulator_url is None:
        return factory()
    kwargs: dict[str, Any] = dict(spec.secrets)
    kwargs["http"] = SIMULATOR_HTTP
    if name == "web_events" and not web_events_via_server and store is not None:
        kwargs["bucket_url"] = str(store / "web_events")
    else:
        kwargs[spec.location_key] = f"{simulator_url}/{name}"
    if spec.date_ranged and manifest:
        # report days are in each account's time zone: ask for one day more on each side of the store's UTC window
        from datetime import date, timedelta

        kwargs["start_date"] = (date.fromisoformat(manifest["start_date"]) - timedelta(days=2)).isoformat()
        kwargs["end_date"] = (date.fromisoformat(manifest["as_of_date"]) + timedelta(days=1)).isoformat()
    return factory(**kwargs)


def warehouse_destination(warehouse: Path) -> Any:
    """dlt's DuckDB destination, with its capabilities' partial config resolved once instead of on each of the
    ~40 `capabilities()` calls a run makes (each re-walks every config provider: ~0.1-0.2 s apiece, which was half of
    a small source's run time). The config cannot change during a run, so this is behaviour-preserving."""
    import dlt
    from dlt.common.configuration.specs import BaseConfiguration

    destination = dlt.destinations.duckdb(str(warehouse))
    resolve_capabilities = destination.capabilities
    cached: dict[str, Any] = {}

    def capabilities(config: Any = None, naming: Any = None) -> Any:
        if config is None:
            if "config" not in cached:
                init_config = destination.spec()
                init_config.update(destination.config_params)
                credentials = init_config.credentials
                if isinstance(credentials, BaseConfiguration):
                    credentials = credentials.copy()
                try:
                    cached["config"] = destination.configuration(destination.spec(credentials=credentials),
                                                                 accept_partial=True)
                except Exception:  # noqa: BLE001 — let dlt's own fallback handle odd configs
                    return resolve_capabilities(None, naming)
            config = cached["config"]
        return resolve_capabilities(config, naming)

    destination.capabilities = capabilities
    return destination


def make_pipeline(name: str, warehouse: Path) -> Any:
    import dlt

    from pipelines.sources import get

    return dlt.pipeline(
        pipeline_name=f"ingest_{name}",
        destination=warehouse_destination(warehouse),
        dataset_name=get(name).dataset,
        pipelines_dir=str(pipelines_dir(warehouse)),
    )


def existing_datasets(warehouse: Path) -> set[str]:
    """Schemas present in the warehouse (empty for a new file)."""
    if not warehouse.exists():
        return set()
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {name for (name,) in con.execute("select schema_name from information_schema.schemata").fetchall()}
    finally:
        con.close()


def _forget_stale_state(pipeline: Any, dataset_present: bool) -> Any:
    """A fresh warehouse (or one without this dataset) must not reuse cursors left in the pipelines folder."""
    if dataset_present or not (Path(pipeline.working_dir) / "state.json").exists():
        return pipeline
    return pipeline.drop()


def _schema_columns(pipeline: Any) -> dict[str, set[str]]:
    try:
        schema = pipeline.default_schema
    except Exception:  # noqa: BLE001 — no schema yet
        return {}
    return {t: {c for c in tbl.get("columns", {}) if not c.startswith("_dlt")}
            for t, tbl in schema.tables.items() if not t.startswith("_dlt")}


# ----------------------------------------------------------------------------------------------------------------------
# Reconciliation
# ----------------------------------------------------------------------------------------------------------------------
def reconcile(warehouse: Path, names: list[str], manifest: Optional[dict],
              skipped: Optional[dict[str, dict[str, int]]] = None) -> dict[str, list[dict]]:
    """Per source and resource: served (simulator store distinct keys) -> landed (rows) -> rejected, plus values
    skipped on purpose (FX `N/A` cells). `landed + rejected + skipped == served` when nothing is lost."""
    import duckdb

    from pipelines.sources import get

    served_by = {}
    for key, counts in ((manifest or {}).get("resources") or {}).items():
        src, _, res = key.partition("/")
        served_by[(src, res)] = counts.get("distinct_keys", counts.get("rows"))
    con = duckdb.connect(str(warehouse), read_only=True)
    out: dict[str, list[dict]] = {}
    try:
        tables = {(s, t) for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        for name in names:
            spec = get(name)
            resources = sorted({res for (src, res) in served_by if src == name}
                               | {t for (s, t) in tables if s == spec.dataset and "__" not in t
                                  and not t.startswith("_dlt") and t != spec.rejects_table})
            rejected_by: dict[str, int] = {}
            if (spec.dataset, spec.rejects_table) in tables:
                rejected_by = dict(con.execute(
                    f'select resource, count(*) from "{spec.dataset}"."{spec.rejects_table}" group by 1').fetchall())
            rows = []
            for res in resources:
                landed = (con.execute(f'select count(*) from "{spec.dataset}"."{res}"').fetchone()[0]
                          if (spec.dataset, res) in tables else 0)
                rows.append({"resource": res, "served": served_by.get((name, res)), "landed": landed,
                             "rejected": rejected_by.get(res, 0),
                             "skipped": (skipped or {}).get(name, {}).get(res, 0)})
            out[name] = rows
    finally:
        con.close()
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Running
# ----------------------------------------------------------------------------------------------------------------------
@contextmanager
def _simulator(store: Path, needed: bool, faults: bool, seed: int,
               server_options: Optional[dict] = None) -> Iterator[Optional[Any]]:
    if not needed:
        yield None
        return
    from pipelines.simulator.server import serve

    _, stop = serve(store, port=0, faults=faults, seed=seed, **(server_options or {}))
    try:
        yield stop
    finally:
        stop()


def run_source(name: str, warehouse: Path, simulator_url: Optional[str], manifest: Optional[dict], store: Path,
               web_events_via_server: bool = False, dataset_present: Optional[bool] = None,
               loader_file_format: str = "parquet") -> dict:
    """Run one source's pipeline; returns timing, row counts, schema changes and HTTP retry counts."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    from pipelines.sources import get
    from pipelines.sources._http import HTTP_STATS
    from pipelines.sources._validate import NOTES

    spec = get(name)
    pipeline = make_pipeline(name, warehouse)
    if dataset_present is None:
        dataset_present = spec.dataset in existing_datasets(warehouse)
    pipeline = _forget_stale_state(pipeline, dataset_present)
    before = _schema_columns(pipeline)
    HTTP_STATS.reset(name)
    NOTES.reset(name)
    source = build_source(name, simulator_url, manifest, store, web_events_via_server)
    started = time.perf_counter()
    cpu_started = time.process_time()
    try:
        info = pipeline.run(source, loader_file_format=loader_file_format)
    except PipelineStepFailed as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if _is_lock_error(cause):
                raise WarehouseLocked(f"The warehouse {warehouse} was locked by another process during the load of "
                                      f"{name}: stop the other process and run again (nothing was lost).") from None
            cause = cause.__cause__ or cause.__context__
        raise
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started  # includes the in-process simulator server's threads
    after = _schema_columns(pipeline)
    new_tables = sorted(t for t in after if t not in before)
    new_columns = {t: sorted(after[t] - before[t]) for t in after if t in before and after[t] - before[t]}
    row_counts: dict[str, int] = {}
    trace = pipeline.last_trace
    if trace is not None and trace.last_normalize_info is not None:
        row_counts = {t: n for t, n in trace.last_normalize_info.row_counts.items() if not t.startswith("_dlt")}
    rows = sum(row_counts.values())
    return {
        "source": name, "dataset": spec.dataset, "mode": "simulator" if simulator_url else "platform",
        "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "rows_loaded": rows, "rows_per_second": round(rows / seconds) if seconds else None,
        "tables_loaded": row_counts, "new_tables": new_tables if before else [], "new_columns": new_columns,
        "first_load": not before, "http": HTTP_STATS.get(name), "notes": NOTES.for_source(name),
        "load_ids": list(info.loads_ids),
    }


def run_ingestion(sources: Optional[list[str]] = None, warehouse: Optional[str | Path] = None,
                  store: Optional[str | Path] = None, faults: bool = True, seed: Optional[int] = None,
                  server_options: Optional[dict] = None, web_events_via_server: bool = False,
                  verbose: bool = True, loader_file_format: str = "parquet") -> dict:
    """Run the given sources (default all) and return the structured summary (see `format_summary`).

    `server_options` go to `pipelines.simulator.server.serve` (e.g. `fault_rates`, `retry_after` for a storm)."""
    from pipelines.sources import SOURCES, get

    names = list(sources or SOURCES)
    for name in names:
        get(name)
    wh = warehouse_path(warehouse).resolve()
    st = store_path(store).resolve()
    simulated = [n for n in names if not has_real_location(n)]
    manifest = load_manifest(st) if simulated else None
    check_warehouse_writable(wh)
    present = existing_datasets(wh)
    server_seed = seed if seed is not None else int((manifest or {}).get("seed") or 0)
    results = []
    started = time.perf_counter()
    with _simulator(st, bool(simulated), faults, server_seed, server_options) as server:
        for i, name in enumerate(names, 1):
            url = server.base_url if (server is not None and name in simulated) else None
            if verbose:
                print(f"[{i:>2}/{len(names)}] {name:<12} {'simulator' if url else 'platform'} ...", end="", flush=True)
            result = run_source(name, wh, url, manifest, st, dataset_present=get(name).dataset in present,
                                web_events_via_server=web_events_via_server, loader_file_format=loader_file_format)
            results.append(result)
            if verbose:
                rejected = sum(v.get("rejected", 0) for v in result["notes"].values())
                print(f" {result['rows_loaded']:>9,} rows in {result['seconds']:>6.1f} s "
                      f"({result['rows_per_second'] or 0:>7,} rows/s) · {result['http']['requests']:,} requests, "
                      f"{result['http']['retried']} retried · {rejected} rejected", flush=True)
        server_stats = server.stats() if server is not None else None
    summary = {
        "warehouse": str(wh), "pipelines_dir": str(pipelines_dir(wh)), "store": str(st) if simulated else None,
        "as_of_date": (manifest or {}).get("as_of_date"), "seconds": round(time.perf_counter() - started, 2),
        "sources": {r["source"]: r for r in results}, "simulator": server_stats,
        "reconciliation": reconcile(wh, names, manifest, skipped={
            r["source"]: {res: sum(n for what, n in counts.items() if what.endswith("skipped"))
                          for res, counts in r["notes"].items()} for r in results}),
    }
    return summary


# ----------------------------------------------------------------------------------------------------------------------
# Presentation
# ----------------------------------------------------------------------------------------------------------------------
def format_summary(summary: dict) -> str:
    lines = []
    header = f"{'source':<12} {'resource':<20} {'served':>10} {'landed':>10} {'rejected':>9} {'skipped':>8}  check"
    lines += [header, "-" * len(header)]
    for name, rows in summary["reconciliation"].items():
        for row in rows:
            served = row["served"]
            if served is None:
                check = ""
            elif row["landed"] + row["rejected"] + row["skipped"] == served:
                check = "ok"
            else:
                check = f"diff {row['landed'] + row['rejected'] + row['skipped'] - served:+,}"
            served_text = f"{served:,}" if served is not None else "-"
            lines.append(f"{name:<12} {row['resource']:<20} {served_text:>10} {row['landed']:>10,} "
                         f"{row['rejected']:>9,} {row['skipped']:>8,}  {check}")
    notes = []
    for name, result in summary["sources"].items():
        for table, cols in result["new_columns"].items():
            notes.append(f"new columns in {result['dataset']}.{table}: {', '.join(cols)}")
        if result["new_tables"]:
            notes.append(f"new tables in {result['dataset']}: {', '.join(result['new_tables'])}")
        for resource, counts in result["notes"].items():
            for what, n in counts.items():
                if what != "rejected":
                    notes.append(f"{name}.{resource}: {n:,} {what.replace('_', ' ')}")
    if notes:
        lines += ["", *notes]
    stats = summary.get("simulator")
    if stats:
        f = stats["faults"]
        lines.append(f"\nsimulator served {stats['requests']:,} requests with faults: {f['429']} x 429, "
                     f"{f['500'] + f['503']} x 5xx, {f['dup']} duplicated page records (all absorbed)")
    lines.append(f"\nwarehouse: {summary['warehouse']}  (dlt state: {summary['pipelines_dir']}; "
                 f"{summary['seconds']:.1f} s)")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", help="comma-separated subset (default: all)")
    parser.add_argument("--warehouse", help="DuckDB file (default: $WAREHOUSE_PATH or data/warehouse.duckdb)")
    parser.add_argument("--store", help="simulator store (default: $SIM_STORE_PATH or data/sim)")
    parser.add_argument("--no-faults", action="store_true", help="serve without 429/5xx/duplicate-page faults")
    parser.add_argument("--seed", type=int, help="fault seed (default: the store's seed)")
    parser.add_argument("--web-events-via-server", action="store_true",
                        help="download web event files through the simulator instead of reading the store folder")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.sources.split(",") if s.strip()] if args.sources else None
    try:
        summary = run_ingestion(names, args.warehouse, args.store, faults=not args.no_faults, seed=args.seed,
                                web_events_via_server=args.web_events_via_server, verbose=not args.json)
    except IngestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2, default=str) if args.json else "\n" + format_summary(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
