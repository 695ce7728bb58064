"""Order economics: what a purchase contains and what it is finally worth.

Given the people who buy on a day (in any replicate), draws with common random numbers keyed by (day, person):
the basket (products, variants, quantities from the catalogue), the discount code used, shipping, tax (VAT
included or added per market), payment method, delivery time (regional disruptions), cancellation, return and
refund. The result's ``net_usd`` is the order's net revenue: items after discounts, excluding tax and shipping,
minus refunded items, zero if cancelled; converted to USD at the order day's rate.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fx import CURRENCY_INDEX
from .markets import MARKETS, MINOR_UNITS, PAYMENT_FAILURE_RATE, PAYMENT_PROVIDERS
from .rng import Stream, inverse_cdf

METHODS = tuple(PAYMENT_PROVIDERS)
DISCOUNT_NONE, DISCOUNT_REFERRAL, DISCOUNT_AFFILIATE, DISCOUNT_PROMO, DISCOUNT_WELCOME, DISCOUNT_AMAZON_PROMO = range(6)
SHOPIFY, AMAZON = 0, 1
LATE_DELIVERY_DAYS = 10
MAX_LINES = 3

_M = len(MARKETS)
MARKET_CURRENCY_INDEX = np.array([CURRENCY_INDEX.get(m.currency, CURRENCY_INDEX["USD"]) for m in MARKETS])
MARKET_VAT = np.array([m.vat_rate for m in MARKETS])
MARKET_TAX_INCLUDED = np.array([m.tax_included for m in MARKETS])
MARKET_DIGITS = np.array([MINOR_UNITS[m.currency] for m in MARKETS])
MARKET_BASE_DELIVERY = np.array([m.base_delivery_days for m in MARKETS])
METHOD_CUM = np.zeros((_M, len(METHODS)))
for _mi, _m in enumerate(MARKETS):
    METHOD_CUM[_mi] = np.cumsum([_m.payment_methods.get(x, 0.0) for x in METHODS])
METHOD_FAIL = np.array([PAYMENT_FAILURE_RATE[x] for x in METHODS])
COD = METHODS.index("cod")


def round_money(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
    scale = 10.0 ** digits
    return np.round(np.asarray(x) * scale) / scale


@dataclass
class OrderBatch:
    day: np.ndarray
    person: np.ndarray
    rep: np.ndarray
    platform: np.ndarray
    market: np.ndarray
    product: np.ndarray        # (k, 3) product index, -1 = no line
    variant: np.ndarray        # (k, 3)
    quantity: np.ndarray       # (k, 3)
    unit_price: np.ndarray     # (k, 3) displayed local price
    subtotal: np.ndarray       # sum of price x quantity (displayed, local)
    discount_kind: np.ndarray
    discount_ref: np.ndarray   # referrer person / creator index / promotion index
    discount: np.ndarray       # local
    shipping: np.ndarray
    tax: np.ndarray
    total: np.ndarray
    net_before_refunds: np.ndarray   # local, excl. tax
    payment_method: np.ndarray
    delivery_days: np.ndarray
    ship_day: np.ndarray
    delivered_day: np.ndarray
    cancelled: np.ndarray
    cancel_day: np.ndarray
    returned: np.ndarray
    return_all: np.ndarray           # whole order refunded (lost parcel or single-line return)
    return_line: np.ndarray          # line index returned (when not return_all)
    refund_day: np.ndarray
    refund_amount: np.ndarray        # money back to the customer (incl. tax), local
    refund_excl_tax: np.ndarray      # revenue reversed, local
    lost: np.ndarray
    net_usd: np.ndarray              # final net revenue in USD (after cancellation and refunds)
    net_before_refunds_usd: np.ndarray
    refund_excl_tax_usd: np.ndarray
    is_late: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def net_usd_visible(self, as_of_day: int) -> np.ndarray:
        """Net revenue as it is known at the end of ``as_of_day`` (later refunds/cancellations not yet booked)."""
        cancelled = self.cancelled & (self.cancel_day <= as_of_day)
        refunded = self.returned & ~self.cancelled & (self.refund_day <= as_of_day)
        return np.where(cancelled, 0.0, self.net_before_refunds_usd - np.where(refunded, self.refund_excl_tax_usd, 0.0))


def order_economics(world, day: int, person: np.ndarray, rep: np.ndarray, rep_key: np.ndarray, platform: np.ndarray,
                    first_order: np.ndarray, subscribed: np.ndarray, last_creator_day: np.ndarray,
                    last_creator: np.ndarray, last_referral_day: np.ndarray, last_referrer: np.ndarray) -> OrderBatch:
    rng, pop, cat, sc = world.rng, world.pop, world.catalogue, world.scenario
    k = len(person)
    market = pop.market[person].astype(np.int64)
    region = pop.region[person].astype(np.int64)

    draws = rng.keyed_block(Stream.BASKET, day, person, rep_key, width=64)

    def u(column: int) -> np.ndarray:
        return draws[:, column]

    # --- basket --------------------------------------------------------------------------------------------------
    cum_items = np.cumsum(sc["order_value"]["item_count_probs"])
    n_items = 1 + np.minimum(np.searchsorted(cum_items, u(1) * cum_items[-1], side="right"), 2)
    big = pop.basket_scale[person]
    n_items = np.where((n_items < 3) & (u(2) < np.clip((big - 1.0) * 0.4, 0, 0.6)), n_items + 1, n_items)
    pop_cum = cat.popularity_cumsum(day)
    product = np.full((k, MAX_LINES), -1, dtype=np.int64)
    variant = np.zeros((k, MAX_LINES), dtype=np.int64)
    qty = np.zeros((k, MAX_LINES), dtype=np.int64)
    extra_q = sc["order_value"]["extra_quantity_prob"]
    n_opts = np.array([len(o) for o in cat.variant_options])
    for line in range(MAX_LINES):
        has = n_items > line
        pick = inverse_cdf(u(10 + line), pop_cum)
        if line:
            dup = (product[:, :line] == pick[:, None]).any(axis=1)
            pick = np.where(dup, -1, pick)
            has = has & ~dup
        product[:, line] = np.where(has, pick, -1)
        variant[:, line] = np.where(has, (u(20 + line) * n_opts[np.maximum(pick, 0)]).astype(np.int64), 0)
        qty[:, line] = np.where(has, 1 + (u(30 + line) < extra_q * np.minimum(big, 2.5)), 0)
    # compact: valid lines first (a duplicate pick leaves a gap)
    order = np.argsort(product < 0, axis=1, kind="stable")
    product = np.take_along_axis(product, order, axis=1)
    variant = np.take_along_axis(variant, order, axis=1)
    qty = np.take_along_axis(qty, order, axis=1)
    price = np.where(product >= 0, cat.local_price[market[:, None], np.maximum(product, 0)], 0.0)
    digits = MARKET_DIGITS[market]
    subtotal = round_money((price * qty).sum(axis=1), digits)

    # --- discount ------------------------------------------------------------------------------------------------
    kind = np.zeros(k, dtype=np.int8)
    ref = np.full(k, -1, dtype=np.int64)
    pct = np.zeros(k)
    shopify = platform == SHOPIFY
    rf, cr, em = sc["referral"], sc["creators"], sc["email"]
    referral_ok = shopify & (day - last_referral_day <= 30) & (last_referrer >= 0) & (u(40) < rf["code_use_prob"])
    kind = np.where(referral_ok, DISCOUNT_REFERRAL, kind)
    ref = np.where(referral_ok, last_referrer, ref)
    pct = np.where(referral_ok, rf["referee_discount"], pct)
    free = kind == DISCOUNT_NONE
    aff_ok = free & shopify & (day - last_creator_day <= 7) & (last_creator >= 0) & (u(41) < cr["affiliate_code_use_prob"])
    kind = np.where(aff_ok, DISCOUNT_AFFILIATE, kind)
    ref = np.where(aff_ok, world.creators.post_creator[np.maximum(last_creator, 0)] if len(world.creators.post_creator)
                   else -1, ref)
    pct = np.where(aff_ok, cr["affiliate_discount"], pct)
    promo = world.promo_index[day, region]
    free = kind == DISCOUNT_NONE
    promo_p = world.promo_code_prob[np.maximum(promo, 0)] * (0.6 + 0.8 * pop.price_sensitivity[person])
    promo_ok = free & (promo >= 0) & (u(42) < promo_p)
    kind = np.where(promo_ok & shopify, DISCOUNT_PROMO, np.where(promo_ok, DISCOUNT_AMAZON_PROMO, kind))
    ref = np.where(promo_ok, promo, ref)
    pct = np.where(promo_ok, world.promo_discount[np.maximum(promo, 0)], pct)
    free = kind == DISCOUNT_NONE
    welcome_ok = free & shopify & first_order & subscribed & (u(43) < em["welcome_code_use_prob"])
    kind = np.where(welcome_ok, DISCOUNT_WELCOME, kind)
    pct = np.where(welcome_ok, em["welcome_discount"], pct)
    discount = round_money(subtotal * pct, digits)

    # --- tax, shipping, totals -------------------------------------------------------------------------------------
    vat = MARKET_VAT[market]
    incl = MARKET_TAX_INCLUDED[market]
    after_disc = subtotal - discount
    tax = round_money(np.where(incl, after_disc * vat / (1 + vat), after_disc * vat), digits)
    net = np.where(incl, after_disc - tax, after_disc)
    shipping = np.where(shopify & (subtotal < world.catalogue.free_shipping_local[market]),
                        world.catalogue.shipping_fee_local[market], 0.0)
    total = round_money(after_disc + shipping + np.where(incl, 0.0, tax), digits)

    # --- payment, delivery, cancellation, returns -----------------------------------------------------------------
    method = np.argmax(u(50)[:, None] * METHOD_CUM[market, -1:] < METHOD_CUM[market], axis=1)
    method = np.where(shopify, method, -1)
    base_days = MARKET_BASE_DELIVERY[market]
    extra = world.disruption_days[day, region]
    delivery = base_days + extra + (u(51) * 3).astype(np.int64) - 1 + np.where(platform == AMAZON, -1, 0)
    delivery = np.maximum(delivery, 1)
    ship_day = day + 1 + (u(52) < 0.3)
    delivered_day = ship_day + delivery
    lg = sc["logistics"]
    p_cancel = lg["cancel_prob"] + lg["cancel_prob_per_extra_day"] * extra
    cancelled = u(53) < p_cancel
    cancel_day = day + (u(54) < 0.5)
    cod_refused = shopify & (method == COD) & (u(55) < METHOD_FAIL[COD]) & ~cancelled
    cancelled = cancelled | cod_refused
    cancel_day = np.where(cod_refused, delivered_day, cancel_day)
    lost = ~cancelled & (u(56) < lg["lost_prob"])
    line_return = np.where(product >= 0, cat.return_rate[np.maximum(product, 0)], 0.0)
    p_return = line_return.max(axis=1) + lg["return_prob_per_late_day"] * np.maximum(0, delivery - 7)
    returned = ~cancelled & (lost | (u(57) < p_return))
    n_lines = (product >= 0).sum(axis=1)
    return_all = lost | (n_lines == 1)
    return_line = np.minimum((u(58) * n_lines).astype(np.int64), np.maximum(n_lines - 1, 0))
    line_gross = price * qty
    chosen = line_gross[np.arange(k), return_line]
    share = np.where(return_all, 1.0, np.divide(chosen, subtotal, out=np.zeros(k), where=subtotal > 0))
    refund_gross = round_money(after_disc * share, digits)  # items after discount, as displayed
    refund_excl = np.where(incl, round_money(refund_gross / (1 + vat), digits), refund_gross)
    refund_amount = np.where(incl, refund_gross, round_money(refund_gross * (1 + vat), digits))
    refund_day = np.where(lost, delivered_day + 10, delivered_day + 4 + (u(59) * 16).astype(np.int64))
    refund_excl = np.where(returned, refund_excl, 0.0)
    refund_amount = np.where(returned, refund_amount, 0.0)

    cur = MARKET_CURRENCY_INDEX[market]
    to_usd = world.fx.to_usd(1.0, cur, np.full(k, day))
    net_before_usd = net * to_usd
    refund_usd = refund_excl * to_usd
    net_usd = np.where(cancelled, 0.0, net_before_usd - refund_usd)
    return OrderBatch(
        day=np.full(k, day, dtype=np.int32), person=person, rep=rep, platform=platform, market=market,
        product=product, variant=variant, quantity=qty, unit_price=price, subtotal=subtotal, discount_kind=kind,
        discount_ref=ref, discount=discount, shipping=shipping, tax=tax, total=total, net_before_refunds=net,
        payment_method=method, delivery_days=delivery, ship_day=ship_day, delivered_day=delivered_day,
        cancelled=cancelled, cancel_day=cancel_day, returned=returned, return_all=return_all,
        return_line=return_line, refund_day=refund_day, refund_amount=refund_amount, refund_excl_tax=refund_excl,
        lost=lost, net_usd=net_usd, net_before_refunds_usd=net_before_usd, refund_excl_tax_usd=refund_usd,
        is_late=delivery > LATE_DELIVERY_DAYS,
    )
