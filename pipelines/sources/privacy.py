"""Privacy: consent changes and erasure requests (GDPR/CCPA) (`raw_privacy`).

Vendor REST style: `GET /v1/<resource>?updated_since=<cursor>&cursor=<next_cursor>` -> `{"items", "next_cursor"}`.
Real vendor: set `base_url` and `api_token` under `[sources.privacy]`.
"""
from __future__ import annotations

from typing import Any, Optional

import dlt

from ._resources import Endpoint
from ._vendor import next_cursor_resources

ENDPOINTS = [
    Endpoint("consent_events", ("id",), "updated_at", "ts", {"changed_at": "ts!", "subject_customer_id": "int"}),
    Endpoint("erasure_requests", ("id",), "updated_at", "ts", {"requested_at": "ts!"}),
]


@dlt.source(name="privacy")
def privacy_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 500,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    return next_cursor_resources(
        "privacy", base_url, api_token, ENDPOINTS, since_param="updated_since", page_size=page_size,
        start_date=start_date, http=http,
    )
