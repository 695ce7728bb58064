"""MBG/NBD with engagement evidence (analytics/clv/engaged.py): recovery, predictions against a simulated future,
the alive customer's expectation against Monte Carlo, the no-evidence limit, the evidence window, tiny input."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from analytics.clv import InsufficientDataError, fit_bgnbd, predict
from analytics.clv.engaged import (
    engagement_evidence,
    expected_purchases_engaged,
    fit_engaged_mbgnbd,
    probability_alive_engaged,
)

TRUE = dict(r=1.3, alpha=50.0, a=1.0, b=4.0, visit_rate_alive=0.02, visit_rate_lapsed=0.005, open_rate_alive=0.28,
            open_rate_lapsed=0.10)
HISTORY, HORIZON = 360.0, 180.0


def simulate_world(n: int, seed: int, params=TRUE) -> pd.DataFrame:
    """Customers born uniformly over the history; MBG/NBD purchases (dropout after every purchase, the first
    included) over history + horizon; after `HISTORY` the future is only counted. Evidence in (t_x, T]: Poisson
    visits at the state's rate, weekly e-mails to 60% of customers, opened with the state's rate."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    birth = rng.uniform(0.0, HISTORY - 1.0, n)
    t = birth.copy()
    last_in_history = birth.copy()
    repeats = np.zeros(n)
    future = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    alive_at_as_of = np.ones(n, dtype=bool)
    while alive.any():
        drop = alive & (rng.random(n) < p)  # after the purchase at t
        alive_at_as_of &= ~(drop & (t <= HISTORY))
        alive &= ~drop
        t = np.where(alive, t + rng.exponential(1.0 / np.maximum(lam, 1e-12)), t)
        alive &= t <= HISTORY + HORIZON
        in_history = alive & (t <= HISTORY)
        repeats += in_history
        last_in_history = np.where(in_history, t, last_in_history)
        future += alive & (t > HISTORY)
    T = HISTORY - birth
    s = HISTORY - last_in_history
    visits = rng.poisson(np.where(alive_at_as_of, params["visit_rate_alive"], params["visit_rate_lapsed"]) * s)
    emails = np.where(rng.random(n) < 0.6, rng.poisson(s / 7.0), 0)
    opens = rng.binomial(emails, np.where(alive_at_as_of, params["open_rate_alive"], params["open_rate_lapsed"]))
    return pd.DataFrame({"customer_id": np.arange(n), "frequency": repeats, "recency": last_in_history - birth,
                         "T": T, "monetary": 0.0, "visit_days": s, "visits": visits.astype(float), "emails": emails.astype(float),
                         "email_opens": opens.astype(float), "future": future, "alive": alive_at_as_of})


@pytest.fixture(scope="module")
def world():
    return simulate_world(20_000, seed=11)


@pytest.fixture(scope="module")
def fit(world):
    return fit_engaged_mbgnbd(world)


def test_fit_recovers_the_simulated_parameters(fit):
    assert fit.converged, fit.message
    # 20,000 customers: the evidence rates are pinned by thousands of customers' days; the purchase-process
    # parameters trade off against each other (a with b, r with alpha), so they get a wider tolerance
    for name in ("visit_rate_alive", "visit_rate_lapsed", "open_rate_alive", "open_rate_lapsed"):
        assert fit.params[name] == pytest.approx(TRUE[name], rel=0.05), name
    for name in ("r", "alpha", "a", "b"):
        assert fit.params[name] == pytest.approx(TRUE[name], rel=0.15), name
    mean_dropout = fit.a / (fit.a + fit.b)
    assert mean_dropout == pytest.approx(TRUE["a"] / (TRUE["a"] + TRUE["b"]), rel=0.10)
    for name, true in TRUE.items():
        assert 0 < fit.std_errors[name] < 0.1 * true, name  # 20,000 customers pin every parameter to a few %
        assert abs(fit.params[name] - true) < 4 * fit.std_errors[name], (name, fit.params[name], fit.std_errors[name])


