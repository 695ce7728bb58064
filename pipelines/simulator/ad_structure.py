"""Ad accounts, campaigns, ad groups / ad sets and ads on Google, Meta, TikTok and Amazon Ads.

Each paid channel's clicks in a region are spread over that region's ads by fixed weights; each account has its own
currency and timezone (reports are dated in the account's timezone and priced in its currency).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .markets import MARKETS
from .rng import Rng, Stream


@dataclass
class Account:
    platform: str
    id: str
    name: str
    currency: str
    timezone: str
    regions: tuple[str, ...]
    markets: tuple[str, ...] = ()


@dataclass
class Campaign:
    platform: str
    account: int
    id: str
    name: str
    kind: str        # SEARCH_BRAND / SEARCH_GENERIC / SHOPPING / PROSPECTING / RETARGETING / CONVERSIONS / SP_AUTO ...
    region: str
    market: str | None = None


@dataclass
class AdGroup:
    campaign: int
    id: str
    name: str
    keyword: str | None = None


@dataclass
class Ad:
    platform: str
    channel: str
    adgroup: int
    id: str
    name: str
    weight: float
    region: str
    market: str | None = None    # Amazon Ads: the marketplace
    product: int = -1            # advertised product (Shopping, Amazon SP)
    creative: int = -1           # Meta creative index


@dataclass
class Creative:
    id: str
    name: str
    object_type: str
    creator_handle: str | None
    account: int


@dataclass
class AdStructure:
    accounts: list[Account] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    adgroups: list[AdGroup] = field(default_factory=list)
    ads: list[Ad] = field(default_factory=list)
    creatives: list[Creative] = field(default_factory=list)
    # (channel, region) -> (ad indices, cumulative weights)
    by_channel_region: dict = field(default_factory=dict)
    # (channel, market) -> ad indices (Amazon Ads is per marketplace)
    by_channel_market: dict = field(default_factory=dict)

    def account_of_ad(self, ad: int) -> Account:
        return self.accounts[self.campaigns[self.adgroups[self.ads[ad].adgroup].campaign].account]

    def campaign_of_ad(self, ad: int) -> Campaign:
        return self.campaigns[self.adgroups[self.ads[ad].adgroup].campaign]


def _digits(rng: Rng, salt: int, n: int, width: int) -> list[str]:
    h = rng.keyed_int(Stream.CAMPAIGNS, 0, np.arange(n), salt=salt)
    lo = 10 ** (width - 1)
    return [str(lo + int(v % (9 * lo))) for v in h]


class _Ids:
    """Stable numeric ids by position: ids[i] for any i."""

    def __init__(self, rng: Rng, salt: int, width: int) -> None:
        self.rng, self.salt, self.width = rng, salt, width

    def __getitem__(self, i: int) -> str:
        return _digits_one(self.rng, self.salt, int(i), self.width)


def _digits_one(rng: Rng, salt: int, i: int, width: int) -> str:
    v = int(rng.keyed_int(Stream.CAMPAIGNS, 0, [i], salt=salt)[0])
    lo = 10 ** (width - 1)
    return str(lo + v % (9 * lo))


_KEYWORDS = {"SEARCH_BRAND": ("kumo and co", "kumo shop"), "SEARCH_GENERIC": ("linen shirt", "minimal hoodie"),
             "SHOPPING": (None, None)}


def build_ad_structure(rng: Rng, catalogue, creators, ugc_share: float) -> AdStructure:
    s = AdStructure()
    # ---- Google Ads: one account per region -------------------------------------------------------------------
    g_accounts = {"NA": ("USD", "America/New_York"), "EU": ("EUR", "Europe/Berlin"), "UK": ("GBP", "Europe/London"),
                  "JPKR": ("JPY", "Asia/Tokyo"), "SEA": ("SGD", "Asia/Singapore"),
                  "LATAM": ("BRL", "America/Sao_Paulo"), "MENA": ("AED", "Asia/Dubai")}
    ids = _digits(rng, 1, len(g_accounts), 10)
    top_products = list(np.argsort(-catalogue.popularity)[:4])
    for k, (region, (cur, tz)) in enumerate(g_accounts.items()):
        s.accounts.append(Account("google_ads", ids[k], f"Kumo {region}", cur, tz, (region,)))
    _google(s, rng, top_products)
    # ---- Meta: three ad accounts --------------------------------------------------------------------------------
    m_accounts = (("USD", "America/Los_Angeles", ("NA", "LATAM")), ("EUR", "Europe/Dublin", ("EU", "UK")),
                  ("SGD", "Asia/Singapore", ("JPKR", "SEA", "MENA")))
    ids = _digits(rng, 2, len(m_accounts), 15)
    for k, (cur, tz, regions) in enumerate(m_accounts):
        s.accounts.append(Account("meta_ads", ids[k], f"Kumo Meta {'/'.join(regions)}", cur, tz, regions))
    _meta(s, rng, creators, ugc_share)
    # ---- TikTok: two advertisers ----------------------------------------------------------------------------------
    t_accounts = (("USD", "Etc/GMT", ("NA", "EU", "UK", "LATAM", "MENA")), ("SGD", "Asia/Singapore", ("JPKR", "SEA")))
    ids = _digits(rng, 3, len(t_accounts), 19)
    for k, (cur, tz, regions) in enumerate(t_accounts):
        s.accounts.append(Account("tiktok_ads", ids[k], f"Kumo TikTok {'/'.join(regions)}", cur, tz, regions))
    _tiktok(s, rng)
    # ---- Amazon Ads: one profile per marketplace ------------------------------------------------------------------
    amz_markets = [m for m in MARKETS if m.amazon_marketplace_id]
    ids = _digits(rng, 4, len(amz_markets), 16)
    for k, m in enumerate(amz_markets):
        s.accounts.append(Account("amazon_ads", ids[k], f"Kumo {m.code}", m.currency, m.timezone, (m.region,), (m.code,)))
    _amazon(s, rng, catalogue)
    # ---- lookup tables -------------------------------------------------------------------------------------------
    groups: dict = {}
    for i, ad in enumerate(s.ads):
        key = (ad.channel, ad.market) if ad.platform == "amazon_ads" else (ad.channel, ad.region)
        groups.setdefault(key, []).append(i)
    for key, idx in groups.items():
        w = np.array([s.ads[i].weight for i in idx])
        target = s.by_channel_market if s.ads[idx[0]].platform == "amazon_ads" else s.by_channel_region
        target[key] = (np.array(idx), np.cumsum(w))
    return s


def _google(s: AdStructure, rng: Rng, top_products: list[int]) -> None:
    accounts = [i for i, a in enumerate(s.accounts) if a.platform == "google_ads"]
    kinds = (("SEARCH_BRAND", "Search | Brand", "paid_search", 0.45), ("SEARCH_GENERIC", "Search | Generic",
             "paid_search", 0.55), ("SHOPPING", "Shopping | All products", "shopping", 1.0))
    n_c = len(accounts) * len(kinds)
    c_ids = _Ids(rng, 11, 11)
    g_ids = _Ids(rng, 12, 12)
    a_ids = _Ids(rng, 13, 12)
    for ai in accounts:
        region = s.accounts[ai].regions[0]
        for kind, label, channel, weight in kinds:
            ci = len(s.campaigns)
            s.campaigns.append(Campaign("google_ads", ai, c_ids[ci], f"{region} | {label}", kind, region))
            for g in range(2):
                gi = len(s.adgroups)
                kw = _KEYWORDS[kind][g]
                name = f"{label.split('|')[-1].strip()} {g + 1}" if kind != "SHOPPING" else f"Product group {g + 1}"
                s.adgroups.append(AdGroup(ci, g_ids[gi], name, kw))
                for a in range(2):
                    idx = len(s.ads)
                    product = top_products[(g * 2 + a) % len(top_products)] if kind == "SHOPPING" else -1
                    s.ads.append(Ad("google_ads", channel, gi, a_ids[idx], f"{region} {kind.lower()} ad {g + 1}.{a + 1}",
                                    weight * (0.6 if a else 0.4) * (0.55 if g else 0.45), region, product=product))


def _meta(s: AdStructure, rng: Rng, creators, ugc_share: float) -> None:
    accounts = [i for i, a in enumerate(s.accounts) if a.platform == "meta_ads"]
    ugc = [k for k in range(len(creators.handle)) if creators.tier[k] == 2]
    pairs = [(ai, r) for ai in accounts for r in s.accounts[ai].regions]
    c_ids = _Ids(rng, 21, 18)
    g_ids = _Ids(rng, 22, 18)
    a_ids = _Ids(rng, 23, 18)
    cr_ids = _Ids(rng, 24, 18)
    for ai, region in pairs:
        for kind, label, w_c in (("PROSPECTING", "Prospecting", 0.7), ("RETARGETING", "Retargeting", 0.3)):
            ci = len(s.campaigns)
            s.campaigns.append(Campaign("meta_ads", ai, c_ids[ci], f"{label} | {region}", kind, region))
            audiences = (("Broad", 0.6), ("Lookalike 1%", 0.4)) if kind == "PROSPECTING" else \
                (("Site visitors 30d", 0.7), ("Buyers 180d", 0.3))
            for g, (aud, w_g) in enumerate(audiences):
                gi = len(s.adgroups)
                s.adgroups.append(AdGroup(ci, g_ids[gi], f"{region} | {aud}"))
                for a in range(2):
                    idx = len(s.ads)
                    u = rng.scalar(Stream.CAMPAIGNS, 24, idx)
                    is_ugc = bool(ugc) and u < ugc_share
                    handle = creators.handle[ugc[idx % len(ugc)]] if is_ugc else None
                    obj = "VIDEO" if (is_ugc or a == 0) else "PHOTO"
                    cri = len(s.creatives)
                    name = f"UGC {handle}" if is_ugc else f"{('Studio video', 'Lookbook photo')[a]} {region} {g + 1}"
                    s.creatives.append(Creative(cr_ids[cri], name, obj, handle, ai))
                    s.ads.append(Ad("meta_ads", "paid_social_meta", gi, a_ids[idx], f"{name} | {aud}",
                                    w_c * w_g * (0.55 if a == 0 else 0.45), region, creative=cri))


def _tiktok(s: AdStructure, rng: Rng) -> None:
    accounts = [i for i, a in enumerate(s.accounts) if a.platform == "tiktok_ads"]
    pairs = [(ai, r) for ai in accounts for r in s.accounts[ai].regions]
    c_ids = _Ids(rng, 31, 19)
    g_ids = _Ids(rng, 32, 19)
    a_ids = _Ids(rng, 33, 19)
    for ai, region in pairs:
        ci = len(s.campaigns)
        s.campaigns.append(Campaign("tiktok_ads", ai, c_ids[ci], f"{region} | Web conversions", "CONVERSIONS", region))
        for g, aud in enumerate(("Broad 18-34", "Interest: fashion")):
            gi = len(s.adgroups)
            s.adgroups.append(AdGroup(ci, g_ids[gi], f"{region} | {aud}"))
            for a in range(2):
                idx = len(s.ads)
                s.ads.append(Ad("tiktok_ads", "paid_social_tiktok", gi, a_ids[idx],
                                f"{region} spark ad {g + 1}.{a + 1}", (0.6 if g == 0 else 0.4) * (0.5 + 0.1 * a), region))


def _amazon(s: AdStructure, rng: Rng, catalogue) -> None:
    accounts = [i for i, a in enumerate(s.accounts) if a.platform == "amazon_ads"]
    advertised = list(np.flatnonzero(catalogue.amazon_advertised))
    c_ids = _Ids(rng, 41, 15)
    g_ids = _Ids(rng, 42, 15)
    for ai in accounts:
        market = s.accounts[ai].markets[0]
        region = s.accounts[ai].regions[0]
        for kind, label, w_c in (("SP_AUTO", "SP | Auto", 0.6), ("SP_MANUAL_BRAND", "SP | Manual | Brand", 0.4)):
            ci = len(s.campaigns)
            s.campaigns.append(Campaign("amazon_ads", ai, c_ids[ci], f"{market} {label}", kind, region, market))
            gi = len(s.adgroups)
            s.adgroups.append(AdGroup(ci, g_ids[gi], f"{market} {label} | ad group"))
            for rank, p in enumerate(advertised):
                s.ads.append(Ad("amazon_ads", "amazon_ads", gi, f"{g_ids[gi]}-{p}", catalogue.title[p],
                                w_c * catalogue.popularity[p], region, market=market, product=int(p)))
