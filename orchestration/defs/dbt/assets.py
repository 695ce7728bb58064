"""Every dbt model and seed as an asset, every dbt test as an asset check.

Two dbt steps, because the data-driven attribution models are fitted in Python between them:

* `warehouse_dbt`: seeds, staging, intermediate and the marts that do not need the fitted models
  (`dbt build --exclude source:ml+`);
* `warehouse_dbt_attributed`: `fct_attribution` and everything built on it
  (`dbt build --select fct_attribution+`), after the `attribution_data_driven_models` asset wrote
  `ml.attribution_channel_set_credits`.

The two selections are disjoint and cover the project except the tests on the `ml` source tables,
which run as asset checks on the Python assets that write them (orchestration/defs/ml/checks.py).
One multi-asset with a cycle through Python would make Dagster split it into subsets by upstream
op, and dbt's eager test selection then runs tests before the models they read are built.

Each step is one `dbt build` (models and tests in dependency order), inside the `duckdb_warehouse`
pool: dbt opens the warehouse read-write in its own process, so nothing else may hold the DuckDB
lock meanwhile.

Failure semantics:
* a model / seed / snapshot error, a test that cannot even run, or a failing dbt *unit* test
  (a logic bug; dbt skips the model it tests) fails the step;
* a failing test is a failed asset check. If the test is blocking (see translator.py), the
  step fails after the build, so Dagster runs nothing downstream of it; inside the build dbt
  has already skipped the models downstream of the failing test. A failing non-blocking test
  leaves the step successful with a red check in the UI.
"""

import json
import subprocess

from dagster import AssetExecutionContext, Failure
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import dbt_project, project_changed_since_load
from orchestration.defs.dbt.translator import WarehouseDbtTranslator
from orchestration.lib import settings

translator = WarehouseDbtTranslator()

_ERROR_STATUSES = {"error", "runtime error"}


def _asset_events(invocation, context: AssetExecutionContext, unknown: list[str]):
    """`invocation.stream()`, tolerant of nodes missing from the loaded manifest (added to the
    project after the definitions loaded): those are logged instead of failing the step while
    dbt keeps writing."""
    for event in invocation.stream_raw_events():
        try:
            yield from event.to_default_asset_events(
                manifest=invocation.manifest,
                dagster_dbt_translator=invocation.dagster_dbt_translator,
                context=context,
                target_path=invocation.target_path,
                project=invocation.project,
            )
        except KeyError as missing:
            unknown.append(str(missing.args[0]) if missing.args else "?")


def _stop_if_running(process: subprocess.Popen) -> None:
    """If the step ends early (an error while streaming events, an interrupt), the dbt process
    must not keep writing the warehouse outside the pool: stop it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def dbt_vars() -> dict[str, str]:
    as_of = settings.as_of_date()
    return {"as_of_date": as_of} if as_of else {}


ATTRIBUTED_SELECT = "fct_attribution+"
CORE_EXCLUDE = "source:ml+"


def _run_dbt_build(context: AssetExecutionContext, dbt: DbtCliResource):
    if project_changed_since_load():
        context.log.warning(
            "the dbt project changed after these definitions were loaded: dbt builds the current "
            "project, Dagster reports the nodes it knows; reload the definitions to see the rest"
        )
    args = ["build"]
    variables = dbt_vars()
    if variables:
        args += ["--vars", json.dumps(variables)]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    unknown: list[str] = []
    try:
        yield from _asset_events(invocation, context, unknown)
    finally:
        _stop_if_running(invocation.process)
    if unknown:
        context.log.warning(
            f"dbt built {len(unknown)} node(s) these definitions do not know (the project changed "
            f"since they were loaded; reload them): {', '.join(sorted(unknown)[:20])}"
        )

    try:
        run_results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        # dbt stopped before running anything (profile, parse or connection error)
        raise invocation.get_error() or Failure("dbt build wrote no run_results.json")
    broken = [
        f"{result['unique_id']}: {result.get('message') or result['status']}"
        for result in run_results.get("results", [])
        if str(result.get("status")).lower() in _ERROR_STATUSES
        # a failing unit test is a code bug (dbt skips the model it tests), not a data problem
        or (result["unique_id"].startswith("unit_test.") and str(result.get("status")).lower() == "fail")
    ]
    if broken:
        raise Failure(
            description=f"dbt build: {len(broken)} node(s) errored",
            metadata={"errors": "\n".join(broken[:50])},
        )


def _dbt_step(name: str, **selection: str):
    """One `dbt build` step over `selection` (dbt_assets' select / exclude)."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=translator,
        name=name,
        pool=settings.WAREHOUSE_WRITER_POOL,
        **selection,
    )
    def _step(context: AssetExecutionContext, dbt: DbtCliResource):
        yield from _run_dbt_build(context, dbt)

    return _step


warehouse_dbt = _dbt_step("warehouse_dbt", exclude=CORE_EXCLUDE)
warehouse_dbt_attributed = _dbt_step("warehouse_dbt_attributed", select=ATTRIBUTED_SELECT)
DBT_ASSETS = [warehouse_dbt, warehouse_dbt_attributed]


def dbt_asset_key(model_name: str):
    """The asset key of a dbt model, whichever of the two dbt steps builds it."""
    from dagster_dbt import get_asset_key_for_model

    for assets_def in DBT_ASSETS:
        try:
            return get_asset_key_for_model([assets_def], model_name)
        except Exception:  # noqa: BLE001 - not in this step's selection
            continue
    raise KeyError(f"no dbt model named {model_name!r} in the loaded manifest")
