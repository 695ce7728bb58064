"""Meta Marketing API: ad accounts, campaigns, ad sets, ads, creatives and daily ad insights by country and
placement (`raw_meta_ads`).

Pagination: `paging.next` (dlt `JSONLinkPaginator`; the link carries `paging.cursors.after`). Insights are requested
with `time_increment=1`, `level=ad`, `breakdowns=country,publisher_platform` and a `time_range`; incremental on
`date_start` with a look-back because attribution windows restate recent days. Metrics arrive as strings and land as
strings (staging casts them). Real API: `base_url = "https://graph.facebook.com"`, a system-user `access_token`.
"""
from __future__ import annotations

import json
from typing import Any, Iterator, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_date, once, resolve_end_date, resolve_start_date

INSIGHT_FIELDS = {
    "account_currency": "ccy", "date_start": "date!", "date_stop": "date",
    "impressions": "num", "inline_link_clicks": "num", "clicks": "num", "spend": "num", "reach": "num",
    "actions[].value": "num", "action_values[].value": "num", "video_thruplay_watched_actions[].value": "num",
}
EDGE_FIELDS = {
    "campaigns": "id,account_id,name,objective,status,daily_budget,created_time,updated_time",
    "adsets": "id,account_id,campaign_id,name,status,targeting,created_time,updated_time",
    "ads": "id,account_id,adset_id,campaign_id,name,status,creative,created_time,updated_time",
    "adcreatives": "id,account_id,name,object_type,creator_handle,object_story_spec,url_tags",
}
INSIGHT_COLUMNS = ("account_id,account_currency,campaign_id,adset_id,ad_id,date_start,date_stop,impressions,"
                   "inline_link_clicks,spend,actions,action_values,video_thruplay_watched_actions")
ENDPOINTS = [
    Endpoint("ad_accounts", ("id",), fields={"currency": "ccy"}),
    Endpoint("campaigns", ("id",)),
    Endpoint("adsets", ("id",)),
    Endpoint("ads", ("id",)),
    Endpoint("creatives", ("id",)),
    Endpoint("insights_daily", ("date_start", "ad_id", "country", "publisher_platform"), "date_start", "date",
             INSIGHT_FIELDS, lag_days=3),
]


@dlt.source(name="meta_ads")
def meta_ads_source(
    base_url: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    api_version: str = "v20.0",
    page_size: int = 500,
    start_date: Optional[str] = None,
    end_date: Optional[str] = None,
    lookback_days: int = 3,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("meta_ads", base_url, {}, settings, params={"access_token": access_token})
    end = resolve_end_date(end_date)
    start = resolve_start_date(start_date, end)
    next_link = lambda: JSONLinkPaginator(next_url_path="paging.next")  # noqa: E731

    def pages(path: str, params: dict[str, Any]) -> Iterator[list]:
        yield from client.paginate(path, params={"limit": page_size, **params}, paginator=next_link(),
                                   data_selector="data")

    @once
    def accounts() -> list[dict]:
        return [row for page in pages(f"/{api_version}/me/adaccounts",
                                      {"fields": "id,account_id,name,currency,timezone_name,account_status"})
                for row in page]

    def fetcher(endpoint: Endpoint):
        def fetch(cursor: Any) -> Iterator[list]:
            if endpoint.name == "ad_accounts":
                yield accounts()
                return
            for account in accounts():
                act = account["id"] if str(account["id"]).startswith("act_") else f"act_{account['id']}"
                if endpoint.name == "insights_daily":
                    since = cursor_start(cursor) or start
                    params = {"level": "ad", "time_increment": 1, "breakdowns": "country,publisher_platform",
                              "fields": INSIGHT_COLUMNS,
                              "time_range": json.dumps({"since": format_date(since), "until": format_date(end)})}
                    yield from pages(f"/{api_version}/{act}/insights", params)
                else:
                    edge = "adcreatives" if endpoint.name == "creatives" else endpoint.name
                    yield from pages(f"/{api_version}/{act}/{edge}", {"fields": EDGE_FIELDS[edge]})
        return fetch

    resources = []
    for ep in ENDPOINTS:
        if ep.cursor:
            ep = Endpoint(ep.name, ep.primary_key, ep.cursor, ep.cursor_type, ep.fields, lag_days=lookback_days or None)
        resources.append(build_resource("meta_ads", ep, fetcher(ep), initial_value=start if ep.cursor else None))
    return resources
