"""dlt: every platform's resources as assets (one op per source) and the web-events file sensor."""

from dagster import Definitions
from dagster_dlt import DagsterDltResource

from orchestration.defs.dlt.assets import ingest_assets
from orchestration.defs.dlt.sensors import web_events_new_export_file
from orchestration.lib.resources import FailureInjection, PlatformApis

defs = Definitions(
    assets=ingest_assets,
    sensors=[web_events_new_export_file],
    resources={
        "dlt_resource": DagsterDltResource(),
        "platform_apis": PlatformApis(),
        "failure_injection": FailureInjection(),
    },
)
