"""Entity and report records of Google Ads, Meta, TikTok and Amazon Ads (shapes per docs/contract.md §5)."""
from __future__ import annotations

import numpy as np

from ..clock import MS_PER_DAY
from ..markets import MARKET_BY_CODE, MARKETS, MINOR_UNITS
from ..mess import bad_currency, bad_date
from .ad_reports import build_report_rows
from .context import RenderContext

ENTITY_CREATED_DAY = -120  # accounts and campaigns existed before the simulated period


def _fmt(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def render(ctx: RenderContext) -> None:
    ads = ctx.ads
    rows = build_report_rows(ctx)
    _google_entities(ctx)
    _meta_entities(ctx)
    _tiktok_entities(ctx)
    _amazon_entities(ctx)
    seen_per_platform: dict[str, int] = {}
    for r in rows.itertuples(index=False):
        ordinal = seen_per_platform.get(r.platform, 0)
        seen_per_platform[r.platform] = ordinal + 1
        ad = ads.ads[int(r.ad)]
        account = ads.account_of_ad(int(r.ad))
        campaign = ads.campaign_of_ad(int(r.ad))
        group = ads.adgroups[ad.adgroup]
        date = ctx.date(int(r.local_date))
        country = MARKETS[int(r.market)].code
        digits = MINOR_UNITS[account.currency]
        day_ms = int(r.local_date) * MS_PER_DAY
        if r.platform == "google_ads":
            rec = {"customer": {"id": account.id, "currencyCode": account.currency, "timeZone": account.timezone},
                   "campaign": {"id": campaign.id, "name": campaign.name,
                                "advertisingChannelType": "SHOPPING" if campaign.kind == "SHOPPING" else "SEARCH"},
                   "adGroup": {"id": group.id}, "adGroupAd": {"ad": {"id": ad.id}},
                   "segments": {"date": date, "geoTargetCountry": country},
                   "metrics": {"costMicros": str(int(round(r.cost * 1_000_000))), "impressions": str(int(r.impressions)),
                               "clicks": str(int(r.clicks)), "conversions": round(float(r.conversions), 2),
                               "conversionsValue": round(float(r.conversions_value), 2)}}
            key = f"{date}|{ad.id}|{country}"
            ctx.mess.maybe_malform("google_ads/ad_metrics_daily", key, rec, [
                ("wrong_type", lambda x, u: x["metrics"].__setitem__("impressions", "n/a")),
                ("unknown_currency", lambda x, u: bad_currency(x["customer"], "currencyCode", u)),
            ], ordinal=ordinal)
            if r.cost > 0:
                ctx.mess.maybe_break_rule("google_ads/ad_metrics_daily", key, rec, "negative_spend",
                                          lambda x, u: x["metrics"].__setitem__("costMicros", "-" + x["metrics"]["costMicros"]), ordinal=ordinal)
            ctx.add("google_ads/ad_metrics_daily", day_ms, key, rec)
        elif r.platform == "meta_ads":
            pub = ("facebook", "instagram")[int(r.publisher)]
            rec = {"account_id": account.id, "account_currency": account.currency, "campaign_id": campaign.id,
                   "adset_id": group.id, "ad_id": ad.id, "date_start": date, "date_stop": date, "country": country,
                   "publisher_platform": pub, "impressions": str(int(r.impressions)),
                   "inline_link_clicks": str(int(r.clicks)), "spend": _fmt(r.cost, digits),
                   "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": _fmt(r.conversions, 0)}]
                   if r.conversions else [],
                   "action_values": [{"action_type": "offsite_conversion.fb_pixel_purchase",
                                      "value": _fmt(r.conversions_value, 2)}] if r.conversions else []}
            if ctx.drifted(day_ms):
                rec["video_thruplay_watched_actions"] = [{"action_type": "video_view",
                                                          "value": str(int(r.impressions * 0.18))}]
            key = f"{date}|{ad.id}|{country}|{pub}"
            ctx.mess.maybe_malform("meta_ads/insights_daily", key, rec, [
                ("wrong_type", lambda x, u: x.__setitem__("spend", "n/a")),
                ("unknown_currency", lambda x, u: bad_currency(x, "account_currency", u)),
                ("unparseable_date", lambda x, u: bad_date(x, "date_stop", u)),
            ], ordinal=ordinal)
            if r.cost > 0:
                ctx.mess.maybe_break_rule("meta_ads/insights_daily", key, rec, "negative_spend",
                                          lambda x, u: x.__setitem__("spend", "-" + x["spend"]), ordinal=ordinal)
            ctx.add("meta_ads/insights_daily", day_ms, key, rec)
        elif r.platform == "tiktok_ads":
            rec = {"advertiser_id": account.id,
                   "dimensions": {"ad_id": ad.id, "stat_time_day": f"{date} 00:00:00", "country_code": country},
                   "metrics": {"spend": _fmt(r.cost, digits), "impressions": str(int(r.impressions)),
                               "clicks": str(int(r.clicks)), "conversion": str(int(round(r.conversions))),
                               "complete_payment": str(int(round(r.conversions))),
                               "total_complete_payment_rate": _fmt(r.conversions_value, 2),
                               "video_play_actions": str(int(r.impressions * 0.6)),
                               "video_watched_6s": str(int(r.impressions * 0.22)), "currency": account.currency}}
            key = f"{date} 00:00:00|{ad.id}|{country}"
            ctx.mess.maybe_malform("tiktok_ads/report_daily", key, rec, [
                ("wrong_type", lambda x, u: x["metrics"].__setitem__("clicks", "n/a")),
                ("unknown_currency", lambda x, u: bad_currency(x["metrics"], "currency", u)),
            ], ordinal=ordinal)
            if r.cost > 0:
                ctx.mess.maybe_break_rule("tiktok_ads/report_daily", key, rec, "negative_spend",
                                          lambda x, u: x["metrics"].__setitem__("spend", "-" + x["metrics"]["spend"]), ordinal=ordinal)
            ctx.add("tiktok_ads/report_daily", day_ms, key, rec)
        else:
            cat = ctx.world.catalogue
            p = ad.product
            rec = {"date": date, "profileId": int(account.id), "countryCode": country, "currencyCode": account.currency,
                   "campaignId": int(campaign.id), "campaignName": campaign.name, "adGroupId": int(group.id),
                   "advertisedAsin": cat.asin[p], "advertisedSku": cat.sku(p, 0), "impressions": int(r.impressions),
                   "clicks": int(r.clicks), "cost": round(float(r.cost), digits),
                   "purchases7d": int(round(r.conversions)), "sales7d": round(float(r.conversions_value), digits)}
            key = f"{date}|{account.id}|{campaign.id}|{group.id}|{cat.sku(p, 0)}"
            ctx.mess.maybe_malform("amazon_ads/sp_daily", key, rec, [
                ("wrong_type", lambda x, u: x.__setitem__("cost", "n/a")),
                ("unknown_currency", lambda x, u: bad_currency(x, "currencyCode", u)),
            ], ordinal=ordinal)
            if r.cost > 0:
                ctx.mess.maybe_break_rule("amazon_ads/sp_daily", key, rec, "negative_spend",
                                          lambda x, u: x.__setitem__("cost", -x["cost"]), ordinal=ordinal)
            ctx.add("amazon_ads/sp_daily", day_ms, key, rec)


