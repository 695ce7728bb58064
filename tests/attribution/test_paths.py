import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analytics.attribution.paths import (
    PATH_SEPARATOR, aggregate_paths, attributable_revenue, eligible_touchpoints, unattributed_baseline,
)


def _by_path(counts):
    return counts.to_frame().set_index("path")


def test_list_and_string_paths_aggregate_identically(small_journeys):
    as_strings = small_journeys.assign(path=small_journeys["path"].map(PATH_SEPARATOR.join))
    a, b = aggregate_paths(small_journeys), aggregate_paths(as_strings)
    pd.testing.assert_frame_equal(_by_path(a).sort_index(), _by_path(b).sort_index())
    assert a.channels == b.channels


def test_arrow_table_input(small_journeys):
    table = pa.Table.from_pandas(small_journeys)
    pd.testing.assert_frame_equal(_by_path(aggregate_paths(table)), _by_path(aggregate_paths(small_journeys)))


def test_counts_match_the_journeys(small_journeys):
    counts = aggregate_paths(small_journeys)
    frame = _by_path(counts)
    key = small_journeys["path"].map(PATH_SEPARATOR.join)
    nonempty = small_journeys[key != ""]
    expected = nonempty.assign(path=key).groupby("path").agg(
        journeys=("converted", "size"), conversions=("converted", "sum"), conversion_value=("conversion_value", "sum"))
    pd.testing.assert_frame_equal(frame.sort_index(), expected.sort_index(), check_dtype=False)
    assert counts.empty_journeys == counts.empty_conversions == int((key == "").sum())
    assert counts.journeys.sum() + counts.empty_journeys == len(small_journeys)


def test_steps_and_masks_reconstruct_paths(small_journeys):
    counts = aggregate_paths(small_journeys)
    channels = np.array(counts.channels)
    for i, path in enumerate(counts.path):
        steps = channels[counts.step_channel[counts.step_path == i]]
        assert PATH_SEPARATOR.join(steps) == path
        expected_mask = sum(1 << counts.channels.index(c) for c in set(steps))
        assert counts.masks[i] == expected_mask


def test_value_of_non_converting_journeys_is_ignored():
    journeys = pd.DataFrame({"journey_id": [1, 2], "path": ["email", "email"], "converted": [True, False],
                             "conversion_value": [10.0, 99.0]})
    counts = aggregate_paths(journeys)
    assert counts.conversion_value.tolist() == [10.0]
    assert counts.non_conversions.tolist() == [1]


def test_channels_follow_vocabulary_order():
    journeys = pd.DataFrame({"path": ["direct > paid_search", "zz_custom > email"], "converted": [True, False]})
    assert aggregate_paths(journeys).channels == ("paid_search", "email", "direct", "zz_custom")


def test_eligibility_lookback_and_dedupe():
    t0 = pd.Timestamp("2026-03-31 12:00")
    conversions = pd.DataFrame({"conversion_id": [1], "conversion_value": [50.0], "converted_at": [t0]})
    touches = pd.DataFrame({
        "conversion_id": 1,
        "touchpoint_id": [1, 2, 3, 4, 5, 6],
        "channel": ["email", "paid_search", "paid_search", "paid_search", "direct", "direct"],
        "touched_at": [t0 - pd.Timedelta(days=31), t0 - pd.Timedelta(days=2),
                       t0 - pd.Timedelta(days=2) + pd.Timedelta(minutes=10),
                       t0 - pd.Timedelta(days=1), t0 - pd.Timedelta(minutes=5), t0 + pd.Timedelta(minutes=1)],
    })
    kept = eligible_touchpoints(touches, conversions, lookback_days=30, dedupe_minutes=30)
    # 1 is outside the window, 3 is 10 minutes after another paid_search touch, 6 is after the order
    assert kept["touchpoint_id"].tolist() == [2, 4, 5]
    assert eligible_touchpoints(touches, conversions, lookback_days=30)["touchpoint_id"].tolist() == [2, 3, 4, 5]


def test_baseline_conversions_are_not_attributable(small_conversions):
    conversions, touchpoints = small_conversions
    baseline = unattributed_baseline(touchpoints, conversions)
    assert len(baseline) == 2 and (baseline["conversion_value"] == 30.0).all()
    assert attributable_revenue(touchpoints, conversions) == pytest.approx(
        conversions["conversion_value"].sum() - baseline["conversion_value"].sum())


def test_ordering_is_the_same_whether_or_not_the_input_is_presorted():
    from analytics.attribution.paths import ordered_touchpoints

    t = pd.Timestamp("2026-03-01", tz="Asia/Tokyo")
    tp = pd.DataFrame({"conversion_id": ["b", "a", "b", "a", "b"], "touchpoint_id": [5, 4, 3, 2, 1],
                       "channel": ["email", "direct", "email", "shopping", "direct"],
                       "touched_at": [t, t, t - pd.Timedelta(hours=1), t, t]})
    shuffled = ordered_touchpoints(tp)
    assert shuffled[["conversion_id", "touchpoint_id"]].values.tolist() == [
        ["a", 2], ["a", 4], ["b", 3], ["b", 1], ["b", 5]]
    again = ordered_touchpoints(shuffled.drop(columns=["position", "n_touchpoints", "conversion_index"]))
    pd.testing.assert_frame_equal(again, shuffled)
    assert shuffled["position"].tolist() == [0, 1, 0, 1, 2]
    assert shuffled["n_touchpoints"].tolist() == [2, 2, 3, 3, 3]
    assert shuffled["conversion_index"].tolist() == [0, 0, 1, 1, 1]
