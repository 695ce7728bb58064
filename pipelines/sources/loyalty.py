"""Loyalty programme: members (tier changes bump `updated_at`) and the points ledger (append-only, by
`created_at`) (`raw_loyalty`).

Vendor REST style: `GET /v1/<resource>?updated_since=<cursor>&cursor=<next_cursor>` -> `{"items", "next_cursor"}`.
Real vendor: set `base_url` and `api_token` under `[sources.loyalty]`.
"""
from __future__ import annotations

from typing import Any, Optional

import dlt

from ._resources import Endpoint
from ._vendor import next_cursor_resources

ENDPOINTS = [
    Endpoint("members", ("member_id",), "updated_at", "ts",
             {"points_balance": "int", "joined_at": "ts", "shopify_customer_id": "int"}),
    Endpoint("points_ledger", ("entry_id",), "created_at", "ts", {"points": "int!"}),
]


@dlt.source(name="loyalty")
def loyalty_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 500,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    return next_cursor_resources(
        "loyalty", base_url, api_token, ENDPOINTS, since_param="updated_since", page_size=page_size,
        start_date=start_date, http=http,
    )
