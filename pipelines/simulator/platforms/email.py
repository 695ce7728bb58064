"""Klaviyo-like e-mail platform: profiles, campaigns, flows and events (received / opened / clicked / unsubscribed /
bounced). Click URLs carry UTMs and ``_kx`` (the profile id), the tracked link that bridges e-mail and web."""
from __future__ import annotations

import numpy as np

from ..clock import MS_PER_DAY
from ..email_program import FLOW_MESSAGE_BASE, FLOWS
from ..markets import MARKETS, REGIONS
from ..rng import Stream
from .common import email_of, klaviyo_profile_id, person_label, phone_of
from .context import RenderContext

FLOW_PATHS = {"welcome": "/", "post_purchase": "/collections/bestsellers", "winback": "/collections/new-in"}


def campaign_id(k: int) -> str:
    return f"01JC{k:022d}"


def flow_id(fi: int) -> str:
    return f"F{['Wlc', 'Pst', 'Wbk', 'Brw'][fi]}{fi:03d}"


def message_campaign_slug(world, msg: int) -> str:
    if msg < FLOW_MESSAGE_BASE:
        return f"newsletter_{REGIONS[world.email.campaign_region[msg]].lower()}_{world.cal.date_of(int(world.email.campaign_day[msg])).strftime('%Y%m%d')}"
    fi, step = divmod(msg - FLOW_MESSAGE_BASE, 10)
    return f"flow_{FLOWS[fi][0]}_{step + 1}"


def message_path(msg: int, handle: str) -> str:
    if msg < FLOW_MESSAGE_BASE:
        return "/collections/new-in"
    fi, _ = divmod(msg - FLOW_MESSAGE_BASE, 10)
    return FLOW_PATHS.get(FLOWS[fi][0], f"/products/{handle}")


def render(ctx: RenderContext) -> None:
    from .shopify import consent_history, consent_state
    w, rec = ctx.world, ctx.rec
    reg = rec.reg
    consent = consent_history(ctx)
    # --- profiles ---------------------------------------------------------------------------------------------
    persons = np.flatnonzero(reg.profile_created_ms <= ctx.as_of_end_ms)
    for p in persons:
        p = int(p)
        created = int(reg.profile_created_ms[p])
        state, changed = consent_state(consent.get(p, []), ctx.as_of_end_ms)
        pid = klaviyo_profile_id(w, p)
        email = email_of(w, p)
        has_customer = reg.customer_id[p] > 0 and reg.customer_created_ms[p] <= ctx.as_of_end_ms
        # the phone number arrives with the Shopify customer sync
        updated = max(created, changed or created, int(reg.customer_created_ms[p]) + 600_000 if has_customer else created)
        phone = phone_of(w, p, formatted=True) if has_customer else None
        record = {"id": pid, "type": "profile", "attributes": {
            "email": email, "phone_number": phone, "created": ctx.utc(created), "updated": ctx.utc(updated),
            "subscriptions": {"email": {"marketing": {"consent": state,
                                                      "timestamp": ctx.utc(changed) if changed else None}}},
            "location": {"country": MARKETS[w.pop.market[p]].code}}}
        ctx.identity.link(person_label(p), ("email", email), ("phone", phone))
        ctx.add("email/profiles", updated, pid, record)
    # --- campaigns and flows ---------------------------------------------------------------------------------
    prog = w.email
    for k in range(len(prog.campaign_day)):
        day = int(prog.campaign_day[k])
        send_ms = day * MS_PER_DAY + int(prog.campaign_send_hour_utc[k]) * 3_600_000
        created_ms = send_ms - 3 * MS_PER_DAY
        if not ctx.visible(created_ms):
            continue
        status = "Sent" if ctx.visible(send_ms) else "Scheduled"
        updated = send_ms if status == "Sent" else created_ms
        cid = campaign_id(k)
        ctx.add("email/campaigns", 0, cid, {"id": cid, "type": "campaign", "attributes": {
            "name": f"Newsletter {REGIONS[prog.campaign_region[k]]} {w.cal.date_of(day).isoformat()}", "status": status,
            "send_time": ctx.utc(send_ms), "created_at": ctx.utc(created_ms), "updated": ctx.utc(updated),
            "audiences": {"included": [f"list_{REGIONS[prog.campaign_region[k]].lower()}_subscribers"]}}})
    flow_created = ctx.utc(-200 * MS_PER_DAY)
    for fi, (key, name, trigger, _) in enumerate(FLOWS):
        ctx.add("email/flows", 0, flow_id(fi), {"id": flow_id(fi), "type": "flow", "attributes": {
            "name": name, "status": "live", "trigger_type": trigger, "created": flow_created, "updated": flow_created}})
    # --- events -------------------------------------------------------------------------------------------------
    s = rec.tables.get("sends") or {}
    if not s:
        return
    sess = rec.tables["sessions"]
    email_clicks = {}
    em = np.flatnonzero(sess["channel"] == 5)  # email channel index
    for i in em:
        email_clicks[(int(sess["day"][i]), int(sess["person"][i]), int(sess["sub"][i]))] = int(sess["tod"][i])
    u = w.rng.keyed_block(Stream.EMAIL, 0, np.arange(len(s["day"])), width=3, salt=51)
    n = 0
    for i in range(len(s["day"])):
        day, p, msg = int(s["day"][i]), int(s["person"][i]), int(s["message"][i])
        t0 = day * MS_PER_DAY + int(s["tod"][i])
        pid = klaviyo_profile_id(w, p)
        email = email_of(w, p)
        camp = campaign_id(msg) if msg < FLOW_MESSAGE_BASE else None
        flow = flow_id((msg - FLOW_MESSAGE_BASE) // 10) if msg >= FLOW_MESSAGE_BASE else None
        evs = [("Bounced" if s["bounced"][i] else "Received Email", t0, None)]
        if s["opened"][i]:
            t_open = min(t0 + 60_000 + int(u[i, 0] * 3_600_000), (day + 1) * MS_PER_DAY - 1)
            evs.append(("Opened Email", t_open, None))
            if s["clicked"][i]:
                t_click = day * MS_PER_DAY + email_clicks.get((day, p, msg), int(s["tod"][i]) + 120_000)
                url = (f"https://shop.kumo.example{message_path(msg, 'kumo')}?utm_source=klaviyo&utm_medium=email"
                       f"&utm_campaign={message_campaign_slug(w, msg)}&_kx={pid}")
                evs.append(("Clicked Email", max(t_click - 5_000, t_open + 1_000), url))
            if s["unsubscribed"][i]:
                evs.append(("Unsubscribed", t0 + 1_800_000, None))
        for j, (metric, t, url) in enumerate(evs):
            if not ctx.visible(t):
                continue
            eid = f"EV{day:05d}{i:09d}{j}"
            record = {"id": eid, "type": "event", "attributes": {
                "metric": metric, "profile_id": pid, "email": email, "datetime": ctx.utc(t),
                "campaign_id": camp, "flow_id": flow, "url": url}}
            ctx.mess.maybe_malform("email/events", eid, record, [
                ("wrong_type", lambda r, uu: r["attributes"].__setitem__("profile_id", 12345)),
            ])
            ctx.add("email/events", t, eid, record)
            n += 1
