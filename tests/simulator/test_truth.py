"""The truth is complete and consistent with the store and with itself."""
from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
import pytest

from pipelines.simulator.scenario import CHANNELS, load_scenario
from pipelines.simulator.truth import expected_daily_revenue
from store_compare import read_resource
from test_store import web_events

IDENTIFIER_TYPES = {"cookie", "app_instance", "login_user_id", "shopify_customer_id", "amazon_buyer_id", "email", "phone"}


def store_identifiers(store) -> set[tuple[str, str]]:
    """Every person identifier that appears in a raw store record, typed with the shared vocabulary."""
    ids: set[tuple[str, str]] = set()

    def add(kind, value):
        if value not in (None, ""):
            ids.add((kind, str(value)))

    for e in web_events(store):
        add("app_instance" if e["platform"] == "app" else "cookie", e["anonymous_id"])
        add("login_user_id", e["user_id"])
    for o in read_resource(store, "shopify/orders"):
        add("email", o["email"])
        add("phone", o["phone"])
        if o["customer"]:
            add("shopify_customer_id", o["customer"]["id"])
            add("email", o["customer"]["email"])
    for c in read_resource(store, "shopify/customers"):
        add("shopify_customer_id", c["id"])
        add("email", c["email"])
        add("phone", c["phone"])
    for o in read_resource(store, "amazon_sp/orders"):
        add("amazon_buyer_id", o["BuyerInfo"]["BuyerEmail"])
    for p in read_resource(store, "email/profiles"):
        add("email", p["attributes"]["email"])
        add("phone", p["attributes"]["phone_number"])
    for e in read_resource(store, "email/events"):
        add("email", e["attributes"]["email"])
    for r in read_resource(store, "referrals/referrals"):
        add("email", r["referrer_email"])
        add("email", r["referee_email"])
        add("shopify_customer_id", r["referrer_customer_id"])
        add("shopify_customer_id", r["referee_customer_id"])
    for a in read_resource(store, "experiments/assignments"):
        add("app_instance" if a["anonymous_id"].startswith("a_") else "cookie", a["anonymous_id"])
        add("login_user_id", a["user_id"])
    for m in read_resource(store, "loyalty/members"):
        add("email", m["email"])
        add("shopify_customer_id", m["shopify_customer_id"])
        add("amazon_buyer_id", m["amazon_buyer_email"])
    for c in read_resource(store, "privacy/consent_events"):
        add("email", c["subject_email"])
        add("shopify_customer_id", c["subject_customer_id"])
    for r in read_resource(store, "privacy/erasure_requests"):
        add("email", r["subject_email"])
    return ids


@pytest.fixture(scope="module")
def identity(small_market):
    return pd.read_parquet(small_market["truth"] / "identity.parquet")


def test_identity_covers_every_identifier_in_the_store(small_market, identity):
    truth = set(zip(identity["identifier_type"], identity["identifier"]))
    missing = store_identifiers(small_market["store"]) - truth
    assert not missing, sorted(missing)[:10]
    assert set(identity["identifier_type"]) == IDENTIFIER_TYPES


def test_identity_marks_shared_devices_and_the_placeholder_trap(identity):
    per_identifier = identity.groupby(["identifier_type", "identifier"])["true_person_id"].nunique()
    shared = identity.set_index(["identifier_type", "identifier"])["is_shared"].groupby(level=[0, 1]).first()
    assert (shared[per_identifier > 1]).all()
    placeholder = identity[identity["identifier"] == "noemail@marketplace.invalid"]
    assert len(placeholder) >= 2 and placeholder["is_shared"].all() and not placeholder["is_linkable"].any()
    households = identity[(identity["identifier_type"] == "cookie") & identity["is_shared"] & ~identity["is_bot"]]
    assert households.groupby("identifier")["true_person_id"].nunique().between(2, 4).all()
    assert identity["is_linkable"].any() and not identity["is_linkable"].all()
    assert identity.loc[identity["identifier_type"] == "login_user_id", "is_linkable"].all()


@pytest.fixture(scope="module")
def incrementality(small_market):
    return pd.read_csv(small_market["truth"] / "channel_incrementality.csv").set_index("channel")


def test_incrementality_has_every_channel_baseline_and_total(incrementality):
    assert set(incrementality.index) == set(CHANNELS) | {"baseline", "total"}


def test_incrementality_is_non_negative_for_channels_with_lift(incrementality):
    scenario = load_scenario()
    for channel in CHANNELS:
        row = incrementality.loc[channel]
        if scenario["channels"][channel]["lift"] > 0 and row["touchpoints"] > 0:
            assert row["expected_incremental_orders"] > 0, channel
            if row["expected_incremental_orders"] >= 10:  # well-powered: the realised difference has the same sign
                assert row["incremental_orders"] > 0 and row["incremental_revenue"] > 0, channel


