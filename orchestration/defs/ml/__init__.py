"""ML scoring assets (issue 6): customer scores, CLV parameters, churn quality, segments, experiments,
KPI anomalies, forecasts, budget suggestions — one asset per `ml.<table>`.

Wire with `Definitions.merge(..., ml.defs)` or `from orchestration.defs.ml.assets import ml_assets`.
"""

from dagster import Definitions

from orchestration.defs.ml.assets import ml_assets
from orchestration.defs.ml.checks import ml_dbt_source_tests

defs = Definitions(assets=ml_assets, asset_checks=[ml_dbt_source_tests])
