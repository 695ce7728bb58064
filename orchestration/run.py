"""`make run`: simulated market -> dlt -> dbt, through the same Dagster definitions as the UI.

    python -m orchestration.run --scale demo --seed 42 [--scenario f.yaml] [--days N]

1. **Market.** Generates the simulated market into `$SIM_STORE_PATH` (+ ground truth into
   `$TRUTH_PATH`) unless the store's manifest.json already matches scale / seed / scenario / days.
   A different market (seed, scale or scenario) starts a fresh warehouse; more days of the same
   market keep it, so the run loads only what is new (the incremental path).
2. **dbt parse** (the manifest the definitions load from).
3. **Build.** Executes the `warehouse_full_build` job of `orchestration.defs` in-process, recorded
   in the `$DAGSTER_HOME` instance so `make ui` shows the run, its materialisations and checks.
4. **Summary.** Served by the simulator -> landed -> rejected per resource (the ingestion
   module's own reconciliation), -> staged -> quarantined per source, marts, dbt checks, and where
   everything is.

User mistakes (bad scenario, warehouse locked by another writer) print one line and exit 2.
A failed build prints the summary of what did run, writes an alert record and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from orchestration.lib import settings

SCALES = ("small", "demo", "large")
MARKET_MARKER = "warehouse_market.json"


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 2."""


# ---------------------------------------------------------------------------------------------
# 1. The simulated market
# ---------------------------------------------------------------------------------------------
def scenario_fingerprint(path: str | None) -> str:
    """Identity of a scenario: "default", or the file's content hash (a renamed copy is the same)."""
    if not path:
        return "default"
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def validate_scenario(path: str | None) -> None:
    from pipelines.simulator.scenario import ScenarioError, load_scenario

    try:
        load_scenario(path)
    except ScenarioError as error:
        raise UserError(f"bad scenario: {error} (start from pipelines/simulator/scenarios/default.yaml)") from None


def market_request(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "scale": args.scale,
        "seed": args.seed,
        "scenario": scenario_fingerprint(args.scenario),
        "days": args.days,
    }


def default_days(scale: str) -> int | None:
    from pipelines.simulator.world import SCALES as SIMULATOR_SCALES

    return SIMULATOR_SCALES.get(scale, (None, None))[1]


def store_matches(request: dict[str, Any], manifest: dict | None) -> bool:
    """The store already holds the requested market. `market_request.json` is written only after
    a generation finished (truth included), so an interrupted generation is never reused."""
    recorded = _read_json(settings.sim_store_path() / "market_request.json")
    if not manifest or not recorded:
        return False
    if (manifest.get("scale"), manifest.get("seed")) != (request["scale"], request["seed"]):
        return False
    if recorded.get("scenario") != request["scenario"]:
        return False
    wanted_days = request["days"] or default_days(request["scale"])
    return wanted_days is None or manifest.get("days") == wanted_days


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def generate_market(args: argparse.Namespace, out: TextIO) -> None:
    from pipelines.simulator import generate

    store, truth = settings.sim_store_path(), settings.truth_path()
    print(
        f"Generating the {args.scale} market (seed {args.seed}"
        f"{', scenario ' + args.scenario if args.scenario else ''}"
        f"{f', {args.days} days' if args.days else ''}) into {store} ...",
        file=out,
        flush=True,
    )
    started = time.perf_counter()
    try:
        generate(
            scale=args.scale,
            seed=args.seed,
            scenario_path=args.scenario,
            days=args.days,
            out_dir=store,
            truth_dir=truth,
            progress=lambda message: print(f"  {message}", file=out, flush=True),
        )
    except FileExistsError as error:
        raise UserError(f"{error} - point SIM_STORE_PATH / TRUTH_PATH at an empty folder") from None
    (store / "market_request.json").write_text(json.dumps(market_request(args), indent=2))
    print(f"  market ready in {time.perf_counter() - started:.1f} s", file=out, flush=True)


def market_identity(manifest: dict) -> dict[str, Any]:
    """What makes a warehouse's raw data belong to one market (days excluded: appending is fine)."""
    recorded = _read_json(settings.sim_store_path() / "market_request.json") or {}
    return {
        "scale": manifest.get("scale"),
        "seed": manifest.get("seed"),
        "scenario": recorded.get("scenario") or manifest.get("scenario"),
        "start_date": manifest.get("start_date"),
    }


