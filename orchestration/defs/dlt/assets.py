"""Every dlt resource of every platform source as an asset, one op per source.

Keys are `raw_<source>/<table>` — the raw schema and table the resource lands — and each source is
its own group (`raw_shopify`, ...). The dbt translator maps dbt sources to the same keys, so the
lineage runs from each platform's endpoint to every mart in one graph. Each source op also
materialises `raw_<source>/<source>_rejects`, the table our validation writes type/parse failures
to (DESIGN section 10), so a reject count is visible in the UI next to the rows it came from.

The connector code is `pipelines/` (sources, `build_source`, `make_pipeline`): this module only
decides *where* a source talks to (the real platform when its location is configured, else the
simulator from the `platform_apis` resource) and runs it through `DagsterDltResource`.

Why `@multi_asset(specs=build_dlt_asset_specs(...))` rather than `@dlt_assets`: that is exactly what
`@dlt_assets` expands to in dagster-dlt 0.29, but the decorator accepts neither a `retry_policy`
nor extra specs. We need both: an op-level RetryPolicy on every ingestion op (on top of the HTTP
retries inside the connectors), and the rejects asset.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    multi_asset,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator
from dagster_dlt.asset_decorator import build_dlt_asset_specs
from dagster_dlt.translator import DltResourceTranslatorData

from orchestration.defs.dbt.translator import dlt_asset_key_for_table
from orchestration.lib import settings
from orchestration.lib.resources import FailureInjection, PlatformApis
from orchestration.lib.warehouse import dataset_columns
from pipelines.ingest import build_source, has_real_location, make_pipeline
from pipelines.sources import SOURCES, SourceSpec

# Dagster-level retries: a whole source re-runs after a failure the connector's own HTTP retries
# could not absorb (platform outage, warehouse lock held by a stray process, ...). dlt merges on
# primary keys and only advances cursors when a load commits, so a retry never duplicates rows.
INGEST_RETRY_POLICY = RetryPolicy(
    max_retries=2,
    delay=5,
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)

# Placeholders used only to describe sources at definition time (no request is ever sent).
_SPEC_URL = "http://127.0.0.1:9"
_SPEC_PIPELINES_DIR = Path(tempfile.gettempdir()) / "xborder-dagster-dlt-specs"


class RawTableTranslator(DagsterDltTranslator):
    """dlt resource -> asset `raw_<source>/<table>` in group `raw_<source>`, no upstream deps."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        default = super().get_asset_spec(data)
        resource = data.resource
        dataset = data.pipeline.dataset_name if data.pipeline else f"raw_{resource.source_name}"
        table = resource.table_name if isinstance(resource.table_name, str) else resource.name
        return default.replace_attributes(
            key=dlt_asset_key_for_table(dataset, table),
            group_name=dataset,
            deps=[],
            description=(
                f"`{resource.source_name}` resource `{resource.name}`, landed by dlt into "
                f"`{dataset}.{table}` (and its `{table}__*` child tables); merge on the primary "
                f"key, so late updates replace earlier versions. Records that fail type or parse "
                f"validation go to `{dataset}.{resource.source_name}_rejects` instead."
            ),
            kinds={"dlt", "duckdb"},
        )


TRANSLATOR = RawTableTranslator()


def rejects_key(spec: SourceSpec) -> AssetKey:
    return AssetKey([spec.dataset, spec.rejects_table])


def _spec_pipeline(spec: SourceSpec) -> Any:
    return dlt.pipeline(
        pipeline_name=f"ingest_{spec.name}",
        destination=dlt.destinations.duckdb(str(_SPEC_PIPELINES_DIR / "unused.duckdb")),
        dataset_name=spec.dataset,
        pipelines_dir=str(_SPEC_PIPELINES_DIR),
    )


def _lock_error_in(error: BaseException) -> bool:
    seen = 0
    cause: BaseException | None = error
    while cause is not None and seen < 20:
        text = str(cause).lower()
        if "could not set lock" in text or "conflicting lock" in text:
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def _stats_delta(before: dict | None, after: dict | None) -> dict[str, int]:
    if not before or not after:
        return {}
    delta = {"requests": after["requests"] - before["requests"]}
    for name, count in after["faults"].items():
        delta[name] = count - before["faults"].get(name, 0)
    return delta


def _rejects_in_warehouse(pipeline: Any, spec: SourceSpec) -> int | None:
    try:
        with pipeline.sql_client() as client:
            rows = client.execute_sql(
                f'select count(*) from "{spec.dataset}"."{spec.rejects_table}"'
            )
            return int(rows[0][0])
    except Exception:  # noqa: BLE001 - no rejects table yet (nothing was ever rejected)
        return 0


def _load_report(
    before: dict[str, set[str]],
    after: dict[str, set[str]],
    notes: dict[str, dict[str, int]],
    http: dict[str, int],
    server_delta: dict[str, int],
) -> dict[str, Any]:
    """Schema drift and load notes, in the shape `pipelines.ingest.format_summary` reads."""
    first_load = not before
    new_tables = [] if first_load else sorted(t for t in after if t not in before)
    new_columns = {
        table: sorted(after[table] - before[table])
        for table in sorted(after)
        if table in before and after[table] - before[table]
    }
    return {
        "first_load": first_load,
        "new_tables": new_tables,
        "new_columns": new_columns,
        "notes": notes,
        "http": http,
        "simulator_faults": server_delta,
    }


