import numpy as np
import pandas as pd
import pytest

from analytics.churn import (
    InsufficientDataError,
    activity_features,
    build_features,
    build_labels,
    build_training_frame,
    churn_quality,
    fit_churn_model,
    latest_training_frame,
    score_churn,
    time_based_split,
)
from analytics.churn.features import NO_ACTIVITY_DAYS
from analytics.clv.simulate import simulate_transactions

CUTOFF = pd.Timestamp("2025-06-30")


@pytest.fixture(scope="module")
def simulated():
    """BG/NBD customers whose dropout is known; 180 days of true future after as_of."""
    tx, truth, as_of = simulate_transactions(12_000, seed=21)
    rng = np.random.default_rng(0)
    tx["channel"] = rng.choice(["email", "paid_search", "direct"], size=len(tx), p=[0.3, 0.5, 0.2])
    return tx, truth, as_of


def _small_orders():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 3, 3, 4],
            "date": pd.to_datetime(
                ["2025-03-01", "2025-05-01", "2025-07-10", "2025-06-01", "2025-06-30", "2025-01-15", "2025-09-01", "2025-08-01"]
            ),
            "value": [10.0, 20.0, 30.0, 5.0, 5.0, 50.0, 60.0, 1.0],
            "channel": ["email", "paid_search", "email", "direct", "email", "direct", "direct", "email"],
        }
    )


def test_features_are_unchanged_when_orders_after_the_cutoff_change(simulated):
    tx, _, as_of = simulated
    cutoff = as_of - pd.Timedelta(days=90)
    base = build_features(tx, cutoff, channel_col="channel")

    after = tx["date"] > cutoff
    removed = tx[~after]
    altered = tx.copy()
    altered.loc[after, "value"] *= 100
    altered.loc[after, "channel"] = "paid_social_tiktok"
    rng = np.random.default_rng(1)
    extra = pd.DataFrame(
        {
            "customer_id": rng.choice(tx["customer_id"].unique(), 5000),
            "date": cutoff + pd.to_timedelta(rng.integers(1, 200, 5000), unit="D"),
            "value": 1e6,
            "channel": "affiliate_kol",
        }
    )
    added = pd.concat([tx, extra], ignore_index=True)
    for variant in (removed, altered, added):
        pd.testing.assert_frame_equal(build_features(variant, cutoff, channel_col="channel"), base)


def test_time_based_split_uses_nothing_after_as_of(simulated):
    tx, _, as_of = simulated
    train, holdout = time_based_split(tx, as_of, 90, channel_col="channel")
    assert train["cutoff_date"].iloc[0] == as_of - pd.Timedelta(days=180)
    assert holdout["cutoff_date"].iloc[0] == as_of - pd.Timedelta(days=90)
    future_changed = tx.copy()
    future_changed = future_changed[future_changed["date"] <= as_of]
    train2, holdout2 = time_based_split(future_changed, as_of, 90, channel_col="channel")
    pd.testing.assert_frame_equal(train, train2)
    pd.testing.assert_frame_equal(holdout, holdout2)


def test_latest_training_frame_is_the_last_fully_observed_window(simulated):
    tx, _, as_of = simulated
    latest = latest_training_frame(tx, as_of, 90, channel_col="channel")
    assert (latest["cutoff_date"] == as_of - pd.Timedelta(days=90)).all()
    # its labels are the holdout's (same window), and nothing after as_of is read
    _, holdout = time_based_split(tx, as_of, 90, channel_col="channel")
    assert latest["churned"].tolist() == holdout["churned"].tolist()
    pd.testing.assert_frame_equal(latest_training_frame(tx[tx["date"] <= as_of], as_of, 90, channel_col="channel"),
                                  latest)


def test_feature_values_on_a_small_table():
    f = build_features(_small_orders(), CUTOFF, channel_col="channel").set_index("customer_id")
    assert set(f.index) == {1, 2, 3}  # customer 4 starts after the cutoff
    assert f.loc[1, "recency_days"] == 60 and f.loc[1, "tenure_days"] == 121 and f.loc[1, "frequency"] == 2
    assert f.loc[1, "monetary_total"] == 30.0
    assert f.loc[2, "orders_last_30d"] == 2
    assert f.loc[1, "channel_share_email"] == 0.5
    assert f.loc[3, "mean_days_between_orders"] == f.loc[3, "tenure_days"]  # single purchase


def _small_activity():
    return pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2, 2, 3],
            "date": pd.to_datetime(["2025-06-25", "2025-05-01", "2025-07-05", "2025-03-01", "2025-06-30", "2025-08-01"]),
            "kind": ["sessions", "sessions", "sessions", "email_opens", "sessions", "email_opens"],
            "count": [2, 1, 9, 1, 1, 4],
        }
    )