def test_standard_errors_match_the_spread_of_the_estimates_across_simulated_markets():
    # 20 markets of 3,000 customers: if the standard errors are right, (estimate - truth) / SE spreads like N(0, 1);
    # standard errors off by a factor of two put the spread near 0.5 or 2 and the coverage far from 95%
    z = np.array([[(f.params[k] - true) / f.std_errors[k] for k, true in TRUE.items()]
                  for f in (fit_engaged_mbgnbd(simulate_world(3_000, seed=100 + i)) for i in range(20))])
    spread = z.std(axis=0)
    assert ((spread > 0.6) & (spread < 1.5)).all(), dict(zip(TRUE, spread.round(2)))
    coverage = float((np.abs(z) < 1.96).mean())
    assert 0.85 <= coverage <= 0.995, coverage


def test_predictions_match_the_simulated_future_and_rank_it_better_than_bgnbd(world, fit):
    expected = expected_purchases_engaged(fit, HORIZON, world)
    assert expected.sum() / world["future"].sum() == pytest.approx(1.0, abs=0.05)
    engaged_rho = spearmanr(expected, world["future"]).statistic
    bg = fit_bgnbd(world)
    bg_rho = spearmanr(predict(world, bg, horizons=(HORIZON,))[f"expected_orders_{int(HORIZON)}d"],
                       world["future"]).statistic
    assert engaged_rho > bg_rho + 0.05, (engaged_rho, bg_rho)
    # P(alive) separates the simulated states
    p_alive = probability_alive_engaged(fit, world)
    assert p_alive[world["alive"]].mean() > p_alive[~world["alive"]].mean() + 0.3


@pytest.mark.parametrize("a", [0.7, 2.5])
def test_alive_customers_expectation_matches_monte_carlo(a):
    """Given alive at T after x repeats: lambda ~ Gamma(r+x, alpha+T), p ~ Beta(a, b+x+1); simulate their next 180
    days with dropout after every purchase. a < 1 is where the hypergeometric closed form is in doubt."""
    from analytics.clv.engaged import EngagedFit

    r, alpha, b, x, t_x, T = 1.3, 50.0, 4.0, 2.0, 100.0, 200.0
    fit = EngagedFit(r, alpha, a, b, 0.01, 0.01, 0.2, 0.2, 0.0, 1, True, "")
    row = pd.DataFrame({"frequency": [x], "recency": [t_x], "T": [T], "visit_days": [0.0], "visits": [0.0],
                        "emails": [0.0], "email_opens": [0.0]})
    # same evidence rates in both states: P(alive) is MBG/NBD's on orders alone, so divide it out
    alive_expectation = expected_purchases_engaged(fit, HORIZON, row)[0] / probability_alive_engaged(fit, row)[0]
    rng = np.random.default_rng(3)
    m = 400_000
    lam = rng.gamma(r + x, 1.0 / (alpha + T), m)
    p = rng.beta(a, b + x + 1, m)
    count, t, alive = np.zeros(m), np.zeros(m), np.ones(m, dtype=bool)
    while alive.any():
        t = np.where(alive, t + rng.exponential(1.0 / lam), t)
        alive &= t <= HORIZON
        count += alive
        alive &= rng.random(m) >= p
    assert alive_expectation == pytest.approx(count.mean(), rel=0.01)


def test_with_equal_evidence_rates_p_alive_is_mbgnbd_on_orders(world):
    """Batislam et al. (2007): P(alive) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)); written out here."""
    from analytics.clv.engaged import EngagedFit

    r, alpha, a, b = 1.3, 50.0, 1.2, 4.0
    fit = EngagedFit(r, alpha, a, b, 0.02, 0.02, 0.3, 0.3, 0.0, 1, True, "")
    rows = world.iloc[:500]
    x, t_x, T = rows["frequency"], rows["recency"], rows["T"]
    closed = 1.0 / (1.0 + a / (b + x) * ((alpha + T) / (alpha + t_x)) ** (r + x))
    np.testing.assert_allclose(probability_alive_engaged(fit, rows), closed, rtol=1e-9)


