"""analytics.clv.engagement: BG/NBD expectations weighted by a second model's P(order soon)."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from analytics.clv.engagement import engagement_weighted


def _pred(n: int = 6) -> pd.DataFrame:
    rev = np.arange(1, n + 1, dtype=float) * 10
    return pd.DataFrame({"customer_id": [f"c{i}" for i in range(n)], "p_alive": np.linspace(0.2, 0.9, n),
                         "expected_orders_90d": rev / 40, "expected_orders_180d": rev / 20,
                         "expected_revenue_90d": rev / 2, "expected_revenue_180d": rev,
                         "expected_order_value": np.full(n, 20.0)})


def test_total_180d_revenue_is_kept_and_split_follows_the_probability():
    pred = _pred()
    p = pd.Series([0.9, 0.1, 0.5, 0.5, 0.1, 0.9], index=pred["customer_id"])
    out = engagement_weighted(pred, p)
    assert out["expected_revenue_180d"].sum() == pytest.approx(pred["expected_revenue_180d"].sum(), rel=1e-12)
    ratio = out["expected_revenue_180d"] / pred["expected_revenue_180d"]
    assert ratio.iloc[0] == pytest.approx(9 * ratio.iloc[1])  # weight proportional to p
    # every expectation column gets the same per-customer weight; p_alive and order value are BG/NBD's own
    for col in ("expected_orders_90d", "expected_orders_180d", "expected_revenue_90d"):
        np.testing.assert_allclose(out[col], pred[col] * out["engagement_weight"])
    pd.testing.assert_series_equal(out["p_alive"], pred["p_alive"])
    pd.testing.assert_series_equal(out["expected_order_value"], pred["expected_order_value"])


def test_unscored_customers_get_the_mean_probability():
    pred = _pred(4)
    out = engagement_weighted(pred, pd.Series([0.2, 0.6], index=["c0", "c1"]))
    w = out.set_index("customer_id")["engagement_weight"]
    assert w["c2"] == pytest.approx(w["c3"])
    assert w["c2"] == pytest.approx(w["c0"] * 0.4 / 0.2)


@pytest.mark.parametrize("p", [pd.Series(dtype=float), pd.Series([np.nan, np.nan], index=["c0", "c1"])])
def test_without_probabilities_nothing_changes(p):
    pred = _pred()
    out = engagement_weighted(pred, p)
    assert (out["engagement_weight"] == 1.0).all()
    pd.testing.assert_frame_equal(out.drop(columns="engagement_weight"), pred)


def test_empty_prediction_gives_an_empty_frame():
    out = engagement_weighted(_pred().iloc[:0], pd.Series([0.5], index=["c0"]))
    assert out.empty and "engagement_weight" in out


def test_a_signal_bgnbd_cannot_see_improves_the_ranking():
    """Alive and lapsed customers with the same order history: BG/NBD gives them the same value, the engagement model
    separates them (noisily). Weighted values rank the true future better; a useless signal would not."""
    rng = np.random.default_rng(7)
    n = 4000
    alive = rng.random(n) < 0.6
    rate = rng.gamma(2.0, 0.5, n)
    future = np.where(alive, rng.poisson(rate * 3), 0) * 50.0
    pred = pd.DataFrame({"customer_id": np.arange(n), "expected_revenue_180d": rate * 3 * 50 * 0.6})
    p_good = pd.Series(np.clip(np.where(alive, 0.65, 0.35) + rng.normal(0, 0.15, n), 0.01, 0.99))
    p_noise = pd.Series(rng.uniform(0.01, 0.99, n))
    base = spearmanr(pred["expected_revenue_180d"], future).statistic
    good = spearmanr(engagement_weighted(pred, p_good)["expected_revenue_180d"], future).statistic
    noise = spearmanr(engagement_weighted(pred, p_noise)["expected_revenue_180d"], future).statistic
    assert good > base + 0.05
    assert noise < base
