"""Ingestion benchmark: generate a market, land every source, measure rows/s per source and peak memory.

    .venv/bin/python -m bench --only ingestion --scales demo            # the usual run (a few minutes)
    .venv/bin/python -m bench --only ingestion --scales large            # ~1M people, 365 days (long)
    .venv/bin/python -m bench --only ingestion --scales large --people 100000   # large calendar, fewer people

Per scale, two steps each in their own spawned process (`bench.measure.run_step`, so peak RSS is the step's own):

1. **generate** — `pipelines.simulator.generate` into `data/bench/<label>/sim` (+ truth), time and peak memory;
2. **ingest** — `pipelines.ingest.run_ingestion` of every source from that store into a private DuckDB file
   `data/bench/<label>/warehouse.duckdb` (never the real warehouse), with the simulator's faults on as in `make run`.
   Inside the child each source is also measured on its own: wall seconds, CPU seconds (less sensitive than wall time
   to other jobs on a shared machine), dlt's extract / normalize / load split, and the process's peak RSS during that
   source (Linux: the high-water mark is reset before each source via /proc/self/clear_refs).

Results are merged per scale label into `bench/results/ingestion.json` (+ `ingestion.md`), so a `large` run on its
own keeps the last `demo` numbers; the scaling section compares every pair of labels present (rows ratio vs time
ratio). A run with `--people` is an *intermediate* scale (label `large-100000p`); from two such runs, or one plus
`demo`, the large numbers are **extrapolated** and labelled so. Timings are never asserted in tests.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
RESULTS_JSON = RESULTS_DIR / "ingestion.json"
RESULTS_MD = RESULTS_DIR / "ingestion.md"
DATA_ROOT = ROOT / "data" / "bench"
FULL_SCALES = {"small": (2_000, 60), "demo": (20_000, 180), "large": (1_000_000, 365)}  # mirrors simulator SCALES

# Source kinds for thresholds: how the rows reach dlt.
SOURCE_KINDS = {
    "web_events": "files",  # daily NDJSON export files parsed with DuckDB into Arrow
    "fx": "files",  # one ECB CSV
    "amazon_ads": "async_report",  # request -> poll -> download
}
DEFAULT_KIND = "rest_api"  # paginated JSON over HTTP, validated record by record


def source_kind(name: str) -> str:
    return SOURCE_KINDS.get(name, DEFAULT_KIND)


def label_for(scale: str, people: Optional[int], days: Optional[int]) -> str:
    label = scale
    if people:
        label += f"-{people}p"
    if days:
        label += f"-{days}d"
    return label


# ----------------------------------------------------------------------------------------------------------------------
# Child-process steps (importable, JSON-able results)
# ----------------------------------------------------------------------------------------------------------------------
def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _proc_status_mb(field: str) -> Optional[float]:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _phases(marks: list[tuple[str, float, float]]) -> dict[str, dict[str, float]]:
    """Generation phases from the simulator's progress lines: wall and CPU seconds of each."""
    boundaries = [("build world", "world:"), ("simulate real world", "simulated:"), ("render + write store", "store:"),
                  ("truth: counterfactual worlds", "truth: monte carlo"), ("truth: rollouts + files", "done")]
    out: dict[str, dict[str, float]] = {}
    prev_t = prev_c = 0.0
    for phase, prefix in boundaries:
        hit = next(((t, c) for m, t, c in marks if m.lower().startswith(prefix)), None)
        if hit is None:
            continue
        out[phase] = {"seconds": round(hit[0] - prev_t, 1), "cpu_seconds": round(hit[1] - prev_c, 1)}
        prev_t, prev_c = hit
    return out


def generate_step(scale: str, seed: int, out_dir: str, truth_dir: str, people: Optional[int] = None,
                  days: Optional[int] = None, log_file: Optional[str] = None) -> dict:
    from pipelines.simulator import generate

    cpu0 = _cpu_seconds()
    started = time.perf_counter()
    marks: list[tuple[str, float, float]] = []  # (message, wall s, cpu s) of each progress line
    log = Path(log_file) if log_file else None

    def progress(message: str) -> None:
        t, c = time.perf_counter() - started, _cpu_seconds() - cpu0
        marks.append((message.strip(), t, c))
        if log is not None:
            with log.open("a") as fh:
                fh.write(f"[{t:8.1f}s wall {c:8.1f}s cpu {_proc_status_mb('VmRSS') or 0:8.0f} MB] {message}\n")

    if log is not None:
        log.write_text("")
    manifest = generate(scale, seed=seed, days=days, out_dir=out_dir, truth_dir=truth_dir, people=people,
                        progress=progress)
    marks.append(("done", time.perf_counter() - started, _cpu_seconds() - cpu0))
    resources = manifest["resources"]
    by_source: dict[str, int] = {}
    for key, counts in resources.items():
        by_source[key.split("/")[0]] = by_source.get(key.split("/")[0], 0) + int(counts["rows"])
    return {"people": manifest["people"], "days": manifest["days"], "as_of_date": manifest["as_of_date"],
            "rows_served": sum(by_source.values()), "rows_served_by_source": by_source,
            "web_event_files": manifest.get("web_event_files"), "cpu_seconds": round(_cpu_seconds() - cpu0, 2),
            "phases": _phases(marks),
            "store_mb": round(sum(f.stat().st_size for f in Path(out_dir).rglob("*") if f.is_file()) / 2**20, 1)}


