"""Payment provider (Stripe-style): payment attempts per order with method, status and failure reason
(`raw_payments`).

Pagination: `starting_after=<last id>` while `has_more` (a small `StartingAfterPaginator`; dlt has no built-in one).
Incremental on `created` (epoch seconds) via `created_since`. `amount` is in minor units of `currency`.
Real provider: set `base_url` and `api_token` under `[sources.payments]`.
"""
from __future__ import annotations

from typing import Any, Iterator, List, Optional

import dlt
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response

from ._http import HttpSettings, PlatformClient
from ._resources import Endpoint, build_resource, cursor_start

ENDPOINTS = [
    Endpoint("payment_attempts", ("id",), "created", "epoch",
             {"amount": "int!", "currency": "ccy!", "status": "str!"}),
]


class StartingAfterPaginator(BasePaginator):
    """Stripe list pagination: next page starts after the last object's id while `has_more` is true."""

    def __init__(self, id_field: str = "id", has_more_field: str = "has_more") -> None:
        super().__init__()
        self.id_field, self.has_more_field = id_field, has_more_field
        self._last_id: Optional[str] = None

    def update_state(self, response: Response, data: Optional[List[Any]] = None) -> None:
        body = response.json()
        if not body.get(self.has_more_field) or not data:
            self._has_next_page = False
            return
        self._last_id = data[-1][self.id_field]

    def update_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), "starting_after": self._last_id}


@dlt.source(name="payments")
def payments_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 100,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    settings: Optional[HttpSettings] = http
    client = PlatformClient("payments", base_url, {"Authorization": f"Bearer {api_token}"}, settings)

    def fetch(cursor: Any) -> Iterator[list]:
        params: dict[str, Any] = {"limit": page_size}
        since = cursor_start(cursor)
        if since is not None:
            params["created_since"] = int(since)
        yield from client.paginate("/v1/payment_attempts", params=params, data_selector="data",
                                   paginator=StartingAfterPaginator())

    initial = None
    if start_date:
        from ._validate import parse_timestamp
        initial = int(parse_timestamp(start_date).timestamp())
    return [build_resource("payments", ENDPOINTS[0], fetch, initial_value=initial)]
