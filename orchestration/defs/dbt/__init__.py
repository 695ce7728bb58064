"""dbt: models and seeds as assets, tests as asset checks, freshness checks on marts."""

from __future__ import annotations

import os

from dagster import Definitions
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.assets import DBT_ASSETS
from orchestration.defs.dbt.freshness import mart_freshness_checks, mart_freshness_sensors
from orchestration.defs.dbt.project import dbt_project

defs = Definitions(
    assets=DBT_ASSETS,
    asset_checks=mart_freshness_checks,
    sensors=mart_freshness_sensors,
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=os.environ.get("DBT_PROFILES_DIR") or None,
        ),
    },
)
