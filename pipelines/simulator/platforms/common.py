"""Identifiers and helpers shared by the platform renderers (pure functions of the person / sequence numbers)."""
from __future__ import annotations

import numpy as np

from ..people import PLACEHOLDER_EMAIL
from ..rng import Stream

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _cache(world, name: str) -> dict:
    caches = world.__dict__.setdefault("_render_cache", {})
    return caches.setdefault(name, {})


def _b32(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def klaviyo_profile_id(world, person: int) -> str:
    """ULID-looking Klaviyo profile id (26 characters)."""
    def build(persons):
        h1 = world.rng.keyed_int(Stream.IDENTIFIERS, 0, persons, salt=7)
        h2 = world.rng.keyed_int(Stream.IDENTIFIERS, 0, persons + 10**9, salt=7)
        return ["01J" + _b32(int(a), 12) + _b32(int(b), 11) for a, b in zip(h1, h2)]
    return _book(world, "kx", build)[person]


def referral_code(world, person: int) -> str:
    cache = _cache(world, "ref")
    if person not in cache:
        h = int(world.rng.keyed_int(Stream.IDENTIFIERS, 0, [person], salt=8)[0])
        first, _ = world.pop.name(person)
        letters = "".join(ch for ch in first.upper() if ch.isascii() and ch.isalpha())[:5] or "FRIEND"
        code = []
        for _ in range(4):
            code.append(_B36[h % 36])
            h //= 36
        cache[person] = f"{letters}-{''.join(code)}"
    return cache[person]


def _book(world, name: str, build) -> list:
    """A per-person list computed once for the whole population (vectorised hashing)."""
    caches = world.__dict__.setdefault("_render_cache", {})
    book = caches.get(name)
    if book is None:
        book = caches[name] = build(np.arange(world.pop.n, dtype=np.int64))
    return book


def email_of(world, person: int) -> str:
    return _book(world, "email", world.pop.email)[person]


def checkout_email_of(world, person: int) -> str:
    return _book(world, "checkout_email", world.pop.email_as_typed_at_checkout)[person]


def phone_of(world, person: int, formatted: bool = False) -> str | None:
    return _book(world, f"phone{int(formatted)}", lambda p: world.pop.phone(p, formatted=formatted))[person]


def amazon_email_of(world, person: int) -> str:
    return _book(world, "amazon_email", world.pop.amazon_buyer_email)[person]


def shopify_order_id(seq) -> int:
    from ..recorder import SHOPIFY_ORDER_ID_START
    return SHOPIFY_ORDER_ID_START + int(seq)


def amazon_order_id(world, seq: int, person: int) -> str:
    h = int(world.rng.keyed_int(Stream.IDENTIFIERS, 0, [seq * 7919 + person], salt=9)[0])
    return f"{100 + h % 900}-{(h >> 10) % 10_000_000:07d}-{(h >> 34) % 10_000_000:07d}"


def order_identifiers(world, rec, o: int, orders, order_rows) -> list[tuple[str, str | None]]:
    """The person identifiers a Shopify order record carries (for identity linkage)."""
    person = int(orders.person[o])
    if order_rows["placeholder"][o]:
        return [("email", PLACEHOLDER_EMAIL), ("phone", phone_of(world, person))]
    cid = int(order_rows["customer_id"][o])
    return [("email", checkout_email_of(world, person)), ("phone", phone_of(world, person)),
            ("shopify_customer_id", str(cid) if cid else None)]


def money(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def person_label(person: int) -> str:
    return f"P{int(person):07d}"


def day_ms(day, tod=0) -> np.ndarray:
    from ..clock import MS_PER_DAY
    return np.asarray(day, dtype=np.int64) * MS_PER_DAY + np.asarray(tod, dtype=np.int64)
