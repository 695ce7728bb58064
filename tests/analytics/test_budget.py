import numpy as np
import pandas as pd
import pytest

from analytics.budget import (
    InfeasibleBudgetError,
    InsufficientDataError,
    allocation_to_spend,
    fit_response_curves,
    geometric_adstock,
    marginal_roas,
    optimise_allocation,
    oracle_allocation,
    response,
    score_allocation,
    steady_state_revenue,
)
from analytics.budget.simulate import simulate_channel_days

# Two saturated channels and two with room to grow: the current plan is clearly sub-optimal.
SCENARIO_A = (
    {
        "paid_search": {"beta": 5200, "half_saturation": 250, "shape": 1.0, "adstock_decay": 0.2},
        "amazon_ads": {"beta": 3000, "half_saturation": 150, "shape": 0.8, "adstock_decay": 0.1},
        "paid_social_meta": {"beta": 60000, "half_saturation": 12000, "shape": 1.0, "adstock_decay": 0.5},
        "paid_social_tiktok": {"beta": 30000, "half_saturation": 4000, "shape": 1.3, "adstock_decay": 0.4},
    },
    {"paid_search": 1500, "amazon_ads": 900, "paid_social_meta": 1000, "paid_social_tiktok": 600},
)
# S-shaped Meta curve operating below its inflection point (non-concave within the bounds).
SCENARIO_B = (
    {
        "paid_search": {"beta": 8000, "half_saturation": 400, "shape": 1.2, "adstock_decay": 0.3},
        "shopping": {"beta": 4000, "half_saturation": 800, "shape": 1.0, "adstock_decay": 0.2},
        "paid_social_meta": {"beta": 40000, "half_saturation": 6000, "shape": 1.6, "adstock_decay": 0.6},
        "paid_social_tiktok": {"beta": 20000, "half_saturation": 3000, "shape": 1.0, "adstock_decay": 0.5},
    },
    {"paid_search": 2500, "shopping": 1200, "paid_social_meta": 1500, "paid_social_tiktok": 500},
)


def test_normalised_adstock_keeps_steady_state_and_decays_geometrically():
    assert np.allclose(geometric_adstock(np.full(50, 100.0), 0.7), 100.0)
    impulse = geometric_adstock(np.r_[0.0, 100.0, np.zeros(5)], 0.5)
    assert impulse[1] == pytest.approx(50.0)
    assert np.allclose(impulse[2:] / impulse[1:-1], 0.5)
    curve = SCENARIO_A[0]["paid_social_tiktok"]
    assert response(np.full(30, 700.0), curve)[-1] == pytest.approx(steady_state_revenue(700.0, curve))


def test_marginal_roas_is_the_derivative_of_the_curve():
    for curve in SCENARIO_A[0].values():
        x, h = 800.0, 1e-3
        numeric = (steady_state_revenue(x + h, curve) - steady_state_revenue(x - h, curve)) / (2 * h)
        assert marginal_roas(x, curve) == pytest.approx(numeric, rel=1e-6)


@pytest.mark.parametrize(
    "scenario, seed",
    [(SCENARIO_A, 0), (SCENARIO_A, 1), (SCENARIO_A, 2), (SCENARIO_B, 10), (SCENARIO_B, 11)],
)
def test_fitted_suggestion_closes_the_gap_to_the_oracle(scenario, seed):
    true_curves, current = scenario
    oracle = oracle_allocation(true_curves, current)
    current_revenue = score_allocation(true_curves, current)
    oracle_revenue = score_allocation(true_curves, allocation_to_spend(oracle))
    assert current_revenue <= 0.90 * oracle_revenue  # the scenario leaves real money on the table

    daily = simulate_channel_days(true_curves, current, seed=seed)
    curves = fit_response_curves(daily)
    plan = optimise_allocation(curves, current_spend=current)
    assert plan["suggested_daily_spend"].sum() == pytest.approx(sum(current.values()), rel=1e-9)
    suggested_revenue = score_allocation(true_curves, allocation_to_spend(plan))  # scored under the TRUE curves
    gap_closed = (suggested_revenue - current_revenue) / (oracle_revenue - current_revenue)
    assert suggested_revenue >= 0.95 * oracle_revenue, suggested_revenue / oracle_revenue
    assert gap_closed >= 0.70, gap_closed


def test_oracle_equalises_marginal_roas_on_channels_not_at_a_bound():
    true_curves, current = SCENARIO_A
    plan = oracle_allocation(true_curves, current)
    interior = (plan["suggested_daily_spend"] > plan["lower_bound"] + 1e-6) & (
        plan["suggested_daily_spend"] < plan["upper_bound"] - 1e-6
    )
    assert interior.sum() >= 2
    m = plan.loc[interior, "marginal_roas"]
    assert m.max() - m.min() < 1e-3 * m.mean()
    # channels held at the upper bound earn more at the margin than the interior ones
    at_upper = plan["suggested_daily_spend"] >= plan["upper_bound"] - 1e-6
    assert (plan.loc[at_upper, "marginal_roas"] > m.max()).all()


def test_bounds_and_total_are_respected():
    true_curves, current = SCENARIO_A
    bounds = {"paid_social_meta": (900.0, 1100.0)}
    plan = oracle_allocation(true_curves, current, total_budget=3800.0, bounds=bounds)
    assert plan["suggested_daily_spend"].sum() == pytest.approx(3800.0)
    assert (plan["suggested_daily_spend"] >= plan["lower_bound"] - 1e-6).all()
    assert (plan["suggested_daily_spend"] <= plan["upper_bound"] + 1e-6).all()
    meta = plan.set_index("channel").loc["paid_social_meta"]
    assert 900.0 - 1e-6 <= meta["suggested_daily_spend"] <= 1100.0 + 1e-6


