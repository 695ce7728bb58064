"""Google Ads API: customers, campaigns, ad groups, ads and daily ad metrics by country (`raw_google_ads`).

`POST /v17/customers/{id}/googleAds:search` with a GAQL query; `nextPageToken` goes back in the body as `pageToken`
(dlt `JSONResponseCursorPaginator(cursor_body_path=...)`). Entities are small full loads merged on their id; daily
metrics are incremental on `segments.date` with a look-back (`lookback_days`, default 3) because the platform restates
recent days' conversions. Dates are in the account's time zone and cost in the account currency (`customer.currencyCode`).
Real API: `base_url = "https://googleads.googleapis.com"`, `developer_token`, an OAuth `access_token`, optional
`login_customer_id` (manager account).
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_date, once, resolve_end_date, resolve_start_date

METRIC_FIELDS = {
    "customer.id": "str!", "customer.currencyCode": "ccy", "segments.date": "date!",
    "metrics.costMicros": "num", "metrics.impressions": "num", "metrics.clicks": "num",
    "metrics.conversions": "float", "metrics.conversionsValue": "float",
}
QUERIES = {
    "customers": "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone FROM customer",
    "campaigns": "SELECT customer.id, campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type "
                 "FROM campaign",
    "ad_groups": "SELECT customer.id, campaign.id, ad_group.id, ad_group.name, ad_group.status FROM ad_group",
    "ads": "SELECT customer.id, ad_group.id, ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.ad.final_urls "
           "FROM ad_group_ad",
    "ad_metrics_daily": "SELECT customer.id, customer.currency_code, customer.time_zone, campaign.id, "
                        "campaign.advertising_channel_type, ad_group.id, ad_group_ad.ad.id, segments.date, "
                        "segments.geo_target_country, metrics.cost_micros, metrics.impressions, metrics.clicks, "
                        "metrics.conversions, metrics.conversions_value FROM ad_group_ad "
                        "WHERE segments.date >= '{since}' AND segments.date <= '{until}'",
}
ENDPOINTS = [
    Endpoint("customers", ("customer.id",), fields={"customer.currencyCode": "ccy"}),
    Endpoint("campaigns", ("campaign.id",)),
    Endpoint("ad_groups", ("adGroup.id",)),
    Endpoint("ads", ("adGroupAd.ad.id",)),
    Endpoint("ad_metrics_daily", ("segments.date", "adGroupAd.ad.id", "segments.geoTargetCountry"),
             "segments.date", "date", METRIC_FIELDS, lag_days=3),
]


@dlt.source(name="google_ads")
def google_ads_source(
    base_url: str = dlt.config.value,
    developer_token: str = dlt.secrets.value,
    access_token: str = dlt.secrets.value,
    login_customer_id: Optional[str] = None,
    api_version: str = "v17",
    start_date: Optional[str] = None,
    end_date: Optional[str] = None,
    lookback_days: int = 3,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    headers = {"developer-token": developer_token, "Authorization": f"Bearer {access_token}"}
    if login_customer_id:
        headers["login-customer-id"] = str(login_customer_id)
    client = PlatformClient("google_ads", base_url, headers, settings)
    end = resolve_end_date(end_date)
    start = resolve_start_date(start_date, end)

    @once
    def customer_ids() -> list[str]:
        body = client.request(f"/{api_version}/customers:listAccessibleCustomers").json()
        return [name.split("/", 1)[1] for name in body.get("resourceNames", [])]

    def search(customer_id: str, query: str) -> Iterator[list]:
        yield from client.paginate(
            f"/{api_version}/customers/{customer_id}/googleAds:search", method="POST", json={"query": query},
            data_selector="results",
            paginator=JSONResponseCursorPaginator(cursor_path="nextPageToken", cursor_body_path="pageToken"))

    def fetcher(endpoint: Endpoint):
        def fetch(cursor: Any) -> Iterator[list]:
            query = QUERIES[endpoint.name]
            if endpoint.cursor:
                since = cursor_start(cursor) or start
                query = query.format(since=format_date(since), until=format_date(end))
            for cid in customer_ids():
                yield from search(cid, query)
        return fetch

    resources = []
    for ep in ENDPOINTS:
        if ep.cursor:
            ep = Endpoint(ep.name, ep.primary_key, ep.cursor, ep.cursor_type, ep.fields, lag_days=lookback_days or None)
        resources.append(build_resource("google_ads", ep, fetcher(ep), initial_value=start if ep.cursor else None))
    return resources
