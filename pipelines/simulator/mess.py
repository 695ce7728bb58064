"""Planted data-quality problems and their exact ledger (``truth/mess.json``).

Whether a record is damaged is a pure function of (seed, resource, record key), so the same record is damaged the
same way in every run and in every later version of it (append-a-day safe).

* malformed (parse/type failures; ingestion must send them to ``<source>_rejects``): ``unparseable_date``,
  ``unknown_currency``, ``wrong_type``;
* business-rule problems (must land, quarantined in staging): ``negative_spend``, ``delivered_before_shipped``,
  ``zero_quantity``.
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from typing import Callable

from .rng import combine, mix64

BAD_DATES = ("2025-13-45", "yesterday", "31/02/2025", "2025-02-30T25:61:00Z")

# Fields that may carry a planted parse/type failure, per resource (dotted paths; `[]` = every element of a list).
# A record is malformed iff one of these fields fails its check: `dates` must parse as ISO-8601 (or be null),
# `currencies` must be an ISO-4217 code, `numbers` must be a number or a numeric string, `strings` must be strings.
MALFORMED_FIELDS = {
    "shopify/orders": {"dates": ["processed_at"], "currencies": ["currency", "presentment_currency"]},
    "amazon_sp/orders": {"dates": ["PurchaseDate"], "currencies": ["OrderTotal.CurrencyCode"]},
    "google_ads/ad_metrics_daily": {"numbers": ["metrics.impressions"], "currencies": ["customer.currencyCode"]},
    "meta_ads/insights_daily": {"numbers": ["spend"], "currencies": ["account_currency"], "dates": ["date_stop"]},
    "tiktok_ads/report_daily": {"numbers": ["metrics.clicks"], "currencies": ["metrics.currency"]},
    "amazon_ads/sp_daily": {"numbers": ["cost"], "currencies": ["currencyCode"]},
    "email/events": {"strings": ["attributes.profile_id"]},
    "creators/posts": {"numbers": ["reach"]},
    "creators/fees": {"currencies": ["currency"]},
    "logistics/shipments": {"dates": ["shipped_at", "delivered_at"], "currencies": ["currency"]},
    "payments/payment_attempts": {"numbers": ["amount"], "currencies": ["currency"]},
    "inventory/stock_levels": {"numbers": ["on_hand"]},
    "loyalty/points_ledger": {"numbers": ["points"]},
    "privacy/consent_events": {"dates": ["changed_at"]},
    "web_events/events": {"dates": ["event_timestamp"], "numbers": ["value"]},
}
# Business-rule problems that must land (quarantined in staging), per resource and reason.
BUSINESS_RULES = {
    "shopify/orders": {"zero_quantity": "a line item has quantity 0"},
    "logistics/shipments": {"delivered_before_shipped": "delivered_at is before shipped_at"},
    "google_ads/ad_metrics_daily": {"negative_spend": "metrics.costMicros < 0"},
    "meta_ads/insights_daily": {"negative_spend": "spend < 0"},
    "tiktok_ads/report_daily": {"negative_spend": "metrics.spend < 0"},
    "amazon_ads/sp_daily": {"negative_spend": "cost < 0"},
}
BAD_CURRENCIES = ("XXX", "EURO", "US$", "")


class MessLedger:
    def __init__(self, scenario: dict, seed: int) -> None:
        m = scenario["mess"]
        self.enabled = bool(m["enabled"])
        self.malformed_rate = float(m["malformed_rate"]) if self.enabled else 0.0
        self.business_rule_rate = float(m["business_rule_rate"]) if self.enabled else 0.0
        self.seed = seed
        self.malformed_keys: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.business_keys: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.notes: dict[str, object] = {}
        self._bases: dict = {}

    def uniform(self, resource: str, kind: str, key: str) -> tuple[float, float]:
        base = self._bases.get((resource, kind))
        if base is None:
            base = self._bases[(resource, kind)] = combine(self.seed, zlib.crc32(f"{resource}|{kind}".encode()))
        raw = key.encode()
        h = mix64(base ^ zlib.crc32(raw) ^ (len(raw) << 40) ^ (zlib.adler32(raw) << 20))
        return (h >> 11) / 9007199254740992.0, ((h * 0x9E3779B97F4A7C15) & ((1 << 64) - 1) >> 11) / 9007199254740992.0

    def count(self, category: str, key: str, n: int = 1) -> None:
        self.counts[category][key] += n

    def malformed(self, resource: str, reason: str, key: str) -> None:
        self.malformed_keys[resource][reason].append(str(key))

    def business(self, resource: str, reason: str, key: str) -> None:
        self.business_keys[resource][reason].append(str(key))

    def maybe_malform(self, resource: str, key: str, record: dict,
                      options: list[tuple[str, Callable[[dict, float], None]]], ordinal: int | None = None) -> bool:
        """Damage ``record`` in place with one of ``options`` (reason, mutator) at the malformed rate.

        ``ordinal`` (a stable creation index) guarantees one record of each reason early on: ordinal 5 gets the
        first option, 12 the second, 19 the third, so even a small store holds every reason."""
        if not self.malformed_rate or not options:
            return False
        a, b = self.uniform(resource, "malformed", key)
        guaranteed = ordinal is not None and ordinal >= 5 and (ordinal - 5) % 7 == 0 and (ordinal - 5) // 7 < len(options)
        if a >= self.malformed_rate and not guaranteed:
            return False
        choice = (ordinal - 5) // 7 if guaranteed else min(int(b * len(options)), len(options) - 1)
        reason, mutate = options[choice]
        mutate(record, b)
        self.malformed(resource, reason, key)
        return True

    def maybe_break_rule(self, resource: str, key: str, record: dict, reason: str,
                         mutate: Callable[[dict, float], None], ordinal: int | None = None) -> bool:
        """Plant a business-rule problem at the business-rule rate (and always at stable ordinal 9)."""
        if not self.business_rule_rate:
            return False
        a, b = self.uniform(resource, "business", key)
        if a >= self.business_rule_rate and ordinal != 9:
            return False
        mutate(record, b)
        self.business(resource, reason, key)
        return True

    def ledger(self) -> dict:
        def summarise(keys: dict) -> dict:
            out = {}
            for resource in sorted(keys):
                reasons = {r: sorted(v) for r, v in sorted(keys[resource].items())}
                out[resource] = {"total": sum(len(v) for v in reasons.values()),
                                 "by_reason": {r: len(v) for r, v in reasons.items()}, "keys": reasons}
            return out

        return {
            "enabled": self.enabled,
            "malformed_rate": self.malformed_rate,
            "business_rule_rate": self.business_rule_rate,
            "malformed": summarise(self.malformed_keys),
            "malformed_total": sum(len(v) for r in self.malformed_keys.values() for v in r.values()),
            "business_rule": summarise(self.business_keys),
            "business_rule_total": sum(len(v) for r in self.business_keys.values() for v in r.values()),
            "counts": {k: dict(sorted(v.items())) for k, v in sorted(self.counts.items())},
            "malformed_fields": MALFORMED_FIELDS,
            "business_rules": BUSINESS_RULES,
            **self.notes,
        }


def bad_date(record: dict, field: str, u: float) -> None:
    record[field] = BAD_DATES[int(u * 1000) % len(BAD_DATES)]


def bad_currency(record: dict, field: str, u: float) -> None:
    record[field] = BAD_CURRENCIES[int(u * 1000) % (len(BAD_CURRENCIES) - 1)]
