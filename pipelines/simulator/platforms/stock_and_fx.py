"""Daily inventory per SKU and warehouse (with reorders, lead times and stock-outs) and the ECB-style FX file."""
from __future__ import annotations

import numpy as np

from ..fx import CURRENCY_INDEX
from ..markets import FX_CURRENCIES, MARKETS, WAREHOUSES
from ..purchases import AMAZON
from ..rng import Stream
from .context import RenderContext

WAREHOUSE_IDS = tuple(WAREHOUSES)
LEAD_DAYS = (12, 24)
COVER_DAYS = 45
MIN_ORDER_UNITS = 12  # supplier minimum order quantity


def render_inventory(ctx: RenderContext) -> None:
    """Stock follows real shipments; a reorder (trailing-demand based, so append-a-day safe) arrives after a lead time.

    Demand above stock is back-ordered (on_hand stays at 0): stock-outs do not suppress orders in this world."""
    w, ob, rows = ctx.world, ctx.orders, ctx.order_rows
    cat = w.catalogue
    skus = [(p, v) for p in range(cat.n) for v in range(len(cat.variant_options[p]))]
    sku_index = {s: i for i, s in enumerate(skus)}
    S, H, D = len(skus), len(WAREHOUSE_IDS), ctx.as_of + 1
    demand = np.zeros((D, S, H))
    wh_of_market = np.array([WAREHOUSE_IDS.index(m.warehouse) for m in MARKETS])
    if ob is not None:
        afn = (ob.platform == AMAZON) & ((rows["amazon_seq"] % 7) != 0)
        for o in np.flatnonzero(~afn):
            d = int(ob.day[o])
            h = wh_of_market[int(ob.market[o])]
            for j in range(3):
                p = int(ob.product[o, j])
                if p >= 0:
                    demand[d, sku_index[(p, int(ob.variant[o, j]))], h] += int(ob.quantity[o, j])
    u = w.rng.keyed_block(Stream.INVENTORY, 0, np.arange(S * H), width=4).reshape(S, H, 4)
    expected = np.array([cat.popularity[p] / len(cat.variant_options[p]) for p, _ in skus])
    # planning estimate of daily units per SKU and warehouse (~9 units per 1 000 people per day)
    expected = (expected / expected.sum() * 9.0 * w.pop.n / 1000)[:, None] * np.array([0.45, 0.35, 0.2])[None, :]
    # a few SKUs start under-stocked so stock-outs happen
    start_cover = np.where(u[:, :, 0] < 0.12, 3 + 5 * u[:, :, 1], 25 + 20 * u[:, :, 1])
    on_hand = np.maximum(np.round(expected * start_cover), np.where(u[:, :, 0] < 0.12, 0, MIN_ORDER_UNITS))
    inbound = np.zeros((S, H))
    arrivals: dict[int, np.ndarray] = {}
    trailing = np.repeat(expected[None], 28, axis=0)
    for d in range(D):
        if d in arrivals:
            on_hand += arrivals.pop(d)
            inbound = np.maximum(inbound - 0, 0)
        avg = trailing.mean(axis=0)
        safety = np.maximum(np.ceil(avg * 7), 2)
        on_hand = on_hand - demand[d]
        backorder = on_hand < 0
        on_hand = np.where(backorder, 0, on_hand)
        reserved = np.minimum(np.round(demand[d] * 0.4), on_hand)
        pending = sum(arrivals.values()) if arrivals else np.zeros((S, H))
        reorder = (on_hand + pending < safety * 3) & (avg > 0)
        if reorder.any():
            lead = LEAD_DAYS[0] + (w.rng.keyed(Stream.INVENTORY, d, np.arange(S * H)).reshape(S, H)
                                    * (LEAD_DAYS[1] - LEAD_DAYS[0])).astype(int)
            qty = np.where(reorder, np.maximum(np.ceil(avg * COVER_DAYS), MIN_ORDER_UNITS), 0)
            for lt in np.unique(lead[reorder]):
                m = reorder & (lead == lt)
                arrivals.setdefault(d + int(lt), np.zeros((S, H)))
                arrivals[d + int(lt)] += np.where(m, qty, 0)
        pending = sum(arrivals.values()) if arrivals else np.zeros((S, H))
        trailing = np.concatenate([trailing[1:], demand[d][None]], axis=0)
        date = ctx.date(d)
        day_ms = d * 86_400_000
        for s in range(S):
            p, v = skus[s]
            if cat.launch_day[p] > d:
                continue
            sku = cat.sku(p, v)
            for h in range(H):
                key = f"{date}|{sku}|{WAREHOUSE_IDS[h]}"
                record = {"date": date, "sku": sku, "product_id": int(cat.product_id[p]), "warehouse_id": WAREHOUSE_IDS[h],
                          "on_hand": int(on_hand[s, h]), "reserved": int(reserved[s, h]), "inbound": int(pending[s, h]),
                          "safety_stock": int(safety[s, h])}
                ctx.mess.maybe_malform("inventory/stock_levels", key, record, [
                    ("wrong_type", lambda r, uu: r.__setitem__("on_hand", "n/a")),
                ])
                ctx.add("inventory/stock_levels", day_ms, key, record)


def fx_csv(ctx: RenderContext) -> str:
    """ECB-style wide CSV, newest first; a few published cells are N/A (mess)."""
    w = ctx.world
    currencies = FX_CURRENCIES
    lines = ["Date," + ",".join(currencies) + ","]
    missing = 0
    rate = w.scenario["mess"]["fx_missing_rate"] if ctx.mess.enabled else 0.0
    for d in range(ctx.as_of, -1, -1):
        u = w.rng.keyed(Stream.FX, d, np.arange(len(currencies)), salt=3)
        cells = []
        for j, c in enumerate(currencies):
            if u[j] < rate:
                cells.append("N/A")
                missing += 1
                ctx.mess.count("fx_missing_cells", c)
            else:
                v = w.fx.per_eur[d, CURRENCY_INDEX[c]]
                cells.append(f"{v:.4f}")
        lines.append(ctx.date(d) + "," + ",".join(cells) + ",")
    return "\n".join(lines) + "\n"