def _created(ctx: RenderContext) -> str:
    return ctx.utc(ENTITY_CREATED_DAY * MS_PER_DAY + 9 * 3_600_000)


def _google_entities(ctx: RenderContext) -> None:
    ads = ctx.ads
    for ai, acc in enumerate(ads.accounts):
        if acc.platform != "google_ads":
            continue
        ctx.add("google_ads/customers", 0, acc.id, {"customer": {"id": acc.id, "descriptiveName": acc.name,
                                                                 "currencyCode": acc.currency, "timeZone": acc.timezone}})
    for ci, c in enumerate(ads.campaigns):
        if c.platform != "google_ads":
            continue
        acc = ads.accounts[c.account]
        ctx.add("google_ads/campaigns", 0, c.id, {"customer": {"id": acc.id}, "campaign": {
            "id": c.id, "name": c.name, "status": "ENABLED",
            "advertisingChannelType": "SHOPPING" if c.kind == "SHOPPING" else "SEARCH"}})
    for gi, g in enumerate(ads.adgroups):
        c = ads.campaigns[g.campaign]
        if c.platform != "google_ads":
            continue
        acc = ads.accounts[c.account]
        ctx.add("google_ads/ad_groups", 0, g.id, {"customer": {"id": acc.id}, "campaign": {"id": c.id},
                                                  "adGroup": {"id": g.id, "name": g.name, "status": "ENABLED"}})
    for a in ads.ads:
        if a.platform != "google_ads":
            continue
        g = ads.adgroups[a.adgroup]
        c = ads.campaigns[g.campaign]
        acc = ads.accounts[c.account]
        ctx.add("google_ads/ads", 0, a.id, {"customer": {"id": acc.id}, "campaign": {"id": c.id}, "adGroup": {"id": g.id},
                                            "adGroupAd": {"ad": {"id": a.id, "name": a.name,
                                                                 "finalUrls": ["https://shop.kumo.example/"]},
                                                          "status": "ENABLED"}})


