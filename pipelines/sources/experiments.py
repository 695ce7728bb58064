"""Experimentation platform: experiments (with their variants) and user assignments (`raw_experiments`).

Pagination: `offset`/`limit` with the response's `total` (dlt `OffsetPaginator`). Incremental on `updated_at` for both
resources: an assignment's `updated_at` moves when the visitor later logs in and gets a `user_id`, which `assigned_at`
alone would miss. Real platform: set `base_url` and `api_token` under `[sources.experiments]`.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_ts

ENDPOINTS = [
    Endpoint("experiments", ("id",), "updated_at", "ts",
             {"start_at": "ts", "end_at": "ts", "variants[].id": "str!", "variants[].is_control": "bool",
              "variants[].traffic_share": "float"}),
    Endpoint("assignments", ("id",), "updated_at", "ts", {"experiment_id": "str!", "variant_id": "str!",
                                                          "assigned_at": "ts!"}),
]


@dlt.source(name="experiments")
def experiments_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 1000,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("experiments", base_url, {"Authorization": f"Bearer {api_token}"}, settings)

    def fetcher(endpoint: Endpoint):
        def fetch(cursor: Any) -> Iterator[list]:
            params: dict[str, Any] = {}
            since = cursor_start(cursor)
            if since is not None:
                params["updated_since"] = format_ts(since)
            yield from client.paginate(f"/v1/{endpoint.name}", params=params, data_selector="items",
                                       paginator=OffsetPaginator(limit=page_size, total_path="total"))
        return fetch

    return [build_resource("experiments", ep, fetcher(ep), initial_value=start_date) for ep in ENDPOINTS]