def test_incrementality_sums_sensibly(incrementality):
    total, baseline = incrementality.loc["total"], incrementality.loc["baseline"]
    channels = incrementality.loc[list(CHANNELS)]
    assert 0 < baseline["incremental_orders"] < total["incremental_orders"]
    lifted = total["incremental_orders"] - baseline["incremental_orders"]
    assert 0.5 * lifted <= channels["incremental_orders"].sum() <= 1.5 * lifted


def test_truth_total_orders_equal_the_orders_in_the_store(small_market, incrementality):
    store = small_market["store"]
    n_orders = len(read_resource(store, "shopify/orders")) + len(read_resource(store, "amazon_sp/orders"))
    assert incrementality.loc["total", "incremental_orders"] == n_orders


def test_truth_total_revenue_is_the_net_revenue_in_the_store(small_market, incrementality):
    """Net revenue recomputed from raw Shopify/Amazon records at the published FX rates ~= the truth's total.

    Records with planted parse failures or an N/A rate are skipped; the shop's local order date (vs the UTC day
    the truth converts at) and Amazon refunds (booked in returns) make small differences."""
    store = small_market["store"]
    fx_lines = (store / "fx" / "eurofxref-hist.csv").read_text().splitlines()
    head = fx_lines[0].split(",")
    rates = {}
    for line in fx_lines[1:]:
        cells = line.split(",")
        rates[cells[0]] = {c: float(v) for c, v in zip(head[1:], cells[1:]) if c and v not in ("N/A", "")}

    def usd(amount, currency, day):
        day_rates = rates.get(day, {})
        per_eur = 1.0 if currency == "EUR" else day_rates.get(currency)
        return None if per_eur is None or "USD" not in day_rates else amount / per_eur * day_rates["USD"]

    total, skipped, n = 0.0, 0, 0
    for o in read_resource(store, "shopify/orders"):
        n += 1
        if o["cancelled_at"]:
            continue
        vat = o["line_items"][0]["tax_lines"][0]["rate"]
        net = float(o["subtotal_price"]) - (float(o["total_tax"]) if o["taxes_included"] else 0.0)
        net -= sum(float(t["amount"]) for ref in o["refunds"] for t in ref["transactions"]) / (1 + vat)
        value = usd(net, o["currency"], o["created_at"][:10])
        skipped += value is None
        total += value or 0.0
    for o in read_resource(store, "amazon_sp/orders"):
        n += 1
        if o["OrderStatus"] == "Canceled":
            continue
        cur = o["OrderTotal"]["CurrencyCode"]
        net = sum(float(i["ItemPrice"]["Amount"]) - float(i["PromotionDiscount"]["Amount"]) for i in o["OrderItems"])
        if cur not in ("USD", "CAD"):  # VAT included in Amazon item prices outside North America
            net -= sum(float(i["ItemTax"]["Amount"]) for i in o["OrderItems"])
        value = usd(net, cur, o["PurchaseDate"][:10])
        skipped += value is None
        total += value or 0.0
    truth_total = incrementality.loc["total", "incremental_revenue"]
    assert skipped <= 0.02 * n + 3
    assert abs(total - truth_total) / truth_total < 0.06


@pytest.fixture(scope="module")
def curves(small_market):
    return json.loads((small_market["truth"] / "response_curves.json").read_text())


def test_response_curves_recompute_current_revenue(curves):
    assert {c["channel"] for c in curves["curves"]} == {"paid_search", "shopping", "paid_social_meta",
                                                        "paid_social_tiktok", "amazon_ads"}
    recomputed = 0.0
    for c in curves["curves"]:
        value = float(expected_daily_revenue(c, c["current_daily_spend_usd"]))
        assert value == pytest.approx(c["expected_daily_revenue_at_current_usd"], rel=1e-6, abs=1e-6)
        recomputed += value
    assert recomputed == pytest.approx(curves["current_expected_daily_revenue_usd"], rel=1e-6)


def test_current_plan_is_clearly_below_the_oracle(curves):
    budget = curves["current_total_daily_spend_usd"]
    oracle = np.array([c["oracle_daily_spend_usd"] for c in curves["curves"]])
    bounded = np.array([c["oracle_bounded_daily_spend_usd"] for c in curves["curves"]])
    plan = np.array([c["current_daily_spend_usd"] for c in curves["curves"]])
    assert oracle.sum() == pytest.approx(budget, abs=1e-3) and bounded.sum() == pytest.approx(budget, abs=1e-3)
    assert np.all(bounded >= plan * 0.7 - 1e-6) and np.all(bounded <= plan * 1.3 + 1e-6)
    oracle_revenue = sum(float(expected_daily_revenue(c, s)) for c, s in zip(curves["curves"], oracle))
    assert oracle_revenue == pytest.approx(curves["oracle_expected_daily_revenue_usd"], rel=1e-5)
    assert curves["current_expected_daily_revenue_usd"] <= 0.9 * oracle_revenue


