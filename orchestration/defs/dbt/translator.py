"""How dbt nodes become Dagster assets and checks.

* **Sources → dlt assets.** A dbt source table in a `raw_<source>` schema is the table a dlt
  resource landed, so its asset key is the dlt asset's key: `raw_<source>/<root table>`. dlt
  child tables (`orders__line_items`, ...) belong to their root resource's asset, and the
  `<source>_rejects` table is its own asset produced by the same dlt op. The result is one
  connected graph from every platform endpoint to every mart.
* **Models** keep dagster-dbt's default keys (`<schema>/<model>`, e.g. `staging/stg_shopify__orders`)
  and are grouped by layer (`staging`, `intermediate`, `marts`, `seeds`, ...). Marts carry a
  26-hour `FreshnessPolicy` (see freshness.py).
* **Tests → asset checks** (generic and singular; a singular test on several models names its
  model with `meta: {dagster: {ref: {name: <model>}}}`). A check is **blocking** only when the
  test is severity `error` *and* marked blocking: tag `blocking`, or `meta: {blocking: true}`.
  When a blocking check fails, the dbt step fails and nothing downstream of it in Dagster runs;
  inside the dbt build, dbt itself skips the models downstream of any failing error test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetKey, AssetSpec, FreshnessPolicy
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

BLOCKING_TAG = "blocking"
RAW_SCHEMA_PREFIX = "raw_"
MART_LAYER = "marts"
# A mart rebuilt by the 06:00 UTC daily schedule is stale once a day's run is missed.
MART_FRESHNESS = FreshnessPolicy.time_window(fail_window=dt.timedelta(hours=26))


def dlt_asset_key_for_table(schema: str, table: str) -> AssetKey:
    """The dlt asset that lands `schema.table` (shared with orchestration/defs/dlt)."""
    if table.endswith("_rejects"):
        return AssetKey([schema, table])
    root_table = table.split("__", 1)[0]
    return AssetKey([schema, root_table])


def is_blocking_test(test_props: Mapping[str, Any]) -> bool:
    config = test_props.get("config") or {}
    severity = str(config.get("severity") or "error").lower()
    if severity != "error":
        return False
    tags = set(test_props.get("tags") or []) | set(config.get("tags") or [])
    meta = {**(test_props.get("meta") or {}), **(config.get("meta") or {})}
    dagster_meta = meta.get("dagster") or {}
    return (
        BLOCKING_TAG in tags
        or bool(meta.get("blocking"))
        or bool(dagster_meta.get("blocking"))
    )


def layer_of(props: Mapping[str, Any]) -> str | None:
    resource_type = props.get("resource_type")
    if resource_type == "source":
        # a source not landed by dlt (e.g. `ml`, written by Python assets) sits in its schema's group
        return str(props.get("schema") or "") or None
    if resource_type == "seed":
        return "seeds"
    if resource_type == "snapshot":
        return "snapshots"
    fqn = props.get("fqn") or []
    # fqn = [project, <layer folder>, ..., model]
    if resource_type == "model" and len(fqn) >= 3:
        return str(fqn[1])
    return None


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True,
                # several dbt source tables (a resource's child tables) map to one dlt asset
                enable_duplicate_source_asset_keys=True,
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props.get("resource_type") == "source":
            schema = str(dbt_resource_props.get("schema") or "")
            if schema.startswith(RAW_SCHEMA_PREFIX):
                return dlt_asset_key_for_table(schema, str(dbt_resource_props["name"]))
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        explicit = super().get_group_name(dbt_resource_props)
        if explicit:
            return explicit
        return layer_of(dbt_resource_props)

    def get_asset_spec(self, manifest, unique_id, project) -> AssetSpec:  # noqa: ANN001
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == MART_LAYER and spec.freshness_policy is None:
            spec = spec.replace_attributes(freshness_policy=MART_FRESHNESS)
        return spec

    def get_asset_check_spec(
        self,
        asset_spec: AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project,  # noqa: ANN001
    ) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        test_props = self.get_resource_props(manifest, unique_id)
        blocking = is_blocking_test(test_props)
        description = spec.description or (
            f"dbt test `{test_props['name']}`"
            + (" (blocking: failures stop downstream assets)" if blocking else "")
        )
        return AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=description,
            additional_deps=spec.additional_deps,
            metadata=spec.metadata,
            blocking=blocking,
        )
