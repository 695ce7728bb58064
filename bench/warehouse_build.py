"""Warehouse build benchmark: a full dbt build versus a one-day incremental dbt build (the ratio is the headline).

    .venv/bin/python -m bench --only warehouse --scales demo              # ~30-40 min on 2 shared cores
    .venv/bin/python -m bench --only warehouse --scales demo --reuse-store --keep   # iterate on the dbt phases

Per scale with N days (the scale's, or `--days`), mirroring tests/warehouse/test_incremental.py at bench scale
(everything under the private `data/bench/<label>-wh/`, never `data/warehouse.duckdb`):

1. **generate** the market for N-1 days (`sim_prev`) and for N days (`sim`), same seed: the simulator's N-day run
   reproduces the first N-1 days and appends one (with late refunds / returns and new identity links);
2. **land** the N-1-day store into `incremental/warehouse.duckdb` (`pipelines.ingest.run_ingestion`, faults on),
   `dbt seed`, then a full `dbt run` (*prepare*: brings the warehouse to yesterday's state; timed, not judged);
3. **land** the N-day store into the same warehouse (dlt merges the appended day) and copy the file to
   `full/warehouse.duckdb` (same file name: dbt views refer to the catalog by it);
4. **T_incremental**: `dbt run` on `incremental/` — the incremental models only recompute their late-arriving
   window (+ re-resolved people), every table model rebuilds (they depend on the as-of date and the identity map);
5. **T_full**: `dbt run --full-refresh` on `full/` — the same N-day raw data, everything rebuilt from scratch.

Only models are timed (`dbt run`, not `dbt build`: no data tests, no unit tests, seeds loaded once in step 2), with
the selection of the Dagster `warehouse_dbt` step (`--exclude source:ml+`: the Python ML tables do not exist in a
bench warehouse, so `fct_attribution` and what is built on it are left out of both runs). Every phase runs in its
own spawned process (`bench.measure` via `bench.ingestion.run_step_monitored`); a dbt phase reports wall seconds,
dbt's CPU seconds and peak RSS (getrusage of the dbt process + the parent's samples of the process tree), the load
average at its start and end, and per model the execution time and `rows_affected` from `target/run_results.json`;
which models are incremental is read from `target/manifest.json` (`config.materialized`).

Results are merged per scale label into `bench/results/warehouse_build.json` (+ `.md`); thresholds (the
`warehouse_build` section of `bench/thresholds.yaml`) are printed PASS/FAIL. Timings are never asserted in tests.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

from bench.ingestion import (DATA_ROOT, FULL_SCALES, ROOT, _git_commit, _machine, _proc_status_mb, label_for,
                             load_results, load_thresholds, run_step_monitored)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_JSON = RESULTS_DIR / "warehouse_build.json"
RESULTS_MD = RESULTS_DIR / "warehouse_build.md"
DBT_EXCLUDE = "source:ml+"  # = orchestration/defs/dbt/assets.py CORE_EXCLUDE (the warehouse_dbt step)
TOP_N = 10


# ----------------------------------------------------------------------------------------------------------------------
# Pure helpers (unit-tested in tests/bench/test_warehouse_build.py; no dbt, no files)
# ----------------------------------------------------------------------------------------------------------------------
def node_name(unique_id: str) -> str:
    return unique_id.split(".")[-1]


def materializations(manifest: dict) -> dict[str, str]:
    """model name -> config.materialized, from a dbt target/manifest.json."""
    return {node_name(uid): (node.get("config") or {}).get("materialized")
            for uid, node in (manifest.get("nodes") or {}).items() if node.get("resource_type") == "model"}


def relations(manifest: dict) -> dict[str, str]:
    """model name -> relation_name (quoted catalog.schema.table) from a dbt manifest."""
    return {node_name(uid): node.get("relation_name")
            for uid, node in (manifest.get("nodes") or {}).items() if node.get("resource_type") == "model"}


def parse_run_results(run_results: dict, materialized: Optional[dict[str, str]] = None) -> dict[str, dict]:
    """model name -> {seconds, status, rows_affected, materialized} from a dbt target/run_results.json."""
    materialized = materialized or {}
    out = {}
    for r in run_results.get("results") or []:
        uid = r.get("unique_id", "")
        if not uid.startswith("model."):
            continue
        name = node_name(uid)
        out[name] = {"seconds": round(float(r.get("execution_time") or 0.0), 2), "status": r.get("status"),
                     "rows_affected": (r.get("adapter_response") or {}).get("rows_affected"),
                     "materialized": materialized.get(name)}
    return out


def slowest(models: dict[str, dict], n: int = TOP_N) -> list[dict]:
    """The n slowest models, slowest first."""
    ranked = sorted(models.items(), key=lambda kv: (-(kv[1].get("seconds") or 0), kv[0]))
    return [{"model": name, **m} for name, m in ranked[:n]]


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 3) if a is not None and b else None


def compare(incremental: dict, full: dict) -> dict:
    """Headline ratios of two successful dbt phase outputs (`dbt_step` results): incremental / full, on wall
    seconds, CPU seconds and dbt's own elapsed time, and for the incremental models alone (sum of their model
    execution times, wall)."""
    inc_models = sorted(name for name, m in full["models"].items() if m.get("materialized") == "incremental")
    inc_sum = sum(incremental["models"].get(name, {}).get("seconds") or 0 for name in inc_models)
    full_sum = sum(full["models"][name].get("seconds") or 0 for name in inc_models)
    full_models = sum(m.get("seconds") or 0 for m in full["models"].values())
    return {"wall": ratio(incremental["seconds"], full["seconds"]),
            "cpu": ratio(incremental["cpu_seconds"], full["cpu_seconds"]),
            "dbt_elapsed": ratio(incremental.get("dbt_elapsed_seconds"), full.get("dbt_elapsed_seconds")),
            "incremental_models": inc_models,
            "incremental_models_seconds": {"incremental": round(inc_sum, 2), "full": round(full_sum, 2)},
            "incremental_models_ratio": ratio(inc_sum, full_sum),
            # share of the full build's model time spent in incremental models: the most an incremental run can
            # save, since every table model rebuilds anyway
            "incremental_models_share_of_full": ratio(full_sum, full_models)}


def _ok(entry: dict) -> bool:
    return bool(entry.get("incremental", {}).get("ok") and entry.get("full", {}).get("ok"))


def check_thresholds(runs: dict, thresholds: dict) -> list[dict]:
    """Every `warehouse_build` threshold against every completed run. Limits are per scale label (`scales.demo`,
    `scales.large`; other labels are reported, not judged); ratios are judged on `basis` (cpu or wall), the other
    basis shown beside."""
    checks: list[dict] = []
    basis = thresholds.get("basis", "cpu")

    def add(check: str, value: Any, op: str, limit: Any, other: str = "") -> None:
        if value is None:
            result = "SKIP (no value)"
        else:
            result = "PASS" if (value >= limit if op == ">=" else value <= limit) else "FAIL"
        checks.append({"check": check, "value": value, "op": op, "limit": limit, "result": result,
                       "other_basis": other})

    for label, e in sorted(runs.items()):
        if not _ok(e):
            failed = next((p for p in ("generate_prev", "generate", "ingest_prev", "seed", "build_prev",
                                       "ingest_appended", "incremental", "full")
                           if p in e.get("phases", {}) and not e["phases"][p].get("ok")), "?")
            err = str((e.get("phases", {}).get(failed) or {}).get("error") or "").splitlines()
            checks.append({"check": f"{label}: benchmark completed", "value": f"{failed}: {err[0] if err else ''}",
                           "op": "==", "limit": "completed",
                           "result": "NOT MEASURED (time cap)" if "time cap" in " ".join(err) else "FAIL",
                           "other_basis": ""})
            continue
        r = e["ratio"]
        other = "wall" if basis == "cpu" else "cpu"
        limits = (thresholds.get("scales") or {}).get(label, {})
        if "ratio_max" in limits:
            add(f"{label}: T_incremental / T_full ({basis})", r.get(basis), "<=", limits["ratio_max"],
                f"{other} {r.get(other)}")
        if "incremental_models_ratio_max" in limits:
            add(f"{label}: incremental models' own time, incremental / full (wall, per-model execution)",
                r.get("incremental_models_ratio"), "<=", limits["incremental_models_ratio_max"])
        if "peak_rss_mb_max" in limits:
            for phase in ("incremental", "full"):
                add(f"{label}: dbt {phase} peak RSS MB", e[phase].get("peak_rss_mb"), "<=", limits["peak_rss_mb_max"])
        if "full_seconds_max" in limits:
            f = e["full"]
            pair = (f["cpu_seconds"], f"wall {f['seconds']}") if basis == "cpu" else (f["seconds"],
                                                                                     f"CPU {f['cpu_seconds']}")
            add(f"{label}: T_full seconds ({basis})", pair[0], "<=", limits["full_seconds_max"], pair[1])
        for name, m in sorted(e.get("incremental_models", {}).items()):
            checks.append({"check": f"{label}: {name} rows written by the incremental run",
                           "value": f"{m.get('rows_affected')!s} of {m.get('table_rows')!s}", "op": "",
                           "limit": "", "result": "INFO", "other_basis": ""})
    return checks


def merge_runs(old: dict, new_runs: dict) -> dict:
    """The results file's runs with `new_runs` replacing the labels they carry (other labels kept)."""
    runs = dict((old or {}).get("runs") or {})
    runs.update(new_runs)
    return runs


