"""Logistics shipments and payment attempts of orders."""
from __future__ import annotations

import numpy as np

from ..markets import MINOR_UNITS, PAYMENT_FAILURE_REASONS, PAYMENT_PROVIDERS
from ..mess import bad_currency, bad_date
from ..purchases import AMAZON, COD, METHOD_FAIL, METHODS
from ..rng import Stream
from .amazon_sp import amazon_ids
from .common import shopify_order_id
from .context import RenderContext

SHIPPING_COST_USD = {"NA": 7.5, "EU": 6.0, "UK": 6.5, "JPKR": 9.0, "SEA": 8.0, "LATAM": 14.0, "MENA": 11.0}


def order_refs(ctx: RenderContext) -> dict[int, str]:
    refs = {}
    ob, rows = ctx.orders, ctx.order_rows
    if ob is None:
        return refs
    for o in ctx.shopify_orders():
        refs[int(o)] = f"shopify:{shopify_order_id(rows['shopify_seq'][o])}"
    for o, aid in amazon_ids(ctx).items():
        refs[o] = f"amazon:{aid}"
    return refs


def render_shipments(ctx: RenderContext) -> None:
    ob, rows, w = ctx.orders, ctx.order_rows, ctx.world
    if ob is None:
        return
    refs = order_refs(ctx)
    for o, ref in refs.items():
        if ob.platform[o] == AMAZON and (int(rows["amazon_seq"][o]) % 7) != 0:
            continue  # fulfilled by Amazon (AFN): not our logistics
        t = ctx.event_times(o)
        cancelled_early = ctx.cancelled_before_shipping(o)
        if cancelled_early and ob.cancel_day[o] == ob.day[o]:
            continue  # cancelled before a label was bought
        if not ctx.visible(t["label"]):
            continue
        market = ctx.market(o)
        status, updated = "label_created", t["label"]
        shipped_at = delivered_at = None
        if cancelled_early:
            if ctx.visible(t["cancelled"]):
                status, updated = "cancelled", max(t["cancelled"], t["label"])
        else:
            if ctx.visible(t["shipped"]):
                status, updated, shipped_at = "in_transit", t["shipped"], t["shipped"]
            if ctx.visible(t["delivered"]):
                if ob.lost[o]:
                    status, updated = "lost", t["delivered"]
                elif ob.cancelled[o]:  # refused cash-on-delivery parcel goes back
                    status, updated = "returned", t["cancelled"]
                else:
                    status, updated, delivered_at = "delivered", t["delivered"], t["delivered"]
            if ob.returned[o] and not ob.lost[o] and ctx.visible(t["return_started"]):
                status, updated = "returned", t["return_started"]
        sid = f"SHP{o + 1:09d}"
        u = w.rng.scalar(Stream.LOGISTICS, int(ob.person[o]), int(ob.day[o]))
        record = {"shipment_id": sid, "order_ref": ref, "carrier": market.carrier, "origin_warehouse": market.warehouse,
                  "destination_country": market.code, "status": status,
                  "shipped_at": ctx.utc(shipped_at) if shipped_at else None,
                  "delivered_at": ctx.utc(delivered_at) if delivered_at else None,
                  "cost": f"{SHIPPING_COST_USD[market.region] * (0.8 + 0.4 * u):.2f}", "currency": "USD",
                  "updated_at": ctx.utc(updated)}
        ctx.mess.maybe_malform("logistics/shipments", sid, record, [
            ("unparseable_date", lambda r, uu: bad_date(r, "shipped_at", uu) if r["shipped_at"] else bad_date(r, "delivered_at", uu)),
            ("unknown_currency", lambda r, uu: bad_currency(r, "currency", uu)),
        ], ordinal=o)
        if shipped_at and delivered_at:
            ctx.mess.maybe_break_rule("logistics/shipments", sid, record, "delivered_before_shipped",
                                      lambda r, uu: r.__setitem__("delivered_at", ctx.utc(shipped_at - 86_400_000)),
                                      ordinal=o)
        ctx.add("logistics/shipments", updated, sid, record)


def render_payments(ctx: RenderContext) -> None:
    """Stripe-style payment attempts: failures (with reasons) before the successful attempt; COD paid on delivery."""
    ob, rows, w = ctx.orders, ctx.order_rows, ctx.world
    if ob is None:
        return
    for o in ctx.shopify_orders():
        o = int(o)
        ref = f"shopify:{shopify_order_id(rows['shopify_seq'][o])}"
        market = ctx.market(o)
        digits = MINOR_UNITS[market.currency]
        amount = int(round(float(ob.total[o]) * 10 ** digits))
        method = int(ob.payment_method[o])
        t = ctx.event_times(o)
        u = w.rng.keyed_block(Stream.PAYMENTS, int(ob.day[o]), [int(ob.person[o])], width=8)[0]
        attempts = []
        if method == COD:
            refused = bool(ob.cancelled[o]) and ob.cancel_day[o] >= ob.delivered_day[o]
            if not ctx.cancelled_before_shipping(o) or refused:
                attempts.append((t["delivered"], "cod", "failed" if refused else "succeeded",
                                 "refused_on_delivery" if refused else None))
        else:
            start = t["created"] - 90_000
            n_fail = int(u[0] < METHOD_FAIL[method]) + int(u[0] < METHOD_FAIL[method] ** 2 * 3)
            m = method
            for k in range(n_fail):
                reasons = PAYMENT_FAILURE_REASONS[METHODS[m]]
                attempts.append((start + k * 40_000, METHODS[m], "failed", reasons[int(u[1 + k] * len(reasons))]))
                if u[3 + k] < 0.3:  # switch to another method after a failure
                    others = [x for x in market.payment_methods if METHODS.index(x) != m and x != "cod"]
                    if others:
                        m = METHODS.index(others[int(u[5] * len(others))])
            attempts.append((start + n_fail * 40_000 + 20_000, METHODS[m], "succeeded", None))
        for k, (ms, meth, status, reason) in enumerate(attempts):
            if not ctx.visible(ms):
                continue
            pid = "pa_" + format(int(w.rng.keyed_int(Stream.PAYMENTS, 0, [int(rows["shopify_seq"][o]) * 8 + k], salt=1)[0]), "016x") \
                + format(k, "02d")
            record = {"id": pid, "order_ref": ref, "created": ctx.epoch_s(ms), "method": meth,
                      "provider": PAYMENT_PROVIDERS[meth], "status": status, "failure_reason": reason,
                      "amount": amount, "currency": market.currency, "country": market.code}
            ctx.mess.maybe_malform("payments/payment_attempts", pid, record, [
                ("unknown_currency", lambda r, uu: bad_currency(r, "currency", uu)),
                ("wrong_type", lambda r, uu: r.__setitem__("amount", "n/a")),
            ])
            ctx.add("payments/payment_attempts", ctx.epoch_s(ms), pid, record)