def _dlt_steps(name: str, warehouse: Path) -> dict[str, float]:
    """extract / normalize / load seconds of the source's last dlt run (from the trace dlt keeps on disk)."""
    try:
        import dlt

        from pipelines.ingest import pipelines_dir

        pipeline = dlt.attach(pipeline_name=f"ingest_{name}", pipelines_dir=str(pipelines_dir(warehouse)))
        trace = pipeline.last_trace
        out = {}
        for step in trace.steps if trace else []:
            if step.step in ("extract", "normalize", "load") and step.finished_at and step.started_at:
                out[step.step] = round((step.finished_at - step.started_at).total_seconds(), 2)
        return out
    except Exception:  # noqa: BLE001 — the split is a nice-to-have
        return {}


def ingest_step(store: str, warehouse: str, faults: bool = True, sources: Optional[list[str]] = None) -> dict:
    """Land every source via `run_ingestion`, with per-source CPU, memory and dlt step split recorded around each."""
    import pipelines.ingest as ingest

    wh = Path(warehouse).resolve()
    extra: dict[str, dict[str, Any]] = {}
    original = ingest.run_source
    hwm_resettable = _reset_peak_rss()

    def measured_run_source(name: str, *args: Any, **kwargs: Any) -> dict:
        _reset_peak_rss()
        rss_before = _proc_status_mb("VmRSS")
        cpu0 = _cpu_seconds()
        result = original(name, *args, **kwargs)
        extra[name] = {"cpu_seconds": round(_cpu_seconds() - cpu0, 2), "rss_before_mb": rss_before,
                       "rss_after_mb": _proc_status_mb("VmRSS"),
                       "peak_rss_mb": _proc_status_mb("VmHWM") if hwm_resettable else None,
                       "dlt_steps": _dlt_steps(name, wh)}
        return result

    ingest.run_source = measured_run_source  # measurement wrapper inside this child only
    cpu0 = _cpu_seconds()
    started = time.perf_counter()
    try:
        summary = ingest.run_ingestion(sources, warehouse=wh, store=store, faults=faults, verbose=False)
    finally:
        ingest.run_source = original
    seconds = time.perf_counter() - started
    per_source = {}
    for name, r in summary["sources"].items():
        recon = summary["reconciliation"].get(name, [])
        served = sum(x["served"] or 0 for x in recon)
        landed = sum(x["landed"] for x in recon)
        rejected = sum(x["rejected"] for x in recon)
        mismatched = [x["resource"] for x in recon
                      if x["served"] is not None and x["landed"] + x["rejected"] != x["served"]]
        cpu = extra.get(name, {}).get("cpu_seconds")
        per_source[name] = {
            "kind": source_kind(name), "rows_loaded": r["rows_loaded"], "seconds": r["seconds"],
            "rows_per_second": r["rows_per_second"],
            "rows_per_cpu_second": round(r["rows_loaded"] / cpu) if cpu else None,
            "tables_loaded": r["tables_loaded"], "http": r["http"],
            "served": served, "landed": landed, "rejected": rejected, "reconciled": not mismatched,
            "mismatched_resources": mismatched, **extra.get(name, {}),
        }
    rows = sum(s["rows_loaded"] for s in per_source.values())
    cpu = _cpu_seconds() - cpu0
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "rows_loaded": rows,
            "rows_per_second": round(rows / seconds) if seconds else None,
            "rows_per_cpu_second": round(rows / cpu) if cpu else None,
            "warehouse_mb": round(wh.stat().st_size / 2**20, 1) if wh.exists() else None,
            "simulator": summary.get("simulator"), "sources": per_source}


# ----------------------------------------------------------------------------------------------------------------------
# Orchestration (parent process)
# ----------------------------------------------------------------------------------------------------------------------
def _machine() -> dict:
    load = os.getloadavg()
    info: dict[str, Any] = {"cpus": os.cpu_count(), "loadavg_1_5_15": [round(x, 2) for x in load]}
    try:
        mem = {l.split(":")[0]: int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()}
        info["mem_total_gb"] = round(mem["MemTotal"] / 2**20, 1)
        info["mem_available_gb"] = round(mem["MemAvailable"] / 2**20, 1)
    except (OSError, KeyError, ValueError):
        pass
    return info


def _git_commit() -> Optional[str]:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "pipelines"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+dirty(pipelines)" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _store_matches(store: Path, scale: str, seed: int, people: Optional[int], days: Optional[int]) -> bool:
    manifest = store / "manifest.json"
    if not manifest.exists():
        return False
    m = json.loads(manifest.read_text())
    want_people, want_days = FULL_SCALES[scale]
    return (m.get("scale") == scale and m.get("seed") == seed and m.get("people") == (people or want_people)
            and m.get("days") == (days or want_days))


