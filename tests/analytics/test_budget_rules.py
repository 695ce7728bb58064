"""The budget builder's inputs from the warehouse, on a tiny in-memory DuckDB: how the brand's threshold breaches
become holds and market bounds, and where a channel without user-level touchpoints (Amazon Ads) gets its revenue."""
from __future__ import annotations

import pandas as pd
import pytest

from orchestration.defs.ml.builders import (
    _add_calibrated_platform_revenue,
    attributed_daily,
    brand_rules,
    market_bounds,
    rule_levels,
)

AS_OF = pd.Timestamp("2026-02-27")


def _breach(rule_id, channel, market, action, metric="cac", value=100.0, threshold=60.0):
    return {"rule_id": rule_id, "metric": metric, "channel": channel, "market": market, "metric_value": value,
            "comparator": ">", "threshold": threshold, "window_days": 30, "suggested_action": action}


class _Curve:
    def __init__(self, spend: float):
        self.current_daily_spend = spend


def test_channel_market_breach_acts_on_that_market_only(marts_con):
    breaches = pd.DataFrame([
        _breach("cac_above_target", "paid_search", "IT", "cut spend"),
        _breach("roas_below_floor", "affiliate_kol", None, "pause", metric="roas", value=0.3, threshold=1.0),
        _breach("delivery_slow", None, "LATAM", "pause ads in region", metric="avg_delivery_days"),
        _breach("ctr_falling", "shopping", None, "refresh creative", metric="ctr_change"),
    ])
    holds, market_rules, notes = brand_rules(marts_con(fct_threshold_breaches=breaches))
    assert holds == [{"channel": "affiliate_kol", "action": "pause", "reason": holds[0]["reason"]}]
    by_market = {(r["channel"], r["market"]): r["action"] for r in market_rules}
    assert by_market == {("paid_search", "IT"): "cut", (None, "LATAM"): "pause"}
    assert "no budget change" in notes["shopping"][0]


def test_market_bounds_apply_a_channel_rule_to_its_own_spend_share(marts_con):
    spend = pd.DataFrame({
        "channel": ["paid_search", "paid_search", "paid_social_meta", "paid_social_meta"],
        "country_code": ["IT", "US", "IT", "US"],
        "spend": [250.0, 750.0, 500.0, 500.0],
        "date_day": [AS_OF.date()] * 4,
    })
    markets = pd.DataFrame({"region": ["EU", "NA"], "country_code": ["IT", "US"]})
    con = marts_con(fct_ad_performance_daily=spend, dim_markets=markets)
    rules = [{"market": "IT", "channel": "paid_search", "action": "pause", "reason": "CAC in IT"}]
    curves = {"paid_search": _Curve(100.0), "paid_social_meta": _Curve(100.0)}
    bounds, notes = market_bounds(con, AS_OF, curves, rules, max_change=0.3)
    # paid search: its IT quarter is paused, the other 75% moves within +-30%
    assert bounds["paid_search"] == pytest.approx((0.7 * 75.0, 1.3 * 75.0))
    assert "paid_social_meta" not in bounds          # meta's IT spend is not touched by paid search's rule
    assert "25.0% of this channel's spend is paused" in notes["paid_search"][0]

    region_rule = [{"market": "EU", "action": "cut", "reason": "slow deliveries"}]
    bounds, _ = market_bounds(con, AS_OF, curves, region_rule, max_change=0.3)
    assert set(bounds) == {"paid_search", "paid_social_meta"}   # a channel-less rule applies to every channel


def _spend_and_claims():
    days = pd.date_range("2026-02-01", periods=10).date
    rows = []
    for d in days:
        rows.append({"channel": "paid_search", "date_day": d, "spend": 100.0, "platform_conversion_value": 400.0})
        rows.append({"channel": "amazon_ads", "date_day": d, "spend": 50.0, "platform_conversion_value": 300.0})
    return pd.DataFrame(rows), days


def test_channel_without_touchpoints_gets_calibrated_platform_claims(marts_con):
    ads, days = _spend_and_claims()
    attribution = pd.DataFrame({"channel": "paid_search", "conversion_date": days, "attributed_revenue": 200.0,
                                "model": "shapley"})
    con = marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution)
    daily, source = attributed_daily(con, AS_OF)
    revenue = daily.groupby("channel")["revenue"].sum()
    # ours / claimed on paid search = 2000 / 4000 = 0.5, applied to Amazon's 3000 claimed
    assert revenue["amazon_ads"] == pytest.approx(1500.0)
    assert revenue["paid_search"] == pytest.approx(2000.0)
    sources = daily.attrs["channel_sources"]
    assert source == "fct_attribution:shapley" and sources["paid_search"] == source
    assert sources["amazon_ads"].startswith("platform-claimed x 0.500")


