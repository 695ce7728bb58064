"""dlt sources, one module per platform. `SOURCES` (in `_registry`) lists them; `pipelines.ingest` runs them."""
from ._registry import SOURCES, SourceSpec, get  # noqa: F401
