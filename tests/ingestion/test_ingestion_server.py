"""The loopback platform server: each platform's paging style, inclusive incremental filters, deterministic faults."""
from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from pipelines.simulator.server import serve


@pytest.fixture(scope="module")
def clean_server(full_store: dict):
    base_url, stop = serve(full_store["path"], faults=False)
    yield base_url
    stop()


def _next_link(link_header: str | None) -> str | None:
    for part in (link_header or "").split(","):
        if 'rel="next"' in part:
            return part.split(";")[0].strip().strip("<>")
    return None


def test_shopify_link_header_pages_through_everything_once(clean_server: str, full_store: dict) -> None:
    url = f"{clean_server}/shopify/admin/api/2024-07/orders.json?limit=7&status=any"
    ids = []
    while url:
        resp = requests.get(url, timeout=10)
        resp.raise_for_status()
        ids += [o["id"] for o in resp.json()["orders"]]
        url = _next_link(resp.headers.get("Link"))
    assert len(ids) == len(set(ids)) == full_store["resources"]["shopify/orders"]["distinct_keys"]


def test_incremental_filter_is_an_inclusive_lower_bound_on_the_instant(clean_server: str) -> None:
    everything = requests.get(f"{clean_server}/shopify/admin/api/2024-07/orders.json?limit=250").json()["orders"]
    pivot = sorted(everything, key=lambda o: o["updated_at"])[10]["updated_at"]  # has a +08:00 offset
    since = requests.get(f"{clean_server}/shopify/admin/api/2024-07/orders.json",
                         params={"limit": 250, "updated_at_min": pivot}).json()["orders"]
    assert pivot in [o["updated_at"] for o in since]
    from datetime import datetime

    def instant(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    assert all(instant(o["updated_at"]) >= instant(pivot) for o in since)
    assert len(since) == sum(instant(o["updated_at"]) >= instant(pivot) for o in everything)


def test_amazon_next_token_and_marketplace_filter(clean_server: str) -> None:
    seen, params = [], {"MarketplaceIds": "ATVPDKIKX0DER", "MaxResultsPerPage": 5}
    while True:
        payload = requests.get(f"{clean_server}/amazon_sp/orders/v0/orders", params=params).json()["payload"]
        seen += payload["Orders"]
        if not payload.get("NextToken"):
            break
        params = {"NextToken": payload["NextToken"]}
    assert seen and {o["MarketplaceId"] for o in seen} == {"ATVPDKIKX0DER"}


def test_google_ads_search_picks_the_resource_from_the_from_clause(clean_server: str) -> None:
    customers = requests.get(f"{clean_server}/google_ads/v17/customers:listAccessibleCustomers").json()
    cid = customers["resourceNames"][0].split("/")[1]
    url = f"{clean_server}/google_ads/v17/customers/{cid}/googleAds:search"
    campaigns = requests.post(url, json={"query": "SELECT campaign.id FROM campaign"}).json()["results"]
    assert campaigns and all("campaign" in r and r["customer"]["id"] == cid for r in campaigns)
    metrics = requests.post(url, json={"query": "SELECT segments.date, metrics.clicks FROM ad_group_ad "
                                                "WHERE segments.date >= '2026-03-05' AND segments.date <= '2026-03-06'",
                                       "pageSize": 3}).json()
    assert len(metrics["results"]) == 3 and metrics["nextPageToken"]
    rest = requests.post(url, json={"query": "ignored on later pages", "pageToken": metrics["nextPageToken"]}).json()
    dates = {r["segments"]["date"] for r in metrics["results"] + rest["results"]}
    assert dates == {"2026-03-05", "2026-03-06"}


def test_meta_paging_next_and_time_range(clean_server: str) -> None:
    url = f"{clean_server}/meta_ads/v20.0/act_101/insights"
    params = {"limit": 3, "time_range": json.dumps({"since": "2026-03-03", "until": "2026-03-03"})}
    body = requests.get(url, params=params).json()
    rows = list(body["data"])
    while body["paging"].get("next"):
        assert "after" in parse_qs(urlsplit(body["paging"]["next"]).query)
        body = requests.get(body["paging"]["next"]).json()
        rows += body["data"]
    assert len(rows) == 4 and {r["date_start"] for r in rows} == {"2026-03-03"} and {r["account_id"] for r in rows} == {"101"}


def test_tiktok_page_info_and_report_dates(clean_server: str) -> None:
    body = requests.get(f"{clean_server}/tiktok_ads/open_api/v1.3/report/integrated/get/",
                        params={"advertiser_id": "adv1", "start_date": "2026-03-02", "end_date": "2026-03-03",
                                "page": 2, "page_size": 4}).json()
    assert body["code"] == 0
    assert body["data"]["page_info"] == {"page": 2, "page_size": 4, "total_number": 6, "total_page": 2}
    assert len(body["data"]["list"]) == 2


def test_amazon_ads_report_is_pending_then_downloadable(clean_server: str) -> None:
    headers = {"Amazon-Advertising-API-Scope": "12"}
    report = requests.post(f"{clean_server}/amazon_ads/reporting/reports", headers=headers,
                           json={"startDate": "2026-03-02", "endDate": "2026-03-04", "configuration": {}}).json()
    assert report["status"] == "PENDING"
    statuses = []
    for _ in range(4):
        status = requests.get(f"{clean_server}/amazon_ads/reporting/reports/{report['reportId']}").json()
        statuses.append(status["status"])
        if status["status"] == "COMPLETED":
            break
    assert statuses[0] == "PENDING" and statuses[-1] == "COMPLETED" and 2 <= len(statuses) <= 3
    rows = json.loads(gzip.decompress(requests.get(status["url"]).content))
    assert len(rows) == 3 * 2 and {r["profileId"] for r in rows} == {12}


def test_stripe_starting_after_and_klaviyo_links_next(clean_server: str, full_store: dict) -> None:
    ids, params = [], {"limit": 5}
    while True:
        body = requests.get(f"{clean_server}/payments/v1/payment_attempts", params=params).json()
        ids += [p["id"] for p in body["data"]]
        if not body["has_more"]:
            break
        params = {"limit": 5, "starting_after": ids[-1]}
    assert len(ids) == len(set(ids)) == full_store["resources"]["payments/payment_attempts"]["rows"]
    url, events = f"{clean_server}/email/api/events/?page[size]=10", []
    while url:
        body = requests.get(url).json()
        events += body["data"]
        url = body["links"]["next"]
    assert len(events) == full_store["resources"]["email/events"]["rows"]


def test_web_event_files_are_listed_and_downloadable(clean_server: str, full_store: dict) -> None:
    files = requests.get(f"{clean_server}/web_events/files").json()["files"]
    assert len(files) == full_store["web_event_files"]
    raw = requests.get(f"{clean_server}/web_events/files/{files[0]['name']}").content
    assert gzip.decompress(raw).startswith(b"{")


def test_faults_are_deterministic_per_seed_and_counted(full_store: dict) -> None:
    def statuses(seed: int) -> list[int]:
        base_url, stop = serve(full_store["path"], faults=True, seed=seed,
                               fault_rates={"429": 0.2, "5xx": 0.2}, retry_after=(0, 1))
        try:
            out = [requests.get(f"{base_url}/inventory/v1/stock_levels", params={"limit": 2, "x": i}).status_code
                   for i in range(60)]
            stats = requests.get(f"{base_url}/__stats").json()
        finally:
            stop()
        assert stats["requests"] == 60
        assert stats["faults"]["429"] + stats["faults"]["500"] + stats["faults"]["503"] == sum(s != 200 for s in out)
        return out

    first = statuses(3)
    assert first == statuses(3)
    assert first != statuses(4)
    assert {429, 200} <= set(first) and set(first) & {500, 503}


def test_429_carries_retry_after(full_store: dict) -> None:
    base_url, stop = serve(full_store["path"], faults=True, fault_rates={"429": 1.0}, retry_after=(1,))
    try:
        resp = requests.get(f"{base_url}/referrals/v1/referrals")
    finally:
        stop()
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "1"


def test_duplicate_page_fault_repeats_the_previous_last_record(full_store: dict) -> None:
    base_url, stop = serve(full_store["path"], faults=True, fault_rates={"429": 0, "5xx": 0, "dup": 1.0})
    try:
        first = requests.get(f"{base_url}/logistics/v1/shipments", params={"limit": 5}).json()
        second = requests.get(f"{base_url}/logistics/v1/shipments", params={"cursor": first["next_cursor"]}).json()
    finally:
        stop()
    assert second["items"][0] == first["items"][-1] and len(second["items"]) == 6
