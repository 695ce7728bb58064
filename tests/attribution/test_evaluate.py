import pandas as pd
import pytest

from analytics.attribution.evaluate import (
    accuracy_report, read_truth, total_variation_distance, true_shares,
)


def test_tvd_basic_properties():
    p = pd.Series({"a": 0.5, "b": 0.5})
    assert total_variation_distance(p, p) == 0.0
    assert total_variation_distance(pd.Series({"a": 1.0}), pd.Series({"b": 1.0})) == pytest.approx(1.0)
    assert total_variation_distance(p, pd.Series({"a": 3.0, "b": 1.0})) == pytest.approx(0.25)  # renormalised


def _truth_csv(tmp_path):
    path = tmp_path / "channel_incrementality.csv"
    pd.DataFrame({
        "channel": ["email", "direct", "amazon_ads", "paid_search", "baseline"],
        "incremental_orders": [10, 2, 50, -1, 500],
        "incremental_revenue": [600.0, 100.0, 3000.0, -20.0, 40000.0],
    }).to_csv(path, index=False)
    return path


def test_truth_excludes_baseline_and_is_restricted_to_path_channels(tmp_path):
    truth = read_truth(_truth_csv(tmp_path))
    assert "baseline" not in set(truth["channel"])
    shares = true_shares(truth, ["email", "direct", "paid_search"])
    # amazon_ads is not in the paths; the negative paid_search increment counts as 0
    assert shares.to_dict() == pytest.approx({"email": 600 / 700, "direct": 100 / 700, "paid_search": 0.0})


def test_accuracy_report_side_by_side(tmp_path):
    truth = read_truth(_truth_csv(tmp_path))
    attribution = pd.DataFrame({
        "conversion_id": [1, 1, 2, 2, 1, 1, 2, 2],
        "channel": ["email", "direct", "email", "paid_search"] * 2,
        "model": ["last_touch"] * 4 + ["markov"] * 4,
        "attributed_revenue": [0.0, 100.0, 0.0, 100.0, 80.0, 20.0, 90.0, 10.0],
    })
    report = accuracy_report(attribution, truth)
    assert list(report.shares.columns) == ["truth", "last_touch", "markov"]
    markov_share = pd.Series({"paid_search": 0.05, "email": 0.85, "direct": 0.10})
    expected = 0.5 * sum(abs(markov_share[c] - report.shares.loc[c, "truth"]) for c in markov_share.index)
    tvd = report.distances.set_index("model")["tvd"]
    assert tvd["markov"] == pytest.approx(expected)
    assert report.distances.set_index("model").loc["last_touch", "ratio_to_last_touch"] == 1.0
    table = report.side_by_side()
    assert table.loc["TVD", "markov"] == pytest.approx(expected)
