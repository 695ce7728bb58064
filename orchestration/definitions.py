"""The one `Definitions` of the project, merged from the integrations under `defs/`."""

from __future__ import annotations

from dagster import Definitions

from orchestration.defs import attribution, automation, dbt, dlt, ml, reports

defs = Definitions.merge(
    dlt.defs,
    dbt.defs,
    attribution.defs,
    ml.defs,
    reports.defs,
    automation.defs,
)
