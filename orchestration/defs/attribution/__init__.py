"""Attribution: the data-driven models (Markov, Shapley) as a Python asset between two dbt steps."""

from dagster import Definitions

from orchestration.defs.attribution.assets import attribution_data_driven_models

defs = Definitions(assets=[attribution_data_driven_models])