def run_step_monitored(name: str, func, time_cap: Optional[float] = None, memory_cap_mb: Optional[float] = None,
                       sample_every: float = 5.0, **kwargs: Any) -> tuple[Any, dict]:
    """`bench.measure.run_step` plus a parent-side RSS sampler and optional time / memory caps.

    The sampler gives a memory trajectory (useful when a step is stopped). At a cap the child gets SIGINT, which
    `measure._child` turns into a failed result carrying its peak RSS; if it does not answer within a minute it is
    killed and the sampled peak is reported instead. The memory cap protects a shared machine from a step that
    would grow without bound (set it above the threshold you want to judge)."""
    import signal
    import threading

    import psutil

    from bench.measure import StepResult, run_step

    me = psutil.Process()
    before = {p.pid for p in me.children()}
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.setdefault("step", run_step(name, func, **kwargs)), daemon=True)
    started = time.perf_counter()
    thread.start()
    child = None
    peak = 0.0
    trajectory: list[list[float]] = []
    last_kept = -1e9
    capped = None
    while thread.is_alive():
        thread.join(sample_every)
        elapsed = time.perf_counter() - started
        if child is None:
            for p in me.children():
                try:
                    if p.pid not in before and "resource_tracker" not in " ".join(p.cmdline()):
                        child = p
                        break
                except psutil.Error:
                    continue
        if child is not None:
            try:
                rss = sum(p.memory_info().rss for p in [child, *child.children(recursive=True)]) / 2**20
            except psutil.Error:
                rss = 0.0
            peak = max(peak, rss)
            if rss and elapsed - last_kept >= 60:
                trajectory.append([round(elapsed), round(rss)])
                last_kept = elapsed
        if child is not None and capped is None:
            if time_cap and elapsed > time_cap:
                capped = f"stopped at the time cap of {time_cap:.0f} s"
            elif memory_cap_mb and peak > memory_cap_mb:
                capped = f"stopped at the memory cap: RSS {peak:,.0f} MB > {memory_cap_mb:,.0f} MB after {elapsed:.0f} s"
        if capped:
            try:
                child.send_signal(signal.SIGINT)
            except psutil.Error:
                pass
            thread.join(60)
            if thread.is_alive():
                try:
                    child.kill()
                except psutil.Error:
                    pass
                thread.join(5)
            break
    step = box.get("step")
    if step is None:
        step = StepResult(name=name, seconds=round(time.perf_counter() - started, 3), peak_rss_mb=round(peak, 1),
                          ok=False, error="killed")
    trajectory.append([round(time.perf_counter() - started), round(peak)])
    monitor = {"sampled_peak_rss_mb": round(peak, 1), "trajectory_s_mb": trajectory, "time_cap_s": time_cap,
               "memory_cap_mb": memory_cap_mb, "stopped_at_cap": capped}
    if capped:
        step.ok = False
        step.peak_rss_mb = max(step.peak_rss_mb, round(peak, 1))
        step.error = capped + (f" ({step.error.splitlines()[0]})" if step.error else "")
    return step, monitor


def run_scale(scale: str, seed: int = 42, people: Optional[int] = None, days: Optional[int] = None,
              faults: bool = True, reuse_store: bool = False, keep: bool = False,
              sources: Optional[list[str]] = None, time_cap: Optional[float] = None,
              memory_cap_mb: Optional[float] = None, say=print) -> dict:
    label = label_for(scale, people, days)
    base = DATA_ROOT / label
    store, truth, warehouse = base / "sim", base / "truth", base / "warehouse.duckdb"
    base.mkdir(parents=True, exist_ok=True)
    entry: dict[str, Any] = {"label": label, "scale": scale, "seed": seed, "people_override": people,
                             "days_override": days, "faults": faults,
                             "started_at": _dt.datetime.now().isoformat(timespec="seconds"),
                             "git": _git_commit(), "machine_at_start": _machine()}
    previous = load_results().get("runs", {}).get(label, {})
    if reuse_store and _store_matches(store, scale, seed, people, days) and previous.get("generate"):
        say(f"[{label}] reusing store {store} (generation numbers from {previous.get('started_at')})")
        entry["generate"] = {**previous["generate"], "reused_from": previous.get("started_at")}
    else:
        say(f"[{label}] generate ({scale}, seed {seed}{f', {people} people' if people else ''}"
            f"{f', {days} days' if days else ''}) -> {store}")
        step, monitor = run_step_monitored("generate", generate_step, time_cap=time_cap,
                                           memory_cap_mb=memory_cap_mb, scale=scale, seed=seed,
                                           out_dir=str(store), truth_dir=str(truth), people=people, days=days,
                                           log_file=str(base / "generate.log"))
        entry["generate"] = vars(step)
        entry["generate_monitor"] = monitor
        log = base / "generate.log"
        lines = log.read_text().splitlines() if log.exists() else []
        entry["generate"]["last_progress"] = lines[-1].strip() if lines else None
        if not step.ok:
            say(f"[{label}] generation FAILED: {step.error}")
            entry["machine_at_end"] = _machine()
            return entry
        out = step.output
        say(f"[{label}]   {out['people']:,} people, {out['days']} days, {out['rows_served']:,} rows served, "
            f"{step.seconds:.0f} s, peak {step.peak_rss_mb:,.0f} MB")
    for path in (warehouse, warehouse.with_suffix(".duckdb.wal"), base / "dlt"):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    say(f"[{label}] ingest every source -> {warehouse} (faults {'on' if faults else 'off'})")
    step, monitor = run_step_monitored("ingest", ingest_step, time_cap=time_cap, memory_cap_mb=memory_cap_mb,
                                       store=str(store),
                                       warehouse=str(warehouse), faults=faults, sources=sources)
    entry["ingest"] = vars(step)
    entry["ingest_monitor"] = monitor
    fix_ingest_peak(entry)
    entry["machine_at_end"] = _machine()
    entry["finished_at"] = _dt.datetime.now().isoformat(timespec="seconds")
    if not step.ok:
        say(f"[{label}] ingestion FAILED: {step.error}")
    else:
        say(format_ingest(label, entry))
    if not keep:
        for path in (warehouse, base / "dlt"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
    return entry


# ----------------------------------------------------------------------------------------------------------------------
# Results: merge, scaling, extrapolation
# ----------------------------------------------------------------------------------------------------------------------
def load_results(path: Path = RESULTS_JSON) -> dict:
    if path.exists():
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError:
            return {}
    return {}


def fix_ingest_peak(entry: dict) -> None:
    """The ingest step's peak RSS = max(getrusage, the per-source high-water marks, the parent's samples).

    Resetting VmHWM per source (to attribute memory to sources) also resets what getrusage(ru_maxrss) reports, so
    the step's own reading is only the peak since the last reset; the true peak is the largest per-source peak."""
    ing = entry.get("ingest") or {}
    sources = (ing.get("output") or {}).get("sources") or {}
    candidates = [(ing.get("peak_rss_mb") or 0, 0, "getrusage"),
                  ((entry.get("ingest_monitor") or {}).get("sampled_peak_rss_mb") or 0, 0, "parent sampling")]
    candidates += [(s.get("peak_rss_mb") or 0, 1, name) for name, s in sources.items()]  # ties: name the source
    if ing:
        value, _, where = max(candidates)
        ing["peak_rss_mb"] = value
        ing["peak_rss_during"] = where


def _ok(entry: dict) -> bool:
    return bool(entry.get("ingest", {}).get("ok") and entry.get("generate", {}).get("ok"))


def _sources(entry: dict) -> dict:
    return entry["ingest"]["output"]["sources"]


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 3) if a and b else None