# ----------------------------------------------------------------------------------------------------------------------
# Child-process steps (importable, JSON-able results)
# ----------------------------------------------------------------------------------------------------------------------
def _cpu_children() -> float:
    t = os.times()
    return t.children_user + t.children_system


def generate_step(scale: str, seed: int, days: int, out_dir: str, people: Optional[int] = None,
                  log_file: Optional[str] = None) -> dict:
    """The store only (`with_truth=False`: identical store, no counterfactual truth to wait for)."""
    from pipelines.simulator import generate

    t0 = time.perf_counter()
    c0 = time.process_time()
    log = Path(log_file) if log_file else None
    if log is not None:
        log.write_text("")

    def progress(message: str) -> None:
        if log is not None:
            with log.open("a") as fh:
                fh.write(f"[{time.perf_counter() - t0:8.1f}s {_proc_status_mb('VmRSS') or 0:8.0f} MB] {message}\n")

    manifest = generate(scale, seed=seed, days=days, out_dir=out_dir, truth_dir=str(Path(out_dir).parent / "truth"),
                        people=people, progress=progress, with_truth=False)
    rows = sum(int(c["rows"]) for c in manifest["resources"].values())
    return {"people": manifest["people"], "days": manifest["days"], "as_of_date": str(manifest["as_of_date"]),
            "rows_served": rows, "cpu_seconds": round(time.process_time() - c0, 2)}


