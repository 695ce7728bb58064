"""Referral programme, experiments (definitions and assignments), loyalty programme, privacy (consent, erasure)."""
from __future__ import annotations

import numpy as np

from ..clock import MS_PER_DAY
from ..markets import MARKETS
from ..mess import bad_date
from ..purchases import DISCOUNT_REFERRAL, SHOPIFY
from ..rng import Stream
from .amazon_sp import amazon_ids
from .common import (amazon_email_of, email_of, person_label, referral_code, shopify_order_id)
from .context import RenderContext

SHARE_CHANNELS = ("whatsapp", "email", "copy_link", "facebook")
REFERRAL_ID_START = 40_001


def render_referrals(ctx: RenderContext) -> None:
    w, rec = ctx.world, ctx.rec
    sh = rec.tables.get("shares") or {}
    if not sh:
        return
    reg = rec.reg
    ob, rows = ctx.orders, ctx.order_rows
    # conversions: a referee's Shopify order using the referrer's code, after the share
    conversions: dict[tuple[int, int], list[tuple[int, int]]] = {}
    if ob is not None:
        for o in np.flatnonzero((ob.platform == SHOPIFY) & (ob.discount_kind == DISCOUNT_REFERRAL)):
            conversions.setdefault((int(ob.discount_ref[o]), int(ob.person[o])), []).append((ctx.order_ms(int(o)), int(o)))
    order = np.lexsort((sh["id"], sh["day"]))
    share_ms = sh["day"].astype(np.int64) * MS_PER_DAY + (w.rng.keyed(Stream.REFERRAL_SHARE, 0, sh["id"], salt=9)
                                                          * (MS_PER_DAY - 1)).astype(np.int64)
    best: dict[int, int] = {}
    for (referrer, referee), convs in conversions.items():
        cands = np.flatnonzero((sh["referrer"] == referrer) & (sh["referee"] == referee))
        for t, o in sorted(convs):
            before = [c for c in cands if share_ms[c] < t and c not in best]
            if before:
                best[int(max(before, key=lambda c: share_ms[c]))] = o
                break
    for i in order:
        sid = REFERRAL_ID_START + int(sh["id"][i])
        referrer, referee = int(sh["referrer"][i]), int(sh["referee"][i])
        channel = SHARE_CHANNELS[int(sh["channel"][i])]
        t_share = int(share_ms[i])
        updated = t_share
        referee_customer = converted = None
        reward = 0.0
        if i in best:
            o = best[i]
            t_conv = ctx.order_ms(o)
            if ctx.visible(t_conv):
                updated = t_conv
                cid = int(rows["customer_id"][o])
                referee_customer = cid or None
                converted = shopify_order_id(rows["shopify_seq"][o])
                reward = float(w.scenario["referral"]["reward_usd"])
        referee_email = email_of(w, referee) if (channel == "email" or referee_customer) else None
        referrer_cid = int(reg.customer_id[referrer]) if reg.customer_created_ms[referrer] <= t_share else 0
        record = {"id": sid, "referrer_customer_id": referrer_cid or None, "referrer_email": email_of(w, referrer),
                  "referee_email": referee_email, "code": referral_code(w, referrer), "share_channel": channel,
                  "shared_at": ctx.utc(t_share), "referee_customer_id": referee_customer,
                  "converted_order_id": converted, "reward_amount": f"{reward:.2f}", "currency": "USD",
                  "updated_at": ctx.utc(updated)}
        ctx.identity.link(person_label(referrer), ("email", email_of(w, referrer)),
                          ("shopify_customer_id", str(referrer_cid) if referrer_cid else None))
        if referee_email:
            ctx.identity.link(person_label(referee), ("email", referee_email),
                              ("shopify_customer_id", str(referee_customer) if referee_customer else None))
        ctx.add("referrals/referrals", updated, str(sid), record)


