"""The definitions load, and their shape protects the rules the platform owners rely on."""

from dagster import AssetKey

from orchestration import defs
from orchestration.defs.automation import WAREHOUSE_JOB_NAME
from orchestration.defs.dlt.assets import INGEST_RETRY_POLICY, ingest_assets
from orchestration.lib.settings import WAREHOUSE_WRITER_POOL
from pipelines.sources import SOURCES


def asset_graph():
    return defs.resolve_asset_graph()


def test_definitions_load_with_jobs_schedules_and_sensors():
    defs.validate_loadable(defs)
    assert defs.resolve_job_def(WAREHOUSE_JOB_NAME) is not None
    schedule_names = {s.name for s in defs.schedules or []}
    sensor_names = {s.name for s in defs.sensors or []}
    assert "warehouse_daily" in schedule_names
    assert {"web_events_new_export_file", "alert_on_run_failure"} <= sensor_names


def test_every_dlt_resource_is_an_asset_grouped_by_source():
    graph = asset_graph()
    for name, spec in SOURCES.items():
        keys = [key for key in graph.get_all_asset_keys() if key.path[0] == spec.dataset]
        assert AssetKey([spec.dataset, spec.rejects_table]) in keys, name
        assert len(keys) >= 2, f"{name}: expected its resources and its rejects table as assets"
        assert {graph.get(key).group_name for key in keys} == {spec.dataset}


def test_dbt_sources_resolve_to_dlt_assets_so_lineage_has_no_dangling_raw_tables():
    graph = asset_graph()
    unbacked = [
        key.to_user_string()
        for key in graph.get_all_asset_keys()
        if not graph.get(key).is_materializable and key.path[0].startswith("raw_")
    ]
    assert unbacked == []


def test_lineage_runs_from_a_raw_dlt_asset_to_dbt_staging_and_beyond():
    graph = asset_graph()
    orders = AssetKey(["raw_shopify", "orders"])
    children = {key for key in graph.get(orders).child_keys}
    assert any(key.path[0] == "staging" for key in children), children
    # every staging model reads (directly or through a base model) from a dlt asset
    for key in graph.get_all_asset_keys():
        if key.path[0] != "staging" or not key.path[-1].startswith("stg_"):
            continue
        upstream = graph.upstream_key_iterator(key)
        assert any(k.path[0].startswith("raw_") for k in upstream) or key.path[-1].startswith(
            "stg_quarantine"
        ), f"{key.to_user_string()} is not connected to a raw dlt asset"


def test_marts_are_downstream_of_dlt_assets_once_they_exist():
    graph = asset_graph()
    marts = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name == "marts"]
    for mart in marts:
        ancestors = set(graph.upstream_key_iterator(mart))
        from_raw = any(k.path[0].startswith("raw_") for k in ancestors)
        roots = [k for k in ancestors if not graph.get(k).parent_keys]
        seeds_only = all(graph.get(k).group_name == "seeds" for k in roots)
        # a mart is fed by the platforms, or is a pure reference dimension built from seeds
        assert from_raw or seeds_only, mart.to_user_string()
    if marts:
        assert any(
            any(k.path[0].startswith("raw_") for k in graph.upstream_key_iterator(mart)) for mart in marts
        )


def test_every_step_that_opens_the_warehouse_is_in_the_single_writer_pool():
    """DuckDB locks the file for any open, a reader's too: a step outside the pool (the report queries were) can make
    a writer of the same run fail with "Could not set lock". Only the freshness checks (run records) and the
    Evidence network check (npm, HTTP probes) never open it."""
    job = defs.resolve_job_def(WAREHOUSE_JOB_NAME)
    ops = [node.definition for node in job.graph.node_dict.values()]
    assert ops, "the full job has no ops"
    outside = {op.name for op in ops if op.pool != WAREHOUSE_WRITER_POOL}
    assert {name for name in outside
            if not name.startswith("freshness_check_") and not name.endswith("_evidence_build_possible")} == set()
    for prefix in ("ingest_", "warehouse_dbt", "ml__", "attribution_", "reports__evidence_queries"):
        assert any(op.name.startswith(prefix) for op in ops), prefix


def test_ingestion_ops_retry_at_the_dagster_level():
    assert len(ingest_assets) == len(SOURCES)
    for assets_def in ingest_assets:
        assert assets_def.op.retry_policy == INGEST_RETRY_POLICY, assets_def.op.name


def test_dbt_tests_are_asset_checks_and_blocking_ones_are_marked():
    graph = asset_graph()
    checks = list(graph.asset_check_keys)
    assert checks, "dbt tests should load as asset checks"
    from orchestration.defs.dbt.assets import warehouse_dbt

    specs = list(warehouse_dbt.check_specs)
    assert any(spec.blocking for spec in specs), "no blocking check: tag business-rule tests `blocking`"
    assert any(not spec.blocking for spec in specs)
