"""Inventory: daily stock per SKU and warehouse with safety stock (`raw_inventory`), incremental by `date`.

Vendor REST style: `GET /v1/<resource>?date_from=<cursor>&cursor=<next_cursor>` -> `{"items", "next_cursor"}`.
Real vendor: set `base_url` and `api_token` under `[sources.inventory]`.
"""
from __future__ import annotations

from typing import Any, Optional

import dlt

from ._resources import Endpoint
from ._vendor import next_cursor_resources

ENDPOINTS = [
    Endpoint("stock_levels", ("date", "sku", "warehouse_id"), "date", "date",
             {"product_id": "int", "on_hand": "int", "reserved": "int", "inbound": "int", "safety_stock": "int"}),
]


@dlt.source(name="inventory")
def inventory_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 500,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    return next_cursor_resources(
        "inventory", base_url, api_token, ENDPOINTS, since_param="date_from", page_size=page_size,
        start_date=start_date, http=http,
    )