def scaling(runs: dict, min_rows: int = 1) -> list[dict]:
    """Every pair (smaller, larger) of successful runs: rows ratio vs time ratio, in total and per source.

    `efficiency` = rows ratio / time ratio (1 = linear, <1 = worse than linear, >1 = fixed costs amortised);
    `exponent` b in time ~ rows^b."""
    ok = sorted((e for e in runs.values() if _ok(e)), key=lambda e: e["ingest"]["output"]["rows_loaded"])
    pairs = []
    for i, small in enumerate(ok):
        for big in ok[i + 1:]:
            a, b = small["ingest"], big["ingest"]
            pair = {"from": small["label"], "to": big["label"],
                    "total": _scale_pair(a["output"]["rows_loaded"], b["output"]["rows_loaded"],
                                         a["output"]["seconds"], b["output"]["seconds"],
                                         a["output"]["cpu_seconds"], b["output"]["cpu_seconds"]),
                    "peak_rss_ratio": _ratio(b["peak_rss_mb"], a["peak_rss_mb"]),
                    "generate": _scale_pair(small["generate"]["output"]["rows_served"],
                                            big["generate"]["output"]["rows_served"],
                                            small["generate"]["seconds"], big["generate"]["seconds"], None, None),
                    "sources": {}}
            pair["generate"]["peak_rss_ratio"] = _ratio(big["generate"]["peak_rss_mb"],
                                                        small["generate"]["peak_rss_mb"])
            for name, s in _sources(small).items():
                t = _sources(big).get(name)
                if t and s["rows_loaded"] >= min_rows:
                    pair["sources"][name] = _scale_pair(s["rows_loaded"], t["rows_loaded"], s["seconds"],
                                                        t["seconds"], s.get("cpu_seconds"), t.get("cpu_seconds"))
            pairs.append(pair)
    return pairs


def _scale_pair(rows_a, rows_b, sec_a, sec_b, cpu_a, cpu_b) -> dict:
    rows_ratio, time_ratio = _ratio(rows_b, rows_a), _ratio(sec_b, sec_a)
    out = {"rows_ratio": rows_ratio, "time_ratio": time_ratio,
           "efficiency": _ratio(rows_ratio, time_ratio) if rows_ratio and time_ratio else None,
           "exponent": (round(math.log(time_ratio) / math.log(rows_ratio), 3)
                        if rows_ratio and time_ratio and rows_ratio != 1 else None)}
    if cpu_a and cpu_b:
        out["cpu_time_ratio"] = _ratio(cpu_b, cpu_a)
    return out


def _fit_line(x1: float, y1: float, x2: float, y2: float, x: float) -> float:
    return y1 + (y2 - y1) * (x - x1) / (x2 - x1) if x2 != x1 else y2 * x / x1


