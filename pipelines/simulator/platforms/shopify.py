"""Shopify Admin API resources: orders (with refunds as late updates), customers, products."""
from __future__ import annotations

import numpy as np

from ..catalogue import BRAND
from ..clock import MS_PER_DAY
from ..markets import MARKETS, PAYMENT_PROVIDERS
from ..mess import bad_currency, bad_date
from ..people import PLACEHOLDER_EMAIL
from ..purchases import DISCOUNT_AFFILIATE, DISCOUNT_PROMO, DISCOUNT_REFERRAL, DISCOUNT_WELCOME, METHODS
from ..rng import Stream
from .common import checkout_email_of, money, person_label, phone_of, referral_code, shopify_order_id
from .context import RenderContext

LINE_ITEM_ID_START = 13_000_000_000
REFUND_ID_START = 900_000_001
RETURN_NOTES = ("Size did not fit", "Arrived late", "Not as pictured", "Changed my mind", "Damaged in transit")


def discount_code(ctx: RenderContext, o: int) -> tuple[str, str] | None:
    ob, w = ctx.orders, ctx.world
    kind, ref = int(ob.discount_kind[o]), int(ob.discount_ref[o])
    if kind == DISCOUNT_REFERRAL:
        return referral_code(w, ref), "percentage"
    if kind == DISCOUNT_AFFILIATE:
        return w.creators.affiliate_code[ref], "percentage"
    if kind == DISCOUNT_PROMO:
        return w.scenario["promotions"][ref]["code"], "percentage"
    if kind == DISCOUNT_WELCOME:
        return "WELCOME10", "percentage"
    return None


