"""Amazon Ads API: advertising profiles and the Sponsored Products daily advertised-product report (`raw_amazon_ads`).

Reports are asynchronous: `POST /reporting/reports` -> `reportId` (PENDING) -> poll `GET /reporting/reports/{id}`
until `COMPLETED` -> download the gzip JSON file from its `url` (a pre-signed URL: no auth headers). One report per
profile per window of at most 31 days (the API's limit), incremental on `date` with a look-back.
Real API: `base_url = "https://advertising-api.amazon.com"` (or -eu/-fe), `client_id`, an LWA `access_token`.
"""
from __future__ import annotations

import gzip
import json
import time
from typing import Any, Iterator, Optional

import dlt

from ._http import HttpSettings, PlatformClient, PlatformRequestError
from ._resources import (Endpoint, build_resource, cursor_start, date_windows, format_date, once, resolve_end_date,
                         resolve_start_date)
from ._validate import parse_date

SP_COLUMNS = ["date", "campaignId", "campaignName", "adGroupId", "advertisedAsin", "advertisedSku", "impressions",
              "clicks", "cost", "purchases7d", "sales7d"]
SP_FIELDS = {
    "date": "date!", "profileId": "int!", "currencyCode": "ccy", "impressions": "int", "clicks": "int",
    "cost": "float", "purchases7d": "int", "sales7d": "float",
}
ENDPOINTS = [
    Endpoint("profiles", ("profileId",), fields={"profileId": "int", "currencyCode": "ccy"}),
    Endpoint("sp_daily", ("date", "profileId", "campaignId", "adGroupId", "advertisedSku"), "date", "date", SP_FIELDS,
             lag_days=3),
]


@dlt.source(name="amazon_ads")
def amazon_ads_source(
    base_url: str = dlt.config.value,
    client_id: str = dlt.secrets.value,
    access_token: str = dlt.secrets.value,
    start_date: Optional[str] = None,
    end_date: Optional[str] = None,
    lookback_days: int = 3,
    max_days_per_report: int = 31,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("amazon_ads", base_url, {"Amazon-Advertising-API-ClientId": client_id,
                                                     "Authorization": f"Bearer {access_token}"}, settings)
    end = resolve_end_date(end_date)
    start = resolve_start_date(start_date, end)

    @once
    def profiles() -> list[dict]:
        return client.request("/v2/profiles").json()

    def run_report(profile_id: Any, lo: Any, hi: Any) -> list[dict]:
        scope = {"Amazon-Advertising-API-Scope": str(profile_id)}
        body = {
            "name": f"sp advertised product {lo}..{hi}", "startDate": format_date(lo), "endDate": format_date(hi),
            "configuration": {"adProduct": "SPONSORED_PRODUCTS", "groupBy": ["advertiser"], "columns": SP_COLUMNS,
                              "reportTypeId": "spAdvertisedProduct", "timeUnit": "DAILY", "format": "GZIP_JSON"},
        }
        report = client.request("/reporting/reports", "POST", json=body, headers=scope).json()
        report_id = report["reportId"]
        deadline = time.monotonic() + client.settings.poll_timeout
        while report.get("status") not in ("COMPLETED", "SUCCESS"):
            if report.get("status") in ("FAILED", "FAILURE", "CANCELLED"):
                raise PlatformRequestError(f"amazon_ads: report {report_id} {report.get('status')}: "
                                           f"{report.get('failureReason') or report}")
            if time.monotonic() > deadline:
                raise PlatformRequestError(f"amazon_ads: report {report_id} still {report.get('status')} after "
                                           f"{client.settings.poll_timeout:.0f}s")
            time.sleep(client.settings.poll_interval)
            report = client.request(f"/reporting/reports/{report_id}", headers=scope).json()
        # the download URL is pre-signed storage: no API auth headers, no default params
        download = client.request(report["url"], headers={"Authorization": None, "Amazon-Advertising-API-ClientId": None},
                                  use_default_params=False)
        raw = download.content
        rows = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        for row in rows:  # v3 report rows do not carry the profile: add it so the key is complete
            if isinstance(row, dict):
                row.setdefault("profileId", profile_id)
        return rows

    def fetcher(endpoint: Endpoint):
        def fetch(cursor: Any) -> Iterator[list]:
            if endpoint.name == "profiles":
                yield profiles()
                return
            since = parse_date(cursor_start(cursor) or start)
            for profile in profiles():
                for lo, hi in date_windows(since, end, max_days_per_report):
                    yield run_report(profile["profileId"], lo, hi)
        return fetch

    resources = []
    for ep in ENDPOINTS:
        if ep.cursor:
            ep = Endpoint(ep.name, ep.primary_key, ep.cursor, ep.cursor_type, ep.fields, lag_days=lookback_days or None)
        resources.append(build_resource("amazon_ads", ep, fetcher(ep), initial_value=start if ep.cursor else None))
    return resources
