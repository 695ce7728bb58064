"""Freshness checks on the marts (every dbt model under models/marts/, once there are any).

A mart is fresh when it was rebuilt within the last 26 hours: the daily schedule runs at 06:00
UTC, so one missed day turns it red. Two views of the same rule:
* a `FreshnessPolicy` on every mart asset (set by the dbt translator), which the Dagster daemon
  evaluates continuously and the UI shows as the asset's freshness status;
* a last-update freshness *check* per mart, so freshness is also an asset check: evaluated at the
  end of every full build (in-process too) and re-evaluated between runs by the sensor below.
  Dagster 1.13 marks the check builders as superseded by policies; we keep them for the check view
  and silence that notice here. Freshness here is about *load time* (when the
warehouse last rebuilt the mart); the *content* lag against `as_of_date` is tested in dbt
(source freshness on `_dlt_load_id`, DESIGN section 10). The sensor re-evaluates the checks
between runs so a stale mart turns red in the UI without anyone launching anything.
"""

from __future__ import annotations

import datetime as dt
import warnings

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
)

from orchestration.defs.dbt.assets import DBT_ASSETS

MART_GROUP = "marts"
MART_MAX_AGE = dt.timedelta(hours=26)


def mart_asset_keys() -> list[AssetKey]:
    return sorted(
        (spec.key for assets_def in DBT_ASSETS for spec in assets_def.specs if spec.group_name == MART_GROUP),
        key=lambda key: key.to_user_string(),
    )


with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*superseded.*")
    mart_freshness_checks = (
        list(build_last_update_freshness_checks(assets=mart_asset_keys(), lower_bound_delta=MART_MAX_AGE))
        if mart_asset_keys()
        else []
    )
    mart_freshness_sensors = (
        [
            build_sensor_for_freshness_checks(
                freshness_checks=mart_freshness_checks,
                name="mart_freshness",
                minimum_interval_seconds=15 * 60,
                default_status=DefaultSensorStatus.RUNNING,
            )
        ]
        if mart_freshness_checks
        else []
    )
