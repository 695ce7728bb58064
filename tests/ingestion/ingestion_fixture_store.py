"""A tiny, hand-written platform store in the contract's format (docs/contract.md §3, §5), for ingestion tests.

It does not depend on the real simulator. Every resource gets a few records per day, and the planted cases the tests
need:
* malformed records (unparseable dates, unknown currencies, non-numeric numbers, invalid JSON lines) — `MALFORMED`
  lists them per resource so tests can check the rejects table;
* late updates (Shopify order refunded 2 days later with a new refund row; shipments delivered later; creator post
  metrics growing for 7 days; assignments getting a user_id; erasure requests completed);
* schema drift: Shopify orders get `client_details` and Meta insights `video_thruplay_watched_actions` from
  `DRIFT_DAY` on;
* business-rule problems that must land (negative spend, quantity 0, delivered before shipped).

Like the real generator, `write_store(days=N+1)` equals `write_store(days=N)` plus one day: every record is a pure
function of (seed, day, index) and its visible version only depends on the store's as-of day.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import random
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

START = date(2026, 3, 2)
DRIFT_DAY = 3
KEYS = {  # source/resource -> key paths (mirrors the contract)
    "shopify/orders": ("id",), "shopify/customers": ("id",), "shopify/products": ("id",),
    "amazon_sp/orders": ("AmazonOrderId",), "amazon_sp/returns": ("ReturnId",),
    "google_ads/customers": ("customer.id",), "google_ads/campaigns": ("campaign.id",),
    "google_ads/ad_groups": ("adGroup.id",), "google_ads/ads": ("adGroupAd.ad.id",),
    "google_ads/ad_metrics_daily": ("segments.date", "adGroupAd.ad.id", "segments.geoTargetCountry"),
    "meta_ads/ad_accounts": ("id",), "meta_ads/campaigns": ("id",), "meta_ads/adsets": ("id",),
    "meta_ads/ads": ("id",), "meta_ads/creatives": ("id",),
    "meta_ads/insights_daily": ("date_start", "ad_id", "country", "publisher_platform"),
    "tiktok_ads/advertisers": ("advertiser_id",), "tiktok_ads/campaigns": ("campaign_id",),
    "tiktok_ads/adgroups": ("adgroup_id",), "tiktok_ads/ads": ("ad_id",),
    "tiktok_ads/report_daily": ("dimensions.stat_time_day", "dimensions.ad_id", "dimensions.country_code"),
    "amazon_ads/profiles": ("profileId",),
    "amazon_ads/sp_daily": ("date", "profileId", "campaignId", "adGroupId", "advertisedSku"),
    "email/profiles": ("id",), "email/campaigns": ("id",), "email/flows": ("id",), "email/events": ("id",),
    "creators/creators": ("id",), "creators/posts": ("id",), "creators/fees": ("id",),
    "referrals/referrals": ("id",),
    "experiments/experiments": ("id",), "experiments/assignments": ("id",),
    "logistics/shipments": ("shipment_id",),
    "payments/payment_attempts": ("id",),
    "inventory/stock_levels": ("date", "sku", "warehouse_id"),
    "loyalty/members": ("member_id",), "loyalty/points_ledger": ("entry_id",),
    "privacy/consent_events": ("id",), "privacy/erasure_requests": ("id",),
}
CURSORS = {
    "shopify/orders": "updated_at", "shopify/customers": "updated_at", "shopify/products": "updated_at",
    "amazon_sp/orders": "LastUpdateDate", "amazon_sp/returns": "LastUpdateDate",
    "google_ads/ad_metrics_daily": "segments.date", "meta_ads/insights_daily": "date_start",
    "tiktok_ads/report_daily": "dimensions.stat_time_day", "amazon_ads/sp_daily": "date",
    "email/profiles": "attributes.updated", "email/events": "attributes.datetime",
    "creators/creators": "updated_at", "creators/posts": "updated_at", "creators/fees": "updated_at",
    "referrals/referrals": "updated_at", "experiments/experiments": "updated_at",
    "experiments/assignments": "updated_at", "logistics/shipments": "updated_at",
    "payments/payment_attempts": "created", "inventory/stock_levels": "date",
    "loyalty/members": "updated_at", "loyalty/points_ledger": "created_at",
    "privacy/consent_events": "updated_at", "privacy/erasure_requests": "updated_at",
}
FX_CURRENCIES = ["USD", "JPY", "GBP", "KRW", "SGD", "BRL", "MXN", "AED"]


def _get(record: Any, path: str) -> Any:
    for part in path.split("."):
        record = record.get(part) if isinstance(record, dict) else None
    return record


def _ts(day: int, seconds: int, offset_hours: int = 0) -> str:
    dt = datetime.combine(START + timedelta(days=day), datetime.min.time(), tzinfo=timezone.utc) + timedelta(seconds=seconds)
    if offset_hours:
        return dt.astimezone(timezone(timedelta(hours=offset_hours))).isoformat()
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _d(day: int) -> str:
    return (START + timedelta(days=day)).isoformat()


class _World:
    def __init__(self, days: int, seed: int, mess: bool) -> None:
        self.days, self.seed, self.mess = days, seed, mess
        self.records: dict[str, list[dict]] = defaultdict(list)
        self.malformed: dict[str, set[str]] = defaultdict(set)
        self.web_lines: dict[int, list[str]] = {}
        self.web_malformed: set[str] = set()

    def rng(self, *key: Any) -> random.Random:
        return random.Random(f"{self.seed}|{'|'.join(map(str, key))}")

    def visible(self, day: int) -> bool:
        return day < self.days

    def bad(self, resource: str, record: dict) -> dict:
        self.malformed[resource].add("|".join(str(_get(record, k)) for k in KEYS[resource]))
        return record

    # ---------------------------------------------------------------------------------------------------------------
    def build(self) -> None:
        for day in range(self.days):
            self.shopify(day)
            self.amazon_sp(day)
            self.ads(day)
            self.email(day)
            self.web_events(day)
            self.vendors(day)
        self.static_entities()

    def shopify(self, day: int) -> None:
        r = self.rng("shopify", day)
        for i in range(4):
            oid = 5000 + day * 10 + i
            created = r.randint(0, 80000)
            qty = 0 if (day == 1 and i == 1) else r.randint(1, 3)  # quantity 0 is a business-rule problem: it lands
            order = {
                "id": oid, "name": f"#{oid}", "email": f"c{oid}@example.com", "phone": "+34600111222",
                "created_at": _ts(day, created, 8), "updated_at": _ts(day, created + 60, 8),
                "processed_at": _ts(day, created, 8), "cancelled_at": None, "cancel_reason": None,
                "currency": ["EUR", "USD", "GBP", "JPY"][i], "presentment_currency": ["EUR", "USD", "GBP", "JPY"][i],
                "subtotal_price": "59.90", "total_discounts": "6.00", "total_tax": "10.40", "total_price": "64.30",
                "total_shipping_price": "4.90", "taxes_included": i % 2 == 0, "financial_status": "paid",
                "fulfillment_status": None,
                "landing_site": f"/products/x?utm_source=google&utm_medium=cpc&utm_campaign=c{i}&gclid=g{oid}",
                "referring_site": "https://www.google.com/", "source_name": "web", "cart_token": f"ct{oid}",
                "customer": {"id": 7000 + day * 2 + i % 2, "email": f"c{oid}@example.com", "phone": None},
                "shipping_address": {"country_code": "ES", "city": "Madrid", "address1": "Calle 1", "zip": "28001",
                                     "name": "Ana"},
                "billing_address": {"country_code": "ES"},
                "discount_codes": [{"code": "ANA10", "amount": "6.00", "type": "fixed_amount"}] if i == 0 else [],
                "line_items": [
                    {"id": oid * 10 + j, "product_id": 301 + j, "variant_id": 3011 + j, "sku": f"SKU-{301 + j}-M",
                     "title": "Tee", "quantity": qty, "price": "29.95", "total_discount": "3.00",
                     "tax_lines": [{"rate": 0.21, "price": "5.20"}]}
                    for j in range(1 + i % 2)
                ],
                "refunds": [], "payment_gateway_names": ["shopify_payments"], "total_fees": "2.16",
            }
            if day >= DRIFT_DAY:
                order["client_details"] = {"browser_ip": "10.0.0.1", "user_agent": "Mozilla/5.0"}
            # late update: order i==0 is refunded two days later (new version, new nested refund row)
            if i == 0 and self.visible(day + 2):
                order["financial_status"] = "refunded"
                order["updated_at"] = _ts(day + 2, 3600, 8)
                order["refunds"] = [{
                    "id": 800000 + oid, "created_at": _ts(day + 2, 3600, 8), "note": "damaged",
                    "refund_line_items": [{"line_item_id": oid * 10, "quantity": 1, "subtotal": "53.90"}],
                    "transactions": [{"amount": "53.90", "kind": "refund"}],
                }]
                order["line_items"][0]["title"] = "Tee (refunded)"
            if self.mess and i == 3 and day % 3 == 1:
                order["currency"] = "XXX"
                self.bad("shopify/orders", order)
            if self.mess and i == 2 and day % 4 == 2:
                order["processed_at"] = "2026-13-45"
                self.bad("shopify/orders", order)
            self.records["shopify/orders"].append(order)
        for i in range(2):
            cid = 7000 + day * 2 + i
            created = r.randint(0, 80000)
            customer = {
                "id": cid, "email": f"cust{cid}@example.com", "phone": None, "first_name": "A", "last_name": "B",
                "created_at": _ts(day, created), "updated_at": _ts(day, created), "state": "enabled",
                "verified_email": True, "accepts_marketing": True,
                "email_marketing_consent": {"state": "subscribed", "opt_in_level": "single_opt_in",
                                            "consent_updated_at": _ts(day, created)},
                "default_address": {"country_code": "DE", "city": "Berlin", "address1": "Str 1", "zip": "10115"},
                "orders_count": 1, "total_spent": "64.30", "tags": "",
            }
            if i == 1 and self.visible(day + 1):  # unsubscribes the next day
                customer["accepts_marketing"] = False
                customer["email_marketing_consent"] = {"state": "unsubscribed", "opt_in_level": None,
                                                       "consent_updated_at": _ts(day + 1, 100)}
                customer["updated_at"] = _ts(day + 1, 100)
            self.records["shopify/customers"].append(customer)

    def amazon_sp(self, day: int) -> None:
        r = self.rng("amazon_sp", day)
        for i in range(3):
            oid = f"114-{day:03d}-{i:04d}"
            t = r.randint(0, 80000)
            order = {
                "AmazonOrderId": oid, "PurchaseDate": _ts(day, t), "LastUpdateDate": _ts(day, t + 5),
                "OrderStatus": "Unshipped", "MarketplaceId": ["ATVPDKIKX0DER", "A1PA6795UKMFR9"][i % 2],
                "SalesChannel": ["Amazon.com", "Amazon.de"][i % 2], "FulfillmentChannel": "AFN",
                "OrderTotal": {"CurrencyCode": ["USD", "EUR"][i % 2], "Amount": "25.00"},
                "BuyerInfo": {"BuyerEmail": f"b{oid}@marketplace.amazon.de"},
                "ShippingAddress": {"CountryCode": ["US", "DE"][i % 2], "City": "X"},
                "OrderItems": [{"OrderItemId": f"{oid}-1", "ASIN": "B0001", "SellerSKU": "SKU-301-M",
                                "QuantityOrdered": 1, "ItemPrice": {"CurrencyCode": ["USD", "EUR"][i % 2], "Amount": "25.00"},
                                "ItemTax": {"CurrencyCode": ["USD", "EUR"][i % 2], "Amount": "2.00"},
                                "ReferralFee": {"CurrencyCode": ["USD", "EUR"][i % 2], "Amount": "3.75"}}],
            }
            if self.visible(day + 1):
                order["OrderStatus"] = "Shipped"
                order["LastUpdateDate"] = _ts(day + 1, t)
            if self.mess and i == 1 and day % 5 == 3:
                order["PurchaseDate"] = "yesterday"
                self.bad("amazon_sp/orders", order)
            self.records["amazon_sp/orders"].append(order)
        if day % 2 == 1:
            ret = {"ReturnId": f"R{day:04d}", "AmazonOrderId": f"114-{day - 1:03d}-0000", "SellerSKU": "SKU-301-M",
                   "ASIN": "B0001", "Quantity": 1, "ReturnDate": _ts(day, 500), "LastUpdateDate": _ts(day, 500),
                   "Reason": "DEFECTIVE", "Status": "Received", "RefundAmount": {"CurrencyCode": "USD", "Amount": "25.00"}}
            if self.mess and day % 6 == 5:
                ret["RefundAmount"]["CurrencyCode"] = "EURO"
                self.bad("amazon_sp/returns", ret)
            self.records["amazon_sp/returns"].append(ret)

    def ads(self, day: int) -> None:
        r = self.rng("ads", day)
        d = _d(day)
        for cid, ccy in (("1234567890", "EUR"), ("2234567890", "USD")):
            for ad in (1, 2):
                for country in ("DE", "US"):
                    ad_id = f"{cid[:2]}{ad}"
                    row = {
                        "customer": {"id": cid, "currencyCode": ccy, "timeZone": "Europe/Berlin"},
                        "campaign": {"id": f"{cid[:2]}0", "name": "Search", "advertisingChannelType": "SEARCH"},
                        "adGroup": {"id": f"{cid[:2]}5"}, "adGroupAd": {"ad": {"id": ad_id}},
                        "segments": {"date": d, "geoTargetCountry": country},
                        "metrics": {"costMicros": str(r.randint(1, 9) * 1_000_000), "impressions": str(r.randint(100, 900)),
                                    "clicks": str(r.randint(1, 50)), "conversions": r.choice([1, 2.5, 3]),
                                    "conversionsValue": 120.5},
                    }
                    if day == 2 and ad == 1 and country == "US" and cid.startswith("12"):
                        row["metrics"]["costMicros"] = "-5000000"  # negative spend: business rule, lands
                    if self.mess and day % 4 == 3 and ad == 2 and country == "DE" and cid.startswith("22"):
                        row["metrics"]["impressions"] = "n/a"
                        self.bad("google_ads/ad_metrics_daily", row)
                    self.records["google_ads/ad_metrics_daily"].append(row)
        for act in ("101", "102"):
            for ad in (1, 2):
                for platform in ("facebook", "instagram"):
                    row = {"account_id": act, "account_currency": "EUR" if act == "101" else "GBP",
                           "campaign_id": f"{act}0", "adset_id": f"{act}5", "ad_id": f"{act}{ad}",
                           "date_start": d, "date_stop": d, "country": "FR", "publisher_platform": platform,
                           "impressions": str(r.randint(100, 900)), "inline_link_clicks": str(r.randint(1, 40)),
                           "spend": f"{r.uniform(1, 40):.2f}",
                           "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"}],
                           "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "190.2"}]}
                    if day >= DRIFT_DAY:
                        row["video_thruplay_watched_actions"] = [{"action_type": "video_view", "value": "12"}]
                    if self.mess and day % 5 == 2 and ad == 1 and platform == "instagram" and act == "101":
                        row["spend"] = "abc"
                        self.bad("meta_ads/insights_daily", row)
                    self.records["meta_ads/insights_daily"].append(row)
        for ad in ("t1", "t2", "t3"):
            row = {"advertiser_id": "adv1",
                   "dimensions": {"ad_id": ad, "stat_time_day": f"{d} 00:00:00", "country_code": "JP"},
                   "metrics": {"spend": f"{r.uniform(1, 40):.2f}", "impressions": str(r.randint(100, 900)),
                               "clicks": str(r.randint(1, 40)), "conversion": "2", "complete_payment": "1",
                               "total_complete_payment_rate": "120.0", "video_play_actions": "50",
                               "video_watched_6s": "20", "currency": "JPY"}}
            if self.mess and day % 6 == 4 and ad == "t2":
                row["metrics"]["currency"] = "XXX"
                self.bad("tiktok_ads/report_daily", row)
            self.records["tiktok_ads/report_daily"].append(row)
        for profile, country, ccy in ((11, "US", "USD"), (12, "DE", "EUR")):
            for sku in ("SKU-301-M", "SKU-302-M"):
                row = {"date": d, "profileId": profile, "countryCode": country, "currencyCode": ccy,
                       "campaignId": profile * 10, "campaignName": "SP auto", "adGroupId": profile * 100,
                       "advertisedAsin": "B0001", "advertisedSku": sku, "impressions": r.randint(10, 500),
                       "clicks": r.randint(0, 20), "cost": round(r.uniform(0.5, 20), 2), "purchases7d": r.randint(0, 3),
                       "sales7d": round(r.uniform(0, 90), 2)}
                if self.mess and day % 5 == 4 and sku == "SKU-302-M" and profile == 12:
                    row["clicks"] = "many"
                    self.bad("amazon_ads/sp_daily", row)
                self.records["amazon_ads/sp_daily"].append(row)

    def email(self, day: int) -> None:
        r = self.rng("email", day)
        for i in range(3):
            pid = f"P{day:03d}{i}"
            t = r.randint(0, 80000)
            profile = {"id": pid, "type": "profile", "attributes": {
                "email": f"{pid}@example.com", "phone_number": None, "created": _ts(day, t), "updated": _ts(day, t),
                "subscriptions": {"email": {"marketing": {"consent": "SUBSCRIBED", "timestamp": _ts(day, t)}}},
                "location": {"country": "DE"}}}
            if i == 2 and self.visible(day + 3):
                profile["attributes"]["updated"] = _ts(day + 3, 10)
                profile["attributes"]["subscriptions"]["email"]["marketing"] = {"consent": "UNSUBSCRIBED",
                                                                                "timestamp": _ts(day + 3, 10)}
            self.records["email/profiles"].append(profile)
        for i in range(6):
            eid = f"E{day:03d}{i}"
            event = {"id": eid, "type": "event", "attributes": {
                "metric": ["Received Email", "Opened Email", "Clicked Email"][i % 3], "profile_id": f"P{day:03d}{i % 3}",
                "email": f"P{day:03d}{i % 3}@example.com", "datetime": _ts(day, r.randint(0, 80000)),
                "campaign_id": f"C{day // 7}", "flow_id": None,
                "url": "https://shop/?utm_source=klaviyo&utm_medium=email&utm_campaign=c" if i % 3 == 2 else None}}
            if self.mess and i == 4 and day % 4 == 1:
                event["attributes"]["datetime"] = "yesterday"
                self.bad("email/events", event)
            self.records["email/events"].append(event)
        if day % 7 == 0:
            self.records["email/campaigns"].append({"id": f"C{day // 7}", "type": "campaign", "attributes": {
                "name": f"Weekly {day // 7}", "send_time": _ts(day, 36000), "created_at": _ts(day, 100),
                "updated_at": _ts(day, 100)}})

    def web_events(self, day: int) -> None:
        r = self.rng("web", day)
        lines = []
        for i in range(30):
            eid = f"ev{day:03d}{i:03d}"
            name = ["page_view", "view_item", "add_to_cart", "begin_checkout", "purchase", "login"][i % 6]
            event = {"event_id": eid, "event_name": name,
                     "event_timestamp": _ts(day, r.randint(0, 86000)).replace("Z", ".123Z"),
                     "anonymous_id": f"c_{i % 7}", "platform": "web" if i % 4 else "app",
                     "user_id": f"u_{7000 + i}" if name == "login" else None,
                     "device_category": "mobile", "os": "iOS", "user_agent": "Mozilla/5.0", "country": "DE",
                     "page_url": f"https://shop.example.com/p?utm_source=google&utm_medium=cpc&gclid=g{i}",
                     "page_referrer": "https://www.google.com/", "item_id": "301" if name != "page_view" else None,
                     "value": 59.9 if name == "purchase" else None, "currency": "EUR" if name == "purchase" else None,
                     "transaction_id": str(5000 + day * 10) if name == "purchase" else None}
            if self.mess and i == 10 and day % 2 == 0:
                event["event_timestamp"] = "2026-13-45T00:00:00Z"
                self.web_malformed.add(eid)
            if self.mess and i == 16 and day % 3 == 0:
                event["currency"] = "EURO"
                self.web_malformed.add(eid)
            lines.append(json.dumps(event))
        if self.mess and day % 3 == 1:
            lines.append('{"event_id": "broken' + str(day) + '", "event_name": ')  # truncated line: invalid JSON
            self.web_malformed.add(f"line:{day}")
        self.web_lines[day] = lines

    def vendors(self, day: int) -> None:
        r = self.rng("vendors", day)
        # creators: one post a day whose metrics grow for 7 days
        age = min(self.days - 1 - day, 6)
        post = {"id": f"post{day}", "creator_id": f"cr{day % 3}", "platform": "tiktok", "posted_at": _ts(day, 1000),
                "url": f"https://tiktok.com/@x/{day}", "affiliate_code": f"CODE{day % 3}",
                "landing_url": "https://shop/?utm_source=tiktok&utm_medium=influencer", "reach": 1000 * (age + 1),
                "likes": 10 * (age + 1), "comments": age, "shares": age, "saves": age, "video_views": 900 * (age + 1),
                "video_completions": 100 * (age + 1), "updated_at": _ts(day + age, 1000)}
        self.records["creators/posts"].append(post)
        fee = {"id": f"fee{day}", "creator_id": f"cr{day % 3}", "post_id": f"post{day}", "amount": 150.0,
               "currency": "USD", "paid_at": _ts(day, 2000), "updated_at": _ts(day, 2000)}
        if self.mess and day % 5 == 3:
            fee["paid_at"] = "not a date"
            self.bad("creators/fees", fee)
        self.records["creators/fees"].append(fee)
        self.records["referrals/referrals"].append({
            "id": f"ref{day}", "referrer_customer_id": 7000 + day, "referrer_email": "a@example.com",
            "referee_email": f"r{day}@example.com", "code": f"REF{day}", "share_channel": "whatsapp",
            "shared_at": _ts(day, 3000), "referee_customer_id": None, "converted_order_id": None,
            "reward_amount": 10, "currency": "EUR", "updated_at": _ts(day, 3000)})
        for i in range(5):
            a = {"id": f"as{day}_{i}", "experiment_id": f"exp{i % 2}", "variant_id": f"exp{i % 2}_v{i % 2}",
                 "anonymous_id": f"c_{i}", "user_id": None, "assigned_at": _ts(day, 4000 + i),
                 "updated_at": _ts(day, 4000 + i)}
            if i == 0 and self.visible(day + 1):
                a["user_id"] = f"u_{7000 + day}"
                a["updated_at"] = _ts(day + 1, 50)
            self.records["experiments/assignments"].append(a)
        for i in range(3):
            shipped = _ts(day, 5000 + i)
            s = {"shipment_id": f"sh{day}_{i}", "order_ref": f"shopify:{5000 + day * 10 + i}", "carrier": "DHL",
                 "origin_warehouse": "WH1", "destination_country": "DE", "status": "in_transit",
                 "shipped_at": shipped, "delivered_at": None, "cost": 4.5, "currency": "EUR",
                 "updated_at": shipped}
            if self.visible(day + 2):
                s["status"] = "delivered"
                s["delivered_at"] = _ts(day + 2, 100) if i else _ts(day - 1, 100)  # i==0: delivered before shipped
                s["updated_at"] = _ts(day + 2, 100)
            if self.mess and i == 2 and day % 4 == 0:
                s["shipped_at"] = "2026-13-45"
                self.bad("logistics/shipments", s)
            self.records["logistics/shipments"].append(s)
        for i in range(3):
            created = int(datetime.combine(START + timedelta(days=day), datetime.min.time(),
                                           tzinfo=timezone.utc).timestamp()) + 6000 + i
            p = {"id": f"pa_{day}_{i}", "order_ref": f"shopify:{5000 + day * 10 + i}", "created": created,
                 "method": ["card", "paypal", "pix"][i], "provider": "stripe",
                 "status": "failed" if i == 2 else "succeeded", "failure_reason": "card_declined" if i == 2 else None,
                 "amount": 6430, "currency": ["EUR", "USD", "BRL"][i], "country": "DE"}
            if self.mess and i == 1 and day % 3 == 2:
                p["amount"] = "12.3x"
                self.bad("payments/payment_attempts", p)
            self.records["payments/payment_attempts"].append(p)
        for sku in ("SKU-301-M", "SKU-302-M"):
            self.records["inventory/stock_levels"].append({
                "date": _d(day), "sku": sku, "product_id": 301, "warehouse_id": "WH1", "on_hand": r.randint(0, 50),
                "reserved": 1, "inbound": 0, "safety_stock": 5})
        member = {"member_id": f"m{day}", "email": f"m{day}@example.com", "shopify_customer_id": 7000 + day,
                  "amazon_buyer_email": None, "tier": "bronze", "points_balance": 100, "joined_at": _ts(day, 7000),
                  "updated_at": _ts(day, 7000)}
        if self.visible(day + 4):
            member["tier"] = "silver"
            member["updated_at"] = _ts(day + 4, 10)
        self.records["loyalty/members"].append(member)
        for i in range(2):
            self.records["loyalty/points_ledger"].append({
                "entry_id": f"le{day}_{i}", "member_id": f"m{day}", "points": 50 if i == 0 else -20,
                "reason": "order" if i == 0 else "redeem", "order_ref": None, "created_at": _ts(day, 7100 + i)})
        self.records["privacy/consent_events"].append({
            "id": f"ce{day}", "subject_email": f"cust{7000 + day}@example.com", "subject_customer_id": 7000 + day,
            "purpose": "email_marketing", "status": "withdrawn" if day % 2 else "granted",
            "changed_at": _ts(day, 8000), "source": "preference_center", "updated_at": _ts(day, 8000)})
        if day % 5 == 0:
            er = {"id": f"er{day}", "subject_email": f"cust{7000 + day}@example.com", "regulation": "GDPR",
                  "requested_at": _ts(day, 9000), "status": "received", "updated_at": _ts(day, 9000)}
            if self.visible(day + 3):
                er["status"] = "completed"
                er["updated_at"] = _ts(day + 3, 9000)
            self.records["privacy/erasure_requests"].append(er)

    def static_entities(self) -> None:
        t0 = _ts(0, 1)
        for j in range(3):
            product = {"id": 301 + j, "title": f"Tee {j}", "product_type": "apparel", "vendor": "brand",
                       "created_at": t0, "updated_at": t0, "status": "active",
                       "variants": [{"id": 3011 + j, "sku": f"SKU-{301 + j}-M", "price": "29.95", "cost": "8.00",
                                     "inventory_item_id": 90 + j, "option1": "M"}]}
            if j == 0 and self.visible(3):  # price change on day 3 (late update of a nested row)
                product["variants"][0]["price"] = "24.95"
                product["updated_at"] = _ts(3, 10)
            self.records["shopify/products"].append(product)
        for cid, ccy in (("1234567890", "EUR"), ("2234567890", "USD")):
            self.records["google_ads/customers"].append(
                {"customer": {"id": cid, "descriptiveName": f"Acct {cid}", "currencyCode": ccy, "timeZone": "Europe/Berlin"}})
            self.records["google_ads/campaigns"].append(
                {"customer": {"id": cid}, "campaign": {"id": f"{cid[:2]}0", "name": "Search", "status": "ENABLED",
                                                       "advertisingChannelType": "SEARCH"}})
            self.records["google_ads/ad_groups"].append(
                {"customer": {"id": cid}, "campaign": {"id": f"{cid[:2]}0"}, "adGroup": {"id": f"{cid[:2]}5", "name": "AG"}})
            for ad in (1, 2):
                self.records["google_ads/ads"].append(
                    {"customer": {"id": cid}, "adGroup": {"id": f"{cid[:2]}5"},
                     "adGroupAd": {"ad": {"id": f"{cid[:2]}{ad}", "finalUrls": ["https://shop/?utm_source=google"]}}})
        for act, ccy in (("101", "EUR"), ("102", "GBP")):
            self.records["meta_ads/ad_accounts"].append(
                {"id": f"act_{act}", "account_id": act, "name": f"Acct {act}", "currency": ccy,
                 "timezone_name": "Europe/Paris"})
            self.records["meta_ads/campaigns"].append(
                {"id": f"{act}0", "account_id": act, "name": "Prospecting", "objective": "OUTCOME_SALES"})
            self.records["meta_ads/adsets"].append({"id": f"{act}5", "account_id": act, "campaign_id": f"{act}0"})
            for ad in (1, 2):
                self.records["meta_ads/ads"].append(
                    {"id": f"{act}{ad}", "account_id": act, "adset_id": f"{act}5", "creative": {"id": f"cr{act}{ad}"}})
                self.records["meta_ads/creatives"].append(
                    {"id": f"cr{act}{ad}", "account_id": act, "name": "UGC", "object_type": "VIDEO",
                     "creator_handle": "@x" if ad == 1 else None})
        self.records["tiktok_ads/advertisers"].append({"advertiser_id": "adv1", "currency": "JPY", "timezone": "Asia/Tokyo"})
        self.records["tiktok_ads/campaigns"].append({"campaign_id": "tc1", "advertiser_id": "adv1", "campaign_name": "C"})
        self.records["tiktok_ads/adgroups"].append({"adgroup_id": "tg1", "advertiser_id": "adv1", "campaign_id": "tc1"})
        for ad in ("t1", "t2", "t3"):
            self.records["tiktok_ads/ads"].append({"ad_id": ad, "advertiser_id": "adv1", "adgroup_id": "tg1"})
        for profile, country, ccy in ((11, "US", "USD"), (12, "DE", "EUR")):
            self.records["amazon_ads/profiles"].append(
                {"profileId": profile, "countryCode": country, "currencyCode": ccy, "timezone": "UTC",
                 "accountInfo": {"marketplaceStringId": "ATVPDKIKX0DER", "type": "seller"}})
        for f in range(2):
            self.records["email/flows"].append({"id": f"F{f}", "type": "flow", "attributes": {
                "name": ["Welcome", "Abandoned cart"][f], "status": "live", "created": t0, "updated": t0}})
        for c in range(3):
            self.records["creators/creators"].append(
                {"id": f"cr{c}", "handle": f"@creator{c}", "platform": "tiktok", "tier": ["KOL", "KOC", "UGC"][c],
                 "country": "US", "followers": 10000 * (c + 1), "updated_at": t0})
        for e in range(2):
            self.records["experiments/experiments"].append(
                {"id": f"exp{e}", "name": f"Test {e}", "hypothesis": "h", "primary_metric": "conversion",
                 "start_at": t0, "end_at": None, "status": "running",
                 "variants": [{"id": f"exp{e}_v0", "name": "control", "is_control": True, "traffic_share": 0.5},
                              {"id": f"exp{e}_v1", "name": "treatment", "is_control": False, "traffic_share": 0.5}],
                 "updated_at": t0})

    # ---------------------------------------------------------------------------------------------------------------
    def fx_csv(self) -> tuple[str, int, int]:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["Date", *FX_CURRENCIES, ""])  # ECB files end rows with a trailing comma
        na = 0
        rows = 0
        for day in reversed(range(self.days)):
            r = self.rng("fx", day)
            values = []
            for c, ccy in enumerate(FX_CURRENCIES):
                if ccy == "KRW" and day % 4 == 0:
                    values.append("N/A")
                    na += 1
                else:
                    values.append(f"{1.08 + c * 10 * r.random():.4f}")
                    rows += 1
            label = _d(day)
            if self.mess and day == 1:
                label = "2026-02-30"  # unparseable date: the whole row is rejected
            w.writerow([label, *values, ""])
        return out.getvalue(), rows, na


def write_store(out_dir: str | Path, days: int = 8, seed: int = 0, mess: bool = True) -> dict:
    """Write the fixture store; returns the manifest (plus `malformed` keys per resource for tests)."""
    out = Path(out_dir)
    world = _World(days, seed, mess)
    world.build()
    resources: dict[str, dict[str, int]] = {}
    for name, records in sorted(world.records.items()):
        cursor = CURSORS.get(name)
        keys = KEYS[name]
        records.sort(key=lambda rec: (str(_get(rec, cursor)) if cursor else "",
                                      "|".join(str(_get(rec, k)) for k in keys)))
        path = out / f"{name}.jsonl.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec) + "\n")
        distinct = len({"|".join(str(_get(rec, k)) for k in keys) for rec in records})
        resources[name] = {"rows": len(records), "distinct_keys": distinct}
    (out / "web_events").mkdir(parents=True, exist_ok=True)
    total_lines = 0
    for day, lines in world.web_lines.items():
        name = (START + timedelta(days=day)).strftime("events_%Y%m%d.ndjson.gz")
        with gzip.open(out / "web_events" / name, "wt", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        total_lines += len(lines)
    resources["web_events/events"] = {"rows": total_lines, "distinct_keys": total_lines}
    csv_text, fx_rows, fx_na = world.fx_csv()
    (out / "fx").mkdir(parents=True, exist_ok=True)
    (out / "fx" / "eurofxref-hist.csv").write_text(csv_text)
    resources["fx/rates"] = {"rows": fx_rows + fx_na, "distinct_keys": fx_rows + fx_na}  # like the generator: every cell
    manifest = {"seed": seed, "scale": "fixture", "scenario": "ingestion-fixture", "start_date": START.isoformat(),
                "as_of_date": (START + timedelta(days=days - 1)).isoformat(), "days": days, "resources": resources,
                "web_event_files": len(world.web_lines)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return {**manifest, "malformed": {k: sorted(v) for k, v in world.malformed.items()},
            "web_malformed": sorted(world.web_malformed), "fx_na": fx_na,
            "fx_bad_rows": 1 if (mess and days > 1) else 0}
