"""The dbt tests declared on the `ml` source tables, as asset checks on the Python assets that write them.

The tables of the `ml` schema are written by Python assets (ML scoring, budget suggestions, the data-driven
attribution models) and declared as dbt sources with tests (models/ml/_ml__sources.yml,
models/marts/attribution/_attribution__sources.yml). Neither dbt step runs those tests (see
orchestration/defs/dbt/assets.py): they run here, once every `ml` table of the run is written, with one
`dbt test --select source:ml`, and each table gets one check `dbt_source_tests` that passes when every dbt test
on it passes (failures listed in the metadata).
"""

from __future__ import annotations

import json
from collections import defaultdict

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey
from dagster import MetadataValue, multi_asset_check
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import dbt_vars
from orchestration.defs.dbt.project import dbt_project
from orchestration.lib import settings

ML_SOURCE = "ml"
CHECK_NAME = "dbt_source_tests"


def ml_source_tables(manifest: dict) -> list[str]:
    return sorted(s["name"] for s in manifest["sources"].values() if s["source_name"] == ML_SOURCE)


def tests_by_table(manifest: dict) -> dict[str, list[str]]:
    """test unique_id -> the ml tables it reads, inverted: table -> its tests."""
    prefix = f"source.{manifest['metadata'].get('project_name', 'xborder')}.{ML_SOURCE}."
    tables: dict[str, list[str]] = defaultdict(list)
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] != "test":
            continue
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith(prefix):
                tables[parent[len(prefix):]].append(uid)
    return tables


def check_results(manifest: dict, run_results: dict) -> list[AssetCheckResult]:
    """One result per ml table: passed when all its tests passed (a test that did not run counts as failed)."""
    status = {r["unique_id"]: (str(r.get("status")).lower(), r.get("message")) for r in run_results.get("results", [])}
    by_table = tests_by_table(manifest)
    results = []
    for table in ml_source_tables(manifest):
        tests = sorted(by_table.get(table, []))
        failed = []
        for uid in tests:
            state, message = status.get(uid, ("not run", None))
            if state != "pass":
                failed.append(f"{uid.split('.')[2]}: {message or state}")
        results.append(AssetCheckResult(
            asset_key=AssetKey([ML_SOURCE, table]),
            check_name=CHECK_NAME,
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            metadata={"tests": len(tests), "failed": len(failed),
                      "failures": MetadataValue.text("\n".join(failed[:50]) or "none")},
        ))
    return results


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text())


@multi_asset_check(
    name="ml_dbt_source_tests",
    specs=[AssetCheckSpec(CHECK_NAME, asset=AssetKey([ML_SOURCE, table]),
                          description="Every dbt test declared on this `ml` table (one `dbt test --select source:ml`).")
           for table in ml_source_tables(_manifest())],
    pool=settings.WAREHOUSE_WRITER_POOL,  # dbt opens the DuckDB file read-write
)
def ml_dbt_source_tests(context, dbt: DbtCliResource):  # noqa: ARG001 (context: annotations are strings here)
    args = ["test", "--select", f"source:{ML_SOURCE}"]
    variables = dbt_vars()
    if variables:
        args += ["--vars", json.dumps(variables)]
    invocation = dbt.cli(args, manifest=dbt_project.manifest_path, raise_on_error=False)
    invocation.wait()
    try:
        run_results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        raise invocation.get_error() or RuntimeError("dbt test wrote no run_results.json") from None
    yield from check_results(_manifest(), run_results)
