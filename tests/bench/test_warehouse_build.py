"""Pure helpers of the warehouse build benchmark (bench/warehouse_build.py): parsing dbt artifacts, the ratios,
merging results, judging thresholds. No dbt runs, no timings asserted."""
from __future__ import annotations

from bench import warehouse_build as wb

MANIFEST = {"nodes": {
    "model.xborder.fct_sessions": {"resource_type": "model", "config": {"materialized": "incremental"},
                                   "relation_name": '"warehouse"."marts"."fct_sessions"'},
    "model.xborder.fct_orders": {"resource_type": "model", "config": {"materialized": "table"},
                                 "relation_name": '"warehouse"."marts"."fct_orders"'},
    "model.xborder.stg_x": {"resource_type": "model", "config": {"materialized": "view"}},
    "seed.xborder.channel_mapping": {"resource_type": "seed", "config": {"materialized": "seed"}},
}}


def _run_results(times: dict[str, float], rows: dict[str, int]) -> dict:
    return {"elapsed_time": sum(times.values()), "results": [
        {"unique_id": f"model.xborder.{name}", "status": "success", "execution_time": t,
         "adapter_response": {"_message": "OK", "rows_affected": rows.get(name)}} for name, t in times.items()
    ] + [{"unique_id": "test.xborder.not_null_x", "status": "pass", "execution_time": 9.0, "adapter_response": {}}]}


def _phase(times: dict[str, float], rows: dict[str, int], seconds: float, cpu: float) -> dict:
    models = wb.parse_run_results(_run_results(times, rows), wb.materializations(MANIFEST))
    return {"ok": True, "seconds": seconds, "cpu_seconds": cpu, "dbt_elapsed_seconds": sum(times.values()),
            "models": models, "peak_rss_mb": 900.0}


def test_manifest_materializations_and_relations():
    assert wb.materializations(MANIFEST) == {"fct_sessions": "incremental", "fct_orders": "table", "stg_x": "view"}
    assert wb.relations(MANIFEST)["fct_orders"] == '"warehouse"."marts"."fct_orders"'


def test_parse_run_results_keeps_models_only_with_rows_affected():
    models = wb.parse_run_results(_run_results({"fct_sessions": 1.234, "fct_orders": 5.0}, {"fct_sessions": 42}),
                                  wb.materializations(MANIFEST))
    assert set(models) == {"fct_sessions", "fct_orders"}
    assert models["fct_sessions"] == {"seconds": 1.23, "status": "success", "rows_affected": 42,
                                      "materialized": "incremental"}
    assert models["fct_orders"]["rows_affected"] is None


def test_slowest_orders_by_time_and_caps():
    models = {f"m{i}": {"seconds": float(i)} for i in range(15)}
    top = wb.slowest(models, 3)
    assert [m["model"] for m in top] == ["m14", "m13", "m12"]
    assert len(wb.slowest(models)) == wb.TOP_N


def test_compare_ratios_and_incremental_share():
    full = _phase({"fct_sessions": 8.0, "fct_orders": 2.0}, {}, seconds=20.0, cpu=30.0)
    inc = _phase({"fct_sessions": 2.0, "fct_orders": 2.0}, {"fct_sessions": 10}, seconds=10.0, cpu=12.0)
    r = wb.compare(inc, full)
    assert r["wall"] == 0.5 and r["cpu"] == 0.4 and r["dbt_elapsed"] == 0.4
    assert r["incremental_models"] == ["fct_sessions"]
    assert r["incremental_models_ratio"] == 0.25
    assert r["incremental_models_share_of_full"] == 0.8


