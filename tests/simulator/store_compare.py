"""Helpers to read a store and compare two stores (days=N vs days=N+1)."""
from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date, datetime, timezone
from pathlib import Path

# (version-timestamp field path, key field paths) per resource; dates of records are judged in UTC.
RESOURCE_FIELDS = {
    "shopify/orders": ("updated_at", ("id",)), "shopify/customers": ("updated_at", ("id",)),
    "shopify/products": ("updated_at", ("id",)),
    "amazon_sp/orders": ("LastUpdateDate", ("AmazonOrderId",)), "amazon_sp/returns": ("LastUpdateDate", ("ReturnId",)),
    "google_ads/customers": (None, ("customer.id",)), "google_ads/campaigns": (None, ("campaign.id",)),
    "google_ads/ad_groups": (None, ("adGroup.id",)), "google_ads/ads": (None, ("adGroupAd.ad.id",)),
    "google_ads/ad_metrics_daily": ("segments.date", ("segments.date", "adGroupAd.ad.id", "segments.geoTargetCountry")),
    "meta_ads/ad_accounts": (None, ("id",)), "meta_ads/campaigns": (None, ("id",)), "meta_ads/adsets": (None, ("id",)),
    "meta_ads/ads": (None, ("id",)), "meta_ads/creatives": (None, ("id",)),
    "meta_ads/insights_daily": ("date_start", ("date_start", "ad_id", "country", "publisher_platform")),
    "tiktok_ads/advertisers": (None, ("advertiser_id",)), "tiktok_ads/campaigns": (None, ("campaign_id",)),
    "tiktok_ads/adgroups": (None, ("adgroup_id",)), "tiktok_ads/ads": (None, ("ad_id",)),
    "tiktok_ads/report_daily": ("dimensions.stat_time_day",
                                ("dimensions.stat_time_day", "dimensions.ad_id", "dimensions.country_code")),
    "amazon_ads/profiles": (None, ("profileId",)),
    "amazon_ads/sp_daily": ("date", ("date", "profileId", "campaignId", "adGroupId", "advertisedSku")),
    "email/profiles": ("attributes.updated", ("id",)), "email/campaigns": ("attributes.updated", ("id",)),
    "email/flows": ("attributes.updated", ("id",)), "email/events": ("attributes.datetime", ("id",)),
    "creators/creators": ("updated_at", ("id",)), "creators/posts": ("updated_at", ("id",)),
    "creators/fees": ("updated_at", ("id",)), "referrals/referrals": ("updated_at", ("id",)),
    "experiments/experiments": ("updated_at", ("id",)), "experiments/assignments": ("updated_at", ("id",)),
    "logistics/shipments": ("updated_at", ("shipment_id",)), "payments/payment_attempts": ("created", ("id",)),
    "inventory/stock_levels": ("date", ("date", "sku", "warehouse_id")),
    "loyalty/members": ("updated_at", ("member_id",)), "loyalty/points_ledger": ("created_at", ("entry_id",)),
    "privacy/consent_events": ("updated_at", ("id",)), "privacy/erasure_requests": ("updated_at", ("id",)),
}
LOCAL_DATE_RESOURCES = {"google_ads/ad_metrics_daily", "meta_ads/insights_daily", "tiktok_ads/report_daily",
                        "amazon_ads/sp_daily"}


def get_path(record, path):
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def to_utc_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, tz=timezone.utc).date()
    text = str(value).replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        return dt.date()
    return dt.astimezone(timezone.utc).date()


def read_resource(store: Path, resource: str) -> list[dict]:
    source, name = resource.split("/")
    path = store / source / f"{name}.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def keyed(store: Path, resource: str) -> dict[str, dict]:
    _, keys = RESOURCE_FIELDS[resource]
    return {"|".join(str(get_path(r, k)) for k in keys): r for r in read_resource(store, resource)}


def fx_rows(store: Path) -> dict[str, str]:
    text = (store / "fx" / "eurofxref-hist.csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    return {r[0]: ",".join(r) for r in rows[1:]}


def prefix_violations(short: Path, long: Path, new_day: date) -> list[str]:
    """Differences between a days=N store and a days=N+1 store that are not 'a newer version on day N+1' or
    'a new record of day N+1' (report rows may also add the previous local date)."""
    problems = []
    for resource, (version_field, _) in RESOURCE_FIELDS.items():
        a, b = keyed(short, resource), keyed(long, resource)
        for key, rec in a.items():
            if key not in b:
                problems.append(f"{resource} {key}: missing from the longer store")
            elif b[key] != rec:
                when = to_utc_date(get_path(b[key], version_field)) if version_field else None
                if when != new_day:
                    problems.append(f"{resource} {key}: changed without a newer version on {new_day} (version {when})")
        for key, rec in b.items():
            if key in a:
                continue
            when = to_utc_date(get_path(rec, version_field)) if version_field else None
            allowed = {new_day} | ({date.fromordinal(new_day.toordinal() - 1)} if resource in LOCAL_DATE_RESOURCES else set())
            if when not in allowed:
                problems.append(f"{resource} {key}: new record dated {when}, expected {new_day}")
    fa, fb = fx_rows(short), fx_rows(long)
    for d, row in fa.items():
        if fb.get(d) != row:
            problems.append(f"fx row {d} changed")
    for path in sorted((short / "web_events").glob("*.ndjson.gz")):
        other = long / "web_events" / path.name
        if not other.exists() or other.read_bytes() != path.read_bytes():
            problems.append(f"web events file {path.name} differs")
    return problems
