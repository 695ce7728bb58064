"""Shared shape of the smaller vendor APIs (creators, referrals, logistics, inventory, loyalty, privacy):
`GET /v1/<resource>?<since_param>=<cursor>&cursor=<next_cursor>` -> `{"items": [...], "next_cursor": ...}`,
paginated with dlt's `JSONResponseCursorPaginator`, bearer-token auth."""
from __future__ import annotations

from typing import Any, Iterator, Optional

from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_date, format_ts


def next_cursor_resources(source_name: str, base_url: str, token: str, endpoints: list[Endpoint],
                          since_param: str = "updated_since", page_size: int = 500,
                          start_date: Optional[str] = None, http: Optional[HttpSettings] = None,
                          api_prefix: str = "/v1") -> list[Any]:
    client = PlatformClient(source_name, base_url, {"Authorization": f"Bearer {token}"}, http)

    def fetcher(endpoint: Endpoint):
        def fetch(cursor: Any) -> Iterator[list]:
            params: dict[str, Any] = {"limit": page_size}
            since = cursor_start(cursor)
            if since is not None:
                params[since_param] = format_date(since) if endpoint.cursor_type == "date" else format_ts(since)
            yield from client.paginate(f"{api_prefix}/{endpoint.name}", params=params, data_selector="items",
                                       paginator=JSONResponseCursorPaginator(cursor_path="next_cursor",
                                                                             cursor_param="cursor"))
        return fetch

    return [build_resource(source_name, ep, fetcher(ep), initial_value=start_date) for ep in endpoints]
