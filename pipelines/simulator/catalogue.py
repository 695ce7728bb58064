"""The brand's product catalogue: products, variants, costs, launch days and local price lists."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fx import CURRENCY_INDEX
from .markets import MARKETS, MINOR_UNITS
from .rng import Rng, Stream

BRAND = "Kumo & Co."
SHOP_DOMAIN = "shop.kumo.example"

# (product_type, base nouns, price range USD, cost share range, return rate, variant options)
_TYPES = (
    ("Apparel", ("Linen Shirt", "Merino Tee", "Relaxed Hoodie", "Wide Trousers", "Rain Jacket", "Knit Cardigan",
                 "Cotton Joggers", "Overshirt", "Puffer Vest", "Pleated Skirt"), (29, 149), (0.28, 0.42), 0.13,
     ("S", "M", "L", "XL")),
    ("Accessories", ("Canvas Tote", "Bucket Hat", "Wool Beanie", "Leather Belt", "Crossbody Bag", "Sock Trio",
                     "Silk Scarf", "Card Holder"), (12, 89), (0.22, 0.38), 0.05, ("Black", "Sand")),
    ("Beauty", ("Rice Serum", "Gel Cleanser", "Lip Balm", "Sheet Mask Set", "Sun Fluid", "Night Cream"), (14, 64),
     (0.18, 0.32), 0.03, ("Default Title",)),
    ("Home", ("Ceramic Mug", "Soy Candle", "Linen Throw", "Incense Kit", "Tea Set", "Cushion Cover"), (16, 98),
     (0.25, 0.40), 0.06, ("Default Title",)),
)
_ADJECTIVES = ("Kumo", "Sora", "Umi", "Hana", "Yama", "Mori", "Kaze", "Tsuki", "Hoshi", "Ame")

N_LAUNCHES = 6


@dataclass
class Catalogue:
    product_id: np.ndarray       # (P,) int
    title: list[str]
    product_type: list[str]
    price_usd: np.ndarray        # (P,) list price in the US (tax exclusive)
    cost_usd: np.ndarray         # (P,) unit cost
    return_rate: np.ndarray      # (P,)
    popularity: np.ndarray       # (P,) relative demand weight
    launch_day: np.ndarray       # (P,) first day it can be bought (negative = before start)
    variant_options: list[tuple[str, ...]]
    asin: list[str]
    amazon_advertised: np.ndarray  # (P,) bool: advertised with Sponsored Products
    local_price: np.ndarray      # (M, P) displayed list price in the market currency (tax-incl. where applicable)
    shipping_fee_local: np.ndarray   # (M,)
    free_shipping_local: np.ndarray  # (M,)

    @property
    def n(self) -> int:
        return len(self.product_id)

    def variant_id(self, product_index: np.ndarray, variant_index: np.ndarray) -> np.ndarray:
        return self.product_id[product_index] * 10 + 1 + variant_index

    def sku(self, product_index: int, variant_index: int) -> str:
        opt = self.variant_options[product_index][variant_index]
        suffix = "STD" if opt == "Default Title" else opt.upper().replace(" ", "")
        return f"SKU-{self.product_id[product_index]}-{suffix}"

    def popularity_cumsum(self, day: int) -> np.ndarray:
        weights = np.where(self.launch_day <= day, self.popularity, 0.0)
        return np.cumsum(weights)


def price_point(value: float, currency: str) -> float:
    """Round a converted price to a local price point (59.99, 5 980 JPY, 54 900 KRW, 1 290 THB, ...)."""
    if currency in ("JPY",):
        return max(100.0, round(value, -2) - 20)
    if currency in ("KRW", "IDR"):
        return max(1000.0, round(value, -3) - 100)
    if currency in ("THB", "PHP", "MXN"):
        return max(10.0, round(value, -1) - 1)
    return max(1.0, float(np.ceil(value)) - 0.01)


def build_catalogue(rng: Rng, fx_start_per_eur: np.ndarray) -> Catalogue:
    gen = rng.generator(Stream.CATALOGUE)
    titles, types, prices, costs, returns, options = [], [], [], [], [], []
    for ptype, nouns, (lo, hi), (clo, chi), ret, opts in _TYPES:
        for noun in nouns:
            for adj in gen.choice(_ADJECTIVES, size=2 if ptype != "Home" else 1, replace=False):
                titles.append(f"{adj} {noun}")
                types.append(ptype)
                prices.append(float(np.round(gen.uniform(lo, hi)) - 0.01))
                costs.append(prices[-1] * gen.uniform(clo, chi))
                returns.append(ret * gen.uniform(0.7, 1.3))
                options.append(opts)
    p = len(titles)
    order = gen.permutation(p)
    popularity = 1.0 / (1 + np.arange(p)) ** 0.9
    popularity = popularity[np.argsort(order)]
    launch = -gen.integers(30, 720, size=p)
    launched = gen.choice(p, size=N_LAUNCHES, replace=False)
    launch[launched] = np.array([20, 45, 75, 100, 130, 160])[: N_LAUNCHES]
    popularity[launched] *= 2.5  # launches are pushed hard
    advertised = np.zeros(p, dtype=bool)
    advertised[np.argsort(-popularity)[:10]] = True
    usd_per_eur = fx_start_per_eur[CURRENCY_INDEX["USD"]]
    local = np.zeros((len(MARKETS), p))
    ship = np.zeros(len(MARKETS))
    free = np.zeros(len(MARKETS))
    for mi, m in enumerate(MARKETS):
        rate = fx_start_per_eur[CURRENCY_INDEX[m.currency]] / usd_per_eur  # local units per USD
        factor = m.price_index * rate * ((1 + m.vat_rate) if m.tax_included else 1.0)
        for j in range(p):
            local[mi, j] = price_point(prices[j] * factor, m.currency)
        digits = MINOR_UNITS[m.currency]
        ship[mi] = round(price_point(m.shipping_fee_usd * rate, m.currency), digits)
        free[mi] = round(m.free_shipping_over_usd * rate, -1 if rate > 5 else 0)
    asins = ["B0" + format(int(h), "016X")[:8] for h in rng.keyed_int(Stream.CATALOGUE, 0, np.arange(p), salt=1)]
    return Catalogue(
        product_id=np.arange(301, 301 + p), title=titles, product_type=types, price_usd=np.array(prices),
        cost_usd=np.round(np.array(costs), 2), return_rate=np.array(returns), popularity=popularity,
        launch_day=launch, variant_options=options, asin=asins, amazon_advertised=advertised, local_price=local,
        shipping_fee_local=ship, free_shipping_local=free,
    )
