"""Web/app event export files (GA4/Snowplow-like), one gzipped NDJSON file per day, plus bot traffic.

Each tracked session becomes: page_view (landing URL with UTMs / click ids, channel referrer), optionally login,
further page views / view_item / add_to_cart / begin_checkout, and purchase (transaction_id = Shopify order id).
Untracked sessions (ad blockers, consent denied) write nothing, but their orders still exist in Shopify.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..clock import MS_PER_DAY
from ..markets import MARKETS
from ..people import DEVICE_KINDS
from ..rng import Stream
from ..sessions import (APP_USER_AGENT, BOT_USER_AGENTS, COLLECTIONS, CREATOR_REFERRER, ENGINE_URL, OS_BY_KIND,
                        REFERRAL_SITES, SEARCH_TLD, SHOP, USER_AGENTS, click_id, product_handle, slug)
from ..store_writer import dumps, write_gzip_lines
from ..world import CH
from .common import email_of, klaviyo_profile_id, order_identifiers, referral_code, shopify_order_id
from .creators import post_landing_url
from .email import message_campaign_slug, message_path

META_SOURCES = ("facebook", "instagram")
META_REFERRERS = ("https://l.facebook.com/", "https://l.instagram.com/")


class WebEventsWriter:
    def __init__(self, world, ads, store_dir: Path, identity, mess) -> None:
        self.w, self.ads, self.identity, self.mess = world, ads, identity, mess
        self.folder = store_dir / "web_events"
        self.files = 0
        self.rows = 0
        self.bot_pool = 40  # recurring bot cookies
        cat = world.catalogue
        self.handles = [product_handle(t) for t in cat.title]
        self.market_codes = [m.code for m in MARKETS]

    # ------------------------------------------------------------------------------------------------------------
    def landing(self, rec, day: int, i: int, sess: dict) -> tuple[str, str]:
        """(landing URL, referrer) of session i of the day."""
        w, ads = self.w, self.ads
        ch = int(sess["channel"][i])
        person = int(sess["person"][i])
        row = int(sess["row"][i])
        market = self.market_codes[w.pop.market[person]]
        product = int(sess["product"][i])
        handle = self.handles[product]
        h = int(self._h[i])
        tld = SEARCH_TLD[market]
        if ch in (CH["paid_search"], CH["shopping"], CH["paid_social_meta"], CH["paid_social_tiktok"]):
            ad_i = int(sess["ad"][i])
            ad = ads.ads[ad_i]
            camp = ads.campaign_of_ad(ad_i)
            group = ads.adgroups[ad.adgroup]
            c_slug = slug(camp.name)
            if ch == CH["paid_search"]:
                path = "/" if camp.kind == "SEARCH_BRAND" else f"/collections/{COLLECTIONS[h % len(COLLECTIONS)]}"
                q = (f"utm_source=google&utm_medium=cpc&utm_campaign={c_slug}&utm_term={(group.keyword or '').replace(' ', '+')}"
                     f"&utm_content={ad.id}&gclid={click_id('Cj0KCQiA', h)}")
                return f"{SHOP}{path}?{q}", f"https://www.google.{tld}/"
            if ch == CH["shopping"]:
                q = f"utm_source=google&utm_medium=shopping&utm_campaign={c_slug}&utm_content={ad.id}&variant=1"
                return f"{SHOP}/products/{handle}?{q}", f"https://www.google.{tld}/"
            if ch == CH["paid_social_meta"]:
                pub = int(sess["publisher"][i])
                q = (f"utm_source={META_SOURCES[pub]}&utm_medium=paid_social&utm_campaign={c_slug}&utm_content={ad.id}"
                     f"&fbclid={click_id('IwAR', h, 48)}")
                return f"{SHOP}/products/{handle}?{q}", META_REFERRERS[pub]
            q = f"utm_source=tiktok&utm_medium=paid_social&utm_campaign={c_slug}&utm_content={ad.id}&ttclid={click_id('E.C.P.', h, 44)}"
            return f"{SHOP}/products/{handle}?{q}", "https://www.tiktok.com/"
        if ch == CH["email"]:
            msg = int(sess["sub"][i])
            q = (f"utm_source=klaviyo&utm_medium=email&utm_campaign={message_campaign_slug(w, msg)}"
                 f"&_kx={klaviyo_profile_id(w, person)}")
            return f"{SHOP}{message_path(msg, handle)}?{q}", ""
        if ch == CH["affiliate_kol"]:
            q_idx = int(sess["sub"][i])
            k = int(w.creators.post_creator[q_idx])
            return post_landing_url(w, q_idx, handle), CREATOR_REFERRER[w.creators.platform[k]]
        if ch == CH["referral"]:
            sub = int(sess["sub"][i])
            if sub >= 0:  # referral programme: sub is the referrer person
                ref = "https://www.facebook.com/" if h % 4 == 3 else ""
                return (f"{SHOP}/?utm_source=referral_program&utm_medium=referral&utm_campaign=refer_a_friend"
                        f"&ref={referral_code(w, sub)}", ref)
            site = REFERRAL_SITES[-1 - sub]
            return f"{SHOP}/products/{handle}", site
        if ch == CH["organic_search"]:
            engines = MARKETS[w.pop.market[person]].search_engines
            engine = engines[0] if (h % 10) < 7 else engines[h % len(engines)]
            path = "/" if (h >> 8) % 2 else f"/products/{handle}"
            return f"{SHOP}{path}", ENGINE_URL[engine].format(tld=tld)
        path = "/" if (h >> 8) % 3 else f"/products/{handle}"
        return f"{SHOP}{path}", ""

    # ------------------------------------------------------------------------------------------------------------
    def write_day(self, rec, day: int, sess: dict, orders, order_rows) -> None:
        w, pop, rng = self.w, self.w.pop, self.w.rng
        n = len(sess["person"])
        specs: list[tuple] = []      # (row, seq, t_ms, record without id/timestamp)
        u = rng.keyed_block(Stream.SESSION_RENDER, day, sess["row"], width=12, salt=3) if n else np.zeros((0, 12))
        self._h = rng.keyed_int(Stream.SESSION_RENDER, day, sess["row"], salt=11) if n else np.zeros(0, np.uint64)
        devices = self._devices(sess) if n else []
        landing_site = {}
        for i in range(n):
            url, referrer = self.landing(rec, day, i, sess)
            o = int(sess["order"][i])
            if o >= 0:
                landing_site[o] = (url[len(SHOP):] or "/", referrer)
            if sess["tracked"][i]:
                self._session_events(rec, day, i, sess, u[i], url, referrer, orders, order_rows, devices[i], specs)
        if order_rows is not None:
            k = len(order_rows["day"])
            order_rows["landing_site"] = np.array([landing_site.get(j, ("", ""))[0] for j in range(k)], dtype=object)
            order_rows["referring_site"] = np.array([landing_site.get(j, ("", ""))[1] for j in range(k)], dtype=object)
        events = _finalise(w, specs)
        self._bots(day, n_human=int(sess["tracked"].sum()) if n else 0, events=events)
        self._malformed(day, events)
        events.sort()  # by (timestamp, event_id); ids are unique so the dicts are never compared
        date = w.cal.date_of(day).strftime("%Y%m%d")
        self.rows += write_gzip_lines(self.folder / f"events_{date}.ndjson.gz", [dumps(e) for _, _, e in events])
        self.files += 1

    def _devices(self, sess: dict) -> list[tuple[str, str, str, str]]:
        """(anonymous_id, device_category, os, user_agent) of every session of the day."""
        pop, rng = self.w.pop, self.w.rng
        person = sess["person"].astype(np.int64)
        slot = np.maximum(sess["slot"].astype(np.int64), 0)
        is_app = sess["is_app"]
        shared = pop.is_shared_device(person, slot)
        key = np.where(shared, 10**9 + pop.household[person], person * 4 + slot + 1)
        h = rng.keyed_int(Stream.SESSION_RENDER, 0, key, salt=21)
        cookies = pop.cookies(person, slot)
        apps = pop.app_instance(person)
        out = []
        for i in range(len(person)):
            if is_app[i]:
                os_name = "iOS" if int(h[i]) % 2 else "Android"
                out.append((apps[i], "mobile", os_name, APP_USER_AGENT[os_name]))
            else:
                kind = DEVICE_KINDS[pop.device_kind[person[i], slot[i]]]
                os_name = OS_BY_KIND[kind][int(h[i]) % 2]
                out.append((cookies[i], kind, os_name, USER_AGENTS[(kind, os_name)]))
        return out

    def _session_events(self, rec, day, i, sess, u, url, referrer, orders, order_rows, device, specs) -> None:
        w, pop, reg = self.w, self.w.pop, rec.reg
        person = int(sess["person"][i])
        is_app = bool(sess["is_app"][i])
        anon, device_kind, os_name, ua = device
        label = f"P{person:07d}"
        kind = "app_instance" if is_app else "cookie"
        self.identity.seen(kind, anon, label)
        user_id = None
        if sess["logged_in"][i]:
            user_id = f"u_{int(reg.customer_id[person])}"
            self.identity.link(label, (kind, anon), ("login_user_id", user_id),
                               ("shopify_customer_id", str(int(reg.customer_id[person]))))
        if sess["channel"][i] == CH["email"]:
            self.identity.link(label, (kind, anon), ("email", email_of(w, person)))
        market = MARKETS[pop.market[person]]
        row = int(sess["row"][i])
        t = int(day) * MS_PER_DAY + int(sess["tod"][i])
        depth = int(sess["depth"][i])
        product = int(sess["product"][i])
        cat = w.catalogue
        price = float(cat.local_price[pop.market[person], product])
        sku = cat.sku(product, 0)
        product_url = f"{SHOP}/products/{self.handles[product]}"
        template = {"event_id": None, "event_name": None, "event_timestamp": None, "anonymous_id": anon,
                    "platform": "app" if is_app else "web", "user_id": user_id, "device_category": device_kind,
                    "os": os_name, "user_agent": ua, "country": market.code, "page_url": None, "page_referrer": None,
                    "item_id": None, "value": None, "currency": None, "transaction_id": None}
        gaps = (4_000 + u * 70_000).astype(np.int64).tolist()
        o = int(sess["order"][i])
        extra_views = int(u[0] * 3)
        if depth >= 5 and o >= 0:  # the purchase event happens at the order's instant: spread earlier events before it
            order_ms = rec.order_instant(o)
            before = 1 + int(bool(sess["login_event"][i])) + extra_views + 2 + 1 + 1
            gaps = [max((order_ms - t) // before, 1)] * 12
        seq = 0

        def emit(name, page_url, page_referrer, item=None, value=None, currency=None, txn=None):
            nonlocal t, seq
            event = template.copy()
            event["event_name"] = name
            event["page_url"] = page_url
            event["page_referrer"] = page_referrer
            if item is not None:
                event["item_id"] = item
            if value is not None:
                event["value"] = value
                event["currency"] = currency
            if txn is not None:
                event["transaction_id"] = txn
            specs.append((row, seq, t, event))
            seq += 1
            t += gaps[seq % 12]

        emit("page_view", url, referrer)
        current = url
        if sess["login_event"][i]:
            emit("login", f"{SHOP}/account/login", current)
            current = f"{SHOP}/account"
        for k in range(extra_views):
            nxt = f"{SHOP}/collections/{COLLECTIONS[(row + k) % len(COLLECTIONS)]}"
            emit("page_view", nxt, current)
            current = nxt
        if depth >= 2:
            emit("page_view", product_url, current)
            emit("view_item", product_url, current, item=sku, value=price, currency=market.currency)
            current = product_url
        if depth >= 3:
            value = price if o < 0 else float(orders.subtotal[o])
            emit("add_to_cart", current, current, item=sku, value=value, currency=market.currency)
        if depth >= 4:
            value = price if o < 0 else float(orders.subtotal[o])
            emit("begin_checkout", f"{SHOP}/checkout", current, value=value, currency=market.currency)
        if depth >= 5 and o >= 0:
            order_id = shopify_order_id(order_rows["shopify_seq"][o])
            t = rec.order_instant(o)
            emit("purchase", f"{SHOP}/checkout/thank_you", f"{SHOP}/checkout", value=float(orders.total[o]),
                 currency=market.currency, txn=str(order_id))
            self.identity.link(label, (kind, anon), *order_identifiers(w, rec, o, orders, order_rows))

    def _bots(self, day: int, n_human: int, events: list) -> None:
        w = self.w
        share = w.scenario["mess"]["bot_session_share"] if w.scenario["mess"]["enabled"] else 0.0
        n_bots = int(round(n_human * share))
        if not n_bots:
            return
        u = w.rng.keyed_block(Stream.BOTS, day, np.arange(n_bots), width=8)
        hs = w.rng.keyed_int(Stream.BOTS, day, np.arange(n_bots), salt=2)
        specs = []
        for b in range(n_bots):
            recurring = u[b, 0] < 0.3
            bot_id = int(u[b, 1] * self.bot_pool) if recurring else 10_000 + day * 10_000 + b
            anon = "c_" + format(int(w.rng.keyed_int(Stream.BOTS, 0, [bot_id], salt=1)[0]), "016x")
            self.identity.seen("cookie", anon, f"BOT{bot_id:09d}")
            ua = BOT_USER_AGENTS[int(u[b, 2] * len(BOT_USER_AGENTS))]
            country = self.market_codes[int(u[b, 3] * len(self.market_codes))]
            t = day * MS_PER_DAY + int(u[b, 4] * (MS_PER_DAY - 600_000))
            url = f"{SHOP}/"
            if u[b, 5] < 0.3:  # click fraud: bot sessions on paid-search landing URLs
                url = f"{SHOP}/?utm_source=google&utm_medium=cpc&utm_campaign=na_search_generic&gclid={click_id('Cj0KCQiA', int(hs[b]))}"
            n_ev = 5 + int(u[b, 6] * 25)
            row = 900_000_000 + day * 10_000 + b
            for k in range(n_ev):
                page = url if k == 0 else f"{SHOP}/products/{self.handles[(b + k) % len(self.handles)]}"
                specs.append((row, k, t, {"event_id": None, "event_name": "page_view", "event_timestamp": None,
                                          "anonymous_id": anon, "platform": "web",
                                          "user_id": None, "device_category": "desktop", "os": "Linux",
                                          "user_agent": ua, "country": country, "page_url": page,
                                          "page_referrer": "" if k == 0 else f"{SHOP}/", "item_id": None,
                                          "value": None, "currency": None, "transaction_id": None}))
                t += 150 + (k * 37) % 400
            self.mess.count("bots", "sessions")
            self.mess.count("bots", "events", n_ev)
        events.extend(_finalise(w, specs))

    def _malformed(self, day: int, events: list) -> None:
        """Plant parse failures in a few events (event_timestamp unparseable, value of the wrong type)."""
        mess = self.mess
        if not mess.enabled or not events:
            return
        rate = mess.malformed_rate
        u = self.w.rng.keyed_block(Stream.MESS, day, np.arange(len(events)), width=2, salt=17)
        for j in np.flatnonzero(u[:, 0] < rate):
            _, eid, rec_ = events[j]
            if u[j, 1] < 0.5:
                rec_["event_timestamp"] = ("yesterday", "2025-13-45T25:61:00Z")[int(u[j, 1] * 4) % 2]
                mess.malformed("web_events/events", "unparseable_date", eid)
            else:
                rec_["value"] = "n/a"
                mess.malformed("web_events/events", "wrong_type", eid)


def _finalise(world, specs: list[tuple]) -> list[tuple[int, str, dict]]:
    """Give every event its id (session hash + sequence: unique and stable) and timestamp (vectorised)."""
    if not specs:
        return []
    rows = np.fromiter((x[0] for x in specs), dtype=np.int64, count=len(specs))
    times = np.fromiter((x[2] for x in specs), dtype=np.int64, count=len(specs))
    unique_rows, inverse = np.unique(rows, return_inverse=True)
    prefixes = ["%016x" % v for v in world.rng.keyed_int(Stream.SESSION_RENDER, 1, unique_rows, salt=99).tolist()]
    stamps = world.cal.iso_ms_z(times).tolist()
    out = []
    for (row, seq, t, body), j, ts in zip(specs, inverse.tolist(), stamps):
        eid = f"{prefixes[j]}-{seq:04x}"
        body["event_id"] = eid
        body["event_timestamp"] = ts
        out.append((t, eid, body))
    return out
