"""Reference facts about the countries the brand sells into (not scenario parameters).

Scenario files choose how big each market is and how it behaves; these facts (currency, VAT, timezone, Amazon
marketplace, local payment methods, carriers) are the same in every scenario.
"""
from __future__ import annotations

from dataclasses import dataclass, field

REGIONS = ("NA", "EU", "UK", "JPKR", "SEA", "LATAM", "MENA")

# ISO 4217 minor units (digits after the decimal point) for the currencies we use.
MINOR_UNITS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "KRW": 0, "SGD": 2, "MYR": 2, "THB": 2, "IDR": 2, "PHP": 2,
               "BRL": 2, "MXN": 2, "AED": 2, "SAR": 2, "CAD": 2, "AUD": 2}

# Starting FX rates, units of currency per 1 EUR (ECB convention), and daily log volatility.
FX_START_PER_EUR = {"USD": 1.09, "JPY": 161.0, "GBP": 0.855, "KRW": 1455.0, "SGD": 1.46, "MYR": 5.05, "THB": 39.2,
                    "IDR": 17650.0, "PHP": 61.5, "BRL": 5.95, "MXN": 20.4, "CAD": 1.49, "AUD": 1.63}
FX_DAILY_VOL = {"USD": 0.0035, "JPY": 0.005, "GBP": 0.003, "KRW": 0.005, "SGD": 0.0025, "MYR": 0.004, "THB": 0.004,
                "IDR": 0.0045, "PHP": 0.004, "BRL": 0.009, "MXN": 0.007, "CAD": 0.0035, "AUD": 0.0045}
# Currencies pegged to the US dollar: units per USD.
FX_USD_PEGS = {"AED": 3.6725, "SAR": 3.75}
FX_CURRENCIES = ("USD", "JPY", "GBP", "KRW", "SGD", "MYR", "THB", "IDR", "PHP", "BRL", "MXN", "CAD", "AUD", "AED", "SAR")

PAYMENT_PROVIDERS = {"card": "stripe", "apple_pay": "stripe", "paypal": "paypal", "klarna": "klarna", "ideal": "adyen",
                     "pix": "ebanx", "boleto": "ebanx", "grabpay": "adyen", "gcash": "adyen", "konbini": "komoju",
                     "cod": "cod_courier"}
PAYMENT_FAILURE_RATE = {"card": 0.07, "apple_pay": 0.02, "paypal": 0.03, "klarna": 0.08, "ideal": 0.03, "pix": 0.04,
                        "boleto": 0.14, "grabpay": 0.05, "gcash": 0.06, "konbini": 0.10, "cod": 0.05}
PAYMENT_FAILURE_REASONS = {
    "card": ("card_declined", "insufficient_funds", "expired_card", "authentication_required", "incorrect_cvc"),
    "apple_pay": ("card_declined", "authentication_required"),
    "paypal": ("payer_action_required", "instrument_declined"),
    "klarna": ("credit_check_declined", "session_expired"),
    "ideal": ("bank_rejected", "session_expired"),
    "pix": ("qr_code_expired",),
    "boleto": ("boleto_expired",),
    "grabpay": ("insufficient_wallet_balance", "session_expired"),
    "gcash": ("insufficient_wallet_balance", "session_expired"),
    "konbini": ("payment_not_received",),
    "cod": ("refused_on_delivery",),
}

WAREHOUSES = {"WH-US-NJ": "USD", "WH-NL-VNL": "EUR", "WH-SG-TUAS": "SGD"}


@dataclass(frozen=True)
class Market:
    code: str
    name: str
    region: str
    currency: str
    vat_rate: float
    tax_included: bool
    timezone: str
    phone_prefix: str
    price_index: float  # local price level relative to the US list price
    amazon_marketplace_id: str | None
    amazon_domain: str | None
    payment_methods: dict[str, float]
    carrier: str
    warehouse: str
    base_delivery_days: int
    search_engines: tuple[str, ...]
    cities: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    shipping_fee_usd: float = 6.0
    free_shipping_over_usd: float = 75.0
    language: str = "en"
    extra: dict = field(default_factory=dict)


