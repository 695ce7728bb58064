"""Amazon Ads' revenue per dollar read from Amazon's own sales (analytics/budget/storefront.py) and how the budget's
revenue series uses it (builders.attributed_daily): recovered on synthetic markets, refused when not identified."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.budget.storefront import MIN_MARKET_DAYS, revenue_per_dollar
from orchestration.defs.ml.builders import attributed_daily

AS_OF = pd.Timestamp("2026-02-27")
MARKETS = ("US", "DE", "GB", "JP", "BR", "FR", "AE", "SG")


def _market_days(effect: float, days: int = 120, seed: int = 0) -> pd.DataFrame:
    """Storefront revenue = the market's level + that day's shock common to all markets (a promotion, a weekday)
    + effect x the channel's spend + noise; spend wanders +-15% around each market's plan."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(end=AS_OF, periods=days).date
    level = dict(zip(MARKETS, rng.uniform(500, 3000, len(MARKETS))))
    plan = dict(zip(MARKETS, rng.uniform(20, 200, len(MARKETS))))
    shock = dict(zip(dates, rng.normal(0, 400, days)))
    rows = []
    for m in MARKETS:
        for d in dates:
            spend = plan[m] * rng.lognormal(0, 0.15)
            rows.append({"market": m, "day": d, "spend": spend,
                         "revenue": level[m] + shock[d] + effect * spend + rng.normal(0, 60)})
    return pd.DataFrame(rows)


def test_slope_within_market_and_day_recovers_the_revenue_per_dollar():
    estimates = [revenue_per_dollar(_market_days(3.0, seed=s)) for s in range(5)]
    for est in estimates:
        assert est.usable and est.markets == len(MARKETS)
        assert abs(est.revenue_per_dollar - 3.0) < 3 * est.standard_error
    # the common daily shocks (std 400, far above the effect's variation) are removed, not fitted as the effect
    assert np.mean([e.revenue_per_dollar for e in estimates]) == pytest.approx(3.0, abs=0.3)


def test_no_effect_or_too_few_days_is_not_usable_and_says_why():
    flat = revenue_per_dollar(_market_days(0.0, seed=1))
    assert not flat.usable and "not distinguishable from no effect" in flat.reason
    short = revenue_per_dollar(_market_days(3.0, days=5).head(MIN_MARKET_DAYS - 1))
    assert short.revenue_per_dollar is None and "market-days" in short.reason


def _warehouse(marts_con, effect: float):
    """Paid search with attributed revenue (our revenue / its claims = 0.5) and Amazon Ads, claiming 12 per dollar,
    whose storefront sales respond to its spend with `effect` per dollar."""
    days = _market_days(effect, seed=2)
    amazon = days.assign(channel="amazon_ads", platform_conversion_value=days["spend"] * 12.0)
    search = days.assign(channel="paid_search", spend=100.0, platform_conversion_value=400.0)
    ads = pd.concat([amazon, search]).rename(columns={"market": "country_code", "day": "date_day"})
    ads = ads[["channel", "country_code", "date_day", "spend", "platform_conversion_value"]]
    attribution = pd.DataFrame({"channel": "paid_search", "conversion_date": days["day"], "market_code": days["market"],
                                "attributed_revenue": 200.0, "model": "shapley"})
    orders = days.assign(order_id=[f"o{i}" for i in range(len(days))], is_cancelled=False, sales_channel="amazon")
    orders = orders.rename(columns={"market": "shipping_country_code", "day": "order_date", "revenue": "net_revenue"})
    con = marts_con(fct_ad_performance_daily=ads, fct_attribution=attribution,
                    fct_orders=orders[["order_id", "shipping_country_code", "order_date", "net_revenue", "is_cancelled",
                                       "sales_channel"]])
    return con, days


@pytest.mark.parametrize("by_market", [False, True])
def test_amazon_ads_is_valued_by_its_own_storefront_sales(marts_con, by_market):
    con, days = _warehouse(marts_con, effect=3.0)
    daily, _ = attributed_daily(con, AS_OF, by_market=by_market)
    amazon = daily.loc[daily["channel"] == "amazon_ads", "revenue"].sum()
    # claims x (slope x spend / claims) = slope x spend: about 3 per dollar, not the 0.5 x 12 = 6 per dollar that
    # paid search's over-count would give
    assert amazon == pytest.approx(3.0 * days["spend"].sum(), rel=0.15)
    assert "its amazon sales, same day" in daily.attrs["channel_sources"]["amazon_ads"]


def test_without_a_usable_storefront_slope_the_pooled_over_count_is_used_and_the_reason_kept(marts_con):
    con, days = _warehouse(marts_con, effect=0.0)
    daily, _ = attributed_daily(con, AS_OF)
    amazon = daily.loc[daily["channel"] == "amazon_ads", "revenue"].sum()
    assert amazon == pytest.approx(0.5 * 12.0 * days["spend"].sum())
    source = daily.attrs["channel_sources"]["amazon_ads"]
    assert source.startswith("platform-claimed x 0.500") and "not distinguishable from no effect" in source