def render_orders(ctx: RenderContext) -> None:
    w, ob, rows, pop = ctx.world, ctx.orders, ctx.order_rows, ctx.world.pop
    cat = w.catalogue
    for o in ctx.shopify_orders():
        o = int(o)
        person = int(ob.person[o])
        market = ctx.market(o)
        digits = ctx.digits(o)
        oid = shopify_order_id(rows["shopify_seq"][o])
        times = ctx.event_times(o)
        label = person_label(person)
        placeholder = bool(rows["placeholder"][o])
        email = PLACEHOLDER_EMAIL if placeholder else checkout_email_of(w, person)
        phone = phone_of(w, person)
        cid = int(rows["customer_id"][o])
        first, last = pop.name(person)
        addr = pop.address(person)
        lines = []
        n_lines = int((ob.product[o] >= 0).sum())
        sub = float(ob.subtotal[o])
        disc = float(ob.discount[o])
        vat = market.vat_rate
        for j in range(n_lines):
            p, v, q = int(ob.product[o, j]), int(ob.variant[o, j]), int(ob.quantity[o, j])
            price = float(ob.unit_price[o, j])
            gross = price * q
            line_disc = round(disc * gross / sub, digits) if sub else 0.0
            after = gross - line_disc
            tax = round(after * vat / (1 + vat), digits) if market.tax_included else round(after * vat, digits)
            lines.append({"id": LINE_ITEM_ID_START + int(rows["shopify_seq"][o]) * 3 + j, "product_id": int(cat.product_id[p]),
                          "variant_id": int(cat.variant_id(np.array([p]), np.array([v]))[0]), "sku": cat.sku(p, v),
                          "title": cat.title[p], "variant_title": cat.variant_options[p][v], "quantity": q,
                          "price": money(price, digits), "total_discount": money(line_disc, digits),
                          "tax_lines": [{"title": "VAT" if market.tax_included else "Sales tax", "rate": vat,
                                         "price": money(tax, digits)}]})
        code = discount_code(ctx, o)
        refunds = []
        updated = times["created"]
        financial = "paid"
        fulfillment = None
        cancelled_at = cancel_reason = None
        if ob.cancelled[o] and ctx.visible(times["cancelled"]):
            cancelled_at = ctx.shop_time(times["cancelled"])
            cod = ob.payment_method[o] == METHODS.index("cod")
            cancel_reason = "declined" if cod and ob.cancel_day[o] >= ob.delivered_day[o] else "customer"
            financial = "voided" if cod else "refunded"
            updated = times["cancelled"]
        if not ctx.cancelled_before_shipping(o) and ctx.visible(times["shipped"]):
            fulfillment = "fulfilled"
            updated = max(updated, times["shipped"])
        if ob.returned[o] and not ob.cancelled[o] and ctx.visible(times["refunded"]):
            ret_lines = range(n_lines) if ob.return_all[o] else [int(ob.return_line[o])]
            amount = float(ob.refund_amount[o])
            refunds.append({
                "id": REFUND_ID_START + int(rows["shopify_seq"][o]), "created_at": ctx.shop_time(times["refunded"]),
                "note": "Parcel lost in transit" if ob.lost[o] else RETURN_NOTES[int(rows["shopify_seq"][o]) % len(RETURN_NOTES)],
                "refund_line_items": [{"line_item_id": lines[j]["id"], "quantity": lines[j]["quantity"],
                                       "subtotal": money(float(ob.unit_price[o, j]) * int(ob.quantity[o, j]), digits)}
                                      for j in ret_lines],
                "transactions": [{"amount": money(amount, digits), "kind": "refund", "currency": market.currency}],
            })
            financial = "refunded" if ob.return_all[o] else "partially_refunded"
            updated = max(updated, times["refunded"])
        method = METHODS[int(ob.payment_method[o])]
        total = float(ob.total[o])
        fees = round(total * 0.029 + (0.3 if digits else 30), digits)
        record = {
            "id": oid, "name": f"#{1001 + int(rows['shopify_seq'][o])}", "email": email, "phone": phone,
            "created_at": ctx.shop_time(times["created"]), "updated_at": ctx.shop_time(updated),
            "processed_at": ctx.shop_time(times["created"]), "cancelled_at": cancelled_at, "cancel_reason": cancel_reason,
            "currency": market.currency, "presentment_currency": market.currency, "taxes_included": market.tax_included,
            "subtotal_price": money(sub - disc, digits), "total_discounts": money(disc, digits),
            "total_tax": money(float(ob.tax[o]), digits), "total_price": money(total, digits),
            "total_shipping_price": money(float(ob.shipping[o]), digits), "financial_status": financial,
            "fulfillment_status": fulfillment, "landing_site": str(rows["landing_site"][o] or "/"),
            "referring_site": str(rows["referring_site"][o] or ""),
            "source_name": "web", "cart_token": "".join(format(int(v), "016x") for v in
                                                         w.rng.keyed_int(Stream.ORDER_DETAILS, 0, [oid, oid + 1], salt=3)),
            "customer": None if placeholder or not cid else {"id": cid, "email": email, "phone": phone},
            "shipping_address": {"country_code": market.code, "city": addr["city"], "address1": addr["address1"],
                                 "zip": addr["zip"], "name": f"{first} {last}"},
            "billing_address": {"country_code": market.code},
            "discount_codes": [] if code is None else [{"code": code[0], "amount": money(disc, digits), "type": code[1]}],
            "line_items": lines, "refunds": refunds, "payment_gateway_names": [PAYMENT_PROVIDERS[method]],
            "total_fees": money(fees, digits),
        }
        if ctx.drifted(updated):  # schema drift: a new field from the drift date on
            record["client_details"] = {"browser_ip": f"203.0.113.{person % 250 + 1}", "accept_language": market.language,
                                        "user_agent": "Mozilla/5.0"}
        ctx.identity.link(label, ("email", email), ("phone", phone), ("shopify_customer_id", str(cid) if cid else None))
        ctx.mess.maybe_malform("shopify/orders", str(oid), record, [
            ("unparseable_date", lambda r, u: bad_date(r, "processed_at", u)),
            ("unknown_currency", lambda r, u: (bad_currency(r, "currency", u), r.__setitem__("presentment_currency", r["currency"]))),
        ], ordinal=int(rows["shopify_seq"][o]))
        ctx.mess.maybe_break_rule("shopify/orders", str(oid), record, "zero_quantity",
                                  lambda r, u: r["line_items"][0].__setitem__("quantity", 0),
                                  ordinal=int(rows["shopify_seq"][o]))
        ctx.add("shopify/orders", updated, str(oid), record)


def render_customers(ctx: RenderContext) -> None:
    """One record per Shopify customer created by as_of, in its latest version."""
    w, rec, pop = ctx.world, ctx.rec, ctx.world.pop
    reg = rec.reg
    ob, rows = ctx.orders, ctx.order_rows
    persons = np.flatnonzero((reg.customer_id > 0) & (reg.customer_created_ms <= ctx.as_of_end_ms))
    # orders per customer (visible, non-placeholder Shopify orders)
    stats: dict[int, list] = {}
    if ob is not None:
        for o in ctx.shopify_orders():
            if rows["placeholder"][o]:
                continue
            p = int(ob.person[o])
            s = stats.setdefault(p, [0, 0.0, 0])
            s[0] += 1
            s[1] += float(ob.total[o])
            s[2] = max(s[2], ctx.order_ms(int(o)))
    consent = consent_history(ctx)
    for p in persons:
        p = int(p)
        cid = int(reg.customer_id[p])
        created = int(reg.customer_created_ms[p])
        market = MARKETS[pop.market[p]]
        first, last = pop.name(p)
        addr = pop.address(p)
        n_orders, spent, last_order_ms = stats.get(p, [0, 0.0, created])
        if pop.initial_customer[p]:  # orders before start_date are not in the store, only in these totals
            n_orders += int(pop.initial_orders[p])
            typical = float(np.median(w.catalogue.local_price[pop.market[p]]))
            spent += round(int(pop.initial_orders[p]) * typical * 1.2, 2)
            last_order_ms = max(last_order_ms, int(pop.initial_last_order_day[p]) * MS_PER_DAY + 43_200_000)
        state, changed = consent_state(consent.get(p, []), ctx.as_of_end_ms, shopify=True)
        updated = max(created, last_order_ms, changed or created)
        email = checkout_email_of(w, p)
        phone = phone_of(w, p)
        tags = []
        if n_orders >= 3:
            tags.append("vip")
        if state == "subscribed":
            tags.append("newsletter")
        record = {
            "id": cid, "email": email, "phone": phone, "first_name": first, "last_name": last,
            "created_at": ctx.shop_time(created), "updated_at": ctx.shop_time(updated),
            "state": "enabled" if pop.registers_account[p] else "disabled", "verified_email": True,
            "accepts_marketing": state == "subscribed",
            "email_marketing_consent": {"state": state, "opt_in_level": "single_opt_in" if state != "not_subscribed" else None,
                                        "consent_updated_at": ctx.shop_time(changed) if changed else None},
            "default_address": {"country_code": market.code, "city": addr["city"], "address1": addr["address1"],
                                "zip": addr["zip"]},
            "orders_count": n_orders, "total_spent": money(spent, 2), "currency": market.currency, "tags": ", ".join(tags),
        }
        ctx.identity.link(person_label(p), ("shopify_customer_id", str(cid)), ("email", email), ("phone", phone))
        ctx.add("shopify/customers", updated, str(cid), record)


