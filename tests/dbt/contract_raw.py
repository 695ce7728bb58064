"""A tiny raw warehouse shaped exactly like docs/contract.md section 5, landed by dlt.

Development and test aid for the dbt staging layer: it does not simulate a market, it only
reproduces the contract's field names and nesting (dlt flattens dicts to ``a__b`` columns,
lists to ``<resource>__<field>`` child tables, and snake_cases camelCase names), with a few
planted business-rule violations (negative spend, quantity 0, delivered before shipped).
The real data comes from ``pipelines.simulator`` + ``pipelines.ingest`` (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

AS_OF = "2026-04-05"
DAYS = ["2026-04-03", "2026-04-04", "2026-04-05"]


def _shopify_orders():
    orders = []
    for i, day in enumerate(DAYS):
        oid = 5001000 + i
        orders.append({
            "id": oid, "name": f"#10{i}", "email": f" Ana{i}@Example.com ", "phone": "+34 600-111 222",
            "created_at": f"{day}T14:21:09+08:00", "updated_at": f"{day}T15:00:00+08:00",
            "processed_at": f"{day}T14:21:10+08:00", "cancelled_at": None, "cancel_reason": None,
            "currency": "EUR", "presentment_currency": "EUR", "subtotal_price": "59.90",
            "total_discounts": "6.00", "total_tax": "10.40", "total_price": "64.30",
            "total_shipping_price": "4.90", "financial_status": "partially_refunded" if i == 0 else "paid",
            "fulfillment_status": "fulfilled", "taxes_included": True,
            "landing_site": "/products/x?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=abc",
            "referring_site": "https://www.google.com/", "source_name": "web", "cart_token": f"ct{i}",
            "customer": {"id": 7001 + i, "email": f"ana{i}@example.com", "phone": "+34600111222"},
            "shipping_address": {"country_code": "ES", "city": "Madrid", "address1": "Calle 1", "zip": "28001", "name": "Ana"},
            "billing_address": {"country_code": "ES"},
            "discount_codes": [{"code": "ANA10", "amount": "6.00", "type": "fixed_amount"}],
            "line_items": [
                {"id": 9001 + 10 * i, "product_id": 301, "variant_id": 3011, "sku": "SKU-301-M", "title": "Tee",
                 "quantity": 1, "price": "59.90", "total_discount": "6.00",
                 "tax_lines": [{"rate": 0.21, "price": "10.40", "title": "IVA"}]},
                {"id": 9002 + 10 * i, "product_id": 302, "variant_id": 3021, "sku": "SKU-302-M", "title": "Cap",
                 "quantity": 0 if i == 1 else 2, "price": "10.00", "total_discount": "0.00",
                 "tax_lines": [{"rate": 0.21, "price": "4.20", "title": "IVA"}]},
            ],
            "refunds": [{"id": 801, "created_at": f"{DAYS[-1]}T10:00:00Z", "note": "damaged",
                         "refund_line_items": [{"id": 811, "line_item_id": 9001, "quantity": 1, "subtotal": "53.90"}],
                         "transactions": [{"id": 821, "amount": "53.90", "kind": "refund"}]}] if i == 0 else [],
            "payment_gateway_names": ["shopify_payments"], "total_fees": "2.16",
        })
    orders[-1]["client_details"] = {"browser_ip": "203.0.113.9", "user_agent": "Mozilla/5.0"}
    return orders


def _shopify_customers():
    return [{
        "id": 7001 + i, "email": f"ana{i}@example.com", "phone": "+34600111222", "first_name": "Ana",
        "last_name": "Lopez", "created_at": f"{DAYS[0]}T08:00:00Z", "updated_at": f"{d}T08:00:00Z",
        "state": "enabled", "verified_email": True, "accepts_marketing": i != 1,
        "email_marketing_consent": {"state": "subscribed" if i != 1 else "unsubscribed", "opt_in_level": "single_opt_in",
                                    "consent_updated_at": f"{DAYS[0]}T08:00:00Z"},
        "default_address": {"country_code": "ES", "city": "Madrid", "address1": "Calle 1", "zip": "28001"},
        "orders_count": 1, "total_spent": "64.30", "tags": "vip, newsletter",
    } for i, d in enumerate(DAYS)]


def _shopify_products():
    return [{"id": 301 + k, "title": f"Product {k}", "product_type": "Apparel", "vendor": "Brand",
             "created_at": f"{DAYS[0]}T00:00:00Z", "updated_at": f"{DAYS[0]}T00:00:00Z", "status": "active",
             "variants": [{"id": (301 + k) * 10 + 1, "sku": f"SKU-{301 + k}-M", "price": "59.90", "cost": "20.00",
                           "inventory_item_id": 40000 + k, "option1": "M"}]} for k in range(2)]


def _amazon_orders():
    out = []
    for i, day in enumerate(DAYS):
        out.append({
            "AmazonOrderId": f"114-000000{i}", "PurchaseDate": f"{day}T06:21:09Z", "LastUpdateDate": f"{day}T07:00:00Z",
            "OrderStatus": "Shipped", "MarketplaceId": "A1PA6795UKMFR9", "SalesChannel": "Amazon.de",
            "FulfillmentChannel": "AFN", "OrderTotal": {"CurrencyCode": "EUR", "Amount": "30.00"},
            "BuyerInfo": {"BuyerEmail": f"xyz{i}@marketplace.amazon.de"},
            "ShippingAddress": {"CountryCode": "DE", "City": "Berlin"},
            "OrderItems": [{"OrderItemId": f"oi{i}", "ASIN": "B000000001", "SellerSKU": "SKU-301-M", "QuantityOrdered": 1,
                            "ItemPrice": {"CurrencyCode": "EUR", "Amount": "25.00"}, "ItemTax": {"CurrencyCode": "EUR", "Amount": "4.75"},
                            "PromotionDiscount": {"CurrencyCode": "EUR", "Amount": "0.00"},
                            "ShippingPrice": {"CurrencyCode": "EUR", "Amount": "5.00"},
                            "ReferralFee": {"CurrencyCode": "EUR", "Amount": "3.75"}}],
        })
    return out


def _amazon_returns():
    return [{"ReturnId": "R1", "AmazonOrderId": "114-0000000", "SellerSKU": "SKU-301-M", "ASIN": "B000000001",
             "Quantity": 1, "ReturnDate": f"{DAYS[-1]}T09:00:00Z", "LastUpdateDate": f"{DAYS[-1]}T09:00:00Z",
             "Reason": "DEFECTIVE", "Status": "Approved", "RefundAmount": {"CurrencyCode": "EUR", "Amount": "25.00"}}]


def _google(resource):
    cust = {"id": "1234567890", "currencyCode": "EUR", "timeZone": "Europe/Berlin", "descriptiveName": "Brand DE"}
    camp = {"id": "111", "name": "Search DE", "status": "ENABLED", "advertisingChannelType": "SEARCH"}
    if resource == "customers":
        return [{"customer": cust}]
    if resource == "campaigns":
        return [{"customer": {"id": cust["id"]}, "campaign": camp}]
    if resource == "ad_groups":
        return [{"customer": {"id": cust["id"]}, "campaign": {"id": "111"},
                 "adGroup": {"id": "222", "name": "Brand terms", "status": "ENABLED"}}]
    if resource == "ads":
        return [{"customer": {"id": cust["id"]}, "campaign": {"id": "111"}, "adGroup": {"id": "222"},
                 "adGroupAd": {"ad": {"id": "333", "name": "RSA 1", "type": "RESPONSIVE_SEARCH_AD"}, "status": "ENABLED"}}]
    return [{"customer": cust, "campaign": camp, "adGroup": {"id": "222"}, "adGroupAd": {"ad": {"id": "333"}},
             "segments": {"date": d, "geoTargetCountry": "DE"},
             "metrics": {"costMicros": "-5000000" if i == 1 else "12345678", "impressions": "1500", "clicks": "45",
                         "conversions": 3.5, "conversionsValue": 210.4}} for i, d in enumerate(DAYS)]


def _meta(resource):
    if resource == "ad_accounts":
        return [{"id": "act_42", "account_id": "42", "name": "Brand Meta", "currency": "USD", "timezone_name": "America/Los_Angeles"}]
    if resource == "campaigns":
        return [{"id": "c1", "account_id": "42", "name": "Prospecting", "objective": "OUTCOME_SALES", "status": "ACTIVE"}]
    if resource == "adsets":
        return [{"id": "as1", "account_id": "42", "campaign_id": "c1", "name": "Broad US", "status": "ACTIVE"}]
    if resource == "ads":
        return [{"id": "ad1", "account_id": "42", "campaign_id": "c1", "adset_id": "as1", "name": "Video 1",
                 "status": "ACTIVE", "creative": {"id": "cr1"}}]
    if resource == "creatives":
        return [{"id": "cr1", "name": "UGC video", "object_type": "VIDEO", "creator_handle": "@x"},
                {"id": "cr2", "name": "Photo", "object_type": "PHOTO", "creator_handle": None}]
    return [{"account_id": "42", "account_currency": "USD", "campaign_id": "c1", "adset_id": "as1", "ad_id": "ad1",
             "date_start": d, "date_stop": d, "country": "US", "publisher_platform": "instagram",
             "impressions": "1500", "inline_link_clicks": "45", "spend": "23.10",
             "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3"}],
             "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "190.2"}]} for d in DAYS]


def _tiktok(resource):
    if resource == "advertisers":
        return [{"advertiser_id": "7001", "advertiser_name": "Brand TT", "currency": "USD", "timezone": "Asia/Singapore"}]
    if resource == "campaigns":
        return [{"campaign_id": "tc1", "advertiser_id": "7001", "campaign_name": "Spark", "objective_type": "CONVERSIONS"}]
    if resource == "adgroups":
        return [{"adgroup_id": "tg1", "campaign_id": "tc1", "advertiser_id": "7001", "adgroup_name": "SEA"}]
    if resource == "ads":
        return [{"ad_id": "ta1", "adgroup_id": "tg1", "campaign_id": "tc1", "advertiser_id": "7001", "ad_name": "Spark 1"}]
    return [{"dimensions": {"ad_id": "ta1", "stat_time_day": f"{d} 00:00:00", "country_code": "SG"},
             "metrics": {"spend": "12.30", "impressions": "900", "clicks": "12", "conversion": "2", "complete_payment": "1",
                         "total_complete_payment_rate": "50.0", "video_play_actions": "800", "video_watched_6s": "300",
                         "currency": "USD"}} for d in DAYS]


def _amazon_ads(resource):
    if resource == "profiles":
        return [{"profileId": 9001, "countryCode": "DE", "currencyCode": "EUR", "timezone": "Europe/Berlin",
                 "accountInfo": {"marketplaceStringId": "A1PA6795UKMFR9", "id": "ENTITY1", "type": "seller", "name": "Brand"}}]
    return [{"date": d, "profileId": 9001, "countryCode": "DE", "currencyCode": "EUR", "campaignId": 55, "campaignName": "SP auto",
             "adGroupId": 66, "advertisedAsin": "B000000001", "advertisedSku": "SKU-301-M", "impressions": 1000,
             "clicks": 20, "cost": 8.4, "purchases7d": 2, "sales7d": 50.0} for d in DAYS]


def _email(resource):
    if resource == "profiles":
        return [{"id": f"p{i}", "type": "profile", "attributes": {
            "email": f"ANA{i}@example.com", "phone_number": "+34600111222", "created": f"{DAYS[0]}T08:00:00Z",
            "updated": f"{DAYS[0]}T08:00:00Z",
            "subscriptions": {"email": {"marketing": {"consent": "SUBSCRIBED", "timestamp": f"{DAYS[0]}T08:00:00Z"}}},
            "location": {"country": "ES"}}} for i in range(3)]
    if resource == "campaigns":
        return [{"id": "ec1", "type": "campaign", "attributes": {"name": "Spring sale", "status": "Sent", "send_time": f"{DAYS[0]}T09:00:00Z",
                                                                 "created_at": f"{DAYS[0]}T08:00:00Z", "updated_at": f"{DAYS[0]}T09:00:00Z"}}]
    if resource == "flows":
        return [{"id": "ef1", "type": "flow", "attributes": {"name": "Welcome", "status": "live", "trigger_type": "Added to List",
                                                             "created": f"{DAYS[0]}T08:00:00Z", "updated": f"{DAYS[0]}T08:00:00Z"}}]
    return [{"id": f"ev{d}{i}", "type": "event", "attributes": {
        "metric": m, "profile_id": "p0", "email": "ana0@example.com", "datetime": f"{day}T09:0{i}:00Z",
        "campaign_id": "ec1", "flow_id": None,
        "url": "https://shop.example.com/?utm_source=klaviyo&utm_medium=email&utm_campaign=spring" if m == "Clicked Email" else None}}
        for d, day in enumerate(DAYS) for i, m in enumerate(["Received Email", "Opened Email", "Clicked Email"])]


def _web_events():
    ev = []
    for d, day in enumerate(DAYS):
        for i, name in enumerate(["page_view", "login", "add_to_cart", "purchase"]):
            ev.append({"event_id": f"e{d}{i}", "event_name": name, "event_timestamp": f"{day}T06:2{i}:09.123Z",
                       "anonymous_id": "c_abc", "platform": "web", "user_id": "u_7001" if i else None,
                       "device_category": "mobile", "os": "iOS", "user_agent": "Mozilla/5.0", "country": "ES",
                       "page_url": "https://shop.example.com/p?utm_source=google&utm_medium=cpc&gclid=abc",
                       "page_referrer": "https://www.google.com/", "item_id": "301" if i >= 2 else None,
                       "value": 64.3 if name == "purchase" else None, "currency": "EUR" if name == "purchase" else None,
                       "transaction_id": str(5001000 + d) if name == "purchase" else None})
    return ev


def _simple(source, resource):
    d0 = DAYS[0]
    data = {
        ("creators", "creators"): [{"id": "cr_1", "handle": "@x", "platform": "tiktok", "tier": "UGC", "country": "US", "followers": 12000, "updated_at": f"{d0}T00:00:00Z"}],
        ("creators", "posts"): [{"id": "po_1", "creator_id": "cr_1", "platform": "tiktok", "posted_at": f"{d0}T12:00:00Z", "url": "https://tiktok.com/@x/1",
                                  "affiliate_code": "X10", "landing_url": "https://shop.example.com/?utm_source=tiktok&utm_medium=influencer&utm_campaign=x",
                                  "reach": 5000, "likes": 300, "comments": 20, "shares": 10, "saves": 5, "video_views": 4000, "video_completions": 900, "updated_at": f"{DAYS[2]}T00:00:00Z"}],
        ("creators", "fees"): [{"id": "fee_1", "creator_id": "cr_1", "post_id": "po_1", "amount": "150.00", "currency": "USD", "paid_at": f"{d0}T00:00:00Z", "updated_at": f"{d0}T00:00:00Z"},
                               {"id": "fee_2", "creator_id": "cr_1", "post_id": "po_1", "amount": "-20.00", "currency": "USD", "paid_at": f"{d0}T00:00:00Z", "updated_at": f"{d0}T00:00:00Z"}],
        ("referrals", "referrals"): [{"id": "ref_1", "referrer_customer_id": 7001, "referrer_email": "ana0@example.com", "referee_email": "bob@example.com",
                                       "code": "ANA10", "share_channel": "whatsapp", "shared_at": f"{d0}T10:00:00Z", "referee_customer_id": 7002,
                                       "converted_order_id": 5001001, "reward_amount": "10.00", "currency": "EUR", "updated_at": f"{d0}T10:00:00Z"}],
        ("experiments", "experiments"): [{"id": "exp_1", "name": "Free shipping banner", "hypothesis": "h", "primary_metric": "conversion",
                                           "start_at": f"{d0}T00:00:00Z", "end_at": None, "status": "running",
                                           "variants": [{"id": "v_a", "name": "control", "is_control": True, "traffic_share": 0.5},
                                                        {"id": "v_b", "name": "banner", "is_control": False, "traffic_share": 0.5}],
                                           "updated_at": f"{d0}T00:00:00Z"}],
        ("experiments", "assignments"): [{"id": "as_1", "experiment_id": "exp_1", "variant_id": "v_b", "anonymous_id": "c_abc", "user_id": "u_7001",
                                           "assigned_at": f"{d0}T06:20:00Z", "updated_at": f"{d0}T06:20:00Z"}],
        ("logistics", "shipments"): [{"shipment_id": "sh_1", "order_ref": "shopify:5001000", "carrier": "DHL", "origin_warehouse": "WH-EU",
                                       "destination_country": "ES", "status": "delivered", "shipped_at": f"{d0}T10:00:00Z", "delivered_at": f"{DAYS[2]}T10:00:00Z",
                                       "cost": "6.50", "currency": "EUR", "updated_at": f"{DAYS[2]}T10:00:00Z"},
                                      {"shipment_id": "sh_2", "order_ref": "amazon:114-0000001", "carrier": "DHL", "origin_warehouse": "WH-EU",
                                       "destination_country": "DE", "status": "delivered", "shipped_at": f"{DAYS[2]}T10:00:00Z", "delivered_at": f"{DAYS[1]}T10:00:00Z",
                                       "cost": "6.50", "currency": "EUR", "updated_at": f"{DAYS[2]}T10:00:00Z"}],
        ("payments", "payment_attempts"): [{"id": "pa_1", "order_ref": "shopify:5001000", "created": 1775197269, "method": "card", "provider": "stripe",
                                             "status": "succeeded", "failure_reason": None, "amount": 6430, "currency": "EUR", "country": "ES"},
                                            {"id": "pa_2", "order_ref": "shopify:5001001", "created": 1775197269, "method": "konbini", "provider": "stripe",
                                             "status": "failed", "failure_reason": "expired", "amount": 6430, "currency": "JPY", "country": "JP"}],
        ("inventory", "stock_levels"): [{"date": d, "sku": "SKU-301-M", "product_id": 301, "warehouse_id": "WH-EU", "on_hand": 40, "reserved": 2,
                                          "inbound": 0, "safety_stock": 10} for d in DAYS],
        ("loyalty", "members"): [{"member_id": "m_1", "email": "ana0@example.com", "shopify_customer_id": 7001, "amazon_buyer_email": "xyz0@marketplace.amazon.de",
                                   "tier": "silver", "points_balance": 120, "joined_at": f"{d0}T00:00:00Z", "updated_at": f"{d0}T00:00:00Z"}],
        ("loyalty", "points_ledger"): [{"entry_id": "le_1", "member_id": "m_1", "points": 120, "reason": "order", "order_ref": "shopify:5001000", "created_at": f"{d0}T00:00:00Z"}],
        ("fx", "rates"): [{"date": d, "currency": c, "rate_per_eur": r} for d in DAYS for c, r in [("USD", 1.08), ("JPY", 162.3), ("GBP", 0.85)]],
        ("privacy", "consent_events"): [{"id": "ce_1", "subject_email": "ana1@example.com", "subject_customer_id": 7002, "purpose": "email_marketing",
                                          "status": "withdrawn", "changed_at": f"{d0}T12:00:00Z", "source": "preference_center", "updated_at": f"{d0}T12:00:00Z"}],
        ("privacy", "erasure_requests"): [{"id": "er_1", "subject_email": "gone@example.com", "regulation": "GDPR", "requested_at": f"{d0}T12:00:00Z",
                                            "status": "received", "updated_at": f"{d0}T12:00:00Z"}],
    }
    return data[(source, resource)]


RESOURCES = {
    "shopify": {"orders": ("id", _shopify_orders), "customers": ("id", _shopify_customers), "products": ("id", _shopify_products)},
    "amazon_sp": {"orders": ("amazon_order_id", _amazon_orders), "returns": ("return_id", _amazon_returns)},
    "google_ads": {r: (None, (lambda r=r: _google(r))) for r in ["customers", "campaigns", "ad_groups", "ads", "ad_metrics_daily"]},
    "meta_ads": {r: (None, (lambda r=r: _meta(r))) for r in ["ad_accounts", "campaigns", "adsets", "ads", "creatives", "insights_daily"]},
    "tiktok_ads": {r: (None, (lambda r=r: _tiktok(r))) for r in ["advertisers", "campaigns", "adgroups", "ads", "report_daily"]},
    "amazon_ads": {r: (None, (lambda r=r: _amazon_ads(r))) for r in ["profiles", "sp_daily"]},
    "email": {r: ("id", (lambda r=r: _email(r))) for r in ["profiles", "campaigns", "flows", "events"]},
    "web_events": {"events": ("event_id", _web_events)},
}
for _src, _res in [("creators", "creators"), ("creators", "posts"), ("creators", "fees"), ("referrals", "referrals"),
                   ("experiments", "experiments"), ("experiments", "assignments"), ("logistics", "shipments"),
                   ("payments", "payment_attempts"), ("inventory", "stock_levels"), ("loyalty", "members"),
                   ("loyalty", "points_ledger"), ("fx", "rates"), ("privacy", "consent_events"), ("privacy", "erasure_requests")]:
    RESOURCES.setdefault(_src, {})[_res] = (None, (lambda s=_src, r=_res: _simple(s, r)))


def load_contract_sample(warehouse_path: str | Path, pipelines_dir: str | Path) -> Path:
    """Land every contract resource (and an empty-ish rejects table per source) with dlt."""
    import dlt

    warehouse_path = Path(warehouse_path)
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    for source, resources in RESOURCES.items():
        res_objs = []
        for name, (_pk, fn) in resources.items():
            res_objs.append(dlt.resource(fn(), name=name, write_disposition="append"))
        res_objs.append(dlt.resource([{"resource": "orders", "reason": "unparseable date", "raw_payload": "{}",
                                       "rejected_at": dt.datetime(2026, 4, 5, tzinfo=dt.timezone.utc)}],
                                     name=f"{source}_rejects", write_disposition="append"))
        pipe = dlt.pipeline(pipeline_name=f"contract_{source}", destination=dlt.destinations.duckdb(str(warehouse_path)),
                            dataset_name=f"raw_{source}", pipelines_dir=str(pipelines_dir))
        pipe.run(res_objs)
    return warehouse_path


if __name__ == "__main__":
    import sys

    out = load_contract_sample(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/tmp/contract_dlt")
    print(out)
