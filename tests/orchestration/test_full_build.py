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


def _blocking_quarantine_guard(manifest):
    """A blocking `excludes_quarantined` dbt test, its model and the quarantine relation."""
    nodes = manifest["nodes"]
    for node in nodes.values():
        if node["resource_type"] != "test" or not is_blocking_test(node):
            continue
        if (node.get("test_metadata") or {}).get("name") != "excludes_quarantined":
            continue
        model = nodes[node["attached_node"]]
        quarantine_id = next(p for p in node["depends_on"]["nodes"] if p != node["attached_node"])
        return node, model, nodes[quarantine_id]
    pytest.fail("the dbt project has no blocking excludes_quarantined test to plant a failure for")


def test_a_failing_blocking_check_fails_the_step_and_blocks_downstream_assets(built, tmp_path):
    """Plant the failure a blocking check exists for: a record that the quarantine flagged still
    reaches the clean staging model (as if the staging filter had a bug)."""
    manifest = json.loads((settings.dbt_target_dir() / "manifest.json").read_text())
    test, model, quarantine = _blocking_quarantine_guard(manifest)
    entity = test["test_metadata"]["kwargs"]["source_entity"]
    key_column = test["column_name"]
    warehouse = built.copy_warehouse(tmp_path / "data")
    q = f'"{quarantine["schema"]}"."{quarantine["alias"]}"'
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f'create table "{quarantine["schema"]}"."planted" as select * from {q}')
        con.execute(
            f'insert into "{quarantine["schema"]}"."planted" (source_entity, record_key) '
            f"select '{entity}', cast({key_column} as varchar) "
            f'from "{model["schema"]}"."{model["alias"]}" limit 1'
        )
        con.execute(f"drop view {q}")
        con.execute(f'alter table "{quarantine["schema"]}"."planted" rename to "{quarantine["alias"]}"')

    graph = defs.resolve_asset_graph()
    model_key = AssetKey([model["schema"], model["alias"]])
    if model_key not in graph.get_all_asset_keys():
        model_key = next(k for k in graph.get_all_asset_keys() if k.path[-1] == model["name"])
    # the guarded model and the assets right below it (a small, fast dbt build)
    downstream = set(graph.get(model_key).child_keys)
    assert downstream, f"{model['name']} has nothing downstream to block"

    with environment(built.env(warehouse=warehouse)):
        result = build_warehouse(
            DagsterInstance.ephemeral(),
            out=io.StringIO(),
            log_file=tmp_path / "blocking.log",
            asset_selection=[model_key, *sorted(downstream, key=str)],
        )

    assert not result.success
    evaluations = [e.event_specific_data for e in _events(result, DagsterEventType.ASSET_CHECK_EVALUATION)]
    failed = [e for e in evaluations if not e.passed and e.check_name == test["name"]]
    assert failed and failed[0].blocking and failed[0].asset_key == model_key
    failure_messages = " ".join(str(e.event_specific_data.error) for e in _events(result, DagsterEventType.STEP_FAILURE))
    assert "blocking asset check" in failure_messages
    materialized = _materialized(result)
    assert downstream.isdisjoint(materialized), sorted(k.to_user_string() for k in downstream & materialized)


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
