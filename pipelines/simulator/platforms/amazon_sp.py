"""Amazon Selling Partner: marketplace orders (status changes are late updates) and returns."""
from __future__ import annotations

import numpy as np

from ..mess import bad_currency, bad_date
from ..purchases import AMAZON
from .common import amazon_email_of, amazon_order_id, money, person_label
from .context import RenderContext

RETURN_REASONS = ("APPAREL_TOO_SMALL", "NOT_AS_DESCRIBED", "UNWANTED_ITEM", "DEFECTIVE", "ORDERED_WRONG_ITEM")


def amazon_ids(ctx: RenderContext) -> dict[int, str]:
    ob, rows = ctx.orders, ctx.order_rows
    if ob is None:
        return {}
    return {int(o): amazon_order_id(ctx.world, int(rows["amazon_seq"][o]), int(ob.person[o]))
            for o in np.flatnonzero(ob.platform == AMAZON)}


def render(ctx: RenderContext) -> None:
    w, ob, rows = ctx.world, ctx.orders, ctx.order_rows
    if ob is None:
        return
    cat = w.catalogue
    ids = amazon_ids(ctx)
    for o, aid in ids.items():
        market = ctx.market(o)
        digits = ctx.digits(o)
        person = int(ob.person[o])
        times = ctx.event_times(o)
        cur = market.currency
        items = []
        n_lines = int((ob.product[o] >= 0).sum())
        sub = float(ob.subtotal[o])
        disc = float(ob.discount[o])
        for j in range(n_lines):
            p, q = int(ob.product[o, j]), int(ob.quantity[o, j])
            gross = float(ob.unit_price[o, j]) * q
            line_disc = round(disc * gross / sub, digits) if sub else 0.0
            tax = round((gross - line_disc) * market.vat_rate / (1 + market.vat_rate), digits) if market.tax_included \
                else round((gross - line_disc) * market.vat_rate, digits)
            items.append({"OrderItemId": f"{aid.replace('-', '')[-10:]}{j:02d}", "ASIN": cat.asin[p],
                          "SellerSKU": cat.sku(p, int(ob.variant[o, j])), "Title": cat.title[p], "QuantityOrdered": q,
                          "ItemPrice": {"CurrencyCode": cur, "Amount": money(gross, digits)},
                          "ItemTax": {"CurrencyCode": cur, "Amount": money(tax, digits)},
                          "PromotionDiscount": {"CurrencyCode": cur, "Amount": money(line_disc, digits)},
                          "ShippingPrice": {"CurrencyCode": cur, "Amount": money(0.0, digits)},
                          "ReferralFee": {"CurrencyCode": cur, "Amount": money(round(gross * 0.15, digits), digits)}})
        status, updated = "Unshipped", times["created"] + 1_800_000
        if ob.cancelled[o] and ctx.visible(times["cancelled"]):
            status, updated = "Canceled", max(times["cancelled"], updated)
        elif not ctx.cancelled_before_shipping(o) and ctx.visible(times["shipped"]):
            status, updated = "Shipped", times["shipped"]
        if not ctx.visible(updated):
            status, updated = "Pending", times["created"]
        afn = (int(rows["amazon_seq"][o]) % 7) != 0
        buyer = amazon_email_of(w, person)
        record = {
            "AmazonOrderId": aid, "PurchaseDate": ctx.utc(times["created"]), "LastUpdateDate": ctx.utc(updated),
            "OrderStatus": status, "MarketplaceId": market.amazon_marketplace_id,
            "SalesChannel": "Amazon." + market.amazon_domain.split("amazon.", 1)[1],
            "FulfillmentChannel": "AFN" if afn else "MFN",
            "OrderTotal": {"CurrencyCode": cur, "Amount": money(float(ob.total[o]), digits)},
            "BuyerInfo": {"BuyerEmail": buyer},
            "ShippingAddress": {"CountryCode": market.code, "City": w.pop.address(person)["city"]},
            "OrderItems": items,
        }
        ctx.identity.seen("amazon_buyer_id", buyer, person_label(person))
        ctx.mess.maybe_malform("amazon_sp/orders", aid, record, [
            ("unknown_currency", lambda r, u: bad_currency(r["OrderTotal"], "CurrencyCode", u)),
            ("unparseable_date", lambda r, u: bad_date(r, "PurchaseDate", u)),
        ], ordinal=int(rows["amazon_seq"][o]))
        ctx.add("amazon_sp/orders", updated, aid, record)
        # returns
        if ob.returned[o] and not ob.cancelled[o] and ctx.visible(times["return_started"]):
            lines = range(n_lines) if ob.return_all[o] else [int(ob.return_line[o])]
            refunded = ctx.visible(times["refunded"])
            upd = times["refunded"] if refunded else times["return_started"]
            for j in lines:
                p = int(ob.product[o, j])
                rid = f"R{aid.replace('-', '')}{j}"
                gross = float(ob.unit_price[o, j]) * int(ob.quantity[o, j])
                share = gross / sub if sub else 0.0
                rrec = {"ReturnId": rid, "AmazonOrderId": aid, "SellerSKU": cat.sku(p, int(ob.variant[o, j])),
                        "ASIN": cat.asin[p], "Quantity": int(ob.quantity[o, j]),
                        "ReturnDate": ctx.utc(times["return_started"]), "LastUpdateDate": ctx.utc(upd),
                        "Reason": "UNDELIVERABLE_UNKNOWN" if ob.lost[o] else RETURN_REASONS[(int(rows["amazon_seq"][o]) + j) % 5],
                        "Status": "Refunded" if refunded else "Requested",
                        "RefundAmount": {"CurrencyCode": cur, "Amount": money(
                            round(float(ob.refund_amount[o]) * (1.0 if not ob.return_all[o] else share), digits)
                            if refunded else 0.0, digits)}}
                ctx.add("amazon_sp/returns", upd, rid, rrec)