def reset_warehouse_if_other_market(manifest: dict, out: TextIO) -> None:
    """A warehouse built from another market (or a later as_of_date) would mix two worlds and keep
    cursors past the new data: start it fresh. Same market with more days keeps it (incremental)."""
    marker = settings.data_dir() / MARKET_MARKER
    recorded = _read_json(marker)
    warehouse = settings.warehouse_path()
    if not recorded or not warehouse.exists():
        return
    same_market = recorded.get("market") == market_identity(manifest)
    not_older = str(manifest.get("as_of_date") or "") >= str(recorded.get("as_of_date") or "")
    if same_market and not_older:
        return
    print(
        f"The warehouse {warehouse} holds another market ({recorded.get('market')}, as of "
        f"{recorded.get('as_of_date')}): starting a fresh warehouse.",
        file=out,
        flush=True,
    )
    for path in (warehouse, warehouse.with_name(warehouse.name + ".wal"), marker):
        if path.exists():
            path.unlink()
    shutil.rmtree(settings.dlt_pipelines_dir(), ignore_errors=True)


def record_market(manifest: dict) -> None:
    marker = settings.data_dir() / MARKET_MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(
        json.dumps({"market": market_identity(manifest), "as_of_date": manifest.get("as_of_date")}, indent=2)
    )


# ---------------------------------------------------------------------------------------------
# 3. The build: the full-graph job, in-process, with progress lines
# ---------------------------------------------------------------------------------------------
def cleanup_abandoned_runs(instance: Any) -> None:
    """Runs started by an earlier `make run` whose process died keep their pool slot: mark them
    failed and free the slot, or the next run would wait for it forever."""
    from dagster import DagsterRunStatus, RunsFilter

    runs = instance.get_runs(
        filters=RunsFilter(
            statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING],
            tags={"xborder/entry": "make_run"},
        )
    )
    for run in runs:
        pid = int(run.tags.get("xborder/pid", "0") or 0)
        if pid and pid != os.getpid() and _pid_alive(pid):
            continue
        instance.report_run_failed(run, "abandoned: the `make run` process that started it is gone")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_PROGRESS_EVENTS = (
    "STEP_START",
    "STEP_SUCCESS",
    "STEP_FAILURE",
    "STEP_UP_FOR_RETRY",
    "STEP_RESTARTED",
    "ASSET_MATERIALIZATION",
    "ASSET_CHECK_EVALUATION",
)


@dataclass
class StepProgress:
    started_at: float = 0.0
    assets: int = 0
    rows: int = 0
    checks_passed: int = 0
    checks_failed: int = 0
    last_print: float = 0.0
    printed_assets: int = 0


