"""Creators and social posts: creators, posts (metrics grow for days after posting; every update bumps
`updated_at`) and creator fees (`raw_creators`).

Vendor REST style: `GET /v1/<resource>?updated_since=<cursor>&cursor=<next_cursor>` -> `{"items", "next_cursor"}`.
Real vendor: set `base_url` and `api_token` under `[sources.creators]`.
"""
from __future__ import annotations

from typing import Any, Optional

import dlt

from ._resources import Endpoint
from ._vendor import next_cursor_resources

ENDPOINTS = [
    Endpoint("creators", ("id",), "updated_at", "ts", {"followers": "int"}),
    Endpoint("posts", ("id",), "updated_at", "ts",
             {"posted_at": "ts!", "reach": "int", "likes": "int", "comments": "int", "shares": "int", "saves": "int",
              "video_views": "int", "video_completions": "int"}),
    Endpoint("fees", ("id",), "updated_at", "ts", {"amount": "num!", "currency": "ccy!", "paid_at": "ts"}),
]


@dlt.source(name="creators")
def creators_source(
    base_url: str = dlt.config.value,
    api_token: str = dlt.secrets.value,
    page_size: int = 500,
    start_date: Optional[str] = None,
    http: Optional[Any] = None,
) -> Any:
    return next_cursor_resources(
        "creators", base_url, api_token, ENDPOINTS, since_param="updated_since", page_size=page_size,
        start_date=start_date, http=http,
    )
