"""The `ml` scoring tables as Dagster assets: thin wrappers over builders.py.

One asset per table, key `ml/<table>` (the dbt source keys of `models/ml/_ml__sources.yml`, dagster-dbt's
default `[source, table]`), group `ml`, in the `duckdb_warehouse` pool like every writer, each opening its own
read-write connection. Deps are the dbt marts each builder reads (keys resolved the way
orchestration/defs/attribution does). On `InsufficientDataError` the asset logs the message, writes an empty
table with the documented columns and returns the message as metadata `note` (it does not fail the run).
"""


import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.defs.ml.builders import ML_SCHEMA, run_builder, write_table
from orchestration.defs.dbt.assets import dbt_asset_key
from orchestration.lib import settings

_GROUP = "ml"

# table -> dbt models it reads (staging for the experiment platform, marts otherwise)
UPSTREAM: dict[str, tuple[str, ...]] = {
    "customer_scores": ("fct_orders", "fct_customer_engagement_daily"),
    "clv_model_params": ("fct_orders", "fct_customer_engagement_daily"),
    "churn_model_quality": ("fct_orders", "fct_customer_engagement_daily"),
    "segments": ("fct_orders",),
    "experiment_results": ("fct_orders", "dim_customer_identifiers", "stg_experiments__assignments",
                           "stg_experiments__experiments", "stg_experiments__variants"),
    "kpi_anomalies": ("fct_orders", "fct_ad_performance_daily"),
    "forecasts": ("fct_orders", "fct_ad_performance_daily"),
    "budget_suggestions": ("fct_ad_performance_daily", "fct_attribution", "fct_threshold_breaches", "dim_markets",
                           "fct_orders"),
    "budget_suggestions_by_market": ("fct_ad_performance_daily", "fct_attribution", "fct_threshold_breaches",
                                     "dim_markets", "fct_orders"),
}

# table -> ml tables it reads, and the builder arguments that make it read them instead of rebuilding them
ML_UPSTREAM: dict[str, tuple[str, ...]] = {"budget_suggestions": ("budget_suggestions_by_market",)}
CONFIG: dict[str, dict] = {"budget_suggestions": {"written_plan": True}}

DESCRIPTIONS = {
    "customer_scores": "P(alive), expected orders/revenue 90/180 d (MBG/NBD with engagement evidence + Gamma-Gamma), "
                       "churn score per person.",
    "clv_model_params": "BG/NBD, Gamma-Gamma and engaged MBG/NBD parameters, log-likelihood, with the fit date.",
    "churn_model_quality": "Churn model holdout AUC, base rate, Brier, calibration bins and feature importances.",
    "segments": "RFM scores and named segments plus K-means clusters with readable labels and sizes.",
    "experiment_results": "A/B tests per variant: rate, lift, Newcombe CI, z-test p, SRM check, CUPED, verdict.",
    "kpi_anomalies": "Daily KPI anomaly flags (robust weekday baseline) per market and total, with drill-down.",
    "forecasts": "30-day Holt-Winters forecast of net revenue and spend per market and total, with 95% interval.",
    "budget_suggestions": "Per paid channel: the channel x market plan summed per channel (suggested daily spend, "
                          "expected revenue, marginal ROAS, reason).",
    "budget_suggestions_by_market": "Per paid channel x market: pooled-shape curve, suggested daily spend within the "
                                    "brand's per-market rules, reason.",
}


def materialise(table: str, context=None, **config) -> dict:
    """Build `ml.<table>` on the configured warehouse and write it; returns the metadata."""
    connection = duckdb.connect(str(settings.warehouse_path()))
    try:
        df, note = run_builder(connection, table, settings.as_of_date() or None, **config)
        rows = write_table(connection, table, df)
    finally:
        connection.close()
    if context is not None:
        if rows == 0:
            context.log.warning("ml.%s written empty: %s", table, note)
        else:
            context.log.info("ml.%s: %s rows%s", table, rows, f" ({note})" if note else "")
    return {"rows": rows, "note": MetadataValue.text(note or ""), "table": f"{ML_SCHEMA}.{table}"}


def _make_asset(table: str):
    @asset(
        key=AssetKey([ML_SCHEMA, table]),
        name=None,
        deps=[dbt_asset_key(n) for n in UPSTREAM[table]]
        + [AssetKey([ML_SCHEMA, t]) for t in ML_UPSTREAM.get(table, ())],
        group_name=_GROUP,
        pool=settings.WAREHOUSE_WRITER_POOL,
        description=DESCRIPTIONS[table] + " See docs/ml.md and models/ml/_ml__sources.yml.",
        kinds={"python", "duckdb"},
    )
    def _ml_asset(context: AssetExecutionContext) -> MaterializeResult:
        return MaterializeResult(metadata=materialise(table, context, **CONFIG.get(table, {})))

    return _ml_asset


ml_assets = [_make_asset(t) for t in UPSTREAM]

__all__ = ["ml_assets", "materialise", "UPSTREAM"]
