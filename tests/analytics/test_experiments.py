import numpy as np
import pandas as pd
import pytest

from analytics.experiments import (
    InsufficientDataError,
    analyse_experiments,
    analytic_power,
    newcombe_diff_ci,
    srm_chisquare,
    two_proportion_ztest,
    wald_diff_ci,
)

ALPHA = 0.05


def _variants(exp_ids, shares=(0.5, 0.5), names=("control", "treatment")):
    rows = []
    for e in exp_ids:
        for i, (n, s) in enumerate(zip(names, shares)):
            rows.append({"experiment_id": e, "variant": n, "is_control": i == 0, "traffic_share": s})
    return pd.DataFrame(rows)


def _users(exp_id, n, shares, rates, rng, pre_effect=0.0, variant_names=("control", "treatment")):
    """Users with a pre-period metric x (orders last period) that raises conversion by `pre_effect` per order."""
    v = rng.choice(len(shares), size=n, p=shares)
    x = rng.poisson(1.0, n).astype(float)
    p = np.clip(np.asarray(rates)[v] + pre_effect * (x - 1.0), 0, 1)
    return pd.DataFrame(
        {"experiment_id": exp_id, "variant": np.asarray(variant_names)[v], "converted": (rng.random(n) < p).astype(int), "pre": x}
    )


def test_aa_false_positive_rate_is_nominal_over_many_tests():
    rng = np.random.default_rng(0)
    n_tests, n = 20_000, 5_000
    conv_c = rng.binomial(n, 0.04, n_tests)
    conv_t = rng.binomial(n, 0.04, n_tests)
    _, p = two_proportion_ztest(conv_c, n, conv_t, n)
    fpr = float(np.mean(p < ALPHA))
    assert 0.02 <= fpr <= 0.08, fpr
    assert abs(fpr - ALPHA) < 0.01  # 20k tests: the standard error is 0.0015


def test_aa_false_positive_rate_through_the_full_readout():
    rng = np.random.default_rng(1)
    n_tests, n = 400, 2_000
    users = pd.DataFrame(
        {
            "experiment_id": np.repeat(np.arange(n_tests), n),
            "variant": np.where(rng.random(n_tests * n) < 0.5, "control", "treatment"),
            "converted": (rng.random(n_tests * n) < 0.1).astype(int),
        }
    )
    out = analyse_experiments(users, _variants(range(n_tests)))
    treat = out[~out["is_control"]]
    fpr = float(np.mean(treat["p_value"] < ALPHA))
    assert 0.02 <= fpr <= 0.08, fpr
    assert set(treat["verdict"]) <= {"winner", "loser", "inconclusive", "unhealthy"}
    assert (treat["verdict"].isin(["winner", "loser"])).mean() == pytest.approx(fpr, abs=0.005)


def test_power_on_a_true_effect_matches_the_analytic_approximation():
    rng = np.random.default_rng(2)
    n_tests, n, p_c, p_t = 20_000, 4_000, 0.10, 0.12
    conv_c = rng.binomial(n, p_c, n_tests)
    conv_t = rng.binomial(n, p_t, n_tests)
    _, p = two_proportion_ztest(conv_c, n, conv_t, n)
    empirical = float(np.mean(p < ALPHA))
    expected = float(analytic_power(p_c, p_t, n, n, ALPHA))
    assert 0.5 < expected < 0.95
    assert empirical == pytest.approx(expected, abs=0.02)


def test_newcombe_interval_covers_the_true_difference_about_95_percent():
    rng = np.random.default_rng(3)
    n_tests, n, p_c, p_t = 20_000, 300, 0.03, 0.05  # small counts, rates near 0
    conv_c = rng.binomial(n, p_c, n_tests)
    conv_t = rng.binomial(n, p_t, n_tests)
    lo, hi = newcombe_diff_ci(conv_c, n, conv_t, n)
    coverage = float(np.mean((lo <= p_t - p_c) & (p_t - p_c <= hi)))
    assert 0.935 <= coverage <= 0.965, coverage
    wlo, whi = wald_diff_ci(conv_c, n, conv_t, n)
    wald_coverage = float(np.mean((wlo <= p_t - p_c) & (p_t - p_c <= whi)))
    assert coverage >= wald_coverage - 0.005  # Newcombe never worse than Wald here


def test_planted_53_47_split_is_flagged_unhealthy():
    rng = np.random.default_rng(4)
    users = _users("srm", 20_000, [0.53, 0.47], [0.05, 0.05], rng)
    out = analyse_experiments(users, _variants(["srm"]))
    assert out["is_srm"].all() and (out["verdict"] == "unhealthy").all()
    assert out["srm_p_value"].iloc[0] < 1e-6
    assert "sample-ratio mismatch" in out["note"].iloc[0]


