"""The channel x market budget plan (orchestration/defs/ml/budget_by_market.py) on a tiny in-memory warehouse:
rules fix exactly their cells, every other cell moves within its bounds toward the markets that earn more per
dollar, and a cell without a curve keeps its spend and says why."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orchestration.defs.ml.budget_by_market import build_budget_suggestions_by_market, cell_rules
from orchestration.defs.ml.builders import COLUMNS

AS_OF = pd.Timestamp("2026-02-27")


def _market(value_per_dollar: dict[tuple[str, str], float], days: int = 90, short: tuple | None = None):
    """Daily spend that wiggles around a plan and attributed revenue on one shared saturating curve, scaled per cell
    by `value_per_dollar`. `short`: a cell with only 10 days of data."""
    rng = np.random.default_rng(3)
    dates = pd.date_range(end=AS_OF, periods=days)
    ads, attribution = [], []
    for (channel, market), value in value_per_dollar.items():
        for i, d in enumerate(dates):
            if short == (channel, market) and i < days - 10:
                continue
            spend = 100.0 * rng.lognormal(0, 0.3)
            revenue = value * 100.0 * (spend / (spend + 100.0)) * 2 * rng.lognormal(0, 0.05)
            ads.append({"channel": channel, "country_code": market, "date_day": d.date(), "spend": spend,
                        "platform_conversion_value": None})
            attribution.append({"channel": channel, "market_code": market, "conversion_date": d.date(),
                                "attributed_revenue": revenue, "model": "shapley"})
    return pd.DataFrame(ads), pd.DataFrame(attribution)


def _breach(channel, market, action):
    return {"rule_id": "r", "metric": "cac", "channel": channel, "market": market, "metric_value": 100.0,
            "comparator": ">", "threshold": 60.0, "window_days": 30, "suggested_action": action}


MARKETS = pd.DataFrame({"region": ["EU", "EU", "NA"], "country_code": ["DE", "IT", "US"]})
VALUES = {("paid_search", "DE"): 3.0, ("paid_search", "IT"): 1.0, ("paid_search", "US"): 2.0,
          ("paid_social_meta", "DE"): 1.0, ("paid_social_meta", "IT"): 2.5, ("paid_social_meta", "US"): 1.5}


def test_money_moves_to_the_markets_that_earn_more_per_dollar(marts_con):
    ads, attribution = _market(VALUES)
    con = marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution, dim_markets=MARKETS)
    plan = build_budget_suggestions_by_market(con, AS_OF).set_index(["channel", "market"])
    assert list(plan.reset_index().columns) == COLUMNS["budget_suggestions_by_market"]
    assert plan["suggested_daily_spend"].sum() == pytest.approx(plan["current_daily_spend"].sum(), rel=1e-6)
    change = plan["suggested_daily_spend"] / plan["current_daily_spend"]
    assert change[("paid_search", "DE")] == pytest.approx(1.3, rel=1e-3)      # best value per dollar: up
    assert change[("paid_search", "IT")] == pytest.approx(0.7, rel=1e-3)      # worst: down
    assert change[("paid_social_meta", "IT")] > change[("paid_social_meta", "DE")]
    assert plan["rule"].isna().all()


def test_rules_fix_exactly_their_cells_and_the_rest_stays_in_bounds(marts_con):
    ads, attribution = _market(VALUES)
    breaches = pd.DataFrame([_breach("paid_search", "DE", "cut spend"), _breach(None, "NA", "pause ads in region")])
    con = marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution, dim_markets=MARKETS,
               fct_threshold_breaches=breaches)
    plan = build_budget_suggestions_by_market(con, AS_OF).set_index(["channel", "market"])
    cur, sug = plan["current_daily_spend"], plan["suggested_daily_spend"]
    assert sug[("paid_search", "DE")] == pytest.approx(0.7 * cur[("paid_search", "DE")])
    assert sug[("paid_search", "US")] == 0.0 and sug[("paid_social_meta", "US")] == 0.0   # region rule, every channel
    assert plan.loc[("paid_search", "DE"), "rule"] == "cut" and plan.loc[("paid_social_meta", "US"), "rule"] == "pause"
    free = plan["rule"].isna()
    assert free.sum() == 3
    assert ((sug[free] >= 0.7 * cur[free] - 1e-6) & (sug[free] <= 1.3 * cur[free] + 1e-6)).all()
    assert "DE" in plan.loc[("paid_search", "DE"), "reason"] and "cut" in plan.loc[("paid_search", "DE"), "reason"]
    # the budget the rules free cannot all be placed within +30% of three cells: the rest is left and stated
    unallocated = plan["total_budget"].iloc[0] - sug.sum()
    assert unallocated > 0 and plan["reason"].str.contains("left unallocated").all()


def test_a_cell_without_a_curve_keeps_its_spend_and_says_why(marts_con):
    ads, attribution = _market(VALUES, short=("paid_social_meta", "US"))
    con = marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution, dim_markets=MARKETS)
    plan = build_budget_suggestions_by_market(con, AS_OF).set_index(["channel", "market"])
    row = plan.loc[("paid_social_meta", "US")]
    assert row["action"] == "keep" and row["suggested_daily_spend"] == row["current_daily_spend"] > 0
    assert "no response curve" in row["reason"] and "days" in row["reason"]
    # the budget is every cell's current spend: the optimised cells' plus what the unfitted cell keeps
    assert plan["total_budget"].iloc[0] == pytest.approx(plan["current_daily_spend"].sum(), rel=1e-9)
    assert plan["suggested_daily_spend"].sum() == pytest.approx(plan["total_budget"].iloc[0], rel=1e-6)


def test_cell_rules_strongest_rule_per_cell_and_whole_channel_holds(marts_con):
    breaches = pd.DataFrame([
        _breach("paid_search", "DE", "cut spend"),
        _breach(None, "EU", "pause ads in region"),
        _breach("paid_social_meta", None, "hold"),
    ])
    con = marts_con(fct_threshold_breaches=breaches, dim_markets=MARKETS)
    cells = set(VALUES)
    rules = {(r["channel"], r["market"]): r["action"] for r in cell_rules(con, cells)}
    assert rules == {("paid_search", "DE"): "pause", ("paid_search", "IT"): "pause",   # the region pause wins
                     ("paid_social_meta", "DE"): "pause", ("paid_social_meta", "IT"): "pause",
                     ("paid_social_meta", "US"): "hold"}


def test_the_channel_table_is_the_plan_by_market_summed(marts_con):
    """build_budget_suggestions (ml.budget_suggestions) sums the channel x market plan per channel: spends, bounds
    and revenues add up, a channel whose every market a rule fixes takes the rule's action, and the reason names
    the rules and the budget left unallocated."""
    from orchestration.defs.ml.budget_by_market import channel_rollup
    from orchestration.defs.ml.builders import build_budget_suggestions

    ads, attribution = _market(VALUES)
    breaches = pd.DataFrame([_breach("paid_search", "DE", "cut spend"), _breach(None, "NA", "pause ads in region"),
                             _breach("paid_social_meta", "IT", "cut spend"), _breach("paid_social_meta", "DE",
                                                                                     "cut spend")])
    con = marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution, dim_markets=MARKETS,
                    fct_threshold_breaches=breaches)
    plan = build_budget_suggestions_by_market(con, AS_OF)
    table = build_budget_suggestions(con, AS_OF).set_index("channel")
    assert list(table.reset_index().columns) == COLUMNS["budget_suggestions"]
    sums = plan.groupby("channel")[["current_daily_spend", "suggested_daily_spend", "upper_bound"]].sum()
    for column in sums.columns:
        assert table[column].to_numpy() == pytest.approx(sums[column].to_numpy())
    assert table.loc["paid_search", "action"] == "decrease"          # DE cut, US paused, IT free
    assert "cut in DE" in table.loc["paid_search", "reason"] and "pause in US" in table.loc["paid_search", "reason"]
    meta = plan.loc[plan["channel"] == "paid_social_meta"]
    assert meta["rule"].notna().all() and set(meta["rule"]) == {"cut", "pause"}
    assert table.loc["paid_social_meta", "action"] == "decrease"     # mixed rules: named by the change
    unallocated = table["total_budget"].iloc[0] - table["suggested_daily_spend"].sum()
    assert unallocated > 0 and table["reason"].str.contains(f"{unallocated:,.2f} of the").all()
    # one rule over all of a channel's markets: the channel takes its action
    only_holds = plan.assign(rule="hold", action="hold")
    assert set(channel_rollup(only_holds)["action"]) == {"hold"}
    # the Dagster asset sums the plan already written (written_plan=True) instead of building it again
    con.execute("create schema ml")
    con.register("_plan", plan.assign(suggested_daily_spend=plan["current_daily_spend"]))
    con.execute("create table ml.budget_suggestions_by_market as select * from _plan")
    from_table = build_budget_suggestions(con, AS_OF, written_plan=True).set_index("channel")
    assert from_table["suggested_daily_spend"].to_numpy() == pytest.approx(table["current_daily_spend"].to_numpy())
