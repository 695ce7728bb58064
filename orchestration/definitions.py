"""The one `Definitions` of the project, merged from the integrations under `defs/`."""

from __future__ import annotations

from dagster import Definitions

from orchestration.defs import automation, dbt

defs = Definitions.merge(
    dbt.defs,
    automation.defs,
)
