"""Every platform source, how to build it and how to tell whether real credentials are configured."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class SourceSpec:
    name: str
    module: str
    factory: str
    secrets: dict[str, str] = field(default_factory=dict)  # secret args -> placeholder used against the simulator
    location_key: str = "base_url"  # config key that, when set, points the source at the real platform
    date_ranged: bool = False  # report APIs that need a start/end date (the simulator passes its own dates)

    @property
    def dataset(self) -> str:
        return f"raw_{self.name}"

    @property
    def rejects_table(self) -> str:
        return f"{self.name}_rejects"

    def factory_fn(self) -> Callable[..., Any]:
        return getattr(importlib.import_module(self.module), self.factory)


def _spec(name: str, module: str | None = None, secrets: tuple[str, ...] = ("api_token",), **kw: Any) -> SourceSpec:
    return SourceSpec(name, f"pipelines.sources.{module or name}", f"{name}_source",
                      {s: "simulator" for s in secrets}, **kw)


SOURCES: dict[str, SourceSpec] = {s.name: s for s in [
    _spec("shopify", secrets=("access_token",)),
    _spec("amazon_sp", secrets=("access_token",)),
    _spec("google_ads", secrets=("developer_token", "access_token"), date_ranged=True),
    _spec("meta_ads", secrets=("access_token",), date_ranged=True),
    _spec("tiktok_ads", secrets=("access_token",), date_ranged=True),
    _spec("amazon_ads", secrets=("client_id", "access_token"), date_ranged=True),
    _spec("email", module="email_marketing", secrets=("api_key",)),
    _spec("web_events", secrets=(), location_key="bucket_url"),
    _spec("creators"),
    _spec("referrals"),
    _spec("experiments"),
    _spec("logistics"),
    _spec("payments"),
    _spec("inventory"),
    _spec("loyalty"),
    _spec("fx", secrets=()),
    _spec("privacy"),
]}


def get(name: str) -> SourceSpec:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCES)}") from None
