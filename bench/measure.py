"""Run a benchmark step in a fresh child process and measure wall time and peak memory.

A child process per step keeps peak-RSS readings honest (the parent never holds the step's data)
and lets a step at large scale fail without taking the whole benchmark down.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import resource
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class StepResult:
    name: str
    seconds: float
    peak_rss_mb: float
    ok: bool
    output: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _child(func: Callable[..., dict], kwargs: dict, queue: mp.Queue) -> None:
    started = time.perf_counter()
    try:
        output = func(**kwargs) or {}
        queue.put({"ok": True, "output": output, "seconds": time.perf_counter() - started})
    except BaseException as exc:  # report any failure to the parent, which decides
        queue.put({"ok": False, "error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}",
                   "seconds": time.perf_counter() - started})
    finally:
        queue.put({"peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


def run_step(name: str, func: Callable[..., dict], **kwargs: Any) -> StepResult:
    """Run ``func(**kwargs)`` in a spawned child; ``func`` must be importable and return a JSON-able dict."""
    ctx = mp.get_context("spawn")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(func, kwargs, queue))
    proc.start()
    outcome = queue.get()
    peak = queue.get()
    proc.join()
    return StepResult(
        name=name,
        seconds=round(outcome["seconds"], 3),
        peak_rss_mb=round(peak["peak_rss_kb"] / 1024, 1),
        ok=outcome["ok"],
        output=outcome.get("output", {}),
        error=outcome.get("error"),
    )


def write_results(path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")
