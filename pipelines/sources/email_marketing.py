"""Email platform (Klaviyo-style JSON:API): profiles, campaigns, flows and events (`raw_email`).

Pagination: `links.next` (dlt `JSONLinkPaginator`). Incremental with `filter=greater-or-equal(<field>,<ts>)`: profiles
on `attributes.updated` (consent changes bump it), events on `attributes.datetime`; campaigns and flows are small full
loads merged on `id`. Real Klaviyo: `base_url = "https://a.klaviyo.com"`, a private `api_key`.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_ts

ENDPOINTS = [
    (Endpoint("profiles", ("id",), "attributes.updated", "ts",
              {"attributes.created": "ts", "attributes.subscriptions.email.marketing.timestamp": "ts"}), "updated"),
    (Endpoint("campaigns", ("id",), fields={"attributes.send_time": "ts", "attributes.created_at": "ts",
                                            "attributes.updated_at": "ts"}), None),
    (Endpoint("flows", ("id",), fields={"attributes.created": "ts", "attributes.updated": "ts"}), None),
    (Endpoint("events", ("id",), "attributes.datetime", "ts", {"attributes.metric": "text!", "attributes.profile_id": "text",
                                                                  "attributes.email": "text"}), "datetime"),
]


@dlt.source(name="email")
def email_source(
    base_url: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    revision: str = "2024-07-15",
    page_size: int = 100,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("email", base_url, {"Authorization": f"Klaviyo-API-Key {api_key}", "revision": revision,
                                                "accept": "application/json"}, settings)

    def fetcher(endpoint: Endpoint, filter_field: Optional[str]):
        def fetch(cursor: Any) -> Iterator[list]:
            params: dict[str, Any] = {"page[size]": page_size}
            since = cursor_start(cursor)
            if since is not None and filter_field:
                params["filter"] = f"greater-or-equal({filter_field},{format_ts(since)})"
            yield from client.paginate(f"/api/{endpoint.name}/", params=params, data_selector="data",
                                       paginator=JSONLinkPaginator(next_url_path="links.next"))
        return fetch

    return [build_resource("email", ep, fetcher(ep, f), initial_value=start_date if ep.cursor else None)
            for ep, f in ENDPOINTS]
