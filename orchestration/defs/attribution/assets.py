"""The data-driven attribution models (Markov, Shapley) as one Dagster asset writing four `ml` tables.

Lineage: it reads `fct_journey_paths`, `int_attribution__eligible_touchpoints`, `int_attribution__touchpoints`,
`fct_orders` and `int_orders__prior_history` (dbt) and writes
`ml/attribution_channel_set_credits` and `ml/attribution_baseline_shares` (read back by dbt's
`fct_attribution`, which applies them to the conversions), `ml/attribution_data_driven_credits` and
`ml/attribution_model_fit`. The keys match
the dbt sources of the `ml` schema (dagster-dbt's default source keys `[source, table]`), so the
graph runs dbt -> this asset -> dbt: the dbt multi-asset is subsettable and Dagster runs its two
parts as separate steps around this one.

It writes the DuckDB warehouse, so it sits in the `duckdb_warehouse` pool like every writer and opens
its own read-write connection (there is no shared read-write connection in orchestration/lib: the
readers there are read-only by design).
"""

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from orchestration.defs.attribution.data_driven import (
    BASELINE_SHARES_TABLE,
    CHANNEL_SET_CREDITS_TABLE,
    DATA_DRIVEN_CREDITS_TABLE,
    ML_SCHEMA,
    MODEL_FIT_TABLE,
    run_data_driven_attribution,
)
from orchestration.defs.dbt.assets import dbt_asset_key
from orchestration.lib import settings

# journeys (Markov), eligible touchpoints (credits), touchpoints, orders and the customers' history before the data
# (Shapley's person-day cells)
UPSTREAM_DBT_MODELS = ("fct_journey_paths", "int_attribution__eligible_touchpoints", "int_attribution__touchpoints",
                       "fct_orders", "int_orders__prior_history")

_DEPS = [dbt_asset_key(name) for name in UPSTREAM_DBT_MODELS]
_GROUP = "ml"

@multi_asset(
    name="attribution_data_driven_models",
    specs=[
        AssetSpec(
            AssetKey([ML_SCHEMA, CHANNEL_SET_CREDITS_TABLE]), deps=_DEPS, group_name=_GROUP,
            description="Markov / Shapley channel credit for every channel set (applied by fct_attribution).",
            kinds={"python", "duckdb"},
        ),
        AssetSpec(
            AssetKey([ML_SCHEMA, DATA_DRIVEN_CREDITS_TABLE]), deps=_DEPS, group_name=_GROUP,
            description="Markov / Shapley credit per conversion × eligible touchpoint (engine output, audit).",
            kinds={"python", "duckdb"},
        ),
        AssetSpec(
            AssetKey([ML_SCHEMA, MODEL_FIT_TABLE]), deps=_DEPS, group_name=_GROUP,
            description="Markov removal effects and Shapley values per channel, with channel shares.",
            kinds={"python", "duckdb"},
        ),
        AssetSpec(
            AssetKey([ML_SCHEMA, BASELINE_SHARES_TABLE]), deps=_DEPS, group_name=_GROUP,
            description="Share of a conversion Shapley's person-day conversion model ascribes to the customer alone, "
                        "per channel set x returning customer (applied by fct_attribution as "
                        "incremental_attributed_revenue and acquisition_repeat_revenue).",
            kinds={"python", "duckdb"},
        ),
    ],
    pool=settings.WAREHOUSE_WRITER_POOL,
    description=(
        "Fits the first-order Markov chain (exact absorbing-chain removal effects) on the warehouse's journeys and "
        "exact Shapley values of a game whose coalition values come from a person-day purchase-hazard model "
        "(exposure window chosen by likelihood) with analytics.attribution; see docs/attribution.md and "
        "docs/decisions.md ('Attribution marts')."
    ),
)
def attribution_data_driven_models(context: AssetExecutionContext):
    connection = duckdb.connect(str(settings.warehouse_path()))
    try:
        result, written = run_data_driven_attribution(connection, as_of_date=settings.as_of_date() or None)
    finally:
        connection.close()
    context.log.info(
        "data-driven attribution: Markov fitted on %s journeys (%s converting), Shapley on %s; rows written: %s",
        result.fitted_journeys, result.fitted_conversions,
        "journeys" if result.exposure is None else
        f"{result.exposure.person_days} person-days ({result.exposure.order_days} with an order), "
        f"exposure window {result.exposure.window_days} days", written,
    )
    common = {
        "fitted_journeys": result.fitted_journeys,
        "fitted_conversions": result.fitted_conversions,
        "conversion_probability": result.conversion_probability,
    }
    yield MaterializeResult(
        asset_key=AssetKey([ML_SCHEMA, CHANNEL_SET_CREDITS_TABLE]),
        metadata={**common, "rows": written[CHANNEL_SET_CREDITS_TABLE]},
    )
    yield MaterializeResult(
        asset_key=AssetKey([ML_SCHEMA, DATA_DRIVEN_CREDITS_TABLE]),
        metadata={**common, "rows": written[DATA_DRIVEN_CREDITS_TABLE]},
    )
    yield MaterializeResult(
        asset_key=AssetKey([ML_SCHEMA, MODEL_FIT_TABLE]),
        metadata={
            **common,
            "rows": written[MODEL_FIT_TABLE],
            "markov_share": MetadataValue.json(result.summary["markov_share"]),
            "shapley_share": MetadataValue.json(result.summary["shapley_share"]),
            "shapley_coalition_value": result.summary["shapley_coalition_value"],
            "shapley_coalition_model": MetadataValue.json(result.summary["shapley_coalition_model"] or {}),
            "shapley_fitted_on": result.summary["shapley_fitted_on"],
            **({} if result.exposure is None else {
                "shapley_exposure_window_days": result.exposure.window_days,
                "shapley_window_log_likelihood": MetadataValue.json(
                    result.summary["shapley_window_log_likelihood"]),
                "shapley_person_days": result.exposure.person_days,
            }),
        },
    )
    yield MaterializeResult(
        asset_key=AssetKey([ML_SCHEMA, BASELINE_SHARES_TABLE]),
        metadata={**common, "rows": written[BASELINE_SHARES_TABLE]},
    )