def ingest_step(store: str, warehouse: str, faults: bool = True) -> dict:
    from pipelines.ingest import run_ingestion

    t = os.times()
    cpu0 = t.user + t.system
    summary = run_ingestion(warehouse=warehouse, store=store, faults=faults, verbose=False)
    t = os.times()
    return {"rows_loaded": sum(r["rows_loaded"] for r in summary["sources"].values()),
            "cpu_seconds": round(t.user + t.system - cpu0, 2),
            "warehouse_mb": round(Path(warehouse).stat().st_size / 2**20, 1)}


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def dbt_env(warehouse: str, as_of_date: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update({"WAREHOUSE_PATH": str(warehouse), "DBT_PROFILES_DIR": str(ROOT), "AS_OF_DATE": as_of_date,
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"})
    return env


def _table_rows(warehouse: str, names: list[str], rels: dict[str, str]) -> dict[str, Optional[int]]:
    import duckdb

    out: dict[str, Optional[int]] = {}
    con = duckdb.connect(warehouse, read_only=True)
    try:
        for name in names:
            try:
                out[name] = con.execute(f"select count(*) from {rels[name]}").fetchone()[0]
            except Exception:  # noqa: BLE001 — a count is a nice-to-have
                out[name] = None
    finally:
        con.close()
    return out


def dbt_step(args: list[str], warehouse: str, workdir: str, as_of_date: str, project_dir: Optional[str] = None,
             tag: str = "dbt", echo_every: int = 25) -> dict:
    """One dbt invocation on `warehouse` with private target / log folders; its CPU seconds and peak RSS (dbt is
    this process's only child), per-model timings and rows_affected. Raises when dbt fails."""
    import resource

    work = Path(workdir)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    target = work / "target"
    project = Path(project_dir) if project_dir else ROOT
    cmd = [dbt_executable(), *args, "--project-dir", str(project), "--target-path", str(target),
           "--log-path", str(work / "logs")]
    load0 = [round(x, 2) for x in os.getloadavg()]
    cpu0 = _cpu_children()
    started = time.perf_counter()
    tail: list[str] = []
    with (work / "dbt.out").open("w") as out_fh:
        proc = subprocess.Popen(cmd, cwd=project, env=dbt_env(warehouse, as_of_date), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        done = 0
        for line in proc.stdout:
            out_fh.write(line)
            tail = (tail + [line.rstrip()])[-60:]
            if " of " in line and any(k in line for k in ("[OK", "[SUCCESS", "[ERROR", "[SKIP", "ERROR creating")):
                done += 1
                if done % echo_every == 0 or "ERROR" in line:
                    print(f"    [{tag} {time.perf_counter() - started:6.0f}s] {line.strip()}", flush=True)
        returncode = proc.wait()
    seconds = time.perf_counter() - started
    cpu = _cpu_children() - cpu0
    dbt_peak = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    load1 = [round(x, 2) for x in os.getloadavg()]
    if returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} exited {returncode}:\n" + "\n".join(tail))
    out: dict[str, Any] = {"command": "dbt " + " ".join(args), "seconds": round(seconds, 2),
                           "cpu_seconds": round(cpu, 2), "dbt_peak_rss_mb": dbt_peak,
                           "loadavg_start": load0, "loadavg_end": load1}
    run_results_file, manifest_file = target / "run_results.json", target / "manifest.json"
    if run_results_file.exists():
        run_results = json.loads(run_results_file.read_text())
        manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else {}
        models = parse_run_results(run_results, materializations(manifest))
        out["dbt_elapsed_seconds"] = round(float(run_results.get("elapsed_time") or 0.0), 2)
        out["models"] = models
        statuses: dict[str, int] = {}
        for m in models.values():
            statuses[str(m["status"])] = statuses.get(str(m["status"]), 0) + 1
        out["statuses"] = statuses
        inc = [n for n, m in models.items() if m.get("materialized") == "incremental"]
        out["table_rows"] = _table_rows(warehouse, inc, relations(manifest)) if inc else {}
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Orchestration (parent process)
# ----------------------------------------------------------------------------------------------------------------------
def _stamp() -> str:
    return _dt.datetime.now().strftime("%H:%M:%S")


def _store_matches(store: Path, scale: str, seed: int, people: Optional[int], days: int) -> bool:
    manifest = store / "manifest.json"
    if not manifest.exists():
        return False
    try:
        m = json.loads(manifest.read_text())
    except json.JSONDecodeError:
        return False
    return (m.get("scale") == scale and m.get("seed") == seed
            and m.get("people") == (people or FULL_SCALES[scale][0]) and m.get("days") == days)


def _rm(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


PROJECT_FILES = ("dbt_project.yml", "packages.yml", "package-lock.yml", "selectors.yml", "dependencies.yml")
PROJECT_DIRS = ("models", "macros", "seeds", "tests/dbt/sql", "analyses", "snapshots", "dbt_packages")


def snapshot_project(dest: Path) -> dict:
    """Copy the dbt project (dbt_project.yml, models, macros, seeds, singular tests, packages) to `dest`, so that
    every dbt phase of a long run builds the same code even when the working tree is edited meanwhile (a seed column
    added between the preparation and the measured runs would break the incremental run). Returns its identity."""
    import hashlib

    _rm(dest)
    dest.mkdir(parents=True)
    digest = hashlib.sha256()
    for name in PROJECT_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, dest / name)
    for name in PROJECT_DIRS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for f in sorted(p for p in dest.rglob("*") if p.is_file()):
        digest.update(str(f.relative_to(dest)).encode())
        digest.update(f.read_bytes())
    try:
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *PROJECT_FILES, *PROJECT_DIRS], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        dirty = []
    return {"path": str(dest), "sha256": digest.hexdigest()[:16], "git": _git_commit(),
            "uncommitted_dbt_files": [line[3:] for line in dirty]}


def _phase(entry: dict, name: str, func: Callable[..., dict], say, time_cap, memory_cap_mb, **kwargs) -> bool:
    """Run one phase in its own process, record it in entry['phases'][name]; True when it succeeded."""
    load0 = [round(x, 2) for x in os.getloadavg()]
    step, monitor = run_step_monitored(name, func, time_cap=time_cap, memory_cap_mb=memory_cap_mb, **kwargs)
    rec = vars(step)
    rec["loadavg_start"], rec["loadavg_end"] = load0, [round(x, 2) for x in os.getloadavg()]
    rec["sampled_peak_rss_mb"] = monitor["sampled_peak_rss_mb"]
    if monitor.get("stopped_at_cap"):
        rec["stopped_at_cap"] = monitor["stopped_at_cap"]
    # the step's peak: the child's own (getrusage), dbt's (getrusage of children) and the parent's samples of the tree
    rec["peak_rss_mb"] = max(step.peak_rss_mb or 0, (step.output or {}).get("dbt_peak_rss_mb") or 0,
                             monitor["sampled_peak_rss_mb"] or 0)
    entry.setdefault("phases", {})[name] = rec
    if not step.ok:
        say(f"[{entry['label']}] {_stamp()} {name} FAILED after {step.seconds:.0f} s: "
            f"{str(step.error).splitlines()[0] if step.error else ''}")
        say(str(step.error)[-3000:])
    return step.ok


def _dbt_summary(rec: dict) -> dict:
    """The headline fields of a dbt phase record (full per-model timings stay in the phase record)."""
    out = rec.get("output") or {}
    return {"ok": rec["ok"], "seconds": out.get("seconds", rec["seconds"]), "cpu_seconds": out.get("cpu_seconds"),
            "dbt_elapsed_seconds": out.get("dbt_elapsed_seconds"), "peak_rss_mb": rec.get("peak_rss_mb"),
            "loadavg_start": out.get("loadavg_start"), "loadavg_end": out.get("loadavg_end"),
            "statuses": out.get("statuses"), "models": out.get("models", {}),
            "slowest": slowest(out.get("models", {})), "error": rec.get("error")}


def run_scale(scale: str, seed: int = 42, people: Optional[int] = None, days: Optional[int] = None,
              faults: bool = True, reuse_store: bool = False, keep: bool = False, time_cap: Optional[float] = None,
              memory_cap_mb: Optional[float] = None, say=print) -> dict:
    label = label_for(scale, people, days)
    n_days = days or FULL_SCALES[scale][1]
    base = DATA_ROOT / f"{label}-wh"
    sim_prev, sim = base / "sim_prev", base / "sim"
    inc_dir, full_dir, prepared_dir = base / "incremental", base / "full", base / "prepared"
    inc_wh, full_wh, prepared_wh = (d / "warehouse.duckdb" for d in (inc_dir, full_dir, prepared_dir))
    base.mkdir(parents=True, exist_ok=True)
    entry: dict[str, Any] = {"label": label, "scale": scale, "seed": seed, "people_override": people,
                             "days": n_days, "faults": faults, "dbt_exclude": DBT_EXCLUDE,
                             "started_at": _dt.datetime.now().isoformat(timespec="seconds"), "git": _git_commit(),
                             "machine_at_start": _machine(), "phases": {}}
    caps = {"time_cap": time_cap, "memory_cap_mb": memory_cap_mb, "say": say}
    entry["dbt_project"] = snapshot_project(base / "project")
    project_dir = entry["dbt_project"]["path"]
    previous = load_results(RESULTS_JSON).get("runs", {}).get(label, {})
    marker = base / "prepared.json"
    stores_ok = (_store_matches(sim_prev, scale, seed, people, n_days - 1)
                 and _store_matches(sim, scale, seed, people, n_days))

    def dbt(name: str, args: list[str], warehouse: Path, as_of_date: str) -> bool:
        return _phase(entry, name, dbt_step, args=args, warehouse=str(warehouse), workdir=str(base / f"dbt_{name}"),
                      as_of_date=str(as_of_date), project_dir=project_dir, tag=name, **caps)

    def finish_entry(ok: bool) -> dict:
        entry["machine_at_end"] = _machine()
        entry["finished_at"] = _dt.datetime.now().isoformat(timespec="seconds")
        if not keep:
            _rm(inc_dir, full_dir, prepared_dir, marker)
        return entry

    say(f"[{label}] {_stamp()} warehouse build benchmark: {n_days - 1} days built in full, then day {n_days} "
        f"appended -> incremental vs full refresh (dbt run --exclude {DBT_EXCLUDE}) under {base}")
    # ---- prepare: stores, landed N-1 days, built, N-th day landed ---------------------------------------------------
    reuse_prepared = (reuse_store and stores_ok and prepared_wh.exists() and marker.exists()
                      and json.loads(marker.read_text()).get("label") == label and previous.get("phases"))
    if reuse_prepared:
        say(f"[{label}] {_stamp()} reusing the prepared warehouse {prepared_wh} (preparation numbers from "
            f"{previous.get('started_at')})")
        prepared_with = json.loads(marker.read_text()).get("dbt_project_sha256")
        if prepared_with != entry["dbt_project"]["sha256"]:
            entry["dbt_project"]["prepared_with_sha256"] = prepared_with
            say(f"[{label}]   NOTE: the dbt project changed since that warehouse was prepared ({prepared_with} -> "
                f"{entry['dbt_project']['sha256']}); the incremental run builds on state from the older project")
        entry["phases"] = {k: {**v, "reused_from": previous.get("started_at")} for k, v in previous["phases"].items()
                           if k not in ("incremental", "full")}
        as_of = json.loads((sim / "manifest.json").read_text())["as_of_date"]
    else:
        for name, store, n in (("generate_prev", sim_prev, n_days - 1), ("generate", sim, n_days)):
            if reuse_store and _store_matches(store, scale, seed, people, n) and previous.get("phases", {}).get(name):
                say(f"[{label}] {_stamp()} reusing store {store} ({n} days)")
                entry["phases"][name] = {**previous["phases"][name], "reused_from": previous.get("started_at")}
                continue
            say(f"[{label}] {_stamp()} generate {n} days ({scale}, seed {seed}) -> {store}")
            _rm(store)
            if not _phase(entry, name, generate_step, scale=scale, seed=seed, days=n, out_dir=str(store),
                          people=people, log_file=str(base / f"{name}.log"), **caps):
                return finish_entry(False)
            rec = entry["phases"][name]
            say(f"[{label}]   {rec['output']['rows_served']:,} rows served, {rec['seconds']:.0f} s, "
                f"peak {rec['peak_rss_mb']:,.0f} MB")
        as_of_prev = json.loads((sim_prev / "manifest.json").read_text())["as_of_date"]
        as_of = json.loads((sim / "manifest.json").read_text())["as_of_date"]
        _rm(inc_dir, full_dir, prepared_dir, marker)
        inc_dir.mkdir(parents=True)
        say(f"[{label}] {_stamp()} land the {n_days - 1}-day store -> {inc_wh}")
        if not _phase(entry, "ingest_prev", ingest_step, store=str(sim_prev), warehouse=str(inc_wh), faults=faults,
                      **caps):
            return finish_entry(False)
        say(f"[{label}]   {entry['phases']['ingest_prev']['output']['rows_loaded']:,} rows landed in "
            f"{entry['phases']['ingest_prev']['seconds']:.0f} s")
        say(f"[{label}] {_stamp()} dbt seed + full dbt run of the {n_days - 1}-day warehouse (as of {as_of_prev}; "
            f"prepares yesterday's state, not judged)")
        if not dbt("seed", ["seed"], inc_wh, as_of_prev):
            return finish_entry(False)
        if not dbt("build_prev", ["run", "--exclude", DBT_EXCLUDE], inc_wh, as_of_prev):
            return finish_entry(False)
        say(f"[{label}]   T_full_prev {entry['phases']['build_prev']['output']['seconds']:.0f} s")
        say(f"[{label}] {_stamp()} land the {n_days}-day store (day {n_days} appended) -> {inc_wh}")
        if not _phase(entry, "ingest_appended", ingest_step, store=str(sim), warehouse=str(inc_wh), faults=faults,
                      **caps):
            return finish_entry(False)
        say(f"[{label}]   {entry['phases']['ingest_appended']['output']['rows_loaded']:,} rows landed in "
            f"{entry['phases']['ingest_appended']['seconds']:.0f} s")
        prepared_dir.mkdir(parents=True)
        shutil.copy(inc_wh, prepared_wh)
        marker.write_text(json.dumps({"label": label, "as_of_date": str(as_of), "at": entry["started_at"],
                                      "dbt_project_sha256": entry["dbt_project"]["sha256"]}))
    # ---- the two measured builds on copies of the prepared warehouse ------------------------------------------------
    for d, wh in ((inc_dir, inc_wh), (full_dir, full_wh)):
        if d != inc_dir or reuse_prepared:
            _rm(d)
            d.mkdir(parents=True)
            shutil.copy(prepared_wh, wh)
    say(f"[{label}] {_stamp()} T_incremental: dbt run --exclude {DBT_EXCLUDE} on {inc_wh} (as of {as_of})")
    if not dbt("incremental", ["run", "--exclude", DBT_EXCLUDE], inc_wh, as_of):
        entry["incremental"] = _dbt_summary(entry["phases"]["incremental"])
        return finish_entry(False)
    entry["incremental"] = _dbt_summary(entry["phases"]["incremental"])
    say(f"[{label}]   T_incremental {entry['incremental']['seconds']:.0f} s wall, "
        f"{entry['incremental']['cpu_seconds']:.0f} CPU s")
    say(f"[{label}] {_stamp()} T_full: dbt run --full-refresh --exclude {DBT_EXCLUDE} on {full_wh}")
    if not dbt("full", ["run", "--full-refresh", "--exclude", DBT_EXCLUDE], full_wh, as_of):
        entry["full"] = _dbt_summary(entry["phases"]["full"])
        return finish_entry(False)
    entry["full"] = _dbt_summary(entry["phases"]["full"])
    entry["ratio"] = compare(entry["incremental"], entry["full"])
    table_rows = (entry["phases"]["incremental"]["output"] or {}).get("table_rows", {})
    entry["incremental_models"] = {
        name: {"rows_affected": entry["incremental"]["models"].get(name, {}).get("rows_affected"),
               "table_rows": table_rows.get(name),
               "seconds_incremental": entry["incremental"]["models"].get(name, {}).get("seconds"),
               "seconds_full": entry["full"]["models"].get(name, {}).get("seconds")}
        for name in entry["ratio"]["incremental_models"]}
    # per-model timings live in incremental/full; drop the duplicates from the phase records
    for phase in ("incremental", "full", "build_prev", "seed"):
        out = (entry["phases"].get(phase) or {}).get("output") or {}
        out.pop("models", None)
    finish_entry(True)
    say(format_run(entry))
    return entry


# ----------------------------------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------------------------------
def _load(entry_part: dict) -> str:
    a, b = entry_part.get("loadavg_start"), entry_part.get("loadavg_end")
    return f"{a[0] if a else '?'} -> {b[0] if b else '?'}"


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, (int, float)) else "?"


def format_run(e: dict) -> str:
    inc, full, r = e["incremental"], e["full"], e["ratio"]
    lines = [f"\n== warehouse build at {e['label']} ({e['days']} days; dbt run --exclude {e['dbt_exclude']}; models "
             f"only, no tests)",
             f"   T_full        {full['seconds']:8.1f} s wall {full['cpu_seconds']:8.1f} CPU s  peak "
             f"{full['peak_rss_mb']:,.0f} MB  load {_load(full)}",
             f"   T_incremental {inc['seconds']:8.1f} s wall {inc['cpu_seconds']:8.1f} CPU s  peak "
             f"{inc['peak_rss_mb']:,.0f} MB  load {_load(inc)}",
             f"   ratio T_incremental / T_full: wall {r['wall']}  CPU {r['cpu']}  dbt elapsed {r['dbt_elapsed']}; "
             f"incremental models alone {r['incremental_models_ratio']} (they are "
             f"{r['incremental_models_share_of_full']} of the full build's model time)",
             f"   {'incremental model':<30}{'rows written':>14}{'table rows':>12}{'incr s':>9}{'full s':>9}"]
    for name, m in sorted(e["incremental_models"].items()):
        lines.append(f"   {name:<30}{_n(m['rows_affected']):>14}{_n(m['table_rows']):>12}"
                     f"{m['seconds_incremental'] or 0:>9.1f}{m['seconds_full'] or 0:>9.1f}")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    md = ["# Warehouse build benchmark: full vs one-day incremental", "",
          "Written by `python -m bench --only warehouse` (`make bench`); see `bench/README.md`. Only models are "
          "timed (`dbt run --exclude source:ml+`, the Dagster `warehouse_dbt` selection without its tests; the ML "
          "tables and `fct_attribution+` are absent in a bench warehouse). T_incremental = `dbt run` after one day "
          "was appended to a warehouse built the day before; T_full = `dbt run --full-refresh` of the same raw data. "
          "Timings come from a shared 2-core machine: read the load average beside them and prefer the ratios.", ""]
    for label, e in sorted(results.get("runs", {}).items()):
        if not _ok(e):
            failed = [(k, v) for k, v in e.get("phases", {}).items() if not v.get("ok")]
            md += [f"## {label}: FAILED", "", f"- started {e['started_at']} on {e['git']}"]
            for k, v in failed:
                md += [f"- {k}: after {v.get('seconds', 0):,.0f} s", "", "```", str(v.get("error"))[-2000:], "```"]
            md.append("")
            continue
        inc, full, r, ph = e["incremental"], e["full"], e["ratio"], e["phases"]
        prep = []
        for k, what in (("generate_prev", f"generate {e['days'] - 1} days"), ("generate", f"generate {e['days']} days"),
                        ("ingest_prev", f"land {e['days'] - 1} days"), ("seed", "dbt seed"),
                        ("build_prev", "full build of the day before (T_full_prev)"),
                        ("ingest_appended", f"land day {e['days']}")):
            if k in ph:
                prep.append(f"{what} {ph[k].get('output', {}).get('seconds', ph[k]['seconds']):,.0f} s"
                            + (" (reused)" if ph[k].get("reused_from") else ""))
        md += [f"## {label}", "",
               f"- {e['days']} days, seed {e['seed']}, run {e['started_at']} on {e['git']}; load average "
               f"{e['machine_at_start']['loadavg_1_5_15'][0]} -> {e['machine_at_end']['loadavg_1_5_15'][0]} on "
               f"{e['machine_at_start']['cpus']} CPUs",
               f"- preparation (not judged): {'; '.join(prep)}", "",
               "| build | wall s | CPU s | dbt elapsed s | peak RSS MB | load avg start → end | models |",
               "|---|--:|--:|--:|--:|---|---|"]
        for name, b in (("**T_full** (`--full-refresh`)", full), ("**T_incremental**", inc)):
            md.append(f"| {name} | {b['seconds']:,.1f} | {b['cpu_seconds']:,.1f} "
                      f"| {b.get('dbt_elapsed_seconds') or 0:,.1f} | {b['peak_rss_mb']:,.0f} | {_load(b)} | "
                      f"{', '.join(f'{n} {s}' for s, n in sorted((b.get('statuses') or {}).items()))} |")
        md += ["", f"**Ratio T_incremental / T_full: {r['wall']} (wall), {r['cpu']} (CPU)**, {r['dbt_elapsed']} (dbt's "
               f"own elapsed time, without start-up and parsing). The incremental models alone: "
               f"{r['incremental_models_seconds']['incremental']} s vs {r['incremental_models_seconds']['full']} s "
               f"= {r['incremental_models_ratio']}; in the full build they are {r['incremental_models_share_of_full']} "
               f"of the summed model time, which bounds what an incremental run can save (the table models rebuild "
               f"every run).", "",
               "| incremental model | rows written (rows_affected) | table rows | share | incremental s | full s |",
               "|---|--:|--:|--:|--:|--:|"]
        for name, m in sorted(e["incremental_models"].items()):
            share = ratio(m["rows_affected"], m["table_rows"])
            md.append(f"| {name} | {_n(m['rows_affected'])} | {_n(m['table_rows'])} | {share} | "
                      f"{m['seconds_incremental'] or 0:.1f} | {m['seconds_full'] or 0:.1f} |")
        for title, b in (("full build", full), ("incremental build", inc)):
            md += ["", f"{TOP_N} slowest models of the {title}:", "", "| model | materialized | s | rows_affected |",
                   "|---|---|--:|--:|"]
            for m in b["slowest"]:
                md.append(f"| {m['model']} | {m.get('materialized')} | {m['seconds']:.1f} | "
                          f"{m['rows_affected'] if m.get('rows_affected') is not None else ''} |")
        md.append("")
    if results.get("thresholds"):
        md += ["## Thresholds (`bench/thresholds.yaml`, `warehouse_build`)", "",
               "| check | value | limit | other basis | result |", "|---|--:|--:|--:|---|"]
        for c in results["thresholds"]:
            md.append(f"| {c['check']} | {c['value']} | {c['op']} {c['limit']} | {c.get('other_basis', '')} "
                      f"| {c['result']} |")
        md.append("")
    return "\n".join(md) + "\n"


def finish(new_runs: dict, path_json: Path = RESULTS_JSON, path_md: Path = RESULTS_MD, say=print) -> dict:
    """Merge the new runs into the results file, judge the thresholds, write JSON + md, print the checks."""
    from bench.measure import write_results

    runs = merge_runs(load_results(path_json), new_runs)
    results = {"about": "python -m bench --only warehouse (bench/warehouse_build.py); one entry per scale label, "
                        "latest run each; timings from a shared machine, see the load averages", "runs": runs}
    results["thresholds"] = check_thresholds(runs, load_thresholds(section="warehouse_build"))
    write_results(path_json, results)
    path_md.write_text(markdown(results))
    say("\n== warehouse build thresholds (bench/thresholds.yaml, warehouse_build)")
    for c in results["thresholds"]:
        other = f"   [{c['other_basis']}]" if c.get("other_basis") else ""
        say(f"  {c['result']:<22} {c['check']}: {c['value']} {c['op']} {c['limit']}{other}")
    say(f"\nwritten {path_json.relative_to(ROOT)} and {path_md.relative_to(ROOT)}")
    return results
