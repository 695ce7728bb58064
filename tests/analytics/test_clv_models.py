import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from analytics.clv import (
    InsufficientDataError,
    expected_purchases,
    fit_bgnbd,
    fit_bgnbd_reference,
    fit_gamma_gamma,
    fit_gamma_gamma_reference,
    holdout_actuals,
    predict,
    probability_alive,
    summarise_transactions,
)
from analytics.clv.bgnbd import bgnbd_log_likelihood_terms
from analytics.clv.crosscheck import relative_differences
from analytics.clv.simulate import simulate_summary, simulate_transactions

PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "v": 15.44}


@pytest.fixture(scope="module")
def cdnow_fits(cdnow_summary):
    return fit_bgnbd(cdnow_summary, time_unit_days=7), fit_gamma_gamma(cdnow_summary)


def test_cdnow_fit_reproduces_published_estimates(cdnow_fits):
    bg, gg = cdnow_fits
    assert bg.converged
    for k, v in PUBLISHED_BGNBD.items():
        assert getattr(bg, k) == pytest.approx(v, rel=0.003), k
    assert bg.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    for k, v in PUBLISHED_GG.items():
        assert getattr(gg, k) == pytest.approx(v, rel=0.003), k


def test_cdnow_conditional_expectation_matches_published_example(cdnow_fits):
    # FHL (2005): customer with x=2, t_x=30.43, T=38.86 expects 1.226 purchases in the next 39 weeks
    bg, _ = cdnow_fits
    assert expected_purchases(bg, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=0.002)


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 38.86), (1, 1.71, 38.86), (2, 30.43, 38.86), (7, 29.43, 38.86)])
def test_closed_form_likelihood_equals_numerical_integration(x, t_x, T):
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    gamma_pdf = stats.gamma(r, scale=1 / alpha).pdf
    beta_pdf = stats.beta(a, b).pdf

    def e_lam(t):
        return integrate.quad(lambda lam: lam**x * np.exp(-lam * t) * gamma_pdf(lam), 0, np.inf, limit=200)[0]

    def e_p(f):
        return integrate.quad(lambda p: f(p) * beta_pdf(p), 0, 1, limit=200)[0]

    lik = e_p(lambda p: (1 - p) ** x) * e_lam(T)
    if x > 0:
        lik += e_p(lambda p: p * (1 - p) ** (x - 1)) * e_lam(t_x)
    closed = bgnbd_log_likelihood_terms((r, alpha, a, b), np.array([x]), np.array([t_x]), np.array([T]))[0]
    assert closed == pytest.approx(np.log(lik), abs=1e-6)


@pytest.mark.parametrize("x, t_x, T", [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 35.0, 38.86)])
def test_expected_purchases_equals_posterior_integral(x, t_x, T):
    """E[Y(t) | data] = E_prior[ P(data, alive | lam, p) (1 - exp(-lam p t)) / p ] / P(data), by Gauss quadrature.

    No hypergeometric function involved: lam = y / (alpha + T) turns the lam-integral into
    generalised Gauss-Laguerre (weight y^(r+x-1) e^-y); the p-integral is Gauss-Jacobi
    (weight p^(a-1) (1-p)^(b+x-1)). The integrand left, (1 - exp(-c y p)) / p, is smooth.
    """
    r, alpha, a, b, t = 0.243, 4.414, 0.793, 2.426, 39.0
    y, wy = special.roots_genlaguerre(80, r + x - 1)
    u, wu = special.roots_jacobi(80, b + x - 1, a - 1)
    p = (1 + u) / 2
    c = t / (alpha + T)
    inner = (1 - np.exp(-c * np.outer(y, p))) / p  # [y, p]
    integral = wy @ inner @ wu * 2.0 ** -(a + b + x - 1)
    log_const = r * np.log(alpha) - special.gammaln(r) - (r + x) * np.log(alpha + T) - special.betaln(a, b)
    log_lik = bgnbd_log_likelihood_terms((r, alpha, a, b), np.array([x]), np.array([t_x]), np.array([T]))[0]
    expected = integral * np.exp(log_const - log_lik)
    assert expected_purchases({"r": r, "alpha": alpha, "a": a, "b": b}, t, x, t_x, T) == pytest.approx(expected, rel=1e-5)