def extrapolate_large(runs: dict) -> Optional[dict]:
    """Large-scale estimate from the two biggest successful runs with the large calendar (365 days), or the biggest
    such run and demo; only when no real `large` run succeeded. Rows and peak memory: linear in people between the two
    points; time per source: power law time ~ rows^b fitted on the two points (b >= 1 assumed at worst linear)."""
    if "large" in runs and _ok(runs["large"]):
        return None
    target_people = FULL_SCALES["large"][0]
    pts = sorted((e for e in runs.values() if _ok(e) and e["scale"] == "large"),
                 key=lambda e: e["generate"]["output"]["people"])
    if not pts:
        return None
    hi = pts[-1]
    lo = pts[-2] if len(pts) >= 2 else runs.get("demo") if runs.get("demo") and _ok(runs["demo"]) else None
    if lo is None:
        return None
    p_lo, p_hi = lo["generate"]["output"]["people"], hi["generate"]["output"]["people"]
    same_calendar = lo["generate"]["output"]["days"] == hi["generate"]["output"]["days"]
    est: dict[str, Any] = {
        "label": "large (EXTRAPOLATED)", "basis": [lo["label"], hi["label"]], "people": target_people,
        "method": ("rows and peak RSS linear in people between the two runs" if same_calendar else
                   f"rows and peak RSS scaled linearly in people from {hi['label']} (same 365-day calendar as large; "
                   f"{lo['label']} has a different calendar, so it is used only for the time exponent)")
                  + "; seconds = seconds_hi * (rows_large/rows_hi)^b with b fitted per source on the two runs "
                    "(clamped to [1, 2]: never better than linear; b = 1 where the rows grew < 1.5x)",
        "sources": {}}

    def rows_at(r_lo: float, r_hi: float) -> float:
        if same_calendar:
            return max(_fit_line(p_lo, r_lo, p_hi, r_hi, target_people), r_hi)
        return r_hi * target_people / p_hi

    def power(lo_rows: float, hi_rows: float, lo_t: Optional[float], hi_t: Optional[float], rows: float):
        if not hi_t or not hi_rows:
            return hi_t, 1.0
        b = 1.0
        if lo_rows and hi_rows >= 1.5 * lo_rows and lo_t:  # a narrower range is too noisy to fit an exponent
            b = math.log(hi_t / lo_t) / math.log(hi_rows / lo_rows)
        b = min(max(b, 1.0), 2.0)
        return hi_t * (rows / hi_rows) ** b, b

    total_rows = total_secs = total_cpu = 0.0
    for name, h in _sources(hi).items():
        l = _sources(lo).get(name)
        if not l:
            continue
        rows = rows_at(l["rows_loaded"], h["rows_loaded"])
        secs, b = power(l["rows_loaded"], h["rows_loaded"], l["seconds"], h["seconds"], rows)
        cpu, b_cpu = power(l["rows_loaded"], h["rows_loaded"], l.get("cpu_seconds"), h.get("cpu_seconds"), rows)
        est["sources"][name] = {"kind": h["kind"], "rows_loaded": round(rows), "seconds": round(secs, 1),
                                "rows_per_second": round(rows / secs) if secs else None, "exponent_used": round(b, 3),
                                "cpu_seconds": round(cpu, 1) if cpu else None,
                                "rows_per_cpu_second": round(rows / cpu) if cpu else None,
                                "cpu_exponent_used": round(b_cpu, 3)}
        total_rows += rows
        total_secs += secs
        total_cpu += cpu or 0.0
    est["rows_loaded"] = round(total_rows)
    est["seconds"] = round(total_secs, 1)
    est["rows_per_second"] = round(total_rows / total_secs) if total_secs else None
    est["cpu_seconds"] = round(total_cpu, 1)
    est["rows_per_cpu_second"] = round(total_rows / total_cpu) if total_cpu else None
    for what, key in (("ingest", "peak_rss_mb"), ("generate", "peak_rss_mb")):
        r_lo, r_hi = lo[what][key], hi[what][key]
        est[f"{what}_peak_rss_mb"] = round(rows_at(r_lo, r_hi) if same_calendar else r_hi * target_people / p_hi)
    attempt = runs.get("large")
    if attempt and (attempt.get("generate_monitor") or {}).get("stopped_at_cap"):
        est["measured_large_attempt"] = {
            "stopped": attempt["generate_monitor"]["stopped_at_cap"],
            "generate_peak_rss_mb_so_far": attempt["generate"]["peak_rss_mb"],
            "last_progress": attempt["generate"].get("last_progress")}
    g_lo, g_hi = lo["generate"]["seconds"], hi["generate"]["seconds"]
    est["generate_seconds"] = round(rows_at(g_lo, g_hi) if same_calendar else g_hi * target_people / p_hi)
    return est


# ----------------------------------------------------------------------------------------------------------------------
# Presentation
# ----------------------------------------------------------------------------------------------------------------------
def format_ingest(label: str, entry: dict) -> str:
    ing = entry["ingest"]
    out = ing["output"]
    gen = entry.get("generate", {})
    lines = [f"\n== ingestion at {label}: {out['rows_loaded']:,} rows in {out['seconds']:.1f} s wall "
             f"({out['rows_per_second']:,} rows/s; {out['cpu_seconds']:.1f} CPU s, {out['rows_per_cpu_second']:,} "
             f"rows/CPU-s), ingest peak {ing['peak_rss_mb']:,.0f} MB (during {ing.get('peak_rss_during')}); generate {gen.get('seconds', 0):.0f} s, "
             f"peak {gen.get('peak_rss_mb', 0):,.0f} MB; load avg {entry['machine_at_start']['loadavg_1_5_15'][0]}"
             f"->{entry.get('machine_at_end', {}).get('loadavg_1_5_15', ['?'])[0]} on "
             f"{entry['machine_at_start']['cpus']} CPUs"]
    header = (f"{'source':<12}{'kind':<13}{'rows':>11}{'wall s':>9}{'rows/s':>10}{'CPU s':>8}{'rows/CPU-s':>11}"
              f"{'extract':>9}{'normal.':>9}{'load':>7}{'peak MB':>9}{'reqs':>7}  check")
    lines += [header, "-" * len(header)]
    for name, s in sorted(out["sources"].items(), key=lambda kv: -kv[1]["seconds"]):
        st = s.get("dlt_steps", {})
        lines.append(
            f"{name:<12}{s['kind']:<13}{s['rows_loaded']:>11,}{s['seconds']:>9.1f}{s['rows_per_second'] or 0:>10,}"
            f"{s.get('cpu_seconds') or 0:>8.1f}{s.get('rows_per_cpu_second') or 0:>11,}"
            f"{st.get('extract', 0):>9.1f}{st.get('normalize', 0):>9.1f}{st.get('load', 0):>7.1f}"
            f"{s.get('peak_rss_mb') or 0:>9,.0f}{s['http']['requests']:>7,}  "
            f"{'ok' if s['reconciled'] else 'MISMATCH ' + ','.join(s['mismatched_resources'])}")
    return "\n".join(lines)