@dataclass
class ProgressPrinter:
    """Prints one line per step start / finish (and periodic lines for long steps) by following
    the run's events in the instance while the run executes in this process."""

    instance: Any
    run_id: str
    out: TextIO
    interval: float = 0.5
    steps: dict[str, StepProgress] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _cursor: str | None = None

    def __post_init__(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="run-progress", daemon=True)

    def __enter__(self) -> "ProgressPrinter":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._drain()

    def _follow(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._drain()
            except Exception:  # noqa: BLE001 - progress must never break the run
                pass

    def _drain(self) -> None:
        from dagster import DagsterEventType

        types = {DagsterEventType[name] for name in _PROGRESS_EVENTS}
        while True:
            connection = self.instance.get_records_for_run(
                run_id=self.run_id, cursor=self._cursor, of_type=types, limit=500
            )
            for record in connection.records:
                self._handle(record.event_log_entry)
            self._cursor = connection.cursor
            if not connection.has_more:
                break

    def _say(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        self.out.write(f"  {stamp}  {text}\n")
        self.out.flush()

    def _handle(self, entry: Any) -> None:
        event = entry.dagster_event
        if event is None:
            return
        step = event.step_key or "?"
        progress = self.steps.setdefault(step, StepProgress())
        kind = event.event_type_value
        if kind in ("STEP_START", "STEP_RESTARTED"):
            progress.started_at = entry.timestamp
            self._say(f"started   {step}" if kind == "STEP_START" else f"retrying  {step} (Dagster op retry)")
        elif kind == "STEP_UP_FOR_RETRY":
            self._say(f"failed    {step}, will retry: {_first_line(_error_message(event) or event.message)}")
        elif kind == "ASSET_MATERIALIZATION":
            progress.assets += 1
            rows = event.event_specific_data.materialization.metadata.get("rows_loaded")
            if rows is not None:
                progress.rows += int(rows.value or 0)
            now = time.time()
            if progress.assets - progress.printed_assets >= 10 and now - progress.last_print >= 5:
                self._say(f"  ...     {step}: {progress.assets} assets materialised")
                progress.printed_assets, progress.last_print = progress.assets, now
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                progress.checks_passed += 1
            else:
                progress.checks_failed += 1
                blocking = " (blocking)" if getattr(evaluation, "blocking", False) else ""
                self._say(f"check failed: {evaluation.asset_key.to_user_string()} {evaluation.check_name}{blocking}")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            if kind == "STEP_FAILURE":
                self._say(f"FAILED    {step}: {_first_line(_error_message(event))}")
            seconds = max(entry.timestamp - progress.started_at, 0) if progress.started_at else 0
            details = [f"{progress.assets} assets"]
            if progress.rows:
                details.append(f"{progress.rows:,} rows loaded")
            if progress.checks_passed or progress.checks_failed:
                details.append(f"{progress.checks_passed} checks passed, {progress.checks_failed} failed")
            verb = "finished" if kind == "STEP_SUCCESS" else "stopped "
            self._say(f"{verb}  {step} in {seconds:.1f} s ({', '.join(details)})")


def _error_message(event: Any) -> str | None:
    """The innermost cause of a step error (the outer one only says "error in op X")."""
    error = getattr(event.event_specific_data, "error", None)
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message if error is not None else None


def _first_line(text: str | None, limit: int = 300) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return (lines[0] if lines else "")[:limit]


def build_warehouse(
    instance: Any = None,
    *,
    out: TextIO | None = None,
    log_file: Path | None = None,
    tags: dict[str, str] | None = None,
    resources: dict[str, Any] | None = None,
    asset_selection: list[Any] | None = None,
) -> Any:
    """Materialise every asset of `orchestration.defs` in-process; returns the ExecuteInProcessResult.

    The one path from raw to marts: `make run` and the tests call this; the UI's schedule runs
    the same job. Output of dbt/dlt goes to `log_file` (or stays on stdout when None)."""
    from dagster import DagsterInstance

    from orchestration.defs.automation import WAREHOUSE_JOB_NAME
    from orchestration.definitions import defs

    out = out or sys.stdout
    instance = instance or DagsterInstance.get()
    cleanup_abandoned_runs(instance)
    job = defs.resolve_job_def(WAREHOUSE_JOB_NAME)
    run_id = str(uuid.uuid4())
    run_tags = {"xborder/entry": "make_run", "xborder/pid": str(os.getpid()), **(tags or {})}
    run_config = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    with contextlib.ExitStack() as stack:
        if log_file is not None:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handle = stack.enter_context(log_file.open("a", encoding="utf-8"))
            stack.enter_context(contextlib.redirect_stdout(handle))
            stack.enter_context(contextlib.redirect_stderr(handle))
        stack.enter_context(ProgressPrinter(instance, run_id, out))
        return job.execute_in_process(
            run_config=run_config,
            instance=instance,
            raise_on_error=False,
            run_id=run_id,
            tags=run_tags,
            resources=resources,
            asset_selection=asset_selection,
        )


# ---------------------------------------------------------------------------------------------
# 4. The summary
# ---------------------------------------------------------------------------------------------
def _events_of(result: Any, kind: str) -> list[Any]:
    return [e for e in result.all_events if e.event_type_value == kind]


def ingestion_summary(result: Any, manifest: dict | None, seconds: float) -> dict:
    """The dict `pipelines.ingest.format_summary` prints, built from this run's events and the
    ingestion module's own reconciliation (served -> landed -> rejected)."""
    from pipelines.ingest import reconcile
    from pipelines.sources import SOURCES

    warehouse = settings.warehouse_path()
    sources: dict[str, dict] = {}
    faults = {"429": 0, "500": 0, "503": 0, "dup": 0}
    requests = 0
    for event in _events_of(result, "ASSET_MATERIALIZATION"):
        materialization = event.event_specific_data.materialization
        report = materialization.metadata.get("load_report")
        if report is None:
            continue
        dataset = materialization.asset_key.path[0]
        name = dataset.removeprefix("raw_")
        value = report.value
        sources[name] = {
            "source": name,
            "dataset": dataset,
            "new_columns": value.get("new_columns", {}),
            "new_tables": value.get("new_tables", []),
            "notes": value.get("notes", {}),
        }
        delta = value.get("simulator_faults") or {}
        requests += int(delta.get("requests", 0))
        for key in faults:
            faults[key] += int(delta.get(key, 0))
    names = [name for name in SOURCES if name in sources] or list(SOURCES)
    # records a loader drops on purpose (FX `N/A` cells) are counted by the connectors as notes
    skipped = {
        name: {
            resource: sum(n for what, n in counts.items() if what.endswith("skipped"))
            for resource, counts in result["notes"].items()
        }
        for name, result in sources.items()
    }
    reconciliation = reconcile(warehouse, names, manifest, skipped=skipped) if warehouse.exists() else {}
    return {
        "warehouse": str(warehouse),
        "pipelines_dir": str(settings.dlt_pipelines_dir()),
        "seconds": seconds,
        "sources": sources,
        "simulator": {"requests": requests, "faults": faults} if requests else None,
        "reconciliation": reconciliation,
    }


def marts_fed_by_source() -> dict[str, int]:
    """How many mart assets each source's raw tables feed, following the asset lineage."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    marts = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name == "marts"]
    fed: dict[str, int] = {}
    for mart in marts:
        sources = {k.path[0].removeprefix("raw_") for k in graph.upstream_key_iterator(mart) if k.path[0].startswith("raw_")}
        for source in sources:
            fed[source] = fed.get(source, 0) + 1
    return fed


def warehouse_section(manifest_nodes: dict, names: list[str]) -> list[str]:
    """Landed -> staged -> quarantined per source, the marts each source feeds, mart row counts."""
    from orchestration.lib.warehouse import WarehouseLockedError, read_only_connection

    staging: dict[str, list[tuple[str, str]]] = {}
    marts: list[tuple[str, str]] = []
    for node in manifest_nodes.values():
        if node.get("resource_type") != "model" or node.get("config", {}).get("materialized") == "ephemeral":
            continue
        fqn = node.get("fqn") or []
        relation = (node.get("schema"), node.get("alias") or node.get("name"))
        if len(fqn) >= 4 and fqn[1] == "staging" and fqn[-1].startswith("stg_"):
            staging.setdefault(fqn[2], []).append(relation)
        elif len(fqn) >= 3 and fqn[1] == "marts":
            marts.append(relation)
    lines: list[str] = []
    try:
        with read_only_connection() as connection:
            existing = {
                (s, t) for s, t in connection.execute(
                    "select table_schema, table_name from information_schema.tables"
                ).fetchall()
            }

            def count(schema: str, name: str) -> int | None:
                if (schema, name) not in existing:
                    return None
                return int(connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])

            quarantined = _quarantine_by_source(connection, existing)
            fed = marts_fed_by_source()
            header = (
                f"{'source':<12} {'landed':>10} {'staged':>10} {'quarantined':>12} "
                f"{'stg models':>10} {'feeds marts':>12}"
            )
            lines += [header, "-" * len(header)]
            for name in names:
                landed = sum(
                    count(s, t) or 0
                    for (s, t) in existing
                    if s == f"raw_{name}" and "__" not in t and not t.startswith("_dlt") and not t.endswith("_rejects")
                )
                counts = [count(s, t) for s, t in sorted(staging.get(name, []))]
                present = [c for c in counts if c is not None]
                staged = f"{sum(present):,}" if present else "-"
                quarantine = quarantined.get(name)
                lines.append(
                    f"{name:<12} {landed:>10,} {staged:>10} "
                    f"{(f'{quarantine:,}' if quarantine is not None else '-'):>12} "
                    f"{len(present):>10} {fed.get(name, 0):>12}"
                )
            mart_counts = [(f"{s}.{t}", count(s, t)) for s, t in sorted(marts)]
            mart_counts = [(n, c) for n, c in mart_counts if c is not None]
            if mart_counts:
                lines += ["", "marts:"]
                lines += [f"  {n:<48} {c:>12,} rows" for n, c in mart_counts]
            else:
                lines += ["", "marts: none built yet"]
            scores = sorted(t for s, t in existing if s == "ml")
            if scores:
                lines += ["", "scores and suggestions (Python assets):"]
                lines += [f"  {'ml.' + t:<48} {count('ml', t):>12,} rows" for t in scores]
    except WarehouseLockedError as error:
        lines.append(f"(warehouse counts skipped: {error})")
    return lines


def _quarantine_by_source(connection: Any, existing: set[tuple[str, str]]) -> dict[str, int]:
    """Quarantined staging rows per source, when the quarantine model carries a source column."""
    for schema, name in sorted(existing):
        if schema != "quarantine":
            continue
        columns = {
            c for (c,) in connection.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()
        }
        source_column = next((c for c in ("source_name", "source") if c in columns), None)
        if source_column is None and "source_entity" in columns:
            source_column = "split_part(source_entity, '.', 1)"  # '<source>.<entity>'
        if source_column:
            rows = connection.execute(
                f'select {source_column}, count(*) from "{schema}"."{name}" group by 1'
            ).fetchall()
            return {str(k): int(v) for k, v in rows}
    return {}


def not_materialised(result: Any) -> list[str]:
    """Assets the run planned but did not materialise (skipped below a failed test or step)."""
    planned = {e.asset_key for e in _events_of(result, "ASSET_MATERIALIZATION_PLANNED") if e.asset_key}
    done = {e.asset_key for e in _events_of(result, "ASSET_MATERIALIZATION") if e.asset_key}
    return sorted(key.to_user_string() for key in planned - done)


def checks_line(result: Any) -> str:
    evaluations = [e.event_specific_data for e in _events_of(result, "ASSET_CHECK_EVALUATION")]
    failed = [e for e in evaluations if not e.passed]
    blocking = [e for e in failed if getattr(e, "blocking", False)]
    line = f"checks: {len(evaluations) - len(failed)} passed, {len(failed)} failed"
    if failed:
        names = ", ".join(f"{e.asset_key.to_user_string()}:{e.check_name}" for e in failed[:5])
        line += f" ({len(blocking)} blocking) - {names}{' ...' if len(failed) > 5 else ''}"
    return line


def print_summary(result: Any, manifest: dict | None, seconds: float, log_file: Path, out: TextIO) -> list[str]:
    """Prints the summary; returns the planned assets the run did not materialise."""
    from pipelines.ingest import format_summary

    summary = ingestion_summary(result, manifest, seconds)
    names = list(summary["reconciliation"]) or list(summary["sources"])
    print("\n== Ingestion: served by the simulator -> landed -> rejected", file=out)
    print(format_summary(summary), file=out)
    manifest_file = settings.dbt_target_dir() / "manifest.json"
    nodes = json.loads(manifest_file.read_text()).get("nodes", {}) if manifest_file.exists() else {}
    print("\n== Warehouse: landed -> staged (quarantined) -> marts", file=out)
    for line in warehouse_section(nodes, names):
        print(line, file=out)
    materialized = len(_events_of(result, "ASSET_MATERIALIZATION"))
    failed_steps = [e.step_key for e in _events_of(result, "STEP_FAILURE")]
    missing = not_materialised(result)
    status = "FAILED" if not result.success else "INCOMPLETE" if missing else "SUCCESS"
    print("\n== Run", file=out)
    print(
        f"run {result.run_id[:8]}: {status} in {seconds:.0f} s; "
        f"{materialized} assets materialised"
        + (f"; failed steps: {', '.join(sorted(set(failed_steps)))}" if failed_steps else ""),
        file=out,
    )
    print(checks_line(result), file=out)
    if missing:
        names = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        print(f"NOT materialised: {len(missing)} planned assets ({names}): dbt skips the models below a "
              "failing error-severity test, and Dagster skips the assets below those; fix the failed checks above "
              "(details in the run log) and run again.", file=out)
    print("\n== Where things are", file=out)
    where = [
        ("warehouse", settings.warehouse_path()),
        ("ground truth", settings.truth_path()),
        ("simulator store", settings.sim_store_path()),
        ("dbt docs", "make docs -> target/index.html (dbt docs serve --host 127.0.0.1)"),
        ("reports", "make reports (reports/)"),
        ("Dagster UI", f"make ui -> http://127.0.0.1:3000/runs/{result.run_id}"),
        ("run log", log_file),
        ("alerts", settings.alerts_path()),
    ]
    for label, value in where:
        print(f"  {label:<16} {value}", file=out)
    return missing


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m orchestration.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="demo")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scenario", help="scenario YAML (copy pipelines/simulator/scenarios/default.yaml)")
    parser.add_argument("--days", type=int, help="simulated days (default: the scale's)")
    args = parser.parse_args(argv)
    if args.days is not None and args.days < 1:
        parser.error("--days must be at least 1")
    return args


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        from orchestration.lib.instance import prepare_instance_home
        from orchestration.lib.warehouse import WarehouseLockedError, ensure_writable
        from orchestration.prepare import DbtParseError, dbt_parse, export_absolute_paths

        export_absolute_paths()
        if args.scenario and not Path(args.scenario).is_file():
            raise UserError(f"scenario file not found: {args.scenario}")
        validate_scenario(args.scenario)
        try:
            ensure_writable()
        except WarehouseLockedError as error:
            raise UserError(
                f"the warehouse {error.path} is in use by {error.holder} (DuckDB allows one writer): "
                "wait for that run to finish or stop it, or set WAREHOUSE_PATH to another file"
            ) from None

        manifest = settings.sim_manifest()
        if store_matches(market_request(args), manifest):
            print(f"Market: reusing {settings.sim_store_path()} (scale {args.scale}, seed {args.seed}).", file=out)
        else:
            generate_market(args, out)
            manifest = settings.sim_manifest()
        if not manifest:
            raise UserError(f"no market at {settings.sim_store_path()} after generation")
        reset_warehouse_if_other_market(manifest, out)
        record_market(manifest)  # before loading: a failed run still leaves this market's rows

        try:
            parsed = dbt_parse()
            print("dbt parse: " + ("manifest refreshed" if parsed else "manifest up to date"), file=out, flush=True)
        except DbtParseError as error:
            print(f"error: dbt parse failed:\n{error}", file=sys.stderr)
            return 1

        home = prepare_instance_home()
        from dagster import DagsterInstance

        log_file = settings.data_dir() / "logs" / f"run-{dt.datetime.now():%Y%m%d-%H%M%S}.log"
        print(
            f"Building the warehouse (as of {manifest.get('as_of_date')}) with Dagster "
            f"(instance {home}; dbt/dlt output in {log_file}):",
            file=out,
            flush=True,
        )
        with DagsterInstance.get() as instance:
            result = build_warehouse(instance, out=out, log_file=log_file)
        seconds = time.perf_counter() - started
        missing = print_summary(result, manifest, seconds, log_file, out)
        if not result.success:
            from orchestration.lib.alerts import write_alert

            failures = [e for e in _events_of(result, "STEP_FAILURE")]
            path = write_alert(
                {
                    "run_id": result.run_id,
                    "job_name": result.job_def.name,
                    "failed_steps": sorted({e.step_key for e in failures if e.step_key}),
                    "message": _first_line(_error_message(failures[0])) if failures else "run failed",
                    "ui_path": f"/runs/{result.run_id}",
                    "entry": "make_run",
                }
            )
            print(f"\nThe run failed: details in {log_file}; alert written to {path}.", file=out)
            return 1
        if missing:
            print(f"\nThe run finished but left assets unbuilt: details in {log_file}.", file=out)
            return 1
        return 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
