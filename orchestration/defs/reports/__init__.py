"""Stakeholder reports (Evidence): the report queries validated against the warehouse as the asset
`reports/evidence_queries`, downstream of the marts and `ml` tables they read, and the check
`evidence_build_possible` saying whether Evidence's own (networked) build could run here.

Wire with `Definitions.merge(..., reports.defs)`.
"""

from dagster import Definitions

from orchestration.defs.reports.assets import evidence_queries
from orchestration.defs.reports.checks import evidence_build_possible

defs = Definitions(assets=[evidence_queries], asset_checks=[evidence_build_possible])