def format_scaling(pairs: list[dict]) -> str:
    lines = []
    for p in pairs:
        t, g = p["total"], p["generate"]
        lines.append(f"\n== scaling {p['from']} -> {p['to']}: ingest rows x{t['rows_ratio']}, wall time "
                     f"x{t['time_ratio']}, CPU time x{t.get('cpu_time_ratio')} (efficiency {t['efficiency']}, "
                     f"exponent {t['exponent']}); ingest peak RSS x{p['peak_rss_ratio']}; generate rows "
                     f"x{g['rows_ratio']}, time x{g['time_ratio']}, peak RSS x{g.get('peak_rss_ratio')}")
        for name, s in sorted(p["sources"].items(), key=lambda kv: (kv[1]["efficiency"] or 0)):
            lines.append(f"   {name:<12} rows x{s['rows_ratio']:<9} time x{s['time_ratio']:<9} "
                         f"CPU x{s.get('cpu_time_ratio')!s:<9} efficiency {s['efficiency']}")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    runs = results.get("runs", {})
    md = ["# Ingestion benchmark", "",
          "Written by `python -m bench` (`make bench`); see `bench/README.md`. Timings are from a shared 2-core machine: "
          "read the load average next to each run, and prefer the ratios and CPU-seconds columns to absolute wall "
          "times.", ""]
    for label, e in sorted(runs.items(), key=lambda kv: (kv[1].get("ingest", {}).get("output") or {}).get(
            "rows_loaded", 0)):
        if not _ok(e):
            step = "generate" if not e.get("generate", {}).get("ok") else "ingest"
            st, mon = e.get(step, {}), e.get(f"{step}_monitor") or {}
            cap = mon.get("stopped_at_cap")
            md += [f"## {label}: {'NOT COMPLETED' if cap else 'FAILED'} ({step})", "",
                   f"- started {e['started_at']} on {e['git']}; load average {e['machine_at_start']['loadavg_1_5_15'][0]}"
                   f" on {e['machine_at_start']['cpus']} CPUs",
                   f"- {step}: {str(st.get('error') or '').splitlines()[0] if st.get('error') else ''} after "
                   f"{st.get('seconds', 0):,.0f} s; peak RSS so far {st.get('peak_rss_mb', 0):,.0f} MB"]
            if st.get("last_progress"):
                md.append(f"- last progress line: `{st['last_progress']}`")
            traj = mon.get("trajectory_s_mb") or []
            if traj:
                step_n = max(1, len(traj) // 8)
                md.append("- RSS trajectory (s → MB): " + ", ".join(f"{t} → {m:,}" for t, m in traj[::step_n]))
            if not cap:
                md += ["", "```", str(st.get("error"))[:2000], "```"]
            md.append("")
            continue
        out, gen = e["ingest"]["output"], e["generate"]
        md += [f"## {label}" + (" (intermediate scale)" if e.get("people_override") or e.get("days_override") else ""),
               "",
               f"- {gen['output']['people']:,} people, {gen['output']['days']} days, run {e['started_at']} on "
               f"{e['git']}; load average {e['machine_at_start']['loadavg_1_5_15'][0]} -> "
               f"{e.get('machine_at_end', {}).get('loadavg_1_5_15', ['?'])[0]} on {e['machine_at_start']['cpus']} CPUs",
               f"- generate: {gen['seconds']:.0f} s, peak RSS {gen['peak_rss_mb']:,.0f} MB, "
               f"{gen['output']['rows_served']:,} rows served" + (" (reused store)" if gen.get("reused_from") else ""),
               f"- ingest: **{out['rows_loaded']:,} rows in {out['seconds']:.1f} s = {out['rows_per_second']:,} "
               f"rows/s** ({out['cpu_seconds']:.0f} CPU s = {out['rows_per_cpu_second']:,} rows/CPU-s), "
               f"peak RSS **{e['ingest']['peak_rss_mb']:,.0f} MB** (during {e['ingest'].get('peak_rss_during')})", "",
               "| source | kind | rows | wall s | rows/s | CPU s | rows/CPU-s | extract s | normalize s | load s "
               "| peak MB | requests | reconciled |",
               "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
        for name, s in sorted(out["sources"].items(), key=lambda kv: -kv[1]["seconds"]):
            st = s.get("dlt_steps", {})
            md.append(f"| {name} | {s['kind']} | {s['rows_loaded']:,} | {s['seconds']:.1f} | "
                      f"{s['rows_per_second'] or 0:,} | {s.get('cpu_seconds') or 0:.1f} | "
                      f"{s.get('rows_per_cpu_second') or 0:,} | {st.get('extract', 0):.1f} | "
                      f"{st.get('normalize', 0):.1f} | {st.get('load', 0):.1f} | {s.get('peak_rss_mb') or 0:,.0f} | "
                      f"{s['http']['requests']:,} | {'yes' if s['reconciled'] else 'NO'} |")
        md.append("")
    if results.get("scaling"):
        md += ["## Scaling", "", "efficiency = rows ratio / time ratio (1 = linear; < 1 worse than linear); "
               "exponent b in time ∝ rows^b.", "",
               "| from → to | rows × | wall × | CPU × | efficiency | exponent | ingest peak RSS × | generate time × |",
               "|---|--:|--:|--:|--:|--:|--:|--:|"]
        for p in results["scaling"]:
            t = p["total"]
            md.append(f"| {p['from']} → {p['to']} | {t['rows_ratio']} | {t['time_ratio']} | {t.get('cpu_time_ratio')} "
                      f"| {t['efficiency']} | {t['exponent']} | {p['peak_rss_ratio']} | {p['generate']['time_ratio']} |")
        md.append("")
    est = results.get("extrapolated_large")
    if est:
        md += ["## large — EXTRAPOLATED (not measured)", "", f"From {' and '.join(est['basis'])}: {est['method']}.", "",
               f"- ingest ≈ {est['rows_loaded']:,} rows in ≈ {est['seconds']:,.0f} s wall ≈ {est['rows_per_second']:,} "
               f"rows/s (≈ {est['cpu_seconds']:,.0f} CPU s ≈ {est['rows_per_cpu_second']:,} rows/CPU-s); "
               f"ingest peak RSS ≈ {est['ingest_peak_rss_mb']:,} MB",
               f"- generate ≈ {est['generate_seconds']:,} s wall, peak RSS ≈ {est['generate_peak_rss_mb']:,} MB"]
        att = est.get("measured_large_attempt")
        if att:
            md.append(f"- measured: the real large generation was {att['stopped']}, having reached "
                      f"`{att.get('last_progress')}` with {att['generate_peak_rss_mb_so_far']:,.0f} MB peak RSS so far")
        md += ["",
               "| source | rows (est.) | wall s (est.) | rows/s (est.) | CPU s (est.) | rows/CPU-s (est.) "
               "| exponent wall / CPU |", "|---|--:|--:|--:|--:|--:|--:|"]
        for name, s in sorted(est["sources"].items(), key=lambda kv: -kv[1]["seconds"]):
            md.append(f"| {name} | {s['rows_loaded']:,} | {s['seconds']:,.1f} | {s['rows_per_second'] or 0:,} "
                      f"| {s.get('cpu_seconds') or 0:,.1f} | {s.get('rows_per_cpu_second') or 0:,} "
                      f"| {s['exponent_used']} / {s.get('cpu_exponent_used')} |")
        md.append("")
    if results.get("thresholds"):
        md += ["## Thresholds (`bench/thresholds.yaml`)", "", "| check | value | limit | other basis | result |",
               "|---|--:|--:|--:|---|"]
        for c in results["thresholds"]:
            md.append(f"| {c['check']} | {c['value']} | {c['op']} {c['limit']} | {c.get('other_basis', '')} "
                      f"| {c['result']} |")
        md.append("")
    return "\n".join(md) + "\n"


# ----------------------------------------------------------------------------------------------------------------------
# Thresholds
# ----------------------------------------------------------------------------------------------------------------------
THRESHOLDS = Path(__file__).resolve().parent / "thresholds.yaml"


def load_thresholds(path: Path = THRESHOLDS, section: str = "ingestion") -> dict:
    """One benchmark's section of bench/thresholds.yaml ({} when the file or section is absent)."""
    import yaml

    return (yaml.safe_load(path.read_text()) or {}).get(section, {}) if path.exists() else {}


def _check(check: str, value: Any, op: str, limit: Any, extrapolated: bool = False) -> dict:
    if value is None:
        result = "SKIP (no value)"
    else:
        passed = value >= limit if op == ">=" else value <= limit
        result = ("PASS" if passed else "FAIL") + (" (extrapolated)" if extrapolated else "")
    return {"check": check, "value": value, "op": op, "limit": limit, "result": result}


def check_thresholds(results: dict, thresholds: dict) -> list[dict]:
    """Every threshold against every run it applies to. Scale limits apply to the full `demo` / `large` runs (and
    to the extrapolated large estimate, marked so); source-kind floors to every measured run. Rates and seconds are
    judged on `rate_basis` (cpu or wall); the other basis is shown beside each value."""
    runs = results.get("runs", {})
    checks: list[dict] = []
    cpu = thresholds.get("rate_basis", "wall") == "cpu"
    kinds = thresholds.get("source_kinds", {})
    bulk_min = int(thresholds.get("bulk_min_rows", 0))
    overhead = thresholds.get("pipeline_overhead_seconds")
    basis = "CPU" if cpu else "wall"

    def rate(obj: dict) -> tuple[Any, str]:
        a, b = obj.get("rows_per_cpu_second"), obj.get("rows_per_second")
        return (a, f"wall {b:,}" if b else "") if cpu else (b, f"CPU {a:,}" if a else "")

    def secs(obj: dict) -> tuple[Any, str]:
        a, b = obj.get("cpu_seconds"), obj.get("seconds")
        return (a, f"wall {b}") if cpu else (b, f"CPU {a}")

    def add(name: str, pair: tuple[Any, str], op: str, limit: Any, extrapolated: bool = False) -> None:
        c = _check(name, pair[0], op, limit, extrapolated)
        c["other_basis"] = pair[1]
        checks.append(c)

    for label, e in sorted(runs.items()):
        if not _ok(e):
            limits = thresholds.get("scales", {}).get(label, {})
            why = "failed"
            for step in ("generate", "ingest"):
                cap = (e.get(f"{step}_monitor") or {}).get("stopped_at_cap")
                if not cap:
                    continue
                why = cap
                if "memory cap" in cap and f"{step}_peak_rss_mb_max" in limits:
                    add(f"{label}: {step} peak RSS MB (stopped at the memory cap, still growing)",
                        (e[step]["peak_rss_mb"], ""), "<=", limits[f"{step}_peak_rss_mb_max"])
            checks.append({"check": f"{label}: benchmark completed", "value": why, "op": "==", "limit": "completed",
                           "result": "NOT MEASURED (time cap)" if "time cap" in why else "FAIL", "other_basis": ""})
            continue
        out = e["ingest"]["output"]
        gen = e["generate"]
        limits = thresholds.get("scales", {}).get(label, {})
        if "total_rows_per_second_min" in limits:
            add(f"{label}: total ingest rows/s ({basis})", rate(out), ">=", limits["total_rows_per_second_min"])
        if "ingest_seconds_max" in limits:
            add(f"{label}: total ingest seconds ({basis})", secs(out), "<=", limits["ingest_seconds_max"])
        if "generate_seconds_max" in limits:
            add(f"{label}: generate seconds ({basis})",
                secs({"cpu_seconds": gen["output"].get("cpu_seconds"), "seconds": gen["seconds"]}), "<=",
                limits["generate_seconds_max"])
        if "ingest_peak_rss_mb_max" in limits:
            add(f"{label}: ingest peak RSS MB", (e["ingest"]["peak_rss_mb"], ""), "<=",
                limits["ingest_peak_rss_mb_max"])
        if "generate_peak_rss_mb_max" in limits:
            add(f"{label}: generate peak RSS MB", (gen["peak_rss_mb"], ""), "<=", limits["generate_peak_rss_mb_max"])
        for name, s in sorted(out["sources"].items()):
            floor = kinds.get(s["kind"], {}).get("rows_per_second_min")
            if s["rows_loaded"] >= bulk_min and floor is not None:
                add(f"{label}: {name} ({s['kind']}, {s['rows_loaded']:,} rows) rows/s ({basis})", rate(s), ">=", floor)
            elif s["rows_loaded"] < bulk_min and overhead is not None:
                # a small source: the fixed cost of one pipeline plus its rows at the kind's floor
                budget = round(overhead + (s["rows_loaded"] / floor if floor else 0), 2)
                add(f"{label}: {name} (small {s['kind']} source, {s['rows_loaded']:,} rows) seconds ({basis})",
                    secs(s), "<=", budget)
            if not s["reconciled"]:  # a correctness note for the pipeline owners, not a performance threshold
                checks.append({"check": f"{label}: {name} served = landed + rejected "
                                        f"({', '.join(s['mismatched_resources'])})",
                               "value": f"{s['landed'] + s['rejected']:,} of {s['served']:,}", "op": "==",
                               "limit": "served", "result": "INFO", "other_basis": ""})
    min_eff = thresholds.get("scaling", {}).get("min_efficiency")
    if min_eff is not None:
        for p in results.get("scaling", []):
            if p["from"] == "demo" and p["to"].startswith("large"):
                t = p["total"]
                eff_cpu = _ratio(t["rows_ratio"], t.get("cpu_time_ratio"))
                pair = (eff_cpu, f"wall {t['efficiency']}") if cpu else (t["efficiency"], f"CPU {eff_cpu}")
                add(f"scaling {p['from']} -> {p['to']}: total efficiency ({basis})", pair, ">=", min_eff)
    est = results.get("extrapolated_large")
    large = thresholds.get("scales", {}).get("large", {})
    if est and large:
        if "ingest_peak_rss_mb_max" in large:
            add("large (extrapolated): ingest peak RSS MB", (est["ingest_peak_rss_mb"], ""), "<=",
                large["ingest_peak_rss_mb_max"], True)
        if "generate_peak_rss_mb_max" in large:
            add("large (extrapolated): generate peak RSS MB", (est["generate_peak_rss_mb"], ""), "<=",
                large["generate_peak_rss_mb_max"], True)
        if "ingest_seconds_max" in large:
            add(f"large (extrapolated): total ingest seconds ({basis})", secs(est), "<=", large["ingest_seconds_max"],
                True)
    return checks


def finish(new_runs: dict, path_json: Path = RESULTS_JSON, path_md: Path = RESULTS_MD, say=print) -> dict:
    """Merge the new runs into the results file, recompute scaling / extrapolation / thresholds, write JSON + md."""
    results = load_results(path_json)
    runs = results.get("runs", {})
    runs.update(new_runs)
    for entry in runs.values():
        fix_ingest_peak(entry)
    results = {"about": "python -m bench (bench/ingestion.py); one entry per scale label, latest run each; "
                        "timings from a shared machine, see machine_at_start/end",
               "runs": runs}
    results["scaling"] = scaling(runs, min_rows=1)
    results["extrapolated_large"] = extrapolate_large(runs)
    results["thresholds"] = check_thresholds(results, load_thresholds())
    from bench.measure import write_results

    write_results(path_json, results)
    path_md.write_text(markdown(results))
    if results["scaling"]:
        say(format_scaling(results["scaling"]))
    if results["extrapolated_large"]:
        est = results["extrapolated_large"]
        say(f"\n== large EXTRAPOLATED from {' + '.join(est['basis'])}: ~{est['rows_loaded']:,} rows in "
            f"~{est['seconds']:,.0f} s (~{est['rows_per_second']:,} rows/s), ingest peak ~{est['ingest_peak_rss_mb']:,} "
            f"MB, generate ~{est['generate_seconds']:,} s / ~{est['generate_peak_rss_mb']:,} MB")
    say("\n== thresholds (bench/thresholds.yaml)")
    for c in results["thresholds"]:
        other = f"   [{c['other_basis']}]" if c.get("other_basis") else ""
        say(f"  {c['result']:<22} {c['check']}: {c['value']} {c['op']} {c['limit']}{other}")
    say(f"\nwritten {path_json.relative_to(ROOT)} and {path_md.relative_to(ROOT)}")
    return results
