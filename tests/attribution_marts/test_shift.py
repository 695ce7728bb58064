"""Shift test: raising one channel's true lift in the scenario (everything else equal, same seed) must raise that
channel's data-driven credit — evidence that Markov and Shapley respond to causal effects rather than to where a
channel sits in the paths.

Slow (two small markets generated, landed and built), so marked ``accuracy``. ``XBORDER_ATTRIBUTION_SHIFT_RAW`` =
"base.duckdb,shifted.duckdb" reuses landed raw warehouses (the shifted one generated with ``shifted_scenario()``).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import as_of_from_manifest, build_attribution_warehouse

SHIFTED_CHANNEL = "paid_social_tiktok"
SHIFTED_SCENARIO = f"""
name: shift_{SHIFTED_CHANNEL}
description: default scenario with four times the true lift of {SHIFTED_CHANNEL} (attribution shift test).
channels:
  {SHIFTED_CHANNEL}: {{lift: 0.0068, half_life_days: 4.0, saturation: 1.0}}
"""


def _land(tmp: Path, scenario: Path | None) -> Path:
    from pipelines.ingest import run_ingestion
    from pipelines.simulator import generate

    generate(scale="small", seed=42, scenario_path=scenario, out_dir=tmp / "sim", truth_dir=tmp / "truth")
    run_ingestion(warehouse=tmp / "warehouse.duckdb", store=tmp / "sim", faults=False, verbose=False)
    return tmp / "warehouse.duckdb"


def _data_driven_revenue_shares(warehouse) -> dict[str, float]:
    frame = warehouse.query("""
        select model, channel, sum(attributed_revenue) / sum(sum(attributed_revenue)) over (partition by model) as share
        from marts.fct_attribution
        where model in ('markov', 'shapley')
        group by model, channel
    """)
    return {(row.model, row.channel): float(row.share) for row in frame.itertuples()}


@pytest.mark.accuracy
def test_raising_a_channels_true_lift_raises_its_data_driven_credit(tmp_path_factory):
    given = os.environ.get("XBORDER_ATTRIBUTION_SHIFT_RAW")
    if given:
        base_raw, shifted_raw = (Path(p.strip()) for p in given.split(","))
    else:
        base_raw = _land(tmp_path_factory.mktemp("shift_base"), None)
        scenario = tmp_path_factory.mktemp("shift_scenario") / "shift.yaml"
        scenario.write_text(SHIFTED_SCENARIO)
        shifted_raw = _land(tmp_path_factory.mktemp("shift_shifted"), scenario)
    shares = []
    for raw in (base_raw, shifted_raw):
        built = build_attribution_warehouse(raw, tmp_path_factory.mktemp("shift_build"), as_of_from_manifest(raw))
        for run in built.runs:
            assert run.returncode == 0, run.output[-4000:]
        shares.append(_data_driven_revenue_shares(built))
    base, shifted = shares
    for model in ("markov", "shapley"):
        before, after = base[(model, SHIFTED_CHANNEL)], shifted[(model, SHIFTED_CHANNEL)]
        print(f"{model}: {SHIFTED_CHANNEL} share {before:.3f} -> {after:.3f}")
        assert after > before