_EN_FIRST = ("James", "Mary", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Chloe", "Lucas")
_EN_LAST = ("Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Walker", "Young", "King")

MARKETS: tuple[Market, ...] = (
    Market("US", "United States", "NA", "USD", 0.07, False, "America/New_York", "+1", 1.0, "ATVPDKIKX0DER",
           "amazon.com", {"card": 0.68, "paypal": 0.22, "apple_pay": 0.10}, "UPS", "WH-US-NJ", 3,
           ("google", "bing", "duckduckgo"), ("New York", "Austin", "Seattle", "Chicago", "Denver"), _EN_FIRST, _EN_LAST),
    Market("CA", "Canada", "NA", "CAD", 0.13, False, "America/Toronto", "+1", 1.05, "A2EUQ1WTGCTBG2",
           "amazon.ca", {"card": 0.72, "paypal": 0.20, "apple_pay": 0.08}, "Canada Post", "WH-US-NJ", 5,
           ("google", "bing"), ("Toronto", "Vancouver", "Montreal", "Calgary"), _EN_FIRST, _EN_LAST),
    Market("DE", "Germany", "EU", "EUR", 0.19, True, "Europe/Berlin", "+49", 1.0, "A1PA6795UKMFR9",
           "amazon.de", {"card": 0.35, "paypal": 0.40, "klarna": 0.25}, "DHL", "WH-NL-VNL", 3,
           ("google", "bing"), ("Berlin", "Hamburg", "Munich", "Cologne"),
           ("Lukas", "Anna", "Leon", "Mia", "Felix", "Lena", "Jonas", "Hannah"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner"), language="de"),
    Market("FR", "France", "EU", "EUR", 0.20, True, "Europe/Paris", "+33", 1.0, "A13V1IB3VIYZZH",
           "amazon.fr", {"card": 0.62, "paypal": 0.28, "klarna": 0.10}, "Colissimo", "WH-NL-VNL", 3,
           ("google", "bing"), ("Paris", "Lyon", "Marseille", "Lille"),
           ("Louis", "Emma", "Gabriel", "Jade", "Hugo", "Louise", "Arthur", "Alice"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit"), language="fr"),
    Market("ES", "Spain", "EU", "EUR", 0.21, True, "Europe/Madrid", "+34", 0.97, "A1RKKUPIHCS9HS",
           "amazon.es", {"card": 0.66, "paypal": 0.30, "klarna": 0.04}, "Correos", "WH-NL-VNL", 4,
           ("google",), ("Madrid", "Barcelona", "Valencia", "Sevilla"),
           ("Ana", "Lucía", "Hugo", "Martín", "Sofía", "Daniel", "Paula", "Pablo"),
           ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez"), language="es"),
    Market("IT", "Italy", "EU", "EUR", 0.22, True, "Europe/Rome", "+39", 1.0, "APJ6JRA9NG5V4",
           "amazon.it", {"card": 0.60, "paypal": 0.34, "klarna": 0.06}, "BRT", "WH-NL-VNL", 4,
           ("google", "bing"), ("Milano", "Roma", "Torino", "Napoli"),
           ("Francesco", "Sofia", "Alessandro", "Giulia", "Lorenzo", "Aurora"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano"), language="it"),
    Market("NL", "Netherlands", "EU", "EUR", 0.21, True, "Europe/Amsterdam", "+31", 1.0, "A1805IZSGTT6HS",
           "amazon.nl", {"ideal": 0.55, "card": 0.25, "paypal": 0.12, "klarna": 0.08}, "PostNL", "WH-NL-VNL", 2,
           ("google", "bing"), ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"),
           ("Daan", "Emma", "Sem", "Julia", "Lucas", "Tess"), ("de Jong", "Jansen", "de Vries", "Bakker", "Visser"),
           language="nl"),
    Market("GB", "United Kingdom", "UK", "GBP", 0.20, True, "Europe/London", "+44", 0.86, "A1F83G8C2ARO7P",
           "amazon.co.uk", {"card": 0.58, "paypal": 0.25, "apple_pay": 0.12, "klarna": 0.05}, "Royal Mail",
           "WH-NL-VNL", 3, ("google", "bing"), ("London", "Manchester", "Leeds", "Bristol", "Glasgow"),
           ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava"), ("Jones", "Williams", "Davies", "Evans", "Thomas")),
    Market("JP", "Japan", "JPKR", "JPY", 0.10, True, "Asia/Tokyo", "+81", 1.1, "A1VC38T7YXB528",
           "amazon.co.jp", {"card": 0.58, "konbini": 0.27, "paypal": 0.15}, "Yamato", "WH-SG-TUAS", 4,
           ("google", "yahoo"), ("Tokyo", "Osaka", "Yokohama", "Nagoya", "Fukuoka"),
           ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina"), ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe"),
           language="ja"),
    Market("KR", "South Korea", "JPKR", "KRW", 0.10, True, "Asia/Seoul", "+82", 1.05, None, None,
           {"card": 0.88, "paypal": 0.12}, "CJ Logistics", "WH-SG-TUAS", 4, ("naver", "google"),
           ("Seoul", "Busan", "Incheon", "Daegu"), ("Minjun", "Seoyeon", "Jiho", "Haeun", "Doyun", "Jiwoo"),
           ("Kim", "Lee", "Park", "Choi", "Jung"), language="ko"),
    Market("SG", "Singapore", "SEA", "SGD", 0.09, True, "Asia/Singapore", "+65", 1.0, "A19VAU5U5O7RUS",
           "amazon.sg", {"card": 0.60, "grabpay": 0.25, "paypal": 0.15}, "Ninja Van", "WH-SG-TUAS", 2,
           ("google",), ("Singapore",), ("Wei", "Hui Min", "Jun Jie", "Xin Yi", "Arjun", "Nurul"),
           ("Tan", "Lim", "Lee", "Ng", "Wong", "Kumar")),
    Market("MY", "Malaysia", "SEA", "MYR", 0.10, True, "Asia/Kuala_Lumpur", "+60", 0.9, None, None,
           {"card": 0.45, "grabpay": 0.30, "cod": 0.15, "paypal": 0.10}, "J&T Express", "WH-SG-TUAS", 4,
           ("google",), ("Kuala Lumpur", "Penang", "Johor Bahru"), ("Aisyah", "Muhammad", "Wei Ling", "Arif"),
           ("Abdullah", "Tan", "Lim", "Rahman")),
    Market("TH", "Thailand", "SEA", "THB", 0.07, True, "Asia/Bangkok", "+66", 0.9, None, None,
           {"card": 0.50, "cod": 0.30, "paypal": 0.20}, "Kerry Express", "WH-SG-TUAS", 4, ("google",),
           ("Bangkok", "Chiang Mai", "Phuket"), ("Somchai", "Nattaya", "Krit", "Ploy"),
           ("Saetang", "Srisuk", "Wongsawat", "Chaiyaporn"), language="th"),
    Market("ID", "Indonesia", "SEA", "IDR", 0.11, True, "Asia/Jakarta", "+62", 0.85, None, None,
           {"cod": 0.40, "card": 0.30, "grabpay": 0.30}, "J&T Express", "WH-SG-TUAS", 5, ("google",),
           ("Jakarta", "Surabaya", "Bandung", "Medan"), ("Budi", "Siti", "Agus", "Dewi", "Rizky"),
           ("Santoso", "Wijaya", "Saputra", "Hidayat"), language="id"),
    Market("PH", "Philippines", "SEA", "PHP", 0.12, True, "Asia/Manila", "+63", 0.85, None, None,
           {"gcash": 0.45, "cod": 0.30, "card": 0.25}, "J&T Express", "WH-SG-TUAS", 5, ("google",),
           ("Manila", "Quezon City", "Cebu", "Davao"), ("Jose", "Maria", "Mark", "Angel", "John"),
           ("Santos", "Reyes", "Cruz", "Bautista", "Garcia")),
    Market("BR", "Brazil", "LATAM", "BRL", 0.17, True, "America/Sao_Paulo", "+55", 1.15, "A2Q3Y263D00KWC",
           "amazon.com.br", {"pix": 0.45, "card": 0.35, "boleto": 0.20}, "Correios", "WH-US-NJ", 9,
           ("google",), ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"),
           ("Miguel", "Helena", "Arthur", "Alice", "Gael", "Laura"), ("Silva", "Santos", "Oliveira", "Souza", "Lima"),
           language="pt"),
    Market("MX", "Mexico", "LATAM", "MXN", 0.16, True, "America/Mexico_City", "+52", 1.0, "A1AM78C64UM0Y8",
           "amazon.com.mx", {"card": 0.62, "paypal": 0.25, "cod": 0.13}, "Estafeta", "WH-US-NJ", 6,
           ("google", "bing"), ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla"),
           ("Santiago", "Sofía", "Mateo", "Valentina", "Leonardo"), ("Hernández", "García", "Martínez", "López"),
           language="es"),
    Market("AE", "United Arab Emirates", "MENA", "AED", 0.05, True, "Asia/Dubai", "+971", 1.05, "A2VIGQ35RCS4UG",
           "amazon.ae", {"card": 0.55, "cod": 0.35, "apple_pay": 0.10}, "Aramex", "WH-NL-VNL", 5, ("google",),
           ("Dubai", "Abu Dhabi", "Sharjah"), ("Mohammed", "Fatima", "Omar", "Mariam", "Ahmed"),
           ("Al Mansouri", "Al Hashimi", "Khan", "Al Falasi"), language="ar"),
    Market("SA", "Saudi Arabia", "MENA", "SAR", 0.15, True, "Asia/Riyadh", "+966", 1.05, "A17E79C6D8DWNP",
           "amazon.sa", {"cod": 0.45, "card": 0.45, "apple_pay": 0.10}, "Aramex", "WH-NL-VNL", 6, ("google",),
           ("Riyadh", "Jeddah", "Dammam"), ("Abdullah", "Noura", "Faisal", "Sara", "Khalid"),
           ("Al Qahtani", "Al Harbi", "Al Ghamdi", "Al Otaibi"), language="ar"),
)

MARKET_BY_CODE = {m.code: m for m in MARKETS}
MARKET_CODES = tuple(m.code for m in MARKETS)
REGION_OF = {m.code: m.region for m in MARKETS}