def build_source_assets(spec: SourceSpec) -> AssetsDefinition:
    name = spec.name
    resource_specs = build_dlt_asset_specs(
        dlt_source=build_source(name, simulator_url=_SPEC_URL),
        dlt_pipeline=_spec_pipeline(spec),
        dagster_dlt_translator=TRANSLATOR,
    )
    rejects_spec = AssetSpec(
        key=rejects_key(spec),
        group_name=spec.dataset,
        description=(
            f"Records from `{name}` that failed type / parse validation (unparseable dates, unknown "
            f"currency codes, wrong types), with the reason and the raw payload. Written by the "
            f"same load as the other `{spec.dataset}` tables; excluded from staging."
        ),
        kinds={"dlt", "duckdb"},
        skippable=True,
    )
    resource_keys = {s.key for s in resource_specs}

    @multi_asset(
        name=f"ingest_{name}",
        specs=[*resource_specs, rejects_spec],
        can_subset=True,
        retry_policy=INGEST_RETRY_POLICY,
        pool=settings.WAREHOUSE_WRITER_POOL,
        op_tags={"xborder/source": name},
        description=f"Load the `{name}` platform into `{spec.dataset}` with dlt.",
    )
    def _ingest(
        context: AssetExecutionContext,
        dlt_resource: DagsterDltResource,
        platform_apis: PlatformApis,
        failure_injection: FailureInjection,
    ) -> Iterator[MaterializeResult]:
        failure_injection.raise_if_injected(name, context.retry_number)

        from pipelines.sources._http import HTTP_STATS
        from pipelines.sources._validate import NOTES

        simulated = not has_real_location(name)
        base_url = platform_apis.simulator_base_url() if simulated else None
        warehouse = settings.warehouse_path()
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        pipeline = make_pipeline(name, warehouse)
        source = build_source(
            name,
            simulator_url=base_url,
            manifest=settings.sim_manifest() if simulated else None,
            store=platform_apis.resolved_store_dir() if simulated else None,
        )
        selected = set(context.selected_asset_keys)
        HTTP_STATS.reset(name)
        NOTES.reset(name)
        server_before = platform_apis.simulator_stats()
        columns_before = dataset_columns(warehouse, spec.dataset)
        context.log.info(
            f"{name}: {'simulator at ' + base_url if base_url else 'real platform'} -> "
            f"{warehouse} ({spec.dataset})"
        )
        try:
            if selected & resource_keys:
                events = dlt_resource.run(
                    context=context,
                    dlt_source=source,
                    dlt_pipeline=pipeline,
                    dagster_dlt_translator=TRANSLATOR,
                    loader_file_format="parquet",
                ).fetch_row_count()
                notes = NOTES.for_source(name)
                for result in events:
                    table = result.asset_key.path[-1]
                    rejected = int(notes.get(table, {}).get("rejected", 0))
                    yield MaterializeResult(
                        asset_key=result.asset_key,
                        metadata={
                            **(result.metadata or {}),
                            "rejected_this_load": MetadataValue.int(rejected),
                            "mode": "simulator" if simulated else "platform",
                        },
                    )
            else:  # only the rejects table was selected: it is written by a full load
                pipeline.run(source, loader_file_format="parquet")
        except Exception as error:
            if _lock_error_in(error):
                raise Failure(
                    description=(
                        f"the warehouse {warehouse} is locked by another process (DuckDB allows "
                        "one writer): stop it; this step retries by itself"
                    )
                ) from error
            raise

        server_delta = _stats_delta(server_before, platform_apis.simulator_stats())
        http = HTTP_STATS.get(name)
        if rejects_key(spec) in selected:
            notes = NOTES.for_source(name)
            load_report = _load_report(
                columns_before, dataset_columns(warehouse, spec.dataset), notes, http, server_delta
            )
            load_report["mode"] = "simulator" if simulated else "platform"
            yield MaterializeResult(
                asset_key=rejects_key(spec),
                metadata={
                    "dagster/row_count": MetadataValue.int(_rejects_in_warehouse(pipeline, spec) or 0),
                    "rejected_this_load": MetadataValue.int(
                        sum(int(v.get("rejected", 0)) for v in notes.values())
                    ),
                    "rejected_by_resource": MetadataValue.json(
                        {res: int(v.get("rejected", 0)) for res, v in notes.items()}
                    ),
                    "http_requests": MetadataValue.int(http.get("requests", 0)),
                    "http_retried": MetadataValue.int(http.get("retried", 0)),
                    "simulator_faults": MetadataValue.json(server_delta),
                    "load_report": MetadataValue.json(load_report),
                },
            )

    return _ingest


ingest_assets: list[AssetsDefinition] = [build_source_assets(spec) for spec in SOURCES.values()]
