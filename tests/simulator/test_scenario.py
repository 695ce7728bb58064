"""Scenario files: merged over the default, validated with the offending key named; the CLI exits 2 on errors."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipelines.simulator.scenario import SCENARIO_DIR, ScenarioError, load_scenario

BAD_SCENARIOS = [
    ({"popluation": {"phone_share": 0.5}}, "popluation"),
    ({"population": {"phone_shar": 0.5}}, "population.phone_shar"),
    ({"population": {"phone_share": 1.5}}, "population.phone_share"),
    ({"population": {"phone_share": "half"}}, "population.phone_share"),
    ({"channels": {"paid_search": {"lift": -0.1}}}, "channels.paid_search.lift"),
    ({"channels": {"carrier_pigeon": {"lift": 0.1, "half_life_days": 1, "saturation": 1}}}, "channels.carrier_pigeon"),
    ({"markets": {"XX": {"population_share": 0.1, "amazon_share": 0.1, "baseline_multiplier": 1, "mobile_share": 0.5}}},
     "markets.XX"),
    ({"media": {"paid_search": {"regions": {"MARS": {"daily_spend": 1, "half_saturation": 1, "max_clicks": 1}}}}},
     "media.paid_search.regions.MARS"),
    ({"interactions": [{"source": "tv", "target": "email", "window_days": 7, "multiplier": 1.2}]}, "interactions[0].source"),
    ({"experiments": [{"id": "x", "name": "x", "hypothesis": "x", "start_date": "2025-09-01",
                       "end_date": "2025-09-10", "markets": ["ZZ"],
                       "variants": [{"name": "a", "declared_share": 0.5, "actual_share": 0.5, "true_relative_lift": 0},
                                    {"name": "b", "declared_share": 0.5, "actual_share": 0.5, "true_relative_lift": 0}]}]},
     "experiments[0].markets"),
    ({"experiments": [{"id": "x", "name": "x", "hypothesis": "x", "start_date": "2025-09-01",
                       "end_date": "2025-09-10", "markets": [],
                       "variants": [{"name": "a", "declared_share": 0.5, "actual_share": 0.7, "true_relative_lift": 0},
                                    {"name": "b", "declared_share": 0.5, "actual_share": 0.5, "true_relative_lift": 0}]}]},
     "actual_share"),
    ({"start_date": "someday"}, "start_date"),
    ({"mess": {"enabled": "yes"}}, "mess.enabled"),
    ({"logistics": {"disruptions": [{"region": "SEA", "start_date": "2025-10-06", "end_date": "2025-10-01",
                                     "extra_delivery_days": 3}]}}, "logistics.disruptions[0].end_date"),
]


@pytest.mark.parametrize("content,key", BAD_SCENARIOS, ids=[k for _, k in BAD_SCENARIOS])
def test_bad_scenario_is_rejected_naming_the_key(tmp_path, content, key):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(content))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert key in str(err.value)


def test_shipped_scenarios_are_valid_and_differ_in_channel_effects():
    files = sorted(SCENARIO_DIR.glob("*.yaml"))
    assert len(files) >= 3
    lifts = {}
    for f in files:
        s = load_scenario(f)
        lifts[f.stem] = tuple(round(v["lift"], 6) for v in s["channels"].values())
    assert len(set(lifts.values())) == len(lifts), "every scenario should have its own true channel effects"


def test_partial_scenario_is_merged_over_the_default(tmp_path):
    path = tmp_path / "tweak.yaml"
    path.write_text("channels:\n  email: {lift: 0.05, half_life_days: 2, saturation: 1}\n")
    s = load_scenario(path)
    default = load_scenario()
    assert s["channels"]["email"]["lift"] == 0.05
    assert s["channels"]["paid_search"] == default["channels"]["paid_search"]


def test_cli_reports_a_bad_scenario_without_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("population:\n  phone_share: 7\n")
    proc = subprocess.run([sys.executable, "-m", "pipelines.simulator", "generate", "--scale", "small",
                           "--scenario", str(path), "--out", str(tmp_path / "sim"), "--truth", str(tmp_path / "truth")],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 2
    assert "population.phone_share" in proc.stderr
    assert "Traceback" not in proc.stderr
