"""How a touchpoint looks in the data: landing URL (UTMs, click ids), referrer, device, time of day.

The URLs are built so that ``seeds/channel_mapping.csv`` classifies every session into its true channel:

| channel            | landing query                                                  | referrer                  |
|--------------------|----------------------------------------------------------------|---------------------------|
| paid_search        | utm_source=google&utm_medium=cpc&...&gclid=...                 | https://www.google.<tld>/ |
| shopping           | utm_source=google&utm_medium=shopping&... (no gclid: manual tagging) | https://www.google.<tld>/ |
| paid_social_meta   | utm_source=facebook|instagram&utm_medium=paid_social&...&fbclid= | l.facebook.com / l.instagram.com |
| paid_social_tiktok | utm_source=tiktok&utm_medium=paid_social&...&ttclid=...        | https://www.tiktok.com/   |
| email              | utm_source=klaviyo&utm_medium=email&...&_kx=<profile id>       | (none)                    |
| affiliate_kol      | utm_source=creator_<handle>&utm_medium=influencer|affiliate&...&aff=<code> | the creator's platform |
| referral (programme) | utm_source=referral_program&utm_medium=referral&...&ref=<code> | (none) or facebook.com |
| referral (sites)   | (none)                                                         | another site              |
| organic_search     | (none)                                                         | google./bing./yahoo./naver./duckduckgo. |
| direct             | (none)                                                         | (none)                    |
"""
from __future__ import annotations

import base64
from functools import lru_cache

import numpy as np

from .catalogue import SHOP_DOMAIN

SHOP = f"https://{SHOP_DOMAIN}"
REFERRAL_SITES = ("https://www.reddit.com/r/malefashionadvice/", "https://www.vogue.example/shopping/best-linen/",
                  "https://forum.styleforum.example/threads/kumo/", "https://news.ycombinator.example/item",
                  "https://blog.minimalist.example/capsule-wardrobe/", "https://www.pinterest.com/pin/")
SEARCH_TLD = {"US": "com", "CA": "ca", "DE": "de", "FR": "fr", "ES": "es", "IT": "it", "NL": "nl", "GB": "co.uk",
              "JP": "co.jp", "KR": "co.kr", "SG": "com.sg", "MY": "com.my", "TH": "co.th", "ID": "co.id",
              "PH": "com.ph", "BR": "com.br", "MX": "com.mx", "AE": "ae", "SA": "com.sa"}
ENGINE_URL = {"google": "https://www.google.{tld}/", "bing": "https://www.bing.com/", "yahoo": "https://search.yahoo.co.jp/",
              "duckduckgo": "https://duckduckgo.com/", "naver": "https://search.naver.com/"}
CREATOR_REFERRER = ("https://www.tiktok.com/", "https://l.instagram.com/", "https://www.youtube.com/")
COLLECTIONS = ("new-in", "bestsellers", "linen", "essentials", "gifts")
USER_AGENTS = {
    ("mobile", "iOS"): "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    ("mobile", "Android"): "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36",
    ("desktop", "Windows"): "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
    ("desktop", "macOS"): "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    ("tablet", "iPadOS"): "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    ("tablet", "Android"): "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
}
APP_USER_AGENT = {"iOS": "KumoApp/4.2.1 (iPhone; iOS 17.5)", "Android": "KumoApp/4.2.1 (Android 14)"}
BOT_USER_AGENTS = ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                   "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/125.0.0.0 Safari/537.36",
                   "python-requests/2.31.0", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
                   "Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)")
OS_BY_KIND = {"mobile": ("iOS", "Android"), "desktop": ("Windows", "macOS"), "tablet": ("iPadOS", "Android")}

# Local-time hour weights of human sessions (peaks at lunch and in the evening).
HOUR_WEIGHTS = np.array([1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.2, 3, 3.2, 3.4, 3.6, 4.2, 4.2, 3.8, 3.6, 3.8, 4.2,
                         4.8, 5.4, 5.8, 5.4, 4, 2.2])
HOUR_CUM = np.cumsum(HOUR_WEIGHTS)


def local_hour_tod(u_hour: np.ndarray, u_minute: np.ndarray, utc_offset_hours: np.ndarray) -> np.ndarray:
    """Milliseconds after UTC midnight of a human visit, drawn in local time and wrapped into the UTC day."""
    hour = np.minimum(np.searchsorted(HOUR_CUM, u_hour * HOUR_CUM[-1], side="right"), 23)
    local_ms = hour * 3_600_000 + (u_minute * 3_600_000).astype(np.int64)
    return (local_ms - (utc_offset_hours * 3_600_000).astype(np.int64)) % 86_400_000


def click_id(prefix: str, h: int, length: int = 40) -> str:
    raw = int(h).to_bytes(8, "little") * 4
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")[: length - len(prefix)]


@lru_cache(maxsize=4096)
def slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in text)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


@lru_cache(maxsize=4096)
def product_handle(title: str) -> str:
    return slug(title).replace("_", "-")
