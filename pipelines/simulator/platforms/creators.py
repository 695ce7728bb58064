"""Creators / social: creators, posts (metrics grow for a week: late updates) and fees (paid two weeks later)."""
from __future__ import annotations

from ..clock import MS_PER_DAY
from ..creators import GROWTH, PLATFORMS
from ..fx import CURRENCY_INDEX
from ..markets import MARKETS, MINOR_UNITS
from ..mess import bad_currency
from ..rng import Stream
from ..scenario import CREATOR_TIERS
from ..sessions import SHOP
from .context import RenderContext

FEE_DELAY_DAYS = 14


def post_landing_url(world, q: int, handle: str) -> str:
    cr = world.creators
    k = int(cr.post_creator[q])
    tier = CREATOR_TIERS[cr.tier[k]]
    medium = "influencer" if tier == "KOL" else "affiliate"
    src = "creator_" + cr.handle[k].lstrip("@").replace(".", "_")
    month = world.cal.date_of(int(cr.post_day[q])).strftime("%Y%m")
    return (f"{SHOP}/products/{handle}?utm_source={src}&utm_medium={medium}&utm_campaign=creators_{tier.lower()}_{month}"
            f"&utm_content=post_{70_001 + q}&aff={cr.affiliate_code[k]}")


def _post_time(world, q: int) -> int:
    u = world.rng.scalar(Stream.CREATOR_POSTS, 7, q)
    return int(world.creators.post_day[q]) * MS_PER_DAY + int(u * (MS_PER_DAY - 3_600_000))


def render(ctx: RenderContext) -> None:
    w = ctx.world
    cr = w.creators
    handles = w.catalogue.title
    for k in range(len(cr.handle)):
        created = int(cr.created_day[k]) * MS_PER_DAY
        ctx.add("creators/creators", created, str(int(cr.creator_id[k])), {
            "id": int(cr.creator_id[k]), "handle": cr.handle[k], "platform": PLATFORMS[cr.platform[k]],
            "tier": CREATOR_TIERS[cr.tier[k]], "country": MARKETS[cr.market[k]].code,
            "followers": int(cr.followers[k]), "affiliate_code": cr.affiliate_code[k], "updated_at": ctx.utc(created)})
    from ..sessions import product_handle
    for q in range(len(cr.post_day)):
        posted = _post_time(w, q)
        if not ctx.visible(posted):
            continue
        k = int(cr.post_creator[q])
        age = min(ctx.as_of - int(cr.post_day[q]), len(GROWTH) - 1)
        f = GROWTH[age]
        updated = posted if age == 0 else (int(cr.post_day[q]) + age) * MS_PER_DAY + 23 * 3_600_000
        reach = float(cr.post_reach[q])
        u = w.rng.keyed_block(Stream.CREATOR_POSTS, 3, [q], width=4)[0]
        video = bool(cr.post_is_video[q])
        views = reach * (0.8 + 0.3 * u[0]) if video else 0
        pid = 70_001 + q
        handle = product_handle(handles[q % len(handles)])
        record = {"id": pid, "creator_id": int(cr.creator_id[k]), "platform": PLATFORMS[cr.platform[k]],
                  "posted_at": ctx.utc(posted), "url": f"https://{PLATFORMS[cr.platform[k]]}.example/{cr.handle[k].lstrip('@')}/{pid}",
                  "affiliate_code": cr.affiliate_code[k], "landing_url": post_landing_url(w, q, handle),
                  "reach": int(reach * f), "likes": int(reach * f * (0.03 + 0.04 * u[1])),
                  "comments": int(reach * f * 0.004), "shares": int(reach * f * 0.003 * (1 + u[2])),
                  "saves": int(reach * f * 0.005), "video_views": int(views * f),
                  "video_completions": int(views * f * (0.15 + 0.2 * u[3])), "updated_at": ctx.utc(updated)}
        ctx.mess.maybe_malform("creators/posts", str(pid), record, [
            ("wrong_type", lambda r, uu: r.__setitem__("reach", "n/a")),
        ])
        ctx.add("creators/posts", updated, str(pid), record)
        # fee
        market = MARKETS[cr.market[k]]
        rate = w.fx.per_eur[0, CURRENCY_INDEX[market.currency]] / w.fx.per_eur[0, CURRENCY_INDEX["USD"]]
        digits = MINOR_UNITS[market.currency]
        amount = round(float(cr.fee_usd[k]) * rate, digits)
        paid_ms = (int(cr.post_day[q]) + FEE_DELAY_DAYS) * MS_PER_DAY + 10 * 3_600_000
        paid = ctx.visible(paid_ms)
        fee_updated = paid_ms if paid else posted
        fee = {"id": f"fee_{pid}", "creator_id": int(cr.creator_id[k]), "post_id": pid,
               "amount": f"{amount:.{digits}f}", "currency": market.currency,
               "paid_at": ctx.utc(paid_ms) if paid else None, "updated_at": ctx.utc(fee_updated)}
        ctx.mess.maybe_malform("creators/fees", fee["id"], fee, [
            ("unknown_currency", lambda r, uu: bad_currency(r, "currency", uu)),
        ])
        ctx.add("creators/fees", fee_updated, fee["id"], fee)