def test_activity_features_count_recent_engagement_up_to_the_cutoff():
    f = activity_features(_small_activity(), [1, 2, 3], CUTOFF, ["sessions", "email_opens", "email_clicks"])
    assert f.loc[1, "sessions_last_30d"] == 2 and f.loc[1, "sessions_last_90d"] == 3  # 07-05 is after the cutoff
    assert f.loc[1, "days_since_last_sessions"] == 5
    assert f.loc[2, "email_opens_last_90d"] == 0 and f.loc[2, "days_since_last_email_opens"] == 121
    assert f.loc[2, "days_since_last_sessions"] == 0
    # nothing up to the cutoff (customer 3's opens are later; nobody clicked): zero counts, the "never" value
    assert f.loc[3, "email_opens_last_90d"] == 0
    assert (f["days_since_last_email_clicks"] == NO_ACTIVITY_DAYS).all()


def test_features_with_activity_ignore_activity_after_the_cutoff():
    orders, act = _small_orders(), _small_activity()
    base = build_features(orders, CUTOFF, activity=act, activity_kinds=["sessions", "email_opens"])
    later = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2025-07-01", "2025-09-01"]),
                          "kind": ["sessions", "email_opens"], "count": [50, 50]})
    changed = build_features(orders, CUTOFF, activity=pd.concat([act[act["date"] <= CUTOFF], later]),
                             activity_kinds=["sessions", "email_opens"])
    pd.testing.assert_frame_equal(base, changed)
    assert {"sessions_last_30d", "days_since_last_email_opens"} <= set(base.columns)


def test_labels_mark_no_order_in_the_following_window():
    orders = _small_orders()
    labels = build_labels(orders, [1, 2, 3], CUTOFF, 30, data_end="2025-09-30")
    assert labels.to_dict() == {1: 0, 2: 1, 3: 1}  # 1 orders on 07-10; 3 only on 09-01 (after 30 days)


def test_label_window_beyond_the_data_is_refused():
    with pytest.raises(InsufficientDataError, match="label window"):
        build_labels(_small_orders(), [1], CUTOFF, 90, data_end="2025-07-31")


def test_holdout_auc_against_true_future_activity(simulated):
    tx, _, as_of = simulated
    history = tx[tx["date"] <= as_of]
    train, holdout = time_based_split(history, as_of, 90, channel_col="channel")
    model = fit_churn_model(train)
    quality = churn_quality(model, holdout)
    assert quality.metric("auc") >= 0.75

    # score everyone at as_of; the truth is whether they order in the next 90 days
    channels = [c.removeprefix("channel_share_") for c in model.feature_columns if c.startswith("channel_share_")]
    features = build_features(history, as_of, channel_col="channel", channels=channels)
    scores = score_churn(model, features)
    truth = build_labels(tx, scores["customer_id"], as_of, 90)
    from sklearn.metrics import roc_auc_score

    auc = roc_auc_score(truth.to_numpy(), scores["churn_score"].to_numpy())
    assert auc >= 0.75, auc


def test_quality_table_contents(simulated):
    tx, _, as_of = simulated
    train, holdout = time_based_split(tx[tx["date"] <= as_of], as_of, 90)
    model = fit_churn_model(train, model_type="logistic")
    q = churn_quality(model, holdout, n_bins=5)
    names = set(q.metrics["metric"])
    assert {"auc", "base_rate", "brier_score", "log_loss"} <= names
    assert q.metric("base_rate") == pytest.approx(holdout["churned"].mean())
    assert q.calibration["n"].sum() == len(holdout) and len(q.calibration) == 5
    # calibrated on average: mean prediction within 5 points of the base rate
    assert abs(q.metric("mean_predicted") - q.metric("base_rate")) < 0.05
    assert set(q.feature_importance["feature"]) == set(model.feature_columns)
    assert q.feature_importance["importance_mean"].iloc[0] > 0


def test_model_is_deterministic(simulated):
    tx, _, as_of = simulated
    train, holdout = time_based_split(tx[tx["date"] <= as_of], as_of, 90)
    a = score_churn(fit_churn_model(train), holdout)
    b = score_churn(fit_churn_model(train), holdout)
    pd.testing.assert_frame_equal(a, b)


def test_tiny_and_degenerate_inputs_give_clear_messages():
    orders = _small_orders()
    with pytest.raises(InsufficientDataError, match="no orders on or before"):
        build_features(orders, "2020-01-01")
    frame = build_training_frame(orders, CUTOFF, 30, data_end="2025-09-30")
    with pytest.raises(InsufficientDataError, match="at least|>= 50 rows"):
        fit_churn_model(frame)
    with pytest.raises(InsufficientDataError, match="missing column"):
        build_features(orders.drop(columns="value"), CUTOFF)


def test_single_class_holdout_reports_nan_auc_with_note(simulated):
    tx, _, as_of = simulated
    train, holdout = time_based_split(tx[tx["date"] <= as_of], as_of, 90)
    model = fit_churn_model(train)
    one_class = holdout[holdout["churned"] == 1]
    q = churn_quality(model, one_class)
    assert np.isnan(q.metric("auc")) and "single class" in q.note
    empty = score_churn(model, holdout.iloc[:0])
    assert empty.empty and empty.attrs["note"] == "no customers to score"