def test_budget_revenue_is_incremental_once_the_baseline_shares_exist(marts_con):
    """With incremental_attributed_revenue filled, the curves fit on it (what the customer would have bought anyway
    is not revenue spend can buy), and Amazon's calibration uses it too; without it, on attributed_revenue."""
    ads, days = _spend_and_claims()
    attribution = pd.DataFrame({"channel": "paid_search", "conversion_date": days, "attributed_revenue": 200.0,
                                "incremental_attributed_revenue": 80.0, "model": "shapley"})
    daily, source = attributed_daily(marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution), AS_OF)
    revenue = daily.groupby("channel")["revenue"].sum()
    assert source == "fct_attribution:shapley incremental"
    assert revenue["paid_search"] == pytest.approx(800.0)
    assert revenue["amazon_ads"] == pytest.approx(3000.0 * 800.0 / 4000.0)
    before_fit = attribution.assign(incremental_attributed_revenue=None)
    daily, source = attributed_daily(marts_con(fct_ad_performance_daily=ads, fct_attribution=before_fit), AS_OF)
    assert source == "fct_attribution:shapley"
    assert daily.groupby("channel")["revenue"].sum()["paid_search"] == pytest.approx(2000.0)


def test_without_a_channel_to_calibrate_on_the_revenue_stays_zero_and_says_why():
    ads, days = _spend_and_claims()
    ads = ads[ads["channel"] == "amazon_ads"]
    spend = ads.rename(columns={"date_day": "date", "platform_conversion_value": "claimed"})
    rev = pd.DataFrame({"channel": pd.Series(dtype=str), "date": pd.Series(dtype=object),
                        "revenue": pd.Series(dtype=float)})
    out, sources = _add_calibrated_platform_revenue(spend, rev, "fct_attribution:shapley")
    assert out.empty
    assert sources["amazon_ads"].startswith("none: no user-level touchpoints")


def test_rule_levels_fix_each_channel_market_a_rule_covers(marts_con):
    """What the evaluation holds the oracle to: a channel x country cut keeps 70%, a region pause 0 in each of its
    countries for every channel, a whole-channel pause everywhere ("*"); the strongest rule wins per country."""
    breaches = pd.DataFrame([
        _breach("cac_above_target", "paid_search", "IT", "cut spend"),
        _breach("cac_above_target", "paid_search", "BR", "cut spend"),
        _breach("roas_below_floor", "affiliate_kol", None, "pause", metric="roas", value=0.3, threshold=1.0),
        _breach("delivery_slow", None, "LATAM", "pause ads in region", metric="avg_delivery_days"),
    ])
    markets = pd.DataFrame({"region": ["EU", "LATAM", "LATAM"], "country_code": ["IT", "BR", "MX"]})
    levels = rule_levels(marts_con(fct_threshold_breaches=breaches, dim_markets=markets),
                         ["paid_search", "shopping"], max_change=0.3)
    assert levels == {
        ("affiliate_kol", "*"): 0.0,
        ("paid_search", "IT"): pytest.approx(0.7), ("paid_search", "BR"): 0.0, ("paid_search", "MX"): 0.0,
        ("shopping", "BR"): 0.0, ("shopping", "MX"): 0.0,
    }


def test_rule_levels_strongest_of_a_channel_rule_and_a_market_rule_wins(marts_con):
    """A whole-channel rule and a market rule on the same channel: each cell gets the stronger (pause > cut > hold),
    the same per-cell rules the channel x market plan applies (`rules_by_cell`)."""
    breaches = pd.DataFrame([
        _breach("cac_above_target", "paid_search", None, "cut spend"),
        _breach("delivery_slow", None, "IT", "pause ads in market", metric="avg_delivery_days"),
        _breach("hold_meta", "paid_social_meta", None, "hold"),
        _breach("cac_above_target", "paid_social_meta", "US", "cut spend"),
    ])
    markets = pd.DataFrame({"region": ["EU", "NA"], "country_code": ["IT", "US"]})
    levels = rule_levels(marts_con(fct_threshold_breaches=breaches, dim_markets=markets),
                         ["paid_search", "paid_social_meta"], max_change=0.3)
    assert levels == {
        ("paid_search", "*"): pytest.approx(0.7), ("paid_search", "IT"): 0.0,            # pause beats the cut
        ("paid_social_meta", "*"): 1.0, ("paid_social_meta", "IT"): 0.0,
        ("paid_social_meta", "US"): pytest.approx(0.7),                                   # cut beats the hold
    }
