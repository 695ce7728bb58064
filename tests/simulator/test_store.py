"""The store matches the contract: layout, manifest, markets/currencies/channels, planted mess exactly as recorded."""
from __future__ import annotations

import csv
import gzip
import json
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from store_compare import RESOURCE_FIELDS, get_path, read_resource

REPO = Path(__file__).resolve().parents[2]
CONTRACT_CURRENCIES = {"USD", "EUR", "GBP", "JPY", "KRW", "SGD", "MYR", "THB", "IDR", "PHP", "BRL", "MXN", "AED", "SAR",
                       "CAD", "AUD"}
BOT_MARKERS = ("bot", "Headless", "python-requests")


def web_events(store: Path):
    for path in sorted((store / "web_events").glob("events_*.ndjson.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)


def classify(page_url: str, referrer: str, rules: list[dict]) -> str:
    """The seed's channel mapping, lowest priority number first."""
    query = {k: v[0] for k, v in parse_qs(urlparse(page_url).query).items()}
    domain = urlparse(referrer).netloc if referrer else ""
    for rule in rules:
        field, value = rule["match_field"], rule["match_value"]
        if field == "click_id" and value in query:
            return rule["channel"]
        if field in ("utm_medium", "utm_source") and query.get(field) == value:
            return rule["channel"]
        if field == "referrer_domain" and domain and (value == "*" or value in domain):
            return rule["channel"]
        if field == "direct":
            return rule["channel"]
    raise AssertionError("the mapping has a catch-all rule")


def test_manifest_counts_every_resource_file(small_market):
    store, manifest = small_market["store"], small_market["manifest"]
    assert manifest["as_of_date"] and manifest["start_date"] and manifest["days"] == 60
    for resource in RESOURCE_FIELDS:
        records = read_resource(store, resource)
        entry = manifest["resources"][resource]
        assert entry["rows"] == len(records), resource
        assert entry["distinct_keys"] == entry["rows"], f"{resource}: one version per key"
    assert manifest["web_event_files"] == len(list((store / "web_events").glob("*.ndjson.gz"))) == 60
    assert manifest["resources"]["web_events/events"]["rows"] == sum(1 for _ in web_events(store))


def test_resources_are_sorted_by_cursor_then_key(small_market):
    from store_compare import to_utc_date
    store = small_market["store"]
    for resource in ("shopify/orders", "email/events", "payments/payment_attempts", "inventory/stock_levels"):
        version_field, _ = RESOURCE_FIELDS[resource]
        days = [to_utc_date(get_path(r, version_field)) for r in read_resource(store, resource)]
        assert days == sorted(days), resource


def test_market_covers_15_countries_8_currencies_and_10_channels(small_market):
    store = small_market["store"]
    orders = read_resource(store, "shopify/orders")
    amazon = read_resource(store, "amazon_sp/orders")
    countries = {o["shipping_address"]["country_code"] for o in orders} | {o["ShippingAddress"]["CountryCode"] for o in amazon}
    currencies = ({o["currency"] for o in orders} | {o["OrderTotal"]["CurrencyCode"] for o in amazon}) & CONTRACT_CURRENCIES
    assert len(countries) >= 15, countries
    assert len(currencies) >= 8, currencies
    rules = sorted(csv.DictReader((REPO / "seeds" / "channel_mapping.csv").open()), key=lambda r: int(r["priority"]))
    seen = set()
    for e in web_events(store):
        referrer = e["page_referrer"] or ""
        if e["event_name"] == "page_view" and "shop.kumo.example" not in referrer:
            seen.add(classify(e["page_url"], referrer, rules))
    assert seen == {r["channel"] for r in rules}, seen  # every web channel of the mapping appears
    sp = read_resource(store, "amazon_ads/sp_daily")
    assert any(isinstance(r["clicks"], int) and r["clicks"] > 0 for r in sp)  # amazon_ads: aggregate reports only
    assert len(seen | {"amazon_ads"}) >= 10


def _bad_date(value) -> bool:
    if value is None:
        return False
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return False
    except ValueError:
        return True


def _bad_number(value) -> bool:
    if value is None or isinstance(value, bool):
        return value is not None
    if isinstance(value, (int, float)):
        return False
    try:
        float(value)
        return False
    except (TypeError, ValueError):
        return True


def _values(record, path):
    return [get_path(record, path)]


def test_planted_malformed_records_are_exactly_the_ledger(small_market):
    store = small_market["store"]
    mess = json.loads((small_market["truth"] / "mess.json").read_text())
    assert mess["enabled"]
    for resource, checks in mess["malformed_fields"].items():
        if resource == "web_events/events":
            records = list(web_events(store))
            key_of = lambda r: r["event_id"]  # noqa: E731
        else:
            records = read_resource(store, resource)
            _, keys = RESOURCE_FIELDS[resource]
            key_of = lambda r, keys=keys: "|".join(str(get_path(r, k)) for k in keys)  # noqa: E731
        failing = set()
        for r in records:
            bad = any(_bad_date(get_path(r, f)) for f in checks.get("dates", []))
            bad |= any(get_path(r, f) not in CONTRACT_CURRENCIES for f in checks.get("currencies", []))
            bad |= any(_bad_number(get_path(r, f)) for f in checks.get("numbers", []))
            bad |= any(not isinstance(get_path(r, f), str) for f in checks.get("strings", []))
            if bad:
                failing.add(key_of(r))
        planted = set()
        for keys in mess["malformed"].get(resource, {}).get("keys", {}).values():
            planted |= set(keys)
        assert failing == planted, f"{resource}: {len(failing)} failing vs {len(planted)} planted"
    assert mess["malformed_total"] > 0


def test_planted_business_rule_problems_are_exactly_the_ledger(small_market):
    store = small_market["store"]
    mess = json.loads((small_market["truth"] / "mess.json").read_text())
    detectors = {
        "shopify/orders": lambda r: any(li["quantity"] == 0 for li in r["line_items"]),
        "logistics/shipments": lambda r: bool(r["shipped_at"] and r["delivered_at"] and not _bad_date(r["shipped_at"])
                                              and not _bad_date(r["delivered_at"]) and r["delivered_at"] < r["shipped_at"]),
        "google_ads/ad_metrics_daily": lambda r: str(r["metrics"]["costMicros"]).startswith("-"),
        "meta_ads/insights_daily": lambda r: str(r["spend"]).startswith("-"),
        "tiktok_ads/report_daily": lambda r: str(r["metrics"]["spend"]).startswith("-"),
        "amazon_ads/sp_daily": lambda r: not _bad_number(r["cost"]) and float(r["cost"]) < 0,
    }
    for resource, detect in detectors.items():
        _, keys = RESOURCE_FIELDS[resource]
        found = {"|".join(str(get_path(r, k)) for k in keys) for r in read_resource(store, resource) if detect(r)}
        planted = set()
        for ks in mess["business_rule"].get(resource, {}).get("keys", {}).values():
            planted |= set(ks)
        assert found == planted, resource
        assert planted, f"{resource}: at least one planted problem even at small scale"


def test_bots_and_schema_drift_are_as_recorded(small_market):
    store = small_market["store"]
    mess = json.loads((small_market["truth"] / "mess.json").read_text())
    bot_events = sum(1 for e in web_events(store) if any(m in e["user_agent"] for m in BOT_MARKERS))
    assert bot_events == mess["counts"]["bots"]["events"] > 0
    drift = mess["schema_drift"]
    orders = read_resource(store, "shopify/orders")
    with_field = [o for o in orders if "client_details" in o]
    assert len(with_field) == drift["shopify/orders"]["records"] > 0
    assert all(o["updated_at"][:10] >= drift["from_date"] or o["updated_at"] >= drift["from_date"] for o in with_field)
    meta = read_resource(store, "meta_ads/insights_daily")
    assert sum("video_thruplay_watched_actions" in r for r in meta) == drift["meta_ads/insights_daily"]["records"] > 0


def test_platforms_claim_more_conversions_than_they_drive(small_market):
    mess = json.loads((small_market["truth"] / "mess.json").read_text())
    claimed = sum(v["platform_claimed_conversions"] for v in mess["over_counting"].values())
    true = sum(v["true_incremental_orders"] for v in mess["over_counting"].values())
    assert claimed > true


def test_ad_accounts_report_in_their_own_currency_and_timezone(small_market):
    store = small_market["store"]
    rows = read_resource(store, "google_ads/ad_metrics_daily")
    currencies = {r["customer"]["currencyCode"] for r in rows} & CONTRACT_CURRENCIES
    zones = {r["customer"]["timeZone"] for r in rows}
    assert len(currencies) >= 4 and len(zones) >= 4


def test_late_updates_appear(small_market):
    store = small_market["store"]
    orders = read_resource(store, "shopify/orders")
    assert any(o["refunds"] for o in orders)
    assert any(o["updated_at"] != o["created_at"] for o in orders)
    posts = read_resource(store, "creators/posts")
    assert any(p["updated_at"] != p["posted_at"] for p in posts)


def test_referral_chains_reach_depth_three(small_market):
    refs = read_resource(small_market["store"], "referrals/referrals")
    referred_by = {}
    for r in refs:
        if r["referee_customer_id"] and r["referrer_customer_id"]:
            referred_by[r["referee_customer_id"]] = r["referrer_customer_id"]

    def depth(c, seen=()):
        return 1 + depth(referred_by[c], seen + (c,)) if c in referred_by and c not in seen else 0

    assert refs
    assert max((depth(c) for c in referred_by), default=0) >= 1


def test_purchase_events_match_shopify_orders(small_market):
    """Each purchase event names a Shopify order (transaction_id) placed at the same instant, for the same total."""
    store = small_market["store"]
    orders = {o["id"]: o for o in read_resource(store, "shopify/orders")}
    mess = json.loads((small_market["truth"] / "mess.json").read_text())
    planted = {k for keys in mess["malformed"]["web_events/events"]["keys"].values() for k in keys}
    n = 0
    for e in web_events(store):
        if e["event_name"] != "purchase" or e["event_id"] in planted:
            continue
        order = orders[int(e["transaction_id"])]
        event_time = datetime.fromisoformat(e["event_timestamp"].replace("Z", "+00:00"))
        assert abs((event_time - datetime.fromisoformat(order["created_at"])).total_seconds()) < 1
        assert e["value"] == float(order["total_price"])
        n += 1
    assert 0 < n <= len(orders)