def render_experiments(ctx: RenderContext) -> None:
    w, rec = ctx.world, ctx.rec
    ex = w.experiments
    for e, spec in enumerate(ex.specs):
        start_ms = int(ex.start_day[e]) * MS_PER_DAY
        end_ms = (int(ex.end_day[e]) + 1) * MS_PER_DAY - 1
        created_ms = start_ms - 2 * MS_PER_DAY
        if not ctx.visible(created_ms):
            continue
        status, updated = "scheduled", created_ms
        if ctx.visible(start_ms):
            status, updated = "running", start_ms
        if ctx.visible(end_ms):
            status, updated = "completed", end_ms
        record = {"id": spec["id"], "name": spec["name"], "hypothesis": spec["hypothesis"], "primary_metric": "conversion",
                  "start_at": ctx.utc(start_ms), "end_at": ctx.utc(end_ms), "status": status,
                  "markets": list(spec["markets"]),
                  "variants": [{"id": f"{spec['id']}__{v['name']}", "name": v["name"], "is_control": j == 0,
                                "traffic_share": v["declared_share"]} for j, v in enumerate(spec["variants"])],
                  "updated_at": ctx.utc(updated)}
        ctx.add("experiments/experiments", updated, spec["id"], record)
    a = rec.tables.get("assignments") or {}
    if not a:
        return
    sess = rec.tables["sessions"]
    order = np.lexsort((a["person"], a["experiment"], a["day"]))
    order = order[a["session_row"][order] >= 0]
    exp_i = a["experiment"][order].astype(np.int64)
    person = a["person"][order].astype(np.int64)
    row = a["session_row"][order].astype(np.int64)
    variant = np.zeros(len(order), dtype=np.int64)
    for e in np.unique(exp_i):
        m = exp_i == e
        variant[m] = ex.variant_of(w.rng, int(e), person[m])
    is_app = sess["is_app"][row]
    slot = np.maximum(sess["slot"][row].astype(np.int64), 0)
    cookies = w.pop.cookies(person, slot)
    apps = w.pop.app_instance(person)
    times = sess["day"][row].astype(np.int64) * MS_PER_DAY + sess["tod"][row].astype(np.int64)
    for i in range(len(order)):
        e, p, t = int(exp_i[i]), int(person[i]), int(times[i])
        anon = apps[i] if is_app[i] else cookies[i]
        user = f"u_{int(rec.reg.customer_id[p])}" if sess["logged_in"][row[i]] else None
        spec = ex.specs[e]
        aid = f"asg_{e:02d}_{p:08d}"
        stamp = ctx.utc_ms(t)
        record = {"id": aid, "experiment_id": spec["id"],
                  "variant_id": f"{spec['id']}__{spec['variants'][variant[i]]['name']}", "anonymous_id": anon,
                  "user_id": user, "assigned_at": stamp, "updated_at": stamp}
        label = person_label(p)
        kind = "app_instance" if is_app[i] else "cookie"
        if user:
            ctx.identity.link(label, (kind, anon), ("login_user_id", user))
        else:
            ctx.identity.seen(kind, anon, label)
        ctx.add("experiments/assignments", t, aid, record)


