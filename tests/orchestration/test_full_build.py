"""The whole graph on the small market, in-process: success, blocking checks, retries, summary."""

import io
import json

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance

from orchestration import defs
from orchestration.defs.dbt.translator import is_blocking_test
from orchestration.lib import settings
from orchestration.run import build_warehouse, print_summary
from orchestration.testing import environment
from pipelines.sources import SOURCES


def _materialized(result):
    return {event.asset_key for event in result.get_asset_materialization_events()}


def _events(result, event_type):
    return [event for event in result.all_events if event.event_type == event_type]


def _step_errors(result):
    return [
        f"{e.step_key}: {e.event_specific_data.error.message[:2000]}"
        for e in _events(result, DagsterEventType.STEP_FAILURE)
        if e.event_specific_data and e.event_specific_data.error
    ]


def test_full_graph_materialises_on_the_small_market(built):
    result = built.result
    assert result.success, _step_errors(result)
    graph = defs.resolve_asset_graph()
    expected = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert expected - _materialized(result) == set()


def test_full_build_runs_dbt_tests_as_asset_checks_without_blocking_failures(built):
    evaluations = [e.event_specific_data for e in _events(built.result, DagsterEventType.ASSET_CHECK_EVALUATION)]
    assert len(evaluations) >= len(list(defs.resolve_asset_graph().asset_check_keys)) // 2
    blocking_failures = [e for e in evaluations if not e.passed and e.blocking]
    assert blocking_failures == []


def test_every_check_passes_on_the_small_market_but_the_offline_evidence_probe(built):
    """A failing non-blocking check does not stop the run, so it must fail here: the data tests are the warehouse's
    contract (a repeat purchase rate above 1 once slipped through this way). The one expected failure is the Evidence
    build probe, which needs the network that CI does not have."""
    evaluations = [e.event_specific_data for e in _events(built.result, DagsterEventType.ASSET_CHECK_EVALUATION)]
    failed = sorted(f"{e.asset_key.to_user_string()} {e.check_name}" for e in evaluations
                    if not e.passed and e.check_name != "evidence_build_possible")
    assert failed == []


def test_dlt_assets_report_rows_and_rejects(built):
    by_key = {e.asset_key: e.event_specific_data.materialization for e in built.result.get_asset_materialization_events()}
    orders = by_key[AssetKey(["raw_shopify", "orders"])]
    assert orders.metadata["dagster/row_count"].value > 0
    rejects = by_key[AssetKey(["raw_shopify", "shopify_rejects"])]
    assert "load_report" in rejects.metadata


def test_summary_reconciles_every_source(built_env):
    out = io.StringIO()
    print_summary(built_env.result, settings.sim_manifest(), 1.0, built_env.root / "build.log", out)
    text = out.getvalue()
    for name in SOURCES:
        assert f"\n{name} " in text, name
    assert "served" in text and "landed" in text and "rejected" in text
    assert "staged" in text
    assert "SUCCESS" in text
    assert "diff" not in text, text


def _blocking_guard(manifest):
    """A blocking dbt test of the `excludes_quarantined` kind: the test, the model it guards and
    the relation it compares against (the quarantine model, or the guarded model's base)."""
    nodes = manifest["nodes"]
    for node in sorted(nodes.values(), key=lambda n: n["unique_id"]):
        if node["resource_type"] != "test" or not is_blocking_test(node):
            continue
        if (node.get("test_metadata") or {}).get("name") != "excludes_quarantined":
            continue
        model = nodes[node["attached_node"]]
        others = [p for p in node["depends_on"]["nodes"] if p != node["attached_node"]]
        if len(others) == 1:
            return node, model, nodes[others[0]]
    pytest.fail("the dbt project has no blocking excludes_quarantined test to plant a failure for")


def _plant_quarantined_record_in_clean_model(warehouse, test, model, guard):
    """Make one record of the clean model appear quarantined in the guard relation, as if the
    staging filter had let a rule-breaking record through. The guard is replaced by a table in
    this private copy (the build below does not rebuild it)."""
    entity = test["test_metadata"]["kwargs"]["source_entity"]
    key_column = test["column_name"]
    guard_rel = f'"{guard["schema"]}"."{guard["alias"]}"'
    planted = f'"{guard["schema"]}"."planted_guard"'
    with duckdb.connect(str(warehouse)) as con:
        columns = {c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [guard["schema"], guard["alias"]]).fetchall()}
        con.execute(f"create table {planted} as select * from {guard_rel}")
        clean_key = f'(select cast({key_column} as varchar) from "{model["schema"]}"."{model["alias"]}" limit 1)'
        if {"source_entity", "record_key"} <= columns:
            con.execute(f"insert into {planted} (source_entity, record_key) select '{entity}', {clean_key}")
        elif "quarantine_rule" in columns:
            con.execute(
                f"insert into {planted} select * replace ('planted' as quarantine_rule) from {guard_rel} "
                f"where cast({key_column} as varchar) = {clean_key}"
            )
        else:
            pytest.fail(f"do not know how to plant a quarantined record into {guard_rel}: {sorted(columns)}")
        kind = con.execute(
            "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
            [guard["schema"], guard["alias"]]).fetchone()[0]
        con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} {guard_rel}")
        con.execute(f'alter table {planted} rename to "{guard["alias"]}"')