def test_evidence_counts_only_after_the_last_purchase_and_up_to_as_of():
    orders = pd.DataFrame({"customer_id": ["c1", "c1", "c2"],
                           "date": pd.to_datetime(["2026-01-01", "2026-01-10", "2026-01-05"])})
    activity = pd.DataFrame({
        "customer_id": ["c1", "c1", "c1", "c1", "c1", "c2", "c2", "c3"],
        "date": pd.to_datetime(["2026-01-05", "2026-01-10", "2026-01-12", "2026-01-12", "2026-02-02",
                                "2026-01-06", "2026-01-06", "2026-01-20"]),
        "kind": ["organic_visits", "organic_visits", "organic_visits", "emails_received", "organic_visits",
                 "emails_received", "email_opens", "organic_visits"],
        "count": [1, 1, 2, 1, 5, 3, 1, 1],
    })
    ev = engagement_evidence(orders, activity, "2026-01-31")
    # c1: only the 12th (the 5th is before the last purchase, the 10th is its day, 2 Feb is after as_of);
    # c3 has no purchase and is not a customer
    assert ev.loc["c1"].to_dict() == {"visit_days": 21.0, "visits": 2.0, "emails": 1.0, "email_opens": 0.0}
    assert ev.loc["c2"].to_dict() == {"visit_days": 26.0, "visits": 0.0, "emails": 3.0, "email_opens": 1.0}
    assert list(ev.index) == ["c1", "c2"]
    assert (engagement_evidence(orders, None, "2026-01-31") == 0).all().all()
    # a customer never seen in the activity (an Amazon buyer without a web identity): their missing visits are not
    # evidence, so no exposure
    only_c1 = engagement_evidence(orders, activity[activity["customer_id"] == "c1"], "2026-01-31")
    assert only_c1.loc["c2"].to_dict() == {"visit_days": 0.0, "visits": 0.0, "emails": 0.0, "email_opens": 0.0}


def test_tiny_or_repeatless_input_is_refused_with_a_reason(world):
    with pytest.raises(InsufficientDataError, match="at least 20 customers"):
        fit_engaged_mbgnbd(world.iloc[:10])
    with pytest.raises(InsufficientDataError, match="repeat purchase"):
        fit_engaged_mbgnbd(world.assign(frequency=0.0, recency=0.0))


def test_cutoff_features_read_nothing_after_the_cutoff():
    """The churn model's engaged features at a cutoff: unchanged when orders and activity after it change, changed
    when activity before it changes (so the check can fail)."""
    from analytics.clv.engaged import engaged_cutoff_features
    from analytics.clv.simulate import simulate_transactions

    tx, _truth, as_of = simulate_transactions(600, seed=5)
    rng = np.random.default_rng(5)
    ids = tx["customer_id"].unique()
    activity = pd.DataFrame({"customer_id": rng.choice(ids, 4000),
                             "date": as_of - pd.to_timedelta(rng.integers(-120, 300, 4000), unit="D"),
                             "kind": rng.choice(["organic_visits", "emails_received", "email_opens"], 4000),
                             "count": 1})
    cutoff = as_of - pd.Timedelta(days=60)
    base = engaged_cutoff_features(tx, activity, 60)(cutoff)
    assert list(base.columns) == ["engaged_p_alive", "engaged_expected_orders"]
    later_tx, later_act = tx["date"] > cutoff, activity["date"] > cutoff
    tx_moved = tx.assign(value=np.where(later_tx, 0.0, tx["value"]))
    tx_moved = pd.concat([tx_moved, tx_moved.loc[later_tx]])  # doubled future orders
    act_moved = activity.assign(count=np.where(later_act, 50, activity["count"]))
    pd.testing.assert_frame_equal(engaged_cutoff_features(tx_moved, act_moved, 60)(cutoff), base)
    act_before = activity.assign(count=np.where(~later_act & (activity["kind"] == "organic_visits"), 3,
                                                activity["count"]))
    assert not engaged_cutoff_features(tx, act_before, 60)(cutoff).equals(base)
