"""One small-market warehouse with the attribution marts, built once per session on a private copy.

Where the data comes from (first that applies):
* ``XBORDER_ATTRIBUTION_WAREHOUSE`` — an already built warehouse (marts and ``ml`` tables); used read-only.
* ``XBORDER_RAW_WAREHOUSE`` — a landed raw warehouse (copied, then built here).
* otherwise the session's small market landed by the real pipelines (``small_raw_warehouse``, tests/conftest.py).
The truth folder is only read by the accuracy tests.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import REPO, AttributionWarehouse, as_of_from_manifest, build_attribution_warehouse


def _truth_dir(raw: Path | None) -> Path | None:
    candidates = [Path(os.environ["TRUTH_PATH"])] if os.environ.get("TRUTH_PATH") else []
    if raw is not None:
        candidates += [raw.parent / "truth"]
    for candidate in candidates:
        if (candidate / "channel_incrementality.csv").exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def attribution_warehouse(request, tmp_path_factory) -> AttributionWarehouse:
    built = os.environ.get("XBORDER_ATTRIBUTION_WAREHOUSE")
    if built:
        path = Path(built)
        if not path.exists():
            pytest.skip(f"XBORDER_ATTRIBUTION_WAREHOUSE={built} does not exist")
        return AttributionWarehouse(path, os.environ.get("AS_OF_DATE"), path.parent, [], [], _truth_dir(path))
    given = os.environ.get("XBORDER_RAW_WAREHOUSE")
    workdir = tmp_path_factory.mktemp("attribution_marts")
    if given:
        raw = Path(given)
        if not raw.exists():
            pytest.fail(f"XBORDER_RAW_WAREHOUSE={given} does not exist")
        warehouse = build_attribution_warehouse(raw, workdir, as_of_from_manifest(raw))
        warehouse.truth_dir = _truth_dir(raw)
        return warehouse
    shared = request.getfixturevalue("small_raw_warehouse")
    warehouse = build_attribution_warehouse(shared.path, workdir, shared.market.as_of_date)
    warehouse.truth_dir = shared.market.truth
    return warehouse


@pytest.fixture(scope="session")
def eligible(attribution_warehouse):
    return attribution_warehouse.query("""
        select * from intermediate.int_attribution__eligible_touchpoints
        order by conversion_id, touched_at, touchpoint_id
    """)


@pytest.fixture(scope="session")
def attribution(attribution_warehouse):
    return attribution_warehouse.query("select * from marts.fct_attribution")