@pytest.fixture(scope="module")
def blocked_run(built, tmp_path_factory):
    """One run with a planted blocking-check failure: the guarded model, the dbt models right
    below it, and a Python asset in its own step that depends on the guarded model."""
    from dagster import Definitions, asset, define_asset_job

    from orchestration.defs.dbt import defs as dbt_defs

    manifest = json.loads((settings.dbt_target_dir() / "manifest.json").read_text())
    test, model, guard = _blocking_guard(manifest)
    tmp = tmp_path_factory.mktemp("blocking")
    warehouse = built.copy_warehouse(tmp / "data")
    _plant_quarantined_record_in_clean_model(warehouse, test, model, guard)

    graph = defs.resolve_asset_graph()
    model_key = next(k for k in graph.get_all_asset_keys() if k.path[-1] == model["name"])
    children = set(graph.get(model_key).child_keys)
    probe_key = AssetKey(["probe", "budget_feed"])

    @asset(key=probe_key, deps=[model_key])
    def budget_feed():
        """Stands in for a budget asset fed by the guarded model."""

    probe_defs = Definitions.merge(dbt_defs, Definitions(assets=[budget_feed]))
    job = Definitions.merge(
        probe_defs, Definitions(jobs=[define_asset_job("probe_job")])
    ).resolve_job_def("probe_job")
    with environment(built.env(warehouse=warehouse)):
        result = job.execute_in_process(
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
            asset_selection=[model_key, *children, probe_key],
        )
    return {"result": result, "test": test, "model_key": model_key, "children": children, "probe": probe_key}


def test_a_failing_blocking_check_is_a_failed_blocking_asset_check(blocked_run):
    result = blocked_run["result"]
    evaluations = [e.event_specific_data for e in _events(result, DagsterEventType.ASSET_CHECK_EVALUATION)]
    failed = [e for e in evaluations if not e.passed and e.check_name == blocked_run["test"]["name"]]
    assert failed, "the planted record did not fail the guard"
    assert failed[0].blocking
    assert failed[0].asset_key == blocked_run["model_key"]
    assert not result.success
    assert any("blocking asset check" in e for e in _step_errors(result))


def test_a_failing_blocking_check_blocks_the_assets_downstream_in_dagster(blocked_run):
    result = blocked_run["result"]
    assert blocked_run["probe"] not in _materialized(result)
    executed = {e.step_key for e in _events(result, DagsterEventType.STEP_START)}
    assert not any("budget_feed" in step for step in executed), executed


@pytest.mark.xfail(
    reason=(
        "dbt only holds back children that descend from *every* parent of a failing test; the "
        "excludes_quarantined guard compares with stg_quarantine__records, a sibling of the guarded "
        "model, so dbt still builds the guarded model's children in the same `dbt build`. Fixed when "
        "the guard compares with an ancestor (the base_ model) - requested from the dbt project."
    ),
    strict=False,
)
def test_a_failing_blocking_check_blocks_the_dbt_models_downstream_in_the_same_build(blocked_run):
    children = blocked_run["children"]
    assert children
    built_children = children & _materialized(blocked_run["result"])
    assert not built_children, sorted(k.to_user_string() for k in built_children)


def test_an_injected_source_failure_is_retried_by_dagster_and_recovers(built, tmp_path):
    source = "referrals"
    keys = [k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] == f"raw_{source}"]
    warehouse = built.copy_warehouse(tmp_path / "data")
    with environment({**built.env(warehouse=warehouse), "XBORDER_INJECT_FAILURE": source}):
        result = build_warehouse(
            DagsterInstance.ephemeral(),
            out=io.StringIO(),
            log_file=tmp_path / "retry.log",
            asset_selection=keys,
        )
    assert _events(result, DagsterEventType.STEP_UP_FOR_RETRY)
    restarted = _events(result, DagsterEventType.STEP_RESTARTED)
    assert [e.step_key for e in restarted] == [f"ingest_{source}"]
    assert result.success
    assert set(keys) <= _materialized(result)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        landed = con.execute(f"select count(*) from raw_{source}.{source}").fetchone()[0]
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        before = con.execute(f"select count(*) from raw_{source}.{source}").fetchone()[0]
    assert landed == before, "a retried load must not duplicate rows"