def render_loyalty(ctx: RenderContext) -> None:
    """Members join at their first Shopify order (or register an Amazon purchase with their Amazon proxy e-mail)."""
    w, rec = ctx.world, ctx.rec
    ob, rows = ctx.orders, ctx.order_rows
    if ob is None:
        return
    lo = w.scenario["loyalty"]
    reg = rec.reg
    members: dict[int, dict] = {}
    ledger = []
    amazon = amazon_ids(ctx)
    order_idx = np.lexsort((ob.person, rows["tod"], rows["day"]))
    u_join = w.rng.keyed(Stream.LOYALTY, 0, np.arange(w.pop.n), salt=1)
    for o in order_idx:
        o = int(o)
        p = int(ob.person[o])
        t = ctx.order_ms(o)
        if ob.platform[o] == SHOPIFY:
            if rows["placeholder"][o]:
                continue
            ref = f"shopify:{shopify_order_id(rows['shopify_seq'][o])}"
            if p not in members and rows["new_customer"][o] and u_join[p] < lo["join_prob"]:
                members[p] = {"joined": t, "amazon": None, "amazon_at": None, "updated": t}
        else:
            ref = f"amazon:{amazon[o]}"
            u = w.rng.scalar(Stream.LOYALTY, 2, o)
            if u < lo["amazon_registration_prob"]:
                reg_t = t + 5 * MS_PER_DAY
                if p not in members:
                    members[p] = {"joined": reg_t, "amazon": amazon_email_of(w, p), "amazon_at": reg_t, "updated": reg_t}
                elif members[p]["amazon"] is None:
                    members[p]["amazon"] = amazon_email_of(w, p)
                    members[p]["amazon_at"] = reg_t
                t = reg_t
        if p not in members or ob.cancelled[o]:
            continue
        points = int(float(ob.net_before_refunds_usd[o]))
        ledger.append((t + 60_000, p, points, "order", ref))
        if w.rng.scalar(Stream.LOYALTY, 3, o) < lo["review_prob"]:
            ledger.append((t + 9 * MS_PER_DAY, p, 25, "review", ref))
    # referral rewards
    for o in np.flatnonzero((ob.discount_kind == DISCOUNT_REFERRAL) & (ob.platform == SHOPIFY)):
        referrer = int(ob.discount_ref[o])
        if referrer in members:
            ledger.append((ctx.order_ms(int(o)) + 120_000, referrer, 100, "referral", None))
    ledger.sort(key=lambda x: (x[0], x[1]))
    balance: dict[int, int] = {}
    entry_n = 0
    out_ledger = []
    for t, p, pts, reason, ref in ledger:
        if t < members[p]["joined"]:
            continue
        balance[p] = balance.get(p, 0) + pts
        out_ledger.append((t, p, pts, reason, ref))
        if balance[p] >= lo["redeem_threshold_points"] and w.rng.scalar(Stream.LOYALTY, 4, p, t // MS_PER_DAY) < 0.5:
            redeem = -(balance[p] // 100) * 100
            balance[p] += redeem
            out_ledger.append((t + 3_600_000, p, redeem, "redeem", None))
    balance = {}
    for t, p, pts, reason, ref in out_ledger:
        entry_n += 1
        if not ctx.visible(t):
            continue
        balance[p] = balance.get(p, 0) + pts
        members[p]["updated"] = max(members[p]["updated"], t)
        eid = f"LE{int(t // MS_PER_DAY):05d}{p:08d}{entry_n % 1000:03d}"
        rec_ = {"entry_id": eid, "member_id": f"LM{p:08d}", "points": pts, "reason": reason, "order_ref": ref,
                "created_at": ctx.utc(t)}
        ctx.mess.maybe_malform("loyalty/points_ledger", eid, rec_, [
            ("wrong_type", lambda r, uu: r.__setitem__("points", "n/a")),
        ])
        ctx.add("loyalty/points_ledger", t, eid, rec_)
    for p, m in members.items():
        if not ctx.visible(m["joined"]):
            continue
        amazon_visible = m["amazon"] if m["amazon"] and ctx.visible(m["amazon_at"]) else None
        pts = balance.get(p, 0)
        tier = "gold" if pts >= 1500 else "silver" if pts >= 400 else "bronze"
        cid = int(reg.customer_id[p]) if reg.customer_created_ms[p] <= ctx.as_of_end_ms else 0
        updated = max(m["joined"], m["amazon_at"] or 0 if amazon_visible else m["joined"], m["updated"]
                      if ctx.visible(m["updated"]) else m["joined"])
        record = {"member_id": f"LM{p:08d}", "email": email_of(w, p), "shopify_customer_id": cid or None,
                  "amazon_buyer_email": amazon_visible, "tier": tier, "points_balance": pts,
                  "joined_at": ctx.utc(m["joined"]), "updated_at": ctx.utc(updated)}
        ctx.identity.link(person_label(p), ("email", email_of(w, p)),
                          ("shopify_customer_id", str(cid) if cid else None), ("amazon_buyer_id", amazon_visible))
        ctx.add("loyalty/members", updated, f"LM{p:08d}", record)


def render_privacy(ctx: RenderContext) -> None:
    """Consent changes (e-mail marketing, personalised ads, analytics) and GDPR/CCPA erasure requests."""
    from .shopify import consent_history
    w, rec = ctx.world, ctx.rec
    reg = rec.reg
    hist = consent_history(ctx)
    events = []
    for p, items in hist.items():
        for t, status, source in items:
            events.append((t, p, "email_marketing", "granted" if status == "subscribed" else "withdrawn", source))
    # personalised ads / analytics: granted at the cookie banner when the customer is created; some withdraw later
    pv = w.scenario["privacy"]
    known = np.flatnonzero(reg.customer_created_ms <= ctx.as_of_end_ms)
    for p in known:
        p = int(p)
        t0 = int(reg.customer_created_ms[p]) + 30_000
        if t0 < 0:
            continue
        u = w.rng.keyed_block(Stream.CONSENT, 0, [p], width=3)[0]
        if u[0] < 0.8:
            events.append((t0, p, "personalised_ads", "granted", "cookie_banner"))
            events.append((t0, p, "analytics", "granted", "cookie_banner"))
            days = int(np.log(max(u[1], 1e-12)) / np.log(1 - pv["personalised_ads_withdrawal_prob"])) if pv["personalised_ads_withdrawal_prob"] > 0 else 10**6
            t1 = t0 + days * MS_PER_DAY + int(u[2] * MS_PER_DAY)
            events.append((t1, p, "personalised_ads", "withdrawn", "preference_center"))
    erasures = []
    pvt = rec.tables.get("privacy") or {}
    for d, tod, p, kind in zip(pvt.get("day", []), pvt.get("tod", []), pvt.get("person", []), pvt.get("kind", [])):
        if kind == 1:
            t = int(d) * MS_PER_DAY + int(tod)
            erasures.append((t, int(p)))
            for purpose in ("personalised_ads", "analytics"):
                events.append((t, int(p), purpose, "withdrawn", "erasure_request"))
    events.sort(key=lambda x: (x[0], x[1], x[2]))
    for n, (t, p, purpose, status, source) in enumerate(events):
        if not ctx.visible(t):
            continue
        cid = int(reg.customer_id[p]) if reg.customer_created_ms[p] <= t else 0
        eid = f"ce_{int(t // MS_PER_DAY):05d}_{p:08d}_{purpose[:3]}_{status[0]}"
        record = {"id": eid, "subject_email": email_of(w, p), "subject_customer_id": cid or None, "purpose": purpose,
                  "status": status, "changed_at": ctx.utc(t), "source": source, "updated_at": ctx.utc(t)}
        ctx.mess.maybe_malform("privacy/consent_events", eid, record, [
            ("unparseable_date", lambda r, uu: bad_date(r, "changed_at", uu)),
        ])
        ctx.identity.link(person_label(p), ("email", email_of(w, p)), ("shopify_customer_id", str(cid) if cid else None))
        ctx.add("privacy/consent_events", t, eid, record)
    subjects = []
    for t, p in erasures:
        if not ctx.visible(t):
            continue
        market = MARKETS[w.pop.market[p]]
        done = t + (14 + int(w.rng.scalar(Stream.PRIVACY, 5, p) * 16)) * MS_PER_DAY
        status, updated = ("completed", done) if ctx.visible(done) else ("received", t)
        rid = f"er_{p:08d}"
        ctx.add("privacy/erasure_requests", updated, rid, {
            "id": rid, "subject_email": email_of(w, p), "regulation": "CCPA" if market.code in ("US", "CA") else "GDPR",
            "requested_at": ctx.utc(t), "status": status, "updated_at": ctx.utc(updated)})
        ctx.identity.seen("email", email_of(w, p), person_label(p))
        subjects.append({"person": person_label(p), "email": email_of(w, p), "requested_at": ctx.utc(t)})
    ctx.mess.notes["erasure_subjects"] = subjects