def test_second_implementation_agrees_within_2_percent_on_cdnow(cdnow_summary, cdnow_fits):
    bg, gg = cdnow_fits
    ref_bg = fit_bgnbd_reference(cdnow_summary)
    ref_gg = fit_gamma_gamma_reference(cdnow_summary)
    assert max(relative_differences(bg.params, ref_bg, bg.params).values()) < 0.02
    assert max(relative_differences(gg.params, ref_gg, gg.params).values()) < 0.02
    assert ref_bg["log_likelihood"] == pytest.approx(bg.log_likelihood, abs=1e-3)


def test_bgnbd_recovers_true_parameters_within_sampling_error():
    truth = {"r": 0.75, "alpha": 30.0, "a": 0.8, "b": 2.5}
    summary = simulate_summary(20_000, **truth, seed=11)
    fit = fit_bgnbd(summary)
    assert fit.converged
    for k, v in truth.items():
        se = fit.std_errors[k]
        assert 0 < se < 0.25 * v, (k, se)  # identified at this sample size
        assert abs(getattr(fit, k) - v) < 4 * se, (k, getattr(fit, k), v, se)


def test_second_implementation_agrees_within_2_percent_on_simulated_data():
    summary = simulate_summary(8_000, r=1.2, alpha=20.0, a=1.5, b=4.0, seed=5)
    main = fit_bgnbd(summary)
    ref = fit_bgnbd_reference(summary)
    diffs = relative_differences(main.params, ref, main.params)
    assert max(diffs.values()) < 0.02, diffs


def test_gamma_gamma_recovers_true_parameters_within_sampling_error():
    p, q, v = 6.0, 4.0, 25.0
    rng = np.random.default_rng(3)
    n = 10_000
    nu = rng.gamma(q, 1 / v, n)
    x = 1 + rng.poisson(2.0, n)
    zbar = rng.gamma(p * x, 1 / (nu * x))  # mean of x Gamma(p, nu) values
    fit = fit_gamma_gamma(pd.DataFrame({"frequency": x, "monetary": zbar}))
    for k, true in {"p": p, "q": q, "v": v}.items():
        assert abs(getattr(fit, k) - true) < 4 * fit.std_errors[k], (k, getattr(fit, k), true)
    assert abs(fit.frequency_monetary_correlation) < 0.05


def test_predictions_have_sensible_ranges(cdnow_summary, cdnow_fits):
    bg, gg = cdnow_fits
    out = predict(cdnow_summary, bg, gg, horizons=(90, 180))
    assert out["p_alive"].between(0, 1).all()
    assert (out.loc[cdnow_summary["frequency"] == 0, "p_alive"] == 1).all()
    assert (out["expected_orders_180d"] >= out["expected_orders_90d"]).all()
    assert (out["expected_revenue_180d"] > 0).all()
    assert out["expected_order_value"].min() > 0
    # 90 days = 12.86 weeks: the fit's time unit is honoured
    assert out["expected_orders_90d"].iloc[0] == pytest.approx(
        expected_purchases(bg, 90 / 7, *cdnow_summary.iloc[0][["frequency", "recency", "T"]].astype(float)), rel=1e-9
    )


def test_heavy_buyers_do_not_overflow():
    fit = {"r": 0.5, "alpha": 10.0, "a": 0.7, "b": 2.0}
    x = np.array([0, 5, 50, 400])
    t_x = np.array([0.0, 300.0, 360.0, 364.0])
    T = np.full(4, 365.0)
    e = expected_purchases(fit, 180.0, x, t_x, T)
    assert np.all(np.isfinite(e)) and np.all(e >= 0)
    assert e[3] > e[2] > e[1]
    assert np.all(np.isfinite(probability_alive(fit, x, t_x, T)))


def test_expected_purchases_finite_when_a_and_b_reach_their_bounds():
    """Short histories (60 days) often push a and b both towards the upper bound (e^12): the dropout probability is
    then almost known, p = a / (a+b). scipy's 2F1 returned NaN there, so every customer's prediction was NaN. The
    expectation must be finite and equal the known-p limit P(alive) (1 - ((alpha+T)/(alpha+T+p h))^(r+x)) / p.
    (Parameters as fitted on 340 customers drawn from the simulator's process over 60 days.)"""
    fit = {"r": 0.593, "alpha": 32.64, "a": 63013.07, "b": 162754.79}
    x = np.array([0.0, 1.0, 2.0, 5.0, 0.0])
    t_x = np.array([0.0, 10.0, 20.0, 40.0, 0.0])
    T = np.array([30.0, 30.0, 50.0, 60.0, 5.0])
    e = expected_purchases(fit, 180.0, x, t_x, T)
    assert np.all(np.isfinite(e))
    p0 = fit["a"] / (fit["a"] + fit["b"] + x)
    k, c = fit["r"] + x, fit["alpha"] + T
    limit = probability_alive(fit, x, t_x, T) * (1 - (c / (c + p0 * 180.0)) ** k) / p0
    np.testing.assert_allclose(e, limit, rtol=1e-3)


