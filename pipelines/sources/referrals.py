"""Referral programme: shared codes, invitees and conversions (`raw_referrals`).

Vendor REST style: `GET /v1/<resource>?updated_since=<cursor>&cursor=<next_cursor>` -> `{"items", "next_cursor"}`.
Real vendor: set `base_url` and `api_token` under `[sources.referrals]`.
"""
from __future__ import annotations

from typing import Any, Optional

import dlt

from ._resources import Endpoint
from ._vendor import next_cursor_resources

ENDPOINTS = [
    Endpoint("referrals", ("id",), "updated_at", "ts",
             {"shared_at": "ts", "reward_amount": "num", "currency": "ccy", "referrer_customer_id": "int",
              "referee_customer_id": "int"}),
]


@dlt.source(name="referrals")
def referrals_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 500,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    return next_cursor_resources(
        "referrals", base_url, api_token, ENDPOINTS, since_param="updated_since", page_size=page_size,
        start_date=start_date, http=http,
    )