def test_thresholds_judge_the_chosen_basis_and_report_failures():
    full = _phase({"fct_sessions": 8.0, "fct_orders": 2.0}, {}, seconds=20.0, cpu=30.0)
    inc = _phase({"fct_sessions": 2.0, "fct_orders": 2.0}, {"fct_sessions": 10}, seconds=19.0, cpu=12.0)
    ok_run = {"incremental": inc, "full": full, "ratio": wb.compare(inc, full),
              "incremental_models": {"fct_sessions": {"rows_affected": 10, "table_rows": 1000}}}
    failed_run = {"phases": {"generate_prev": {"ok": True}, "ingest_prev": {"ok": False, "error": "Boom: x\ntrace"}}}
    limits = {"basis": "cpu", "scales": {"demo": {"ratio_max": 0.9, "incremental_models_ratio_max": 0.5,
                                                  "peak_rss_mb_max": 800}}}
    checks = {c["check"]: c for c in wb.check_thresholds({"demo": ok_run, "small": failed_run, "small-30d": ok_run},
                                                         limits)}
    headline = checks["demo: T_incremental / T_full (cpu)"]
    assert headline["value"] == 0.4 and headline["result"] == "PASS" and headline["other_basis"] == "wall 0.95"
    assert checks["demo: dbt full peak RSS MB"]["result"] == "FAIL"
    assert checks["small: benchmark completed"]["result"] == "FAIL"
    assert "ingest_prev" in checks["small: benchmark completed"]["value"]
    assert not any(c.startswith("small-30d: T_") for c in checks)  # labels without limits are reported, not judged
    wall = {c["check"]: c for c in wb.check_thresholds({"demo": ok_run}, {**limits, "basis": "wall"})}
    assert wall["demo: T_incremental / T_full (wall)"]["result"] == "FAIL"


def test_merge_replaces_only_the_new_labels():
    old = {"runs": {"demo": {"label": "demo", "v": 1}, "large": {"label": "large", "v": 1}}}
    merged = wb.merge_runs(old, {"demo": {"label": "demo", "v": 2}})
    assert merged == {"demo": {"label": "demo", "v": 2}, "large": {"label": "large", "v": 1}}
    assert wb.merge_runs({}, {"x": {}}) == {"x": {}}


def test_report_renders_a_completed_and_a_failed_run():
    full = _phase({"fct_sessions": 8.0, "fct_orders": 2.0}, {}, seconds=20.0, cpu=30.0)
    inc = _phase({"fct_sessions": 2.0, "fct_orders": 2.0}, {"fct_sessions": 10}, seconds=10.0, cpu=12.0)
    for b in (full, inc):
        b.update(loadavg_start=[1.0, 1.0, 1.0], loadavg_end=[2.0, 2.0, 2.0], statuses={"success": 2},
                 slowest=wb.slowest(b["models"]))
    machine = {"loadavg_1_5_15": [1.0, 1.0, 1.0], "cpus": 2}
    run = {"label": "demo", "days": 180, "seed": 42, "dbt_exclude": wb.DBT_EXCLUDE, "started_at": "t", "git": "abc",
           "machine_at_start": machine, "machine_at_end": machine, "incremental": inc, "full": full,
           "ratio": wb.compare(inc, full), "phases": {"build_prev": {"ok": True, "seconds": 5.0,
                                                                       "output": {"seconds": 4.0}}},
           "incremental_models": {"fct_sessions": {"rows_affected": 10, "table_rows": None, "seconds_incremental": 2.0,
                                                   "seconds_full": 8.0}}}
    failed = {"label": "large", "started_at": "t", "git": "abc",
              "phases": {"full": {"ok": False, "seconds": 3.0, "error": "RuntimeError: dbt exited 1"}}}
    text = wb.format_run(run)
    assert "ratio T_incremental / T_full: wall 0.5  CPU 0.4" in text and "fct_sessions" in text
    md = wb.markdown({"runs": {"demo": run, "large": failed},
                      "thresholds": wb.check_thresholds({"demo": run, "large": failed}, {})})
    assert "**Ratio T_incremental / T_full: 0.5 (wall), 0.4 (CPU)**" in md
    assert "| fct_sessions | 10 | ? |" in md and "## large: FAILED" in md
