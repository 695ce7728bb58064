"""The people of the simulated market: attributes, behavioural parameters and identifiers.

Every person exists from day 0 (the addressable market); a person appears in the data only once they interact.
Identifier strings are pure functions of (seed, person index), so they are identical in every run of the same
seed and scale, whatever the number of days.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .markets import MARKETS, REGIONS
from .rng import Rng, Stream, hash_ids

DEVICE_KINDS = ("mobile", "desktop", "tablet")
PLACEHOLDER_EMAIL = "noemail@marketplace.invalid"
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")


@dataclass
class Population:
    n: int
    market: np.ndarray           # (N,) int16 index into MARKETS
    region: np.ndarray           # (N,) int8 index into REGIONS
    acq_base: np.ndarray         # daily first-purchase hazard without touchpoints (before weekday/promo factors)
    repeat_rate: np.ndarray      # daily purchase rate while alive (BG/NBD lambda)
    dropout_p: np.ndarray        # dropout probability after each purchase (BG/NBD p)
    amazon_pref: np.ndarray      # share of baseline demand that goes to Amazon
    basket_scale: np.ndarray     # gamma basket-size multiplier (mean 1)
    price_sensitivity: np.ndarray
    search_affinity: np.ndarray  # targeting weights for clicks
    meta_affinity: np.ndarray
    tiktok_affinity: np.ndarray
    amazon_affinity: np.ndarray
    initial_customer: np.ndarray         # bought before start_date
    initial_last_order_day: np.ndarray   # negative day of their last order before start
    initial_orders: np.ndarray           # orders before start
    initial_subscribed: np.ndarray       # on the e-mail list on day 0
    n_devices: np.ndarray        # 1..3 browser devices
    device_kind: np.ndarray      # (N, 3) int8 index into DEVICE_KINDS (-1 unused)
    has_app: np.ndarray
    has_phone: np.ndarray
    household: np.ndarray        # household id sharing the last device, -1 if none
    email_case_variant: np.ndarray
    phone_format_variant: np.ndarray
    registers_account: np.ndarray  # creates a login account at first Shopify order
    seed: int

    # --- identifiers (pure functions of the person index) ------------------------------------------------------
    def _hex(self, salt: int, ids) -> np.ndarray:
        return hash_ids(self.seed * 1_000_003 + salt, np.asarray(ids, dtype=np.int64))

    def cookie(self, person: int, device_slot: int) -> str:
        if device_slot == self.n_devices[person] - 1 and self.household[person] >= 0:
            return "c_" + format(int(self._hex(91, [self.household[person]])[0]), "016x")
        return "c_" + format(int(self._hex(11 + device_slot, [person])[0]), "016x")

    def cookies(self, persons: np.ndarray, slots: np.ndarray) -> list[str]:
        persons = np.asarray(persons, dtype=np.int64)
        slots = np.asarray(slots, dtype=np.int64)
        own = np.zeros(len(persons), dtype=np.uint64)
        for s in range(3):
            mask = slots == s
            if mask.any():
                own[mask] = self._hex(11 + s, persons[mask])
        shared = (self.household[persons] >= 0) & (slots == self.n_devices[persons] - 1)
        if shared.any():
            own[shared] = self._hex(91, self.household[persons[shared]])
        return ["c_" + format(int(v), "016x") for v in own]

    def app_instance(self, persons) -> list[str]:
        h = self._hex(21, persons)
        return ["a_" + format(int(v), "016x").upper()[:12] for v in h]

    def is_shared_device(self, persons, slots) -> np.ndarray:
        persons = np.asarray(persons, dtype=np.int64)
        return (self.household[persons] >= 0) & (np.asarray(slots) == self.n_devices[persons] - 1)

    def email(self, persons) -> list[str]:
        persons = np.asarray(persons, dtype=np.int64)
        h = self._hex(31, persons)
        out = []
        for p, v in zip(persons, h):
            m = MARKETS[self.market[p]]
            first = m.first_names[int(v % len(m.first_names))]
            last = m.last_names[int((v >> 8) % len(m.last_names))]
            local = _ascii(f"{first}.{last}").lower().replace(" ", "")
            domain = _EMAIL_DOMAINS[int((v >> 16) % len(_EMAIL_DOMAINS))]
            out.append(f"{local}{int(p) % 9973}@{domain}")
        return out

    def email_as_typed_at_checkout(self, persons) -> list[str]:
        """Some people type their address with capitals at checkout (the raw string differs from the e-mail tool)."""
        emails = self.email(persons)
        out = []
        for p, e in zip(np.asarray(persons), emails):
            if self.email_case_variant[p]:
                local, domain = e.split("@")
                out.append(local.title() + "@" + domain.capitalize())
            else:
                out.append(e)
        return out

    def name(self, person: int) -> tuple[str, str]:
        v = int(self._hex(31, [person])[0])
        m = MARKETS[self.market[person]]
        return m.first_names[v % len(m.first_names)], m.last_names[(v >> 8) % len(m.last_names)]

    def phone(self, persons, formatted: bool = False) -> list[str | None]:
        persons = np.asarray(persons, dtype=np.int64)
        h = self._hex(41, persons)
        out: list[str | None] = []
        for p, v in zip(persons, h):
            if not self.has_phone[p]:
                out.append(None)
                continue
            prefix = MARKETS[self.market[p]].phone_prefix
            digits = str(600000000 + int(v % 399999999))
            if formatted and self.phone_format_variant[p]:
                out.append(f"{prefix} {digits[:3]} {digits[3:6]} {digits[6:]}")
            else:
                out.append(f"{prefix}{digits}")
        return out

    def amazon_buyer_email(self, persons) -> list[str]:
        persons = np.asarray(persons, dtype=np.int64)
        h = self._hex(51, persons)
        out = []
        for p, v in zip(persons, h):
            domain = MARKETS[self.market[p]].amazon_domain or "amazon.com"
            tld = domain.split("amazon.", 1)[1]
            out.append(f"{format(int(v), '016x')[:14]}@marketplace.amazon.{tld}")
        return out

    def address(self, person: int) -> dict:
        v = int(self._hex(61, [person])[0])
        m = MARKETS[self.market[person]]
        return {"city": m.cities[v % len(m.cities)], "address1": f"{1 + v % 240} {('Main', 'Park', 'Station', 'Hill', 'Lake')[(v >> 9) % 5]} St",
                "zip": f"{10000 + (v >> 13) % 89999}"}


def _ascii(text: str) -> str:
    import unicodedata
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def build_population(rng: Rng, scenario: dict, n: int) -> Population:
    gen = rng.generator(Stream.POPULATION)
    shares = np.array([scenario["markets"][m.code]["population_share"] for m in MARKETS], dtype=float)
    shares = shares / shares.sum()
    market = np.minimum(np.searchsorted(np.cumsum(shares), gen.random(n) * 1.0, side="right"), len(MARKETS) - 1)
    market = market.astype(np.int16)
    region_index = {r: i for i, r in enumerate(REGIONS)}
    region = np.array([region_index[MARKETS[m].region] for m in range(len(MARKETS))], dtype=np.int8)[market]
    mk = [scenario["markets"][m.code] for m in MARKETS]
    baseline_mult = np.array([x["baseline_multiplier"] for x in mk])[market]
    amazon_share = np.array([x["amazon_share"] if MARKETS[i].amazon_marketplace_id else 0.0
                             for i, x in enumerate(mk)])[market]
    mobile_share = np.array([x["mobile_share"] for x in mk])[market]

    acq = scenario["acquisition"]
    shape = acq["propensity_shape"]
    propensity = gen.gamma(shape, 1.0 / shape, n)
    acq_base = acq["baseline_hazard"] * baseline_mult * propensity

    rb = scenario["repeat_buying"]
    r = rb["rate_shape"]
    rate = gen.gamma(r, 1.0 / (r * rb["rate_mean_days"]), n)  # mean 1 / rate_mean_days
    rate = np.minimum(rate, 0.5)
    dropout = gen.beta(rb["dropout_a"], rb["dropout_b"], n)

    amazon_pref = np.clip(amazon_share * gen.beta(4, 4, n) * 2, 0, 0.95)
    bs = scenario["order_value"]["basket_scale_shape"]
    basket_scale = gen.gamma(bs, 1.0 / bs, n)
    price_sensitivity = gen.beta(2, 3, n)

    search_aff = gen.gamma(2.0, 0.5, n)
    mobile_heavy = gen.random(n) < mobile_share
    meta_aff = gen.gamma(2.0, 0.5, n) * np.where(mobile_heavy, 1.3, 0.8)
    tiktok_aff = gen.gamma(1.2, 1 / 1.2, n) * np.where(mobile_heavy, 1.6, 0.4)
    amazon_aff = amazon_pref * gen.gamma(2.0, 0.5, n)

    pop = scenario["population"]
    initial_customer = gen.random(n) < pop["initial_customer_share"]
    initial_orders = np.where(initial_customer, 1 + gen.poisson(1.2, n), 0).astype(np.int32)
    initial_last = np.where(initial_customer, -gen.integers(1, 180, n), -10**6).astype(np.int32)
    initial_subscribed = initial_customer & (gen.random(n) < scenario["email"]["accepts_marketing_prob"])

    probs = np.cumsum(pop["device_count_probs"])
    n_devices = (np.searchsorted(probs, gen.random(n) * probs[-1], side="right") + 1).clip(1, 3).astype(np.int8)
    kinds = np.full((n, 3), -1, dtype=np.int8)
    kinds[:, 0] = np.where(mobile_heavy, 0, 1)
    second = np.where(kinds[:, 0] == 0, 1, 0)
    kinds[:, 1] = np.where(n_devices >= 2, second, -1)
    kinds[:, 2] = np.where(n_devices >= 3, 2, -1)
    has_app = gen.random(n) < pop["app_user_share"]
    has_phone = gen.random(n) < pop["phone_share"]

    # Households: groups of 2-4 people of the same market share their last device (a family tablet / desktop).
    household = np.full(n, -1, dtype=np.int64)
    in_household = gen.random(n) < pop["household_share"]
    members = np.flatnonzero(in_household)
    members = members[np.argsort(market[members], kind="stable")]
    hh_id = 0
    i = 0
    sizes = gen.integers(2, 5, max(1, len(members)))
    while i < len(members):
        size = int(sizes[hh_id % len(sizes)])
        group = members[i:i + size]
        group = group[market[group] == market[group[0]]]
        if len(group) >= 2:
            household[group] = hh_id
            hh_id += 1
            i += len(group)
        else:
            i += 1
    # a household device is a tablet or desktop; members with one device gain it as a second device
    hh = household >= 0
    one = hh & (n_devices == 1)
    n_devices = np.where(one, 2, n_devices).astype(np.int8)
    kinds[one, 1] = 2
    last_slot = n_devices - 1
    kinds[hh, last_slot[hh]] = np.where(kinds[hh, 0] == 1, 2, 1)

    return Population(
        n=n, market=market, region=region, acq_base=acq_base, repeat_rate=rate, dropout_p=dropout,
        amazon_pref=amazon_pref, basket_scale=basket_scale, price_sensitivity=price_sensitivity,
        search_affinity=search_aff, meta_affinity=meta_aff, tiktok_affinity=tiktok_aff, amazon_affinity=amazon_aff,
        initial_customer=initial_customer, initial_last_order_day=initial_last, initial_orders=initial_orders,
        initial_subscribed=initial_subscribed, n_devices=n_devices, device_kind=kinds, has_app=has_app,
        has_phone=has_phone, household=household,
        email_case_variant=gen.random(n) < pop["email_case_variant_share"],
        phone_format_variant=gen.random(n) < pop["phone_format_variant_share"],
        registers_account=gen.random(n) < 0.6, seed=rng.seed,
    )
