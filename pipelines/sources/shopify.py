"""Shopify Admin REST API: orders, customers, products (`raw_shopify`).

Pagination: `Link: <...page_info=...>; rel="next"` (dlt `HeaderLinkPaginator`). Incremental: `updated_at_min` on
`updated_at` (a refund or cancellation days later bumps `updated_at`, so the late version replaces the old one with
its line items and refunds). Real shop: `base_url = "https://<shop>.myshopify.com"`, `access_token` = Admin API token.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import HeaderLinkPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_ts

ORDER_FIELDS = {
    "id": "int", "created_at": "ts!", "processed_at": "ts", "cancelled_at": "ts", "closed_at": "ts",
    "currency": "ccy!", "presentment_currency": "ccy",
    "subtotal_price": "num", "total_discounts": "num", "total_tax": "num", "total_price": "num!",
    "total_shipping_price": "num", "total_fees": "num", "taxes_included": "bool",
    "customer.id": "int",
    "discount_codes[].amount": "num",
    "line_items[].id": "int!", "line_items[].product_id": "int", "line_items[].variant_id": "int",
    "line_items[].quantity": "int!", "line_items[].price": "num!", "line_items[].total_discount": "num",
    "line_items[].tax_lines[].rate": "float", "line_items[].tax_lines[].price": "num",
    "refunds[].id": "int!", "refunds[].created_at": "ts!",
    "refunds[].refund_line_items[].line_item_id": "int", "refunds[].refund_line_items[].quantity": "int",
    "refunds[].refund_line_items[].subtotal": "num",
    "refunds[].transactions[].amount": "num",
}
CUSTOMER_FIELDS = {
    "id": "int", "created_at": "ts", "verified_email": "bool", "accepts_marketing": "bool",
    "email_marketing_consent.consent_updated_at": "ts", "orders_count": "int", "total_spent": "num",
}
PRODUCT_FIELDS = {
    "id": "int", "created_at": "ts", "variants[].id": "int!", "variants[].price": "num", "variants[].cost": "num",
}

ENDPOINTS = [
    Endpoint("orders", ("id",), "updated_at", "ts", ORDER_FIELDS),
    Endpoint("customers", ("id",), "updated_at", "ts", CUSTOMER_FIELDS),
    Endpoint("products", ("id",), "updated_at", "ts", PRODUCT_FIELDS),
]


@dlt.source(name="shopify")
def shopify_source(
    base_url: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    api_version: str = "2024-07",
    page_size: int = 250,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("shopify", base_url, {"X-Shopify-Access-Token": access_token}, settings)

    def fetcher(endpoint: Endpoint):
        def fetch(cursor: Any) -> Iterator[list]:
            params: dict[str, Any] = {"limit": page_size}
            if endpoint.name == "orders":
                params["status"] = "any"
            since = cursor_start(cursor)
            if since is not None:
                params["updated_at_min"] = format_ts(since)
            yield from client.paginate(f"/admin/api/{api_version}/{endpoint.name}.json", params=params,
                                       paginator=HeaderLinkPaginator(), data_selector=endpoint.name)
        return fetch

    return [build_resource("shopify", ep, fetcher(ep), initial_value=start_date) for ep in ENDPOINTS]