def test_quadrature_fallback_equals_closed_form_where_both_work():
    from analytics.clv.bgnbd import _alive_expectation_by_quadrature

    x = np.array([0.0, 1.0, 2.0, 5.0, 0.0])
    t_x = np.array([0.0, 10.0, 20.0, 40.0, 0.0])
    T = np.array([30.0, 30.0, 50.0, 60.0, 5.0])
    for params in [(0.243, 4.414, 0.793, 2.426), (1.3, 65.0, 1.0, 4.0), (0.5, 10.0, 3.0, 8.0)]:
        fit = dict(zip(("r", "alpha", "a", "b"), params))
        closed = expected_purchases(fit, 180.0, x, t_x, T)
        quad = probability_alive(fit, x, t_x, T) * _alive_expectation_by_quadrature(params, 180.0, x, T)
        np.testing.assert_allclose(quad, closed, rtol=1e-3)


@pytest.fixture(scope="module")
def simulated_holdout():
    tx, truth, as_of = simulate_transactions(20_000, seed=7)
    summary = summarise_transactions(tx, as_of)
    bg, gg = fit_bgnbd(summary), fit_gamma_gamma(summary)
    scores = predict(summary, bg, gg, horizons=(90, 180))
    actual = holdout_actuals(tx, as_of, (90, 180))
    return scores.merge(actual, on="customer_id", how="left").fillna(0.0)


def test_aggregate_180d_revenue_within_15_percent_of_realised(simulated_holdout):
    ratio = simulated_holdout["expected_revenue_180d"].sum() / simulated_holdout["realised_revenue_180d"].sum()
    assert 0.85 <= ratio <= 1.15, ratio


def test_per_customer_rank_correlation_at_least_half(simulated_holdout):
    rho = stats.spearmanr(simulated_holdout["expected_revenue_180d"], simulated_holdout["realised_revenue_180d"])[0]
    assert rho >= 0.5, rho


def test_matches_lifetimes_when_installed(cdnow_summary, cdnow_fits):
    lifetimes = pytest.importorskip("lifetimes")
    bg, gg = cdnow_fits
    lt = lifetimes.BetaGeoFitter().fit(cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"])
    for k in ("r", "alpha", "a", "b"):
        assert getattr(bg, k) == pytest.approx(lt.params_[k], rel=0.02)
    ours = expected_purchases(bg, 39, cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"])
    theirs = lt.conditional_expected_number_of_purchases_up_to_time(
        39, cdnow_summary["frequency"], cdnow_summary["recency"], cdnow_summary["T"]
    )
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=0.02)


def test_tiny_inputs_raise_clear_errors():
    tiny = pd.DataFrame({"frequency": [1, 0, 2], "recency": [3.0, 0.0, 5.0], "T": [10.0, 10.0, 10.0], "monetary": [5.0, 0, 4]})
    with pytest.raises(InsufficientDataError, match="at least 20 customers"):
        fit_bgnbd(tiny)
    no_repeat = pd.DataFrame({"frequency": [0] * 30, "recency": [0.0] * 30, "T": [10.0] * 30})
    with pytest.raises(InsufficientDataError, match="repeat purchase"):
        fit_bgnbd(no_repeat)
    with pytest.raises(InsufficientDataError, match="at least 10 customers"):
        fit_gamma_gamma(tiny)
    with pytest.raises(InsufficientDataError, match="missing column"):
        fit_bgnbd(pd.DataFrame({"frequency": [1]}))


def test_predict_on_empty_summary_returns_empty_frame_with_note(cdnow_fits):
    bg, gg = cdnow_fits
    empty = pd.DataFrame({"customer_id": [], "frequency": [], "recency": [], "T": [], "monetary": []})
    out = predict(empty, bg, gg)
    assert out.empty and "expected_revenue_180d" in out.columns
    assert out.attrs["note"] == "no customers to score"


def test_parameters_table_has_fit_date(cdnow_fits):
    bg, gg = cdnow_fits
    table = pd.concat([bg.to_frame("2026-06-30"), gg.to_frame("2026-06-30")])
    assert set(table["parameter"]) == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert (table["fit_date"] == pd.Timestamp("2026-06-30")).all()