def consent_history(ctx: RenderContext) -> dict[int, list[tuple[int, str, str]]]:
    """Per person: (instant, 'subscribed'|'unsubscribed', source) e-mail marketing consent changes, in time order."""
    cached = ctx.__dict__.get("_consent_history")
    if cached is None:
        cached = ctx.__dict__["_consent_history"] = _consent_history(ctx)
    return cached


def _consent_history(ctx: RenderContext) -> dict[int, list[tuple[int, str, str]]]:
    rec = ctx.rec
    hist: dict[int, list] = {}
    w = ctx.world
    init = np.flatnonzero(w.pop.initial_subscribed)
    for p in init:
        hist.setdefault(int(p), []).append((int(rec.reg.profile_created_ms[p]), "subscribed", "checkout"))
    su = rec.tables.get("signups") or {}
    for d, t, p, k in zip(su.get("day", []), su.get("tod", []), su.get("person", []), su.get("kind", [])):
        hist.setdefault(int(p), []).append((int(d) * MS_PER_DAY + int(t), "subscribed",
                                            "newsletter_form" if k == 0 else "checkout"))
    se = rec.tables.get("sends") or {}
    if se:
        un = np.flatnonzero(se["unsubscribed"])
        for i in un:
            hist.setdefault(int(se["person"][i]), []).append(
                (int(se["day"][i]) * MS_PER_DAY + int(se["tod"][i]) + 1_800_000, "unsubscribed", "email_unsubscribe_link"))
    pv = rec.tables.get("privacy") or {}
    for d, t, p, k in zip(pv.get("day", []), pv.get("tod", []), pv.get("person", []), pv.get("kind", [])):
        hist.setdefault(int(p), []).append((int(d) * MS_PER_DAY + int(t), "unsubscribed",
                                            "preference_center" if k == 0 else "erasure_request"))
    for v in hist.values():
        v.sort()
    return hist


def consent_state(events: list, until_ms: int, shopify: bool = False) -> tuple[str, int | None]:
    state, changed = ("not_subscribed" if shopify else "NEVER_SUBSCRIBED"), None
    for t, status, _ in events:
        if t > until_ms:
            break
        changed = t
        if shopify:
            state = "subscribed" if status == "subscribed" else "unsubscribed"
        else:
            state = "SUBSCRIBED" if status == "subscribed" else "UNSUBSCRIBED"
    return state, changed


def render_products(ctx: RenderContext) -> None:
    cat = ctx.world.catalogue
    for p in range(cat.n):
        created_ms = int(cat.launch_day[p]) * MS_PER_DAY + 3 * 3_600_000
        if not ctx.visible(created_ms):
            continue
        variants = []
        for v, opt in enumerate(cat.variant_options[p]):
            vid = int(cat.variant_id(np.array([p]), np.array([v]))[0])
            variants.append({"id": vid, "sku": cat.sku(p, v), "price": money(float(cat.price_usd[p]), 2),
                             "cost": money(float(cat.cost_usd[p]), 2), "inventory_item_id": 40_000_000 + vid,
                             "option1": opt})
        record = {"id": int(cat.product_id[p]), "title": cat.title[p], "product_type": cat.product_type[p],
                  "vendor": BRAND, "created_at": ctx.shop_time(created_ms), "updated_at": ctx.shop_time(created_ms),
                  "status": "active", "variants": variants}
        ctx.add("shopify/products", created_ms, str(int(cat.product_id[p])), record)
