import numpy as np
import pandas as pd
import pytest

from analytics.clv import InsufficientDataError, holdout_actuals, summarise_transactions


def _orders():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c"],
            "date": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-01-11", "2025-01-31", "2025-01-20", "2025-01-05", "2025-03-01"]
            ),
            "value": [10.0, 5.0, 20.0, 40.0, 7.0, 3.0, 99.0],
        }
    )


def test_same_day_orders_are_one_transaction_and_monetary_uses_repeats_only():
    s = summarise_transactions(_orders(), "2025-02-01").set_index("customer_id")
    assert s.loc["a", "frequency"] == 2  # 3 distinct days -> 2 repeats
    assert s.loc["a", "recency"] == 30
    assert s.loc["a", "T"] == 31
    assert s.loc["a", "monetary"] == pytest.approx((20 + 40) / 2)  # first day (15) excluded
    assert s.loc["b", "frequency"] == 0 and s.loc["b", "monetary"] == 0
    assert s.loc["b", "T"] == 12


def test_orders_after_as_of_are_ignored():
    s = summarise_transactions(_orders(), "2025-02-01").set_index("customer_id")
    assert s.loc["c", "frequency"] == 0  # the March order is after as_of
    assert s.loc["c", "T"] == 27


def test_time_unit_weeks_and_timezone_aware_timestamps():
    df = _orders()
    df["date"] = df["date"].dt.tz_localize("UTC") + pd.Timedelta(hours=3)
    s = summarise_transactions(df, "2025-02-01", time_unit_days=7).set_index("customer_id")
    assert s.loc["a", "recency"] == pytest.approx(30 / 7)


def test_cdnow_summary_matches_the_published_calibration_data(cdnow_summary):
    # FHL (2005) calibration data: 2,357 customers, 2,457 repeat purchases, 1,411 with none.
    assert len(cdnow_summary) == 2357
    assert cdnow_summary["frequency"].sum() == 2457
    assert (cdnow_summary["frequency"] == 0).sum() == 1411
    assert cdnow_summary["recency"].sum() == pytest.approx(16135.52, abs=2)
    assert cdnow_summary["T"].sum() == pytest.approx(77111.21, abs=2)
    rep = cdnow_summary[cdnow_summary["frequency"] > 0]
    assert rep["monetary"].mean() == pytest.approx(35.0786, abs=0.01)


def test_holdout_actuals_counts_days_and_value_per_horizon():
    h = holdout_actuals(_orders(), "2025-02-01", horizons_days=(10, 40)).set_index("customer_id")
    assert h.loc["c", "realised_orders_10d"] == 0
    assert h.loc["c", "realised_orders_40d"] == 1
    assert h.loc["c", "realised_revenue_40d"] == 99.0


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"customer_id": [], "date": [], "value": []}), "no transactions"),
        (pd.DataFrame({"customer_id": [1], "date": ["2030-01-01"], "value": [1.0]}), "no transactions"),
        (pd.DataFrame({"customer_id": [1], "when": ["2025-01-01"], "value": [1.0]}), "missing column"),
        (pd.DataFrame({"customer_id": [1], "date": ["not a date"], "value": [1.0]}), "no transactions"),
    ],
)
def test_empty_or_unusable_input_raises_a_clear_error(frame, message):
    with pytest.raises(InsufficientDataError, match=message):
        summarise_transactions(frame, "2025-02-01")


def test_summary_is_vectorised_over_many_customers():
    rng = np.random.default_rng(0)
    n = 50_000
    df = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 20_000, n),
            "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
            "value": rng.gamma(2, 20, n),
        }
    )
    s = summarise_transactions(df, "2025-12-31")
    assert s["frequency"].sum() == df.drop_duplicates(["customer_id", "date"]).shape[0] - s.shape[0]
    assert (s["recency"] <= s["T"]).all()