def _meta_entities(ctx: RenderContext) -> None:
    ads = ctx.ads
    created = _created(ctx)
    for acc in ads.accounts:
        if acc.platform == "meta_ads":
            ctx.add("meta_ads/ad_accounts", 0, f"act_{acc.id}", {"id": f"act_{acc.id}", "account_id": acc.id,
                                                                  "name": acc.name, "currency": acc.currency,
                                                                  "timezone_name": acc.timezone})
    for c in ads.campaigns:
        if c.platform == "meta_ads":
            acc = ads.accounts[c.account]
            ctx.add("meta_ads/campaigns", 0, c.id, {"id": c.id, "account_id": acc.id, "name": c.name,
                                                    "objective": "OUTCOME_SALES", "status": "ACTIVE",
                                                    "created_time": created, "updated_time": created})
    for g in ads.adgroups:
        c = ads.campaigns[g.campaign]
        if c.platform == "meta_ads":
            acc = ads.accounts[c.account]
            countries = [m.code for m in MARKETS if m.region == c.region]
            ctx.add("meta_ads/adsets", 0, g.id, {"id": g.id, "account_id": acc.id, "campaign_id": c.id, "name": g.name,
                                                 "status": "ACTIVE",
                                                 "targeting": {"geo_locations": {"countries": countries}}})
    for a in ads.ads:
        if a.platform == "meta_ads":
            g = ads.adgroups[a.adgroup]
            c = ads.campaigns[g.campaign]
            acc = ads.accounts[c.account]
            cr = ads.creatives[a.creative]
            ctx.add("meta_ads/ads", 0, a.id, {"id": a.id, "account_id": acc.id, "campaign_id": c.id, "adset_id": g.id,
                                              "name": a.name, "status": "ACTIVE", "creative": {"id": cr.id}})
    for cr in ads.creatives:
        acc = ads.accounts[cr.account]
        ctx.add("meta_ads/creatives", 0, cr.id, {"id": cr.id, "account_id": acc.id, "name": cr.name,
                                                 "object_type": cr.object_type, "creator_handle": cr.creator_handle})


def _tiktok_entities(ctx: RenderContext) -> None:
    ads = ctx.ads
    created = ctx.utc(ENTITY_CREATED_DAY * MS_PER_DAY)
    for acc in ads.accounts:
        if acc.platform == "tiktok_ads":
            ctx.add("tiktok_ads/advertisers", 0, acc.id, {"advertiser_id": acc.id, "advertiser_name": acc.name,
                                                          "currency": acc.currency, "timezone": acc.timezone})
    for c in ads.campaigns:
        if c.platform == "tiktok_ads":
            acc = ads.accounts[c.account]
            ctx.add("tiktok_ads/campaigns", 0, c.id, {"campaign_id": c.id, "advertiser_id": acc.id, "campaign_name": c.name,
                                                      "objective_type": "WEB_CONVERSIONS", "operation_status": "ENABLE",
                                                      "create_time": created})
    for g in ads.adgroups:
        c = ads.campaigns[g.campaign]
        if c.platform == "tiktok_ads":
            acc = ads.accounts[c.account]
            ctx.add("tiktok_ads/adgroups", 0, g.id, {"adgroup_id": g.id, "campaign_id": c.id, "advertiser_id": acc.id,
                                                     "adgroup_name": g.name, "operation_status": "ENABLE",
                                                     "location_codes": [m.code for m in MARKETS if m.region == c.region]})
    for a in ads.ads:
        if a.platform == "tiktok_ads":
            g = ads.adgroups[a.adgroup]
            c = ads.campaigns[g.campaign]
            acc = ads.accounts[c.account]
            ctx.add("tiktok_ads/ads", 0, a.id, {"ad_id": a.id, "adgroup_id": g.id, "campaign_id": c.id,
                                                "advertiser_id": acc.id, "ad_name": a.name, "operation_status": "ENABLE"})


def _amazon_entities(ctx: RenderContext) -> None:
    for acc in ctx.ads.accounts:
        if acc.platform == "amazon_ads":
            m = MARKET_BY_CODE[acc.markets[0]]
            ctx.add("amazon_ads/profiles", 0, acc.id, {
                "profileId": int(acc.id), "countryCode": m.code, "currencyCode": acc.currency, "timezone": acc.timezone,
                "accountInfo": {"marketplaceStringId": m.amazon_marketplace_id, "id": f"A{acc.id[-12:]}",
                                "type": "seller", "name": "Kumo & Co."}})