def test_hold_cut_and_pause_rules_are_respected_and_explained():
    true_curves, current = SCENARIO_A
    holds = {
        "paid_social_tiktok": {"action": "cut", "reason": "CAC over threshold"},
        "amazon_ads": {"action": "hold", "reason": "inventory below safety stock"},
    }
    plan = oracle_allocation(true_curves, current, holds=holds).set_index("channel")
    assert plan.loc["paid_social_tiktok", "suggested_daily_spend"] == pytest.approx(0.7 * 600)
    assert plan.loc["amazon_ads", "suggested_daily_spend"] == pytest.approx(900)
    assert plan.loc["paid_social_tiktok", "reason"] == "cut: CAC over threshold"
    assert plan.loc["amazon_ads", "action"] == "hold"
    assert plan["suggested_daily_spend"].sum() == pytest.approx(sum(current.values()))  # freed budget re-used

    paused = oracle_allocation(true_curves, current, holds={"paid_search": ("pause", "logistics disruption")})
    assert paused.set_index("channel").loc["paid_search", "suggested_daily_spend"] == 0.0
    cut_to = oracle_allocation(true_curves, current, holds={"paid_search": {"action": "cut", "to": 100.0, "reason": "x"}})
    assert cut_to.set_index("channel").loc["paid_search", "suggested_daily_spend"] == 100.0


def test_market_rules_apply_to_every_channel_in_the_market():
    base = SCENARIO_A[0]
    curves = {(ch, mk): c for ch, c in base.items() for mk in ("DE", "BR")}
    current = {(ch, mk): s for ch, s in SCENARIO_A[1].items() for mk in ("DE", "BR")}
    rules = [{"market": "BR", "action": "pause", "reason": "logistics disruption in BR"}]
    plan = oracle_allocation(curves, current, holds=rules, key_names=("channel", "market"), total_budget=sum(current.values()) / 2)
    br = plan[plan["market"] == "BR"]
    assert (br["suggested_daily_spend"] == 0).all() and (br["action"] == "pause").all()
    assert br["reason"].str.contains("logistics disruption in BR").all()
    assert plan["suggested_daily_spend"].sum() == pytest.approx(sum(current.values()) / 2)


def test_contribution_objective_uses_margins():
    true_curves, current = SCENARIO_A
    margin = {"paid_search": 0.2, "amazon_ads": 0.2, "paid_social_meta": 0.6, "paid_social_tiktok": 0.6}
    plan = oracle_allocation(true_curves, current, objective="contribution", margin=margin)
    assert plan.attrs["objective"] == "contribution"
    assert plan["suggested_daily_spend"].sum() == pytest.approx(sum(current.values()))


def test_output_columns_and_reasons():
    true_curves, current = SCENARIO_A
    plan = oracle_allocation(true_curves, current)
    for col in ("channel", "current_daily_spend", "suggested_daily_spend", "expected_revenue_current",
                "expected_revenue_suggested", "marginal_roas", "reason"):
        assert col in plan.columns
    meta = plan.set_index("channel").loc["paid_social_meta"]
    assert meta["action"] == "increase" and "upper bound" in meta["reason"]
    assert plan.attrs["expected_revenue_suggested_total"] > plan.attrs["expected_revenue_current_total"]


def test_infeasible_budget_and_tiny_inputs_raise_clear_errors():
    true_curves, current = SCENARIO_A
    with pytest.raises(InfeasibleBudgetError, match="below the sum of lower bounds"):
        oracle_allocation(true_curves, current, total_budget=100.0)
    over = oracle_allocation(true_curves, current, total_budget=50_000.0)
    assert over.attrs["unallocated_budget"] > 0 and "unallocated" in over.attrs["notes"][0]
    with pytest.raises(InsufficientDataError, match="no response curves"):
        optimise_allocation({})
    with pytest.raises(InsufficientDataError, match="no current spend"):
        optimise_allocation(true_curves)
    with pytest.raises(InsufficientDataError, match="no rows"):
        fit_response_curves(pd.DataFrame({"channel": [], "date": [], "spend": [], "revenue": []}))
    short = simulate_channel_days(true_curves, current, days=10)
    with pytest.raises(InsufficientDataError, match="only 10 days"):
        fit_response_curves(short)
    with pytest.raises(InsufficientDataError, match="missing column"):
        fit_response_curves(short.drop(columns="spend"))


def test_channels_that_cannot_be_fitted_are_skipped_with_a_reason():
    true_curves, current = SCENARIO_A
    daily = simulate_channel_days(true_curves, current, seed=3)
    flat = daily["channel"] == "amazon_ads"
    daily.loc[flat, "spend"] = 900.0
    curves = fit_response_curves(daily)
    assert ("amazon_ads",) not in curves
    assert "never varied" in curves.skipped[("amazon_ads",)]
    plan = optimise_allocation(curves)  # current spend from the last 30 days of data
    assert set(plan["channel"]) == {"paid_search", "paid_social_meta", "paid_social_tiktok"}
    assert plan["confidence"].str.match(r"(high|medium|low)").all()
