"""Amazon Selling Partner API: marketplace orders (with their order items) and returns (`raw_amazon_sp`).

Pagination: `payload.NextToken` echoed back as `?NextToken=` (dlt `JSONResponseCursorPaginator`). Incremental:
`LastUpdatedAfter` on `LastUpdateDate`. Real SP-API: `base_url = "https://sellingpartnerapi-na.amazon.com"` (or -eu/-fe),
`access_token` = an LWA access token, `marketplace_ids` = the marketplaces to read.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start, format_ts

MONEY = ("Amount", "CurrencyCode")


def _money(prefix: str, required: bool = False) -> dict[str, str]:
    bang = "!" if required else ""
    return {f"{prefix}.Amount": f"num{bang}", f"{prefix}.CurrencyCode": f"ccy{bang}"}


ORDER_FIELDS = {
    "PurchaseDate": "ts!", **_money("OrderTotal"),
    "OrderItems[].OrderItemId": "str!", "OrderItems[].QuantityOrdered": "int",
    **_money("OrderItems[].ItemPrice"), **_money("OrderItems[].ItemTax"), **_money("OrderItems[].PromotionDiscount"),
    **_money("OrderItems[].ShippingPrice"), **_money("OrderItems[].ReferralFee"),
}
RETURN_FIELDS = {"ReturnDate": "ts", "Quantity": "int", **_money("RefundAmount")}

ENDPOINTS = {
    "orders": (Endpoint("orders", ("AmazonOrderId",), "LastUpdateDate", "ts", ORDER_FIELDS),
               "/orders/v0/orders", "Orders"),
    "returns": (Endpoint("returns", ("ReturnId",), "LastUpdateDate", "ts", RETURN_FIELDS), "/returns", "Returns"),
}


@dlt.source(name="amazon_sp")
def amazon_sp_source(
    base_url: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    marketplace_ids: Optional[str] = None,
    page_size: int = 100,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("amazon_sp", base_url, {"x-amz-access-token": access_token}, settings)

    def fetcher(name: str):
        endpoint, path, list_key = ENDPOINTS[name]

        def fetch(cursor: Any) -> Iterator[list]:
            params: dict[str, Any] = {"MaxResultsPerPage": page_size} if name == "orders" else {}
            since = cursor_start(cursor)
            if since is not None:
                params["LastUpdatedAfter"] = format_ts(since)
            if marketplace_ids and name == "orders":
                params["MarketplaceIds"] = marketplace_ids
            yield from client.paginate(path, params=params, data_selector=f"payload.{list_key}",
                                       paginator=JSONResponseCursorPaginator(cursor_path="payload.NextToken",
                                                                             cursor_param="NextToken"))
        return fetch

    return [build_resource("amazon_sp", ENDPOINTS[n][0], fetcher(n), initial_value=start_date) for n in ENDPOINTS]
