"""The attribution bench's person-day step runs the asset's code path on the synthetic world, and what it measures
is the data it claims: every touch of every journey (converting or not), each journey one person at risk from its
first touch's day to the last day of the data."""
import pandas as pd
import pytest

from analytics.attribution.exposure_model import DEFAULT_WINDOWS
from bench.attribution_bench import generate, shapley_person_days


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("attribution_bench")
    size = generate(str(directory), journeys=3000, seed=5, base_log_odds=None)
    assert size["touches_all_journeys"] > size["touchpoints"]   # non-converting journeys' touches are in the log
    return directory


def test_touch_log_holds_the_converting_journeys_touchpoints(bench_dir):
    log = pd.read_parquet(bench_dir / "touch_log.parquet")
    touchpoints = pd.read_parquet(bench_dir / "touchpoints.parquet")
    converted = log.loc[log["journey_id"].isin(touchpoints["conversion_id"])]
    key = ["journey_id", "channel", "touched_at"]
    pd.testing.assert_frame_equal(
        converted.sort_values(key).reset_index(drop=True)[key],
        touchpoints.rename(columns={"conversion_id": "journey_id"}).sort_values(key).reset_index(drop=True)[key])


def test_person_day_step_counts_every_person_day_and_credits_every_touchpoint(bench_dir):
    out = shapley_person_days(str(bench_dir))
    log = pd.read_parquet(bench_dir / "touch_log.parquet")
    days = log["touched_at"].dt.normalize()
    first_day = days.groupby(log["journey_id"]).min()
    expected_person_days = int(((days.max() - first_day).dt.days + 1).sum())
    assert out["person_days"] == expected_person_days
    assert out["window_days"] in DEFAULT_WINDOWS
    assert set(out["cells_per_window"]) == set(DEFAULT_WINDOWS)
    touchpoints = pd.read_parquet(bench_dir / "touchpoints.parquet")
    assert out["rows"] == 2 * len(touchpoints)   # Markov and Shapley each credit every touchpoint