def test_balanced_split_is_not_flagged_and_srm_false_alarms_are_rare():
    rng = np.random.default_rng(5)
    users = _users("ok", 20_000, [0.5, 0.5], [0.05, 0.05], rng)
    out = analyse_experiments(users, _variants(["ok"]))
    assert not out["is_srm"].any()
    counts = rng.multinomial(20_000, [0.5, 0.5], size=20_000)
    _, p = srm_chisquare(counts, np.tile([0.5, 0.5], (20_000, 1)))
    assert np.mean(p < 0.001) < 0.003


def test_srm_respects_an_unequal_declared_split():
    rng = np.random.default_rng(6)
    users = _users("split", 20_000, [0.8, 0.2], [0.05, 0.05], rng)
    out = analyse_experiments(users, _variants(["split"], shares=(0.8, 0.2)))
    assert not out["is_srm"].any()
    out_wrong = analyse_experiments(users, _variants(["split"], shares=(0.5, 0.5)))
    assert out_wrong["is_srm"].all()


def test_cuped_reduces_variance_when_the_covariate_correlates():
    rng = np.random.default_rng(7)
    users = _users("cuped", 40_000, [0.5, 0.5], [0.10, 0.11], rng, pre_effect=0.06)
    out = analyse_experiments(users, _variants(["cuped"]), covariate_col="pre")
    t = out[~out["is_control"]].iloc[0]
    # theory: the reduction is corr(X, Y)^2 = (0.06^2 * var X) / (p (1 - p)), X ~ Poisson(1), p ~ 0.105
    theory = 0.06**2 * 1.0 / (0.105 * 0.895)
    assert t["cuped_variance_reduction"] == pytest.approx(theory, abs=0.01)
    assert (t["cuped_ci_high"] - t["cuped_ci_low"]) < (t["ci_high"] - t["ci_low"])
    assert t["cuped_theta"] > 0


def test_cuped_is_unbiased_and_tighter_over_repeated_tests():
    rng = np.random.default_rng(8)
    n_tests, n = 200, 4_000
    frames = [_users(i, n, [0.5, 0.5], [0.10, 0.12], rng, pre_effect=0.06) for i in range(n_tests)]
    out = analyse_experiments(pd.concat(frames, ignore_index=True), _variants(range(n_tests)), covariate_col="pre")
    t = out[~out["is_control"]]
    assert t["cuped_abs_lift"].mean() == pytest.approx(0.02, abs=0.002)
    assert t["cuped_abs_lift"].std() < t["abs_lift"].std()


def test_cuped_with_an_unrelated_covariate_changes_nothing_much():
    rng = np.random.default_rng(9)
    users = _users("noise", 40_000, [0.5, 0.5], [0.10, 0.10], rng, pre_effect=0.0)
    t = analyse_experiments(users, _variants(["noise"]), covariate_col="pre").iloc[1]
    assert abs(t["cuped_variance_reduction"]) < 0.01


def test_verdicts_winner_loser_inconclusive_and_bonferroni():
    rng = np.random.default_rng(10)
    names = ("control", "better", "worse", "same")
    users = _users("multi", 120_000, [0.25] * 4, [0.10, 0.12, 0.08, 0.10], rng, variant_names=names)
    variants = _variants(["multi"], shares=(0.25,) * 4, names=names)
    out = analyse_experiments(users, variants, correction="bonferroni").set_index("variant")
    assert out.loc["control", "verdict"] == "control"
    assert out.loc["better", "verdict"] == "winner"
    assert out.loc["worse", "verdict"] == "loser"
    assert out.loc["same", "verdict"] == "inconclusive"
    better = out.loc["better"]
    assert better["ci_low"] < better["abs_lift"] < better["ci_high"]
    assert better["rel_lift"] == pytest.approx(better["abs_lift"] / out.loc["control", "conversion_rate"])


def test_missing_declarations_fall_back_with_notes_and_two_controls_fail():
    rng = np.random.default_rng(11)
    users = _users("nodecl", 5_000, [0.5, 0.5], [0.1, 0.1], rng, variant_names=("a_variant", "b_variant"))
    out = analyse_experiments(users)
    assert out["is_control"].sum() == 1
    assert "no control declared" in out["note"].iloc[0] and "equal shares" in out["note"].iloc[0]
    two = _variants(["nodecl"], names=("a_variant", "b_variant"))
    two["is_control"] = True
    with pytest.raises(InsufficientDataError, match="more than one control"):
        analyse_experiments(users, two)


def test_empty_input_returns_empty_frame_with_note():
    empty = pd.DataFrame({"experiment_id": [], "variant": [], "converted": []})
    out = analyse_experiments(empty)
    assert out.empty and out.attrs["note"] == "no experiment assignments"
    with pytest.raises(InsufficientDataError, match="missing column"):
        analyse_experiments(pd.DataFrame({"experiment_id": [1]}))


def test_declared_variant_without_users_is_reported():
    rng = np.random.default_rng(12)
    users = _users("lost_arm", 4_000, [1.0, 0.0], [0.1, 0.1], rng)
    out = analyse_experiments(users, _variants(["lost_arm"]))
    assert (out["verdict"] == "unhealthy").all()
    assert out.set_index("variant").loc["treatment", "users"] == 0
