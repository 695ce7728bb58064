"""Daily ad-platform metrics derived from the real clicks and spend, and the conversions the platforms claim.

* Spend: the true daily spend of (channel, market, UTC day) is shared equally by that day's clicks (a day without
  clicks books its spend on the channel's first ad in the region, with impressions only). Each click is reported on
  the *account-local* date of its time and priced in the account currency at the UTC day's FX rate. Only complete
  local days are shown at as_of.
* Claims (over-counting on purpose): Google claims Shopify orders with a Google click in the last 30 days (+ modeled
  duplicates); Meta / TikTok claim click-through (7 days) and view-through (a random share of all orders in markets
  they run in); Amazon Ads claims Amazon orders after an Amazon Ads click (7 days) plus a halo share of orders
  containing an advertised product. Claims are dated on the order's local date (conversion-time reporting).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..clock import MS_PER_DAY, last_complete_local_day, offsets_by_day
from ..fx import CURRENCY_INDEX
from ..markets import MARKETS
from ..purchases import AMAZON, SHOPIFY
from ..rng import Stream, inverse_cdf
from ..scenario import PAID_MEDIA_CHANNELS
from ..world import CH
from .context import RenderContext

PLATFORM_OF_CHANNEL = {"paid_search": "google_ads", "shopping": "google_ads", "paid_social_meta": "meta_ads",
                       "paid_social_tiktok": "tiktok_ads", "amazon_ads": "amazon_ads"}
BASE_CTR = {"paid_search": 0.045, "shopping": 0.012, "paid_social_meta": 0.009, "paid_social_tiktok": 0.007,
            "amazon_ads": 0.004}
CPM_USD = {"paid_search": 18.0, "shopping": 9.0, "paid_social_meta": 8.0, "paid_social_tiktok": 5.0, "amazon_ads": 6.0}


def _clicks(ctx: RenderContext) -> pd.DataFrame:
    s = ctx.rec.tables["sessions"]
    paid = np.isin(s["channel"], [CH[c] for c in PAID_MEDIA_CHANNELS if c != "amazon_ads"]) & (s["ad"] >= 0)
    web = pd.DataFrame({"day": s["day"][paid].astype(np.int64), "tod": s["tod"][paid].astype(np.int64),
                        "person": s["person"][paid].astype(np.int64), "channel": s["channel"][paid].astype(np.int64),
                        "ad": s["ad"][paid].astype(np.int64), "publisher": s["publisher"][paid].astype(np.int64)})
    a = ctx.rec.tables.get("amazon_clicks") or {}
    amz = pd.DataFrame({"day": np.asarray(a.get("day", []), dtype=np.int64), "tod": np.asarray(a.get("tod", []), dtype=np.int64),
                        "person": np.asarray(a.get("person", []), dtype=np.int64),
                        "channel": np.full(len(a.get("day", [])), CH["amazon_ads"], dtype=np.int64),
                        "ad": np.asarray(a.get("ad", []), dtype=np.int64),
                        "publisher": np.zeros(len(a.get("day", [])), dtype=np.int64)})
    web.loc[web["channel"] != CH["paid_social_meta"], "publisher"] = 0  # facebook / instagram split is Meta-only
    df = pd.concat([web, amz[amz["ad"] >= 0]], ignore_index=True)
    df["market"] = ctx.world.pop.market[df["person"].to_numpy()].astype(np.int64)
    return df


def _spend_rows(ctx: RenderContext, clicks: pd.DataFrame) -> pd.DataFrame:
    """Every click with its cost, plus filler rows for spend on days without clicks."""
    w, ads = ctx.world, ctx.ads
    media = w.media
    n_days = ctx.as_of + 1
    pch = {CH[c]: i for i, c in enumerate(PAID_MEDIA_CHANNELS)}
    clicks = clicks[clicks["day"] < n_days].copy()
    clicks["p"] = clicks["channel"].map(pch)
    counts = clicks.groupby(["p", "market", "day"]).size()
    spend = media.spend[:, :, :n_days]
    idx = counts.index
    n = counts.reindex(pd.MultiIndex.from_arrays([clicks["p"], clicks["market"], clicks["day"]])).to_numpy()
    clicks["cost_usd"] = spend[clicks["p"].to_numpy(), clicks["market"].to_numpy(), clicks["day"].to_numpy()] / n
    clicks["clicks"] = 1
    have = set(zip(idx.get_level_values(0), idx.get_level_values(1), idx.get_level_values(2)))
    fillers = []
    for p, ch in enumerate(PAID_MEDIA_CHANNELS):
        for m in range(len(MARKETS)):
            row = spend[p, m]
            for d in np.flatnonzero(row > 0):
                if (p, m, int(d)) in have:
                    continue
                if ch == "amazon_ads":
                    key = (ch, MARKETS[m].code)
                    table = ads.by_channel_market
                else:
                    key = (ch, MARKETS[m].region)
                    table = ads.by_channel_region
                if key not in table:
                    continue
                fillers.append((int(d), 43_200_000, -1, CH[ch], int(table[key][0][0]), 0, m, p, float(row[d]), 0))
    if fillers:
        f = pd.DataFrame(fillers, columns=["day", "tod", "person", "channel", "ad", "publisher", "market", "p",
                                           "cost_usd", "clicks"])
        clicks = pd.concat([clicks, f], ignore_index=True)
    return clicks


def _account_frame(ctx: RenderContext) -> pd.DataFrame:
    ads = ctx.ads
    acc_of_ad = np.array([ads.campaigns[ads.adgroups[a.adgroup].campaign].account for a in ads.ads])
    return acc_of_ad


def _local_dates(ctx: RenderContext, ad: np.ndarray, instant_ms: np.ndarray) -> np.ndarray:
    ads, w = ctx.ads, ctx.world
    acc = _account_frame(ctx)[ad]
    out = np.zeros(len(ad), dtype=np.int64)
    n_days = w.total_days
    for ai in np.unique(acc):
        sel = acc == ai
        offs = offsets_by_day(ads.accounts[ai].timezone, w.cal, n_days)
        inst = instant_ms[sel]
        day = np.clip(inst // MS_PER_DAY, 0, n_days - 1)
        out[sel] = (inst + offs[day]) // MS_PER_DAY
    return out


def _to_account_currency(ctx: RenderContext, ad: np.ndarray, usd: np.ndarray, day: np.ndarray) -> np.ndarray:
    ads, fx = ctx.ads, ctx.world.fx
    acc = _account_frame(ctx)[ad]
    cur = np.array([CURRENCY_INDEX[ads.accounts[a].currency] for a in acc], dtype=np.int64)
    return fx.from_usd(usd, cur, np.clip(day, 0, fx.per_eur.shape[0] - 1))


def _claims(ctx: RenderContext, clicks: pd.DataFrame) -> pd.DataFrame:
    w, ads, ob, rows = ctx.world, ctx.ads, ctx.orders, ctx.order_rows
    if ob is None:
        return pd.DataFrame(columns=["ad", "instant", "market", "conversions", "value_local", "publisher"])
    pr = w.scenario["platform_reporting"]
    order_ms = rows["day"].astype(np.int64) * MS_PER_DAY + rows["tod"].astype(np.int64)
    out = []
    u = w.rng.keyed_block(Stream.PLATFORM_CLAIMS, 0, np.arange(len(ob.day)), width=8)
    groups = (("google_ads", [CH["paid_search"], CH["shopping"]], SHOPIFY, pr["google_click_window_days"], 0.0, "google"),
              ("meta_ads", [CH["paid_social_meta"]], SHOPIFY, pr["meta_click_window_days"], pr["meta_view_through_prob"], "meta"),
              ("tiktok_ads", [CH["paid_social_tiktok"]], SHOPIFY, pr["tiktok_click_window_days"], pr["tiktok_view_through_prob"], "tiktok"),
              ("amazon_ads", [CH["amazon_ads"]], AMAZON, pr["amazon_click_window_days"], 0.0, "amazon"))
    for gi, (platform, chans, plat, window, view_prob, name) in enumerate(groups):
        c = clicks[clicks["channel"].isin(chans) & (clicks["person"] >= 0)]
        c = c.assign(instant=c["day"] * MS_PER_DAY + c["tod"]).sort_values(["person", "instant"], kind="stable")
        key = c["person"].to_numpy() * (10**12) + c["instant"].to_numpy()
        sel = np.flatnonzero(ob.platform == plat)
        okey = ob.person[sel].astype(np.int64) * (10**12) + order_ms[sel]
        pos = np.searchsorted(key, okey, side="right") - 1
        valid = pos >= 0
        cp = np.where(valid, c["person"].to_numpy()[np.maximum(pos, 0)] if len(c) else -1, -1)
        ci = np.where(valid, c["instant"].to_numpy()[np.maximum(pos, 0)] if len(c) else 0, 0)
        hit = valid & (cp == ob.person[sel]) & (order_ms[sel] - ci <= window * MS_PER_DAY)
        claim_ad = np.where(hit, c["ad"].to_numpy()[np.maximum(pos, 0)] if len(c) else -1, -1)
        claim_pub = np.where(hit, c["publisher"].to_numpy()[np.maximum(pos, 0)] if len(c) else 0, 0)
        # view-through / halo claims
        if name in ("meta", "tiktok"):
            ch = PAID_MEDIA_CHANNELS[[CH[x] for x in PAID_MEDIA_CHANNELS].index(chans[0])]
            view = ~hit & (u[sel, gi] < view_prob)
            for i in np.flatnonzero(view):
                region = MARKETS[int(ob.market[sel[i]])].region
                key_r = (ch, region)
                if key_r in ads.by_channel_region:
                    idx, cum = ads.by_channel_region[key_r]
                    claim_ad[i] = idx[inverse_cdf(np.array([u[sel[i], 4]]), cum)[0]]
                    claim_pub[i] = int(u[sel[i], 5] < 0.45) if name == "meta" else 0
        if name == "amazon":
            halo = ~hit & (u[sel, gi] < pr["amazon_halo_prob"])
            for i in np.flatnonzero(halo):
                o = sel[i]
                code = MARKETS[int(ob.market[o])].code
                products = [int(p) for p in ob.product[o] if p >= 0 and w.catalogue.amazon_advertised[p]]
                if not products or ("amazon_ads", code) not in ads.by_channel_market:
                    continue
                idx, _ = ads.by_channel_market[("amazon_ads", code)]
                match = [a for a in idx if ads.ads[a].product == products[0]]
                if match:
                    claim_ad[i] = match[0]
        got = claim_ad >= 0
        conv = np.ones(int(got.sum()))
        if name == "google":  # modeled (cross-device) conversions double-count some click-through ones
            conv = conv + (u[sel[got], 6] < pr["google_modeled_conversion_share"]) * 1.0
        o = sel[got]
        value_usd = w.fx.to_usd(ob.total[o], _market_currency(ob.market[o]), ob.day[o])  # the pixel's order value
        out.append(pd.DataFrame({"ad": claim_ad[got], "instant": order_ms[o], "market": ob.market[o].astype(np.int64),
                                 "conversions": conv, "value_usd": value_usd * conv, "day": ob.day[o].astype(np.int64),
                                 "publisher": claim_pub[got]}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def _market_currency(market: np.ndarray) -> np.ndarray:
    return np.array([CURRENCY_INDEX[MARKETS[int(m)].currency] for m in market], dtype=np.int64)


def build_report_rows(ctx: RenderContext) -> pd.DataFrame:
    """One row per (ad, account-local date, country, publisher) with clicks, cost, impressions and claims."""
    w, ads = ctx.world, ctx.ads
    clicks = _clicks(ctx)
    spend = _spend_rows(ctx, clicks)
    spend["instant"] = spend["day"] * MS_PER_DAY + spend["tod"]
    spend["local_date"] = _local_dates(ctx, spend["ad"].to_numpy(), spend["instant"].to_numpy())
    spend["cost"] = _to_account_currency(ctx, spend["ad"].to_numpy(), spend["cost_usd"].to_numpy(), spend["day"].to_numpy())
    agg = spend.groupby(["ad", "local_date", "market", "publisher"], as_index=False).agg(
        clicks=("clicks", "sum"), cost=("cost", "sum"), cost_usd=("cost_usd", "sum"))
    claims = _claims(ctx, clicks)
    if len(claims):
        claims["local_date"] = _local_dates(ctx, claims["ad"].to_numpy(), claims["instant"].to_numpy())
        claims["value"] = _to_account_currency(ctx, claims["ad"].to_numpy(), claims["value_usd"].to_numpy(),
                                               claims["day"].to_numpy())
        cagg = claims.groupby(["ad", "local_date", "market", "publisher"], as_index=False).agg(
            conversions=("conversions", "sum"), conversions_value=("value", "sum"))
        agg = agg.merge(cagg, on=["ad", "local_date", "market", "publisher"], how="outer")
    else:
        agg["conversions"] = 0.0
        agg["conversions_value"] = 0.0
    agg = agg.fillna({"clicks": 0, "cost": 0.0, "cost_usd": 0.0, "conversions": 0.0, "conversions_value": 0.0})
    # impressions from a per-ad click-through rate (with daily noise); rows without clicks from CPM
    channel = np.array([ads.ads[a].channel for a in agg["ad"]])
    ctr = np.array([BASE_CTR[c] for c in channel])
    cpm = np.array([CPM_USD[c] for c in channel])
    key = agg["ad"].to_numpy() * 100_000 + (agg["local_date"].to_numpy() + 1000) * 100 + agg["market"].to_numpy()
    u = w.rng.keyed_block(Stream.CAMPAIGNS, 1, key, width=2)
    ctr = ctr * (0.6 + 0.8 * u[:, 0])
    impressions = np.where(agg["clicks"] > 0, np.round(agg["clicks"] / ctr),
                           np.round(agg["cost_usd"] / cpm * 1000 * (0.8 + 0.4 * u[:, 1])))
    impressions = np.maximum(impressions, np.where(agg["conversions"] > 0, 1 + 40 * agg["conversions"], 0))
    agg["impressions"] = np.maximum(impressions, agg["clicks"]).astype(np.int64)
    # visibility: complete account-local days only
    acc = _account_frame(ctx)[agg["ad"].to_numpy()]
    last = {ai: last_complete_local_day(ctx.as_of, ads.accounts[ai].timezone, w.cal) for ai in np.unique(acc)}
    agg = agg[agg["local_date"].to_numpy() <= np.array([last[a] for a in acc])]
    agg = agg[(agg["impressions"] > 0) | (agg["clicks"] > 0) | (agg["cost"] > 0)]
    agg["platform"] = [PLATFORM_OF_CHANNEL[ads.ads[a].channel] for a in agg["ad"]]
    return agg.sort_values(["platform", "local_date", "ad", "market", "publisher"], kind="stable").reset_index(drop=True)