def test_response_curves_agree_with_channel_incrementality(curves, incrementality, small_market):
    days = small_market["manifest"]["days"]
    per_channel = Counter()
    for c in curves["curves"]:
        per_channel[c["channel"]] += c["expected_daily_revenue_at_current_usd"] * days
    for channel, revenue in per_channel.items():
        measured = incrementality.loc[channel, "incremental_revenue"]
        assert 0.5 * measured <= revenue <= 2.0 * measured, channel


def test_customer_future_covers_everyone_and_expectation_matches_reality(small_market):
    cf = pd.read_parquet(small_market["truth"] / "customer_future.parquet")
    assert len(cf) == small_market["manifest"]["people"] and cf["true_person_id"].is_unique
    for h in (90, 180):
        assert (cf[f"expected_orders_{h}d"] >= 0).all() and (cf[f"realised_orders_{h}d"] >= 0).all()
        exp, real = cf[f"expected_revenue_{h}d"].sum(), cf[f"realised_revenue_{h}d"].sum()
        assert abs(exp - real) / real < 0.2
    assert (cf["expected_orders_180d"] >= cf["expected_orders_90d"] - 1e-9).all()
    assert (cf["realised_orders_180d"] >= cf["realised_orders_90d"]).all()
    churned = cf[~cf["is_alive"]]
    assert len(churned) and (churned["expected_orders_180d"] == 0).all() and (churned["realised_orders_180d"] == 0).all()
    assert np.corrcoef(cf["expected_revenue_180d"], cf["realised_revenue_180d"])[0, 1] > 0.3


def test_experiments_truth_matches_the_store(small_market):
    ex = pd.read_csv(small_market["truth"] / "experiments.csv")
    aa = ex[ex["is_aa"]]
    assert len(aa) and (aa["true_effect_conversion_rate"] == 0).all()
    assert (ex.loc[ex["is_control"], "true_effect_conversion_rate"] == 0).all()
    srm = ex[ex["has_planted_srm"]]
    assert len(srm) and (srm["declared_share"] != srm["actual_share"]).any()
    assigned = Counter(a["variant_id"] for a in read_resource(small_market["store"], "experiments/assignments"))
    for row in ex.itertuples():
        assert assigned.get(row.variant_id, 0) == row.assigned_units, row.variant_id
    started = ex[ex["assigned_units"] > 0]
    assert (started["true_relative_lift"] != 0).any()


def test_truth_readme_explains_every_column(small_market):
    readme = (small_market["truth"] / "README.md").read_text()
    columns = set(pd.read_parquet(small_market["truth"] / "identity.parquet").columns)
    columns |= set(pd.read_parquet(small_market["truth"] / "customer_future.parquet").columns)
    columns |= set(pd.read_csv(small_market["truth"] / "channel_incrementality.csv").columns)
    columns |= set(pd.read_csv(small_market["truth"] / "experiments.csv").columns)
    undocumented = [c for c in columns if c not in readme and c.replace("_90d", "").replace("_180d", "") not in readme]
    assert not undocumented, undocumented


def test_lapsed_customers_open_email_less_than_alive_ones(small_market, identity):
    """Dropping out shows in the data only through engagement (scenario email.lapsed_open_multiplier): customers who
    have lapsed by as_of open a smaller share of the e-mails they receive than customers still alive."""
    future = pd.read_parquet(small_market["truth"] / "customer_future.parquet")
    customers = future[future["is_customer"]].set_index("true_person_id")["is_alive"]
    owner = identity[identity["identifier_type"] == "email"].drop_duplicates("identifier").set_index("identifier")
    counts = Counter()
    for e in read_resource(small_market["store"], "email/events"):
        a = e["attributes"]
        if a["metric"] not in ("Received Email", "Opened Email") or a["email"] not in owner.index:
            continue
        person = owner.loc[a["email"], "true_person_id"]
        if person in customers.index:
            counts[(bool(customers[person]), a["metric"])] += 1
    rate = {alive: counts[(alive, "Opened Email")] / counts[(alive, "Received Email")] for alive in (True, False)}
    assert min(counts[(alive, "Received Email")] for alive in (True, False)) >= 200, counts
    assert rate[False] < 0.8 * rate[True], (rate, counts)
