"""Turns the real world's daily engine logs into data records: sessions with devices, times, landing URLs and ads;
orders with ids, customers and purchase sessions; e-mail sends with times; experiment assignments; and streams the
day's web-event export file. Everything else (per-platform resources) is rendered from the tables kept here.

Ids are assigned in time order as days arrive, so a run of N+1 days assigns exactly the same ids to days <= N.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .ad_structure import AdStructure
from .clock import MS_PER_DAY, utc_offset_hours
from .engine import DayLog
from .identity import IdentityCollector
from .markets import MARKETS, REGIONS
from .purchases import SHOPIFY
from .rng import Stream, inverse_cdf
from .sessions import local_hour_tod
from .world import CH, World

NOT_YET = 10**7
CUSTOMER_ID_START = 7_000_001
SHOPIFY_ORDER_ID_START = 5_100_000_001
SESSION_COLUMNS = ("day", "tod", "person", "channel", "sub", "share", "ad", "slot", "is_app", "tracked",
                   "logged_in", "login_event", "depth", "order", "navigational", "product", "publisher")


@dataclass
class Registry:
    """Who the brand knows and since when (real world only)."""

    customer_id: np.ndarray          # Shopify customer id, 0 = none yet
    customer_created_ms: np.ndarray  # instant (ms since day 0) the customer record was created
    registered_day: np.ndarray       # first day the person can log in (login account), NOT_YET if never
    profile_created_ms: np.ndarray   # Klaviyo profile, NOT_YET * MS if none
    next_customer_id: int = CUSTOMER_ID_START
    shopify_orders: int = 0
    amazon_orders: int = 0
    logged_in_devices: set = field(default_factory=set)


def build_registry(world: World) -> Registry:
    pop = world.pop
    n = pop.n
    reg = Registry(np.zeros(n, dtype=np.int64), np.full(n, NOT_YET * MS_PER_DAY, dtype=np.int64),
                   np.full(n, NOT_YET, dtype=np.int64), np.full(n, NOT_YET * MS_PER_DAY, dtype=np.int64))
    init = np.flatnonzero(pop.initial_customer)
    reg.customer_id[init] = CUSTOMER_ID_START + np.arange(len(init))
    reg.next_customer_id = CUSTOMER_ID_START + len(init)
    before = world.rng.keyed(Stream.ORDER_DETAILS, 0, init, salt=501)
    created_day = pop.initial_last_order_day[init] - (before * 400).astype(np.int64)
    reg.customer_created_ms[init] = created_day * MS_PER_DAY + (before * 1e7).astype(np.int64) % MS_PER_DAY
    reg.registered_day[init] = np.where(pop.registers_account[init], created_day, NOT_YET)
    reg.profile_created_ms[init] = reg.customer_created_ms[init] + 3_600_000
    return reg


class Recorder:
    def __init__(self, world: World, ads: AdStructure, store_dir: Path, identity: IdentityCollector,
                 web_writer) -> None:
        self.w = world
        self.ads = ads
        self.store_dir = store_dir
        self.identity = identity
        self.web_writer = web_writer
        self.reg = build_registry(world)
        self.market_offset_h = np.array([utc_offset_hours(m.timezone, world.cal.start_date) for m in MARKETS])
        self._parts: dict[str, list[dict]] = {k: [] for k in ("sessions", "orders", "sends", "signups", "shares",
                                                              "assignments", "privacy", "amazon_clicks")}
        self.n_sessions = 0
        self.tables: dict[str, dict[str, np.ndarray]] = {}
        self.order_batches = []

    # ------------------------------------------------------------------------------------------------------------
    def on_day(self, day: int, logs: list[DayLog]) -> None:
        w, rng, pop = self.w, self.w.rng, self.w.pop
        touches = _concat([dict(person=l.touches.person + l.block_lo, channel=l.touches.channel, sub=l.touches.sub,
                                share=l.touches.share) for l in logs])
        sends = _concat([dict(person=l.sends["person"] + l.block_lo, **{k: v for k, v in l.sends.items()
                                                                        if k not in ("rep", "person")})
                         for l in logs if l.sends])
        batches = [l.orders for l in logs if l.orders is not None and len(l.orders)]

        # --- e-mail send times; clicked e-mails give the click session's time ----------------------------------
        send_tod = self._send_times(day, sends)
        # --- sessions from touchpoints --------------------------------------------------------------------------
        n_t = len(touches["person"])
        row_ids = np.arange(n_t, dtype=np.int64)
        u = rng.keyed_block(Stream.TIME_OF_DAY, day, row_ids, width=4) if n_t else np.zeros((0, 4))
        person = touches["person"]
        tod = local_hour_tod(u[:, 0], u[:, 1], self.market_offset_h[pop.market[person]]) if n_t else np.zeros(0, np.int64)
        is_email = touches["channel"] == CH["email"]
        if is_email.any() and len(send_tod):
            key_send = {(int(p), int(m)): t for p, m, t, c in zip(sends["person"], sends["message"], send_tod,
                                                                  sends["clicked"]) if c}
            delay = (u[is_email, 2] * u[is_email, 2] * 5 * 3_600_000).astype(np.int64) + 60_000
            base = np.array([key_send.get((int(p), int(m)), 0) for p, m in
                             zip(person[is_email], touches["sub"][is_email])], dtype=np.int64)
            tod[is_email] = np.minimum(base + delay, MS_PER_DAY - 3_600_000)
        tod = np.minimum(tod, MS_PER_DAY - 2_700_000)  # a session fits in its day
        hidden = touches["channel"] == CH["amazon_ads"]  # Amazon Ads clicks happen on Amazon, not on our site
        self._record_amazon_clicks(day, person[hidden], tod[hidden])
        keep = ~hidden
        sess = {"day": np.full(int(keep.sum()), day, dtype=np.int32), "tod": tod[keep], "person": person[keep],
                "channel": touches["channel"][keep], "sub": touches["sub"][keep], "share": touches["share"][keep],
                "navigational": np.zeros(int(keep.sum()), dtype=bool)}

        # --- orders: times, ids, customers, purchase sessions -----------------------------------------------------
        orders = _concat_orders(batches)
        order_rows = self._orders(day, orders, sess) if orders is not None else None
        if order_rows is not None:
            sess = order_rows.pop("_sessions")
        self._day_orders = order_rows
        self._finish_sessions(day, sess, orders, order_rows)
        self._signups_and_privacy(day, logs)
        self._assignments(day, logs, sess, orders, order_rows)
        # --- keep compact tables ---------------------------------------------------------------------------------
        sess["row"] = self.n_sessions + np.arange(len(sess["person"]))
        self.n_sessions += len(sess["person"])
        if order_rows is not None:
            order_rows["session_row"] = np.where(order_rows["session_local"] >= 0,
                                                 sess["row"][np.maximum(order_rows["session_local"], 0)], -1)
            self._parts["orders"].append(order_rows)
            self.order_batches.append(orders)
        self._parts["sessions"].append(_compact(sess, SESSION_DTYPES))
        if sends and len(sends["person"]):
            sends["tod"] = send_tod
            sends["day"] = np.full(len(send_tod), day, dtype=np.int32)
            self._parts["sends"].append(_compact(sends, SEND_DTYPES))
        shares = [l.shares for l in logs if l.shares]
        for sh in shares:
            self._parts["shares"].append(dict(sh, day=np.full(len(sh["id"]), day, dtype=np.int32)))
        self.web_writer.write_day(self, day, sess, orders, order_rows)

    # ------------------------------------------------------------------------------------------------------------
    def order_instant(self, o: int) -> int:
        """Instant (ms) of order ``o`` of the day being recorded."""
        return int(self._day_orders["day"][o]) * MS_PER_DAY + int(self._day_orders["tod"][o])

    def _send_times(self, day: int, sends: dict) -> np.ndarray:
        if not sends or not len(sends["person"]):
            return np.zeros(0, dtype=np.int64)
        prog = self.w.email
        msg = sends["message"]
        ids = sends["person"] * 65_537 + (msg % 65_521)
        u = self.w.rng.keyed_block(Stream.EMAIL, day, ids, width=2, salt=77)
        campaign = msg < 1_000_000
        hour = np.where(campaign, prog.campaign_send_hour_utc[np.where(campaign, msg, 0)], 0)
        camp_tod = hour * 3_600_000 + (u[:, 0] * 1_800_000).astype(np.int64)
        flow_tod = local_hour_tod(u[:, 0], u[:, 1], self.market_offset_h[self.w.pop.market[sends["person"]]])
        return np.where(campaign, camp_tod, np.clip(flow_tod, 0, MS_PER_DAY - 4_000_000)).astype(np.int64)

    def _record_amazon_clicks(self, day: int, person: np.ndarray, tod: np.ndarray) -> None:
        if not len(person):
            return
        ads = self.ads
        market = self.w.pop.market[person]
        u = self.w.rng.keyed(Stream.AD_CHOICE, day, person, salt=5)
        ad = np.full(len(person), -1, dtype=np.int64)
        for m in np.unique(market):
            key = ("amazon_ads", MARKETS[m].code)
            if key not in ads.by_channel_market:
                continue
            idx, cum = ads.by_channel_market[key]
            sel = market == m
            ad[sel] = idx[inverse_cdf(u[sel], cum)]
        self._parts["amazon_clicks"].append({"day": np.full(len(person), day, dtype=np.int32), "tod": tod,
                                             "person": person, "ad": ad})

    def _orders(self, day: int, orders, sess: dict) -> dict:
        w, rng, reg = self.w, self.w.rng, self.reg
        k = len(orders)
        u = rng.keyed_block(Stream.ORDER_DETAILS, day, orders.person, width=8)
        # Shopify orders happen in the person's last session of the day (if any), a few minutes after it starts
        last_session = {}
        for i, (p, t) in enumerate(zip(sess["person"], sess["tod"])):
            if p not in last_session or t >= sess["tod"][last_session[p]]:
                last_session[p] = i
        session_local = np.array([last_session.get(int(p), -1) if pl == SHOPIFY else -1
                                  for p, pl in zip(orders.person, orders.platform)], dtype=np.int64)
        base_tod = local_hour_tod(u[:, 0], u[:, 1], self.market_offset_h[orders.market])
        after = np.where(session_local >= 0, sess["tod"][np.maximum(session_local, 0)] if len(sess["tod"]) else 0, 0)
        tod = np.where(session_local >= 0, after + 180_000 + (u[:, 2] * 1_320_000).astype(np.int64),
                       np.maximum(base_tod, 1_500_000))
        tod = np.minimum(tod, MS_PER_DAY - 1_000).astype(np.int64)
        # navigational sessions: an order without a touchpoint that day starts with a direct / brand-search visit
        nav = (orders.platform == SHOPIFY) & (session_local < 0)
        if nav.any():
            n_nav = int(nav.sum())
            nav_tod = tod[nav] - 120_000 - (u[nav, 3] * 1_080_000).astype(np.int64)
            channel = np.where(u[nav, 4] < 0.7, CH["direct"], CH["organic_search"])
            start = len(sess["person"])
            sess = {
                "day": np.concatenate([sess["day"], np.full(n_nav, day, dtype=np.int32)]),
                "tod": np.concatenate([sess["tod"], np.maximum(nav_tod, 0)]),
                "person": np.concatenate([sess["person"], orders.person[nav]]),
                "channel": np.concatenate([sess["channel"], channel]),
                "sub": np.concatenate([sess["sub"], np.zeros(n_nav, dtype=np.int64)]),
                "share": np.concatenate([sess["share"], np.full(n_nav, -1, dtype=np.int64)]),
                "navigational": np.concatenate([sess["navigational"], np.ones(n_nav, dtype=bool)]),
            }
            session_local[nav] = start + np.arange(n_nav)
        order = np.lexsort((orders.person, tod))
        shopify_seq = np.full(k, -1, dtype=np.int64)
        amazon_seq = np.full(k, -1, dtype=np.int64)
        customer = np.zeros(k, dtype=np.int64)
        new_customer = np.zeros(k, dtype=bool)
        placeholder = np.zeros(k, dtype=bool)
        ph_share = w.scenario["population"]["placeholder_email_share"]
        for i in order:
            p = int(orders.person[i])
            if orders.platform[i] == SHOPIFY:
                shopify_seq[i] = reg.shopify_orders
                reg.shopify_orders += 1
                if u[i, 5] < ph_share:
                    placeholder[i] = True  # guest checkout through a connector: shared placeholder e-mail
                    continue
                if reg.customer_id[p] == 0:
                    reg.customer_id[p] = reg.next_customer_id
                    reg.next_customer_id += 1
                    reg.customer_created_ms[p] = day * MS_PER_DAY + tod[i]
                    new_customer[i] = True
                    if w.pop.registers_account[p]:
                        reg.registered_day[p] = day + 1
                    reg.profile_created_ms[p] = min(reg.profile_created_ms[p], day * MS_PER_DAY + tod[i] + 600_000)
                customer[i] = reg.customer_id[p]
            else:
                amazon_seq[i] = reg.amazon_orders
                reg.amazon_orders += 1
        rows = {"day": np.full(k, day, dtype=np.int32), "tod": tod, "person": orders.person,
                "platform": orders.platform, "shopify_seq": shopify_seq, "amazon_seq": amazon_seq,
                "customer_id": customer, "new_customer": new_customer, "placeholder": placeholder,
                "session_local": session_local, "_sessions": sess}
        return rows

    def _finish_sessions(self, day: int, sess: dict, orders, order_rows) -> None:
        """Device, app, tracking, login, funnel depth, ad, product and publisher of every session of the day."""
        w, rng, pop, reg = self.w, self.w.rng, self.w.pop, self.reg
        n = len(sess["person"])
        person = sess["person"]
        channel = sess["channel"]
        u = rng.keyed_block(Stream.SESSION_RENDER, day, np.arange(n, dtype=np.int64), width=10) if n else np.zeros((0, 10))
        n_dev = pop.n_devices[person].astype(np.int64)
        social = np.isin(channel, [CH["paid_social_meta"], CH["paid_social_tiktok"], CH["affiliate_kol"]])
        slot = np.minimum((u[:, 0] * n_dev).astype(np.int64), n_dev - 1)
        mobile_slot = np.argmax(pop.device_kind[person] == 0, axis=1)
        has_mobile = (pop.device_kind[person] == 0).any(axis=1)
        slot = np.where(social & has_mobile & (u[:, 1] < 0.85), mobile_slot, slot)
        app_ok = pop.has_app[person] & np.isin(channel, [CH["direct"], CH["email"]])
        is_app = app_ok & (u[:, 2] < 0.5)
        tracked = u[:, 3] >= w.scenario["tracking_loss_share"]
        order_local = np.full(n, -1, dtype=np.int64)
        if order_rows is not None:
            has = order_rows["session_local"] >= 0
            order_local[order_rows["session_local"][has]] = np.flatnonzero(has)
        purchase = order_local >= 0
        registered = reg.registered_day[person] <= day
        p_login = np.where(is_app, 0.85, np.where(purchase, 0.7, 0.35))
        logged_in = registered & (u[:, 4] < p_login)
        login_event = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(logged_in & tracked):
            key = (int(person[i]), -1 if is_app[i] else int(slot[i]))
            if key not in reg.logged_in_devices:
                reg.logged_in_devices.add(key)
                login_event[i] = True
            elif u[i, 5] < 0.2:
                login_event[i] = True
        # funnel: 1 landing only, 2 product view, 3 add to cart, 4 checkout, 5 purchase
        depth = 1 + (u[:, 6] < 0.62) + (u[:, 6] < 0.16) + (u[:, 6] < 0.07)
        depth = np.where(purchase, 5, depth).astype(np.int8)
        cum = w.catalogue.popularity_cumsum(day)
        product = inverse_cdf(u[:, 7], cum)
        if order_rows is not None and purchase.any():
            product[purchase] = orders.product[order_local[purchase], 0]
        ad = np.full(n, -1, dtype=np.int64)
        region_of = pop.region[person]
        for ch in ("paid_search", "shopping", "paid_social_meta", "paid_social_tiktok"):
            sel = channel == CH[ch]
            for r in np.unique(region_of[sel]):
                key = (ch, REGIONS[r])
                if key not in self.ads.by_channel_region:
                    continue
                idx, cum_w = self.ads.by_channel_region[key]
                m = sel & (region_of == r)
                ad[m] = idx[inverse_cdf(u[m, 8], cum_w)]
        shopping = (channel == CH["shopping"]) & (ad >= 0)
        ad_product = np.array([self.ads.ads[a].product if a >= 0 else -1 for a in ad], dtype=np.int64)
        product = np.where(shopping & (ad_product >= 0) & ~purchase, ad_product, product)
        publisher = (u[:, 9] < 0.45).astype(np.int8)  # meta: 0 facebook, 1 instagram
        sess.update(ad=ad, slot=np.where(is_app, -1, slot).astype(np.int8), is_app=is_app, tracked=tracked,
                    logged_in=logged_in, login_event=login_event, depth=depth, order=order_local, product=product,
                    publisher=publisher)

    def _signups_and_privacy(self, day: int, logs: list[DayLog]) -> None:
        reg, rng = self.reg, self.w.rng
        signups = np.concatenate([l.signups for l in logs] or [np.zeros(0, np.int64)]).astype(np.int64)
        checkout = np.concatenate([l.checkout_subscribes for l in logs] or [np.zeros(0, np.int64)]).astype(np.int64)
        for persons, kind in ((signups, 0), (checkout, 1)):
            if not len(persons):
                continue
            u = rng.keyed(Stream.SIGNUP, day, persons, salt=5 + kind)
            tod = (u * (MS_PER_DAY - 3_600_000)).astype(np.int64)
            ms = day * MS_PER_DAY + tod
            reg.profile_created_ms[persons] = np.minimum(reg.profile_created_ms[persons], ms)
            self._parts["signups"].append({"day": np.full(len(persons), day, dtype=np.int32), "tod": tod,
                                           "person": persons, "kind": np.full(len(persons), kind, dtype=np.int8)})
        for kind, attr in ((0, "consent_withdrawals"), (1, "erasures")):
            persons = np.concatenate([getattr(l, attr) for l in logs] or [np.zeros(0, np.int64)]).astype(np.int64)
            if len(persons):
                u = rng.keyed(Stream.PRIVACY, day, persons, salt=kind)
                self._parts["privacy"].append({"day": np.full(len(persons), day, dtype=np.int32),
                                               "tod": (u * (MS_PER_DAY - 1000)).astype(np.int64), "person": persons,
                                               "kind": np.full(len(persons), kind, dtype=np.int8)})

    def _assignments(self, day: int, logs: list[DayLog], sess: dict, orders, order_rows) -> None:
        first_session: dict[int, int] = {}
        for i in np.argsort(sess["tod"], kind="stable"):
            p = int(sess["person"][i])
            if p not in first_session and not sess["navigational"][i]:
                first_session[p] = i
        for log in logs:
            for e, entry in log.assignments.items():
                for via, persons in (("touch", entry["touch"]), ("purchase", entry["purchase"])):
                    persons = persons + log.block_lo
                    if not len(persons):
                        continue
                    if via == "touch":
                        rows = np.array([first_session.get(int(p), -1) for p in persons], dtype=np.int64)
                    else:
                        lookup = {int(p): int(s) for p, s in zip(order_rows["person"], order_rows["session_local"])}
                        rows = np.array([lookup.get(int(p), -1) for p in persons], dtype=np.int64)
                    self._parts["assignments"].append({
                        "experiment": np.full(len(persons), e, dtype=np.int16), "person": persons,
                        "day": np.full(len(persons), day, dtype=np.int32), "session_local": rows,
                        "session_base": np.full(len(persons), self.n_sessions, dtype=np.int64)})

    # ------------------------------------------------------------------------------------------------------------
    def finish(self) -> None:
        for name, parts in self._parts.items():
            self.tables[name] = _concat(parts) if parts else {}
        a = self.tables["assignments"]
        if a:
            a["session_row"] = np.where(a["session_local"] >= 0, a["session_base"] + a["session_local"], -1)
        self.orders = _concat_orders(self.order_batches)


# Compact column types for the tables kept for the whole run (memory at large scale).
SESSION_DTYPES = {"day": np.int32, "tod": np.int32, "person": np.int32, "channel": np.int8, "sub": np.int32,
                  "share": np.int32, "ad": np.int32, "slot": np.int8, "depth": np.int8, "order": np.int32,
                  "product": np.int16, "publisher": np.int8, "row": np.int64}
SEND_DTYPES = {"person": np.int32, "message": np.int32, "tod": np.int32, "day": np.int32}


def _compact(table: dict, dtypes: dict) -> dict:
    return {k: (v.astype(dtypes[k]) if k in dtypes else v) for k, v in table.items()}


def _concat(parts: list[dict]) -> dict:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    keys = parts[0].keys()
    return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in keys}


def _concat_orders(batches):
    batches = [b for b in batches if b is not None and len(b)]
    if not batches:
        return None
    first = batches[0]
    return type(first)(**{f: np.concatenate([getattr(b, f) for b in batches]) for f in first.__dataclass_fields__})
