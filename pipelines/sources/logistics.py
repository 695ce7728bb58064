"""Logistics: shipments with carrier, route, status and shipped/delivered timestamps (`raw_logistics`).
`delivered_at` before `shipped_at` is a business-rule problem: it lands and staging quarantines it.

Vendor REST style: `GET /v1/<resource>?updated_since=<cursor>&cursor=<next_cursor>` -> `{"items", "next_cursor"}`.
Real vendor: set `base_url` and `api_token` under `[sources.logistics]`.
"""
from __future__ import annotations

from typing import Any, Optional

import dlt

from ._resources import Endpoint
from ._vendor import next_cursor_resources

ENDPOINTS = [
    Endpoint("shipments", ("shipment_id",), "updated_at", "ts",
             {"shipped_at": "ts", "delivered_at": "ts", "cost": "num", "currency": "ccy"}),
]


@dlt.source(name="logistics")
def logistics_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 500,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    return next_cursor_resources(
        "logistics", base_url, api_token, ENDPOINTS, since_param="updated_since", page_size=page_size,
        start_date=start_date, http=http,
    )
