"""Loopback HTTP server that serves the simulator store (`data/sim/`) in each platform's own API style.

Contract: docs/contract.md §4–5. Stdlib only (`http.server.ThreadingHTTPServer`).

* Every source is mounted under `/<source>/...`; the path after it is the real platform's path, so a connector's
  `base_url` is `http://127.0.0.1:<port>/<source>` here and the platform's host in production.
* Each resource is read lazily from `<store>/<source>/<resource>.jsonl.gz` once, then kept in memory sorted by its
  cursor then key. Incremental filters are inclusive lower bounds on the cursor.
* Faults (when on) are deterministic per seed: a request's fate is a hash of (seed, method, URL, body, how many times
  that exact request was seen), so a retried request eventually succeeds and the same run sees the same faults.
  ~3% answer 429 with `Retry-After: 0|1`, ~2% answer 500/503, ~2% of pages (after the first) repeat the previous
  page's last record as their first record.
* `GET /__stats` returns the request and fault counters (also `ServerHandle.stats()` in Python).
"""
from __future__ import annotations

import base64
import bisect
import gzip
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, quote, urlencode, urlsplit

try:  # orjson ships with dlt; fall back to json
    import orjson

    def _loads(raw: bytes | str) -> Any:
        return orjson.loads(raw)

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)
except ImportError:  # pragma: no cover
    def _loads(raw: bytes | str) -> Any:
        return json.loads(raw)

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()


DEFAULT_FAULT_RATES = {"429": 0.03, "5xx": 0.02, "dup": 0.02}


# --------------------------------------------------------------------------------------------------------------------
# Resource definitions: cursor field (None = full resource), key fields, account field (for per-account endpoints)
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResourceDef:
    cursor: str | None
    key: tuple[str, ...]
    account: str | None = None


_RD = ResourceDef
RESOURCES: dict[str, dict[str, ResourceDef]] = {
    "shopify": {r: _RD("updated_at", ("id",)) for r in ("orders", "customers", "products")},
    "amazon_sp": {
        "orders": _RD("LastUpdateDate", ("AmazonOrderId",), "MarketplaceId"),
        "returns": _RD("LastUpdateDate", ("ReturnId",)),
    },
    "google_ads": {
        "customers": _RD(None, ("customer.id",), "customer.id"),
        "campaigns": _RD(None, ("campaign.id",), "customer.id"),
        "ad_groups": _RD(None, ("adGroup.id",), "customer.id"),
        "ads": _RD(None, ("adGroupAd.ad.id",), "customer.id"),
        "ad_metrics_daily": _RD(
            "segments.date", ("segments.date", "adGroupAd.ad.id", "segments.geoTargetCountry"), "customer.id"
        ),
    },
    "meta_ads": {
        **{r: _RD(None, ("id",), "account_id") for r in ("ad_accounts", "campaigns", "adsets", "ads", "creatives")},
        "insights_daily": _RD("date_start", ("date_start", "ad_id", "country", "publisher_platform"), "account_id"),
    },
    "tiktok_ads": {
        "advertisers": _RD(None, ("advertiser_id",), "advertiser_id"),
        "campaigns": _RD(None, ("campaign_id",), "advertiser_id"),
        "adgroups": _RD(None, ("adgroup_id",), "advertiser_id"),
        "ads": _RD(None, ("ad_id",), "advertiser_id"),
        "report_daily": _RD(
            "dimensions.stat_time_day",
            ("dimensions.stat_time_day", "dimensions.ad_id", "dimensions.country_code"),
            "advertiser_id",
        ),
    },
    "amazon_ads": {
        "profiles": _RD(None, ("profileId",)),
        "sp_daily": _RD("date", ("date", "profileId", "campaignId", "adGroupId", "advertisedSku"), "profileId"),
    },
    "email": {
        "profiles": _RD("attributes.updated", ("id",)),
        "campaigns": _RD(None, ("id",)),
        "flows": _RD(None, ("id",)),
        "events": _RD("attributes.datetime", ("id",)),
    },
    "creators": {r: _RD("updated_at", ("id",)) for r in ("creators", "posts", "fees")},
    "referrals": {"referrals": _RD("updated_at", ("id",))},
    "experiments": {
        "experiments": _RD("updated_at", ("id",)),
        "assignments": _RD("updated_at", ("id",)),
    },
    "logistics": {"shipments": _RD("updated_at", ("shipment_id",))},
    "payments": {"payment_attempts": _RD("created", ("id",))},
    "inventory": {"stock_levels": _RD("date", ("date", "sku", "warehouse_id"))},
    "loyalty": {
        "members": _RD("updated_at", ("member_id",)),
        "points_ledger": _RD("created_at", ("entry_id",)),
    },
    "privacy": {r: _RD("updated_at", ("id",)) for r in ("consent_events", "erasure_requests")},
}


def get_path(record: Any, path: str) -> Any:
    """`a.b.c` lookup in nested dicts; None when any part is missing."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def sort_value(value: Any) -> float | None:
    """Comparable number for a cursor value: epoch seconds (numbers, ISO dates and timestamps); None if unparseable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith("Z") or text.endswith("z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


# --------------------------------------------------------------------------------------------------------------------
# The store: lazily loaded, sorted, filterable tables
# --------------------------------------------------------------------------------------------------------------------
class Table:
    """One resource in memory: records sorted by (cursor, key), with the cursor's sort values for bisecting."""

    def __init__(self, records: list[dict], rdef: ResourceDef) -> None:
        self.rdef = rdef
        keyed: list[tuple[float, str, dict]] = []
        last_valid = float("-inf")
        for record in records:  # file order; a record with an unparseable cursor keeps its place in the file
            sv = sort_value(get_path(record, rdef.cursor)) if rdef.cursor else 0.0
            if sv is None:
                sv = last_valid
            else:
                last_valid = sv
            key = "|".join(str(get_path(record, k)) for k in rdef.key)
            keyed.append((sv, key, record))
        if rdef.cursor:
            keyed.sort(key=lambda t: (t[0], t[1]))
        self.cursor_values = [t[0] for t in keyed]
        self.keys = [t[1] for t in keyed]
        self.records = [t[2] for t in keyed]
        self._position: dict[str, int] | None = None
        self._selections: dict[Any, list[int]] = {}
        self._lock = threading.Lock()

    def position_of(self, key: str) -> int | None:
        if self._position is None:
            self._position = {k: i for i, k in enumerate(self.keys)}
        return self._position.get(key)

    def select(self, since: Any = None, until: Any = None, account: Any = None, extra: tuple = ()) -> list[int]:
        """Indices of records with cursor in [since, until] (inclusive), of the account (when the records carry one).

        `extra` is a tuple of (path, since_value) filters on other fields (e.g. Klaviyo filters on any attribute)."""
        cache_key = (since, until, account, extra)
        with self._lock:
            cached = self._selections.get(cache_key)
        if cached is not None:
            return cached
        lo, hi = 0, len(self.records)
        if self.rdef.cursor:
            if since is not None:
                sv = sort_value(since)
                if sv is not None:
                    lo = bisect.bisect_left(self.cursor_values, sv)
            if until is not None:
                uv = sort_value(until)
                if uv is not None:
                    hi = bisect.bisect_right(self.cursor_values, uv)
        indices: Iterable[int] = range(lo, hi)
        if account is not None and self.rdef.account:
            wanted = {str(a).removeprefix("act_") for a in (account if isinstance(account, (set, frozenset)) else [account])}
            acct_path = self.rdef.account
            indices = [i for i in indices if _account_matches(self.records[i], acct_path, wanted)]
        for path, since_value in extra:
            bound = sort_value(since_value)
            if bound is None:
                continue
            kept = []
            for i in indices:
                sv = sort_value(get_path(self.records[i], path))
                if sv is None or sv >= bound:  # records without a parseable value are always served
                    kept.append(i)
            indices = kept
        result = list(indices)
        with self._lock:
            if len(self._selections) > 256:
                self._selections.clear()
            self._selections[cache_key] = result
        return result


def _account_matches(record: dict, path: str, wanted: set[str]) -> bool:
    value = get_path(record, path)
    if value is None and "." not in path and isinstance(record.get("dimensions"), dict):
        value = record["dimensions"].get(path)
    if value is None:  # records that do not say which account they belong to are served to every account
        return True
    return str(value).removeprefix("act_") in wanted


class Store:
    def __init__(self, store_dir: str | Path) -> None:
        self.root = Path(store_dir)
        self._tables: dict[tuple[str, str], Table] = {}
        self._lock = threading.Lock()
        self._manifest: dict | None = None

    @property
    def manifest(self) -> dict:
        if self._manifest is None:
            path = self.root / "manifest.json"
            self._manifest = json.loads(path.read_text()) if path.exists() else {}
        return self._manifest

    def table(self, source: str, resource: str) -> Table:
        key = (source, resource)
        table = self._tables.get(key)
        if table is not None:
            return table
        with self._lock:
            table = self._tables.get(key)
            if table is None:
                rdef = RESOURCES[source][resource]
                table = Table(list(self._read(source, resource)), rdef)
                self._tables[key] = table
        return table

    def _read(self, source: str, resource: str) -> Iterable[dict]:
        path = self.root / source / f"{resource}.jsonl.gz"
        if not path.exists():
            return
        with gzip.open(path, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield _loads(line)

    def file(self, *parts: str) -> Path | None:
        path = self.root.joinpath(*parts)
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return None
        return path if path.is_file() else None


# --------------------------------------------------------------------------------------------------------------------
# Faults and stats
# --------------------------------------------------------------------------------------------------------------------
class Faults:
    def __init__(self, enabled: bool, seed: int, rates: dict[str, float] | None, retry_after: tuple[int, ...]) -> None:
        self.enabled = enabled
        self.seed = seed
        self.rates = {**DEFAULT_FAULT_RATES, **(rates or {})}
        self.retry_after = retry_after
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self.stats: dict[str, Any] = {"requests": 0, "faults": {"429": 0, "500": 0, "503": 0, "dup": 0}, "by_source": {}}

    def _u(self, *parts: Any) -> float:
        digest = hashlib.blake2b("\x1f".join(map(str, (self.seed, *parts))).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    def count_request(self, source: str) -> None:
        with self._lock:
            self.stats["requests"] += 1
            self.stats["by_source"][source] = self.stats["by_source"].get(source, 0) + 1

    def error_for(self, signature: str) -> tuple[int, dict[str, str]] | None:
        """Return (status, headers) for a faulted request, else None."""
        if not self.enabled:
            return None
        with self._lock:
            n = self._seen.get(signature, 0)
            self._seen[signature] = n + 1
        u = self._u("err", signature, n)
        r429, r5xx = self.rates["429"], self.rates["5xx"]
        if u < r429:
            choice = self.retry_after[int(self._u("ra", signature, n) * len(self.retry_after))]
            self._bump("429")
            return 429, {"Retry-After": str(choice)}
        if u < r429 + r5xx:
            status = 500 if self._u("5xx", signature, n) < 0.5 else 503
            self._bump(str(status))
            return status, {}
        return None

    def duplicate_page(self, signature: str) -> bool:
        if not self.enabled:
            return False
        dup = self._u("dup", signature) < self.rates["dup"]
        if dup:
            self._bump("dup")
        return dup

    def _bump(self, name: str) -> None:
        with self._lock:
            self.stats["faults"][name] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return json.loads(json.dumps(self.stats))


# --------------------------------------------------------------------------------------------------------------------
# Paging helpers
# --------------------------------------------------------------------------------------------------------------------
def encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict:
    padded = token + "=" * (-len(token) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except Exception as exc:  # noqa: BLE001
        raise HttpError(400, f"invalid page token: {exc}") from exc


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-able, or bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def _int(value: Any, default: int, lo: int = 1, hi: int | None = None) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    n = max(lo, n)
    return min(n, hi) if hi else n


# --------------------------------------------------------------------------------------------------------------------
# The application: routes per platform
# --------------------------------------------------------------------------------------------------------------------
Route = tuple[str, re.Pattern, Callable[..., Response]]


class PlatformApp:
    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self.faults = faults
        self._reports: dict[str, dict] = {}
        self._reports_lock = threading.Lock()
        self._report_count = 0
        self.routes: list[Route] = []
        r = self._route
        r("GET", r"/__stats", lambda req: Response(body=self.faults.snapshot()))
        # Shopify Admin REST
        r("GET", r"/shopify/admin/api/(?P<ver>[^/]+)/(?P<res>orders|customers|products)\.json", self.shopify)
        # Amazon Selling Partner
        r("GET", r"/amazon_sp/orders/v0/orders", lambda req: self.amazon_sp(req, "orders", "Orders"))
        r("GET", r"/amazon_sp/returns", lambda req: self.amazon_sp(req, "returns", "Returns"))
        # Google Ads
        r("GET", r"/google_ads/(?P<ver>v\d+)/customers:listAccessibleCustomers", self.google_customers)
        r("POST", r"/google_ads/(?P<ver>v\d+)/customers/(?P<cid>[^/]+)/googleAds:search", self.google_search)
        # Meta Marketing API
        r("GET", r"/meta_ads/(?P<ver>v[\d.]+)/me/adaccounts", lambda req, ver: self.meta_list(req, "ad_accounts", None))
        r("GET", r"/meta_ads/(?P<ver>v[\d.]+)/(?P<act>act_[^/]+)/(?P<edge>campaigns|adsets|ads|adcreatives|creatives|insights)",
          self.meta_edge)
        # TikTok Business API
        r("GET", r"/tiktok_ads/open_api/(?P<ver>v[\d.]+)/report/integrated/get/?", self.tiktok_report)
        r("GET", r"/tiktok_ads/open_api/(?P<ver>v[\d.]+)/(?:oauth2/)?(?P<entity>advertiser|campaign|adgroup|ad)/get/?",
          self.tiktok_entities)
        # Amazon Ads
        r("GET", r"/amazon_ads/v2/profiles", self.amazon_ads_profiles)
        r("POST", r"/amazon_ads/reporting/reports", self.amazon_ads_request_report)
        r("GET", r"/amazon_ads/reporting/reports/(?P<rid>[^/]+)", self.amazon_ads_report_status)
        r("GET", r"/amazon_ads/reporting/downloads/(?P<rid>[^/]+)\.json\.gz", self.amazon_ads_download)
        # Klaviyo-like email
        r("GET", r"/email/api/(?P<res>profiles|campaigns|flows|events)/?", self.email)
        # Web events export files
        r("GET", r"/web_events/files/?", self.web_event_files)
        r("GET", r"/web_events/files/(?P<name>[^/]+)", self.web_event_file)
        # FX
        r("GET", r"/fx/(?P<name>eurofxref-hist\.csv)", self.fx_file)
        # Generic vendor APIs
        r("GET", r"/experiments/v1/(?P<res>experiments|assignments)", self.offset_limit)
        r("GET", r"/payments/v1/(?P<res>payment_attempts)", self.stripe_style)
        r("GET", r"/(?P<src>creators|referrals|logistics|inventory|loyalty|privacy)/v1/(?P<res>[a-z_]+)", self.next_cursor)

    def _route(self, method: str, pattern: str, handler: Callable[..., Response]) -> None:
        self.routes.append((method, re.compile(pattern + r"$"), handler))

    # -- dispatch ------------------------------------------------------------------------------------------------------
    def handle(self, req: "Request") -> Response:
        for method, pattern, handler in self.routes:
            if method != req.method:
                continue
            match = pattern.match(req.path)
            if match:
                return handler(req, **match.groupdict())
        raise HttpError(404, f"no route for {req.method} {req.path}")

    # -- shared paging -------------------------------------------------------------------------------------------------
    def _page(self, table: Table, indices: list[int], offset: int, size: int, signature: str) -> list[dict]:
        page = [table.records[i] for i in indices[offset: offset + size]]
        if offset > 0 and page and self.faults.duplicate_page(f"{signature}|{offset}"):
            page.insert(0, table.records[indices[offset - 1]])
        return page

    def _table(self, source: str, resource: str) -> Table:
        return self.store.table(source, resource)

    # -- Shopify -------------------------------------------------------------------------------------------------------
    def shopify(self, req: "Request", ver: str, res: str) -> Response:
        table = self._table("shopify", res)
        if "page_info" in req.query:
            state = decode_token(req.q("page_info"))
        else:
            state = {"since": req.q("updated_at_min"), "o": 0}
        limit = _int(req.q("limit"), 50, hi=250)
        indices = table.select(since=state["since"])
        offset = state["o"]
        page = self._page(table, indices, offset, limit, f"shopify/{res}/{state['since']}")
        headers = {}
        links = []
        if offset + limit < len(indices):
            token = encode_token({"since": state["since"], "o": offset + limit})
            links.append(f'<{req.base}/shopify/admin/api/{ver}/{res}.json?limit={limit}&page_info={token}>; rel="next"')
        if offset > 0:
            token = encode_token({"since": state["since"], "o": max(0, offset - limit)})
            links.append(f'<{req.base}/shopify/admin/api/{ver}/{res}.json?limit={limit}&page_info={token}>; rel="previous"')
        if links:
            headers["Link"] = ", ".join(links)
        return Response(body={res: page}, headers=headers)

    # -- Amazon SP -----------------------------------------------------------------------------------------------------
    def amazon_sp(self, req: "Request", res: str, list_key: str) -> Response:
        table = self._table("amazon_sp", res)
        if req.q("NextToken"):
            state = decode_token(req.q("NextToken"))
        else:
            markets = req.q("MarketplaceIds")
            state = {
                "since": req.q("LastUpdatedAfter"),
                "m": sorted(m for m in (markets or "").split(",") if m) or None,
                "n": _int(req.q("MaxResultsPerPage"), 100, hi=100),
                "o": 0,
            }
        account = frozenset(state["m"]) if state["m"] else None
        indices = table.select(since=state["since"], account=account)
        page = self._page(table, indices, state["o"], state["n"], f"amazon_sp/{res}/{state['since']}/{state['m']}")
        payload: dict[str, Any] = {list_key: page}
        if state["o"] + state["n"] < len(indices):
            payload["NextToken"] = encode_token({**state, "o": state["o"] + state["n"]})
        return Response(body={"payload": payload})

    # -- Google Ads ----------------------------------------------------------------------------------------------------
    def _google_customer_ids(self) -> list[str]:
        ids = [str(get_path(r, "customer.id")) for r in self._table("google_ads", "customers").records]
        if not ids:
            ids = [str(get_path(r, "customer.id")) for r in self._table("google_ads", "ad_metrics_daily").records]
        return sorted({i for i in ids if i and i != "None"})

    def google_customers(self, req: "Request", ver: str) -> Response:
        return Response(body={"resourceNames": [f"customers/{cid}" for cid in self._google_customer_ids()]})

    _GAQL_FROM = re.compile(r"\bFROM\s+([a-z_]+)", re.I)
    _GAQL_DATE = re.compile(r"segments\.date\s*(>=|<=|>|<|=)\s*'(\d{4}-\d{2}-\d{2})'", re.I)
    _GAQL_BETWEEN = re.compile(r"segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'", re.I)

    def google_search(self, req: "Request", ver: str, cid: str) -> Response:
        body = req.json() or {}
        query = body.get("query") or ""
        if body.get("pageToken"):
            state = decode_token(body["pageToken"])
        else:
            found = self._GAQL_FROM.search(query)
            if not found:
                raise HttpError(400, "GAQL query needs a FROM clause")
            entity = found.group(1).lower()
            is_report = "segments.date" in query or "metrics." in query
            resource = {
                "customer": "customers", "campaign": "campaigns", "ad_group": "ad_groups",
                "ad_group_ad": "ad_metrics_daily" if is_report else "ads",
            }.get(entity)
            if resource is None or (is_report and entity != "ad_group_ad"):
                raise HttpError(400, f"unsupported resource in FROM clause: {entity}")
            since = until = None
            between = self._GAQL_BETWEEN.search(query)
            if between:
                since, until = between.groups()
            for op, value in self._GAQL_DATE.findall(query):
                if op in (">=", ">", "="):
                    since = value
                if op in ("<=", "<", "="):
                    until = value
            state = {"r": resource, "since": since, "until": until, "o": 0}
        size = _int(body.get("pageSize"), 10000, hi=10000)
        table = self._table("google_ads", state["r"])
        indices = table.select(since=state["since"], until=state["until"], account=cid)
        page = self._page(table, indices, state["o"], size, f"google_ads/{cid}/{state['r']}/{state['since']}")
        out: dict[str, Any] = {"results": page, "fieldMask": ""}
        if state["o"] + size < len(indices):
            out["nextPageToken"] = encode_token({**state, "o": state["o"] + size})
        return Response(body=out)

    # -- Meta ----------------------------------------------------------------------------------------------------------
    def meta_edge(self, req: "Request", ver: str, act: str, edge: str) -> Response:
        resource = {"adcreatives": "creatives", "insights": "insights_daily"}.get(edge, edge)
        return self.meta_list(req, resource, act)

    def meta_list(self, req: "Request", resource: str, act: str | None) -> Response:
        table = self._table("meta_ads", resource)
        since = until = None
        if resource == "insights_daily":
            time_range = req.q("time_range")
            if time_range:
                try:
                    tr = json.loads(time_range)
                except ValueError as exc:
                    raise HttpError(400, f"time_range must be JSON: {exc}") from exc
                since, until = tr.get("since"), tr.get("until")
        limit = _int(req.q("limit"), 25, hi=5000)
        offset = decode_token(req.q("after"))["o"] if req.q("after") else 0
        indices = table.select(since=since, until=until, account=act)
        page = self._page(table, indices, offset, limit, f"meta/{act}/{resource}/{since}/{until}")
        paging: dict[str, Any] = {}
        if page:
            paging["cursors"] = {"before": encode_token({"o": offset}), "after": encode_token({"o": offset + limit})}
            if offset + limit < len(indices):
                params = {k: v for k, v in req.query_items() if k != "after"}
                params["after"] = paging["cursors"]["after"]
                paging["next"] = f"{req.base}{req.path}?{urlencode(params)}"
        return Response(body={"data": page, "paging": paging})

    # -- TikTok --------------------------------------------------------------------------------------------------------
    def _tiktok_page(self, req: "Request", resource: str, since: Any = None, until: Any = None) -> Response:
        table = self._table("tiktok_ads", resource)
        page_no = _int(req.q("page"), 1)
        size = _int(req.q("page_size"), 10, hi=1000)
        indices = table.select(since=since, until=until, account=req.q("advertiser_id"))
        offset = (page_no - 1) * size
        page = self._page(table, indices, offset, size, f"tiktok/{req.q('advertiser_id')}/{resource}/{since}/{until}/{size}")
        total = len(indices)
        return Response(body={
            "code": 0, "message": "OK", "request_id": hashlib.md5(req.raw_url.encode()).hexdigest(),
            "data": {"list": page, "page_info": {
                "page": page_no, "page_size": size, "total_number": total, "total_page": -(-total // size)}},
        })

    def tiktok_entities(self, req: "Request", ver: str, entity: str) -> Response:
        return self._tiktok_page(req, {"advertiser": "advertisers", "campaign": "campaigns",
                                       "adgroup": "adgroups", "ad": "ads"}[entity])

    def tiktok_report(self, req: "Request", ver: str) -> Response:
        return self._tiktok_page(req, "report_daily", req.q("start_date"), _end_of_day(req.q("end_date")))

    # -- Amazon Ads ----------------------------------------------------------------------------------------------------
    def amazon_ads_profiles(self, req: "Request") -> Response:
        return Response(body=self._table("amazon_ads", "profiles").records)

    def amazon_ads_request_report(self, req: "Request") -> Response:
        body = req.json() or {}
        if not body.get("startDate") or not body.get("endDate"):
            raise HttpError(400, "startDate and endDate are required")
        with self._reports_lock:
            self._report_count += 1
            rid = hashlib.sha1(
                f"{self.faults.seed}|{req.header('Amazon-Advertising-API-Scope')}|{json.dumps(body, sort_keys=True)}"
                f"|{self._report_count}".encode()
            ).hexdigest()[:20]
            polls = 1 + int(self.faults._u("report", rid) * 2)  # PENDING on the first 1–2 polls
            self._reports[rid] = {"profile": req.header("Amazon-Advertising-API-Scope"), "start": body["startDate"],
                                  "end": body["endDate"], "pending": polls}
        return Response(body={"reportId": rid, "status": "PENDING"})

    def amazon_ads_report_status(self, req: "Request", rid: str) -> Response:
        with self._reports_lock:
            report = self._reports.get(rid)
            if report is None:
                raise HttpError(404, f"unknown report {rid}")
            if report["pending"] > 0:
                report["pending"] -= 1
                return Response(body={"reportId": rid, "status": "PENDING"})
        url = f"{req.base}/amazon_ads/reporting/downloads/{rid}.json.gz"
        return Response(body={"reportId": rid, "status": "COMPLETED", "url": url})

    def amazon_ads_download(self, req: "Request", rid: str) -> Response:
        with self._reports_lock:
            report = self._reports.get(rid)
        if report is None or report["pending"] > 0:
            raise HttpError(404, f"report {rid} is not ready")
        table = self._table("amazon_ads", "sp_daily")
        indices = table.select(since=report["start"], until=_end_of_day(report["end"]), account=report["profile"])
        rows = [table.records[i] for i in indices]
        return Response(body=gzip.compress(_dumps(rows), compresslevel=1), content_type="application/octet-stream")

    # -- Email (Klaviyo-like) ------------------------------------------------------------------------------------------
    _KLAVIYO_FILTER = re.compile(r"greater-or-equal\(\s*([a-z_]+)\s*,\s*([^)]+?)\s*\)", re.I)

    def email(self, req: "Request", res: str) -> Response:
        table = self._table("email", res)
        cursor = req.q("page[cursor]")
        if cursor:
            state = decode_token(cursor)
        else:
            extra = []
            for fld, value in self._KLAVIYO_FILTER.findall(req.q("filter") or ""):
                extra.append((f"attributes.{fld}", value.strip("'\"")))
            state = {"x": extra, "o": 0, "n": _int(req.q("page[size]"), 20, hi=1000)}
        since = None
        extra_filters = []
        for path, value in state["x"]:
            if path == table.rdef.cursor:
                since = value
            else:
                extra_filters.append((path, value))
        indices = table.select(since=since, extra=tuple(tuple(x) for x in extra_filters))
        page = self._page(table, indices, state["o"], state["n"], f"email/{res}/{state['x']}")
        links: dict[str, Any] = {"self": f"{req.base}{req.path}", "next": None}
        if state["o"] + state["n"] < len(indices):
            token = encode_token({**state, "o": state["o"] + state["n"]})
            links["next"] = f"{req.base}{req.path}?page%5Bcursor%5D={quote(token)}"
        return Response(body={"data": page, "links": links})

    # -- Web events files ----------------------------------------------------------------------------------------------
    def _event_files(self) -> list[Path]:
        folder = self.store.root / "web_events"
        return sorted(folder.glob("events_*.ndjson.gz")) if folder.is_dir() else []

    def web_event_files(self, req: "Request") -> Response:
        files = []
        for path in self._event_files():
            day = path.name.removeprefix("events_")[:8]
            files.append({"name": path.name, "date": f"{day[:4]}-{day[4:6]}-{day[6:8]}", "size": path.stat().st_size,
                          "url": f"{req.base}/web_events/files/{path.name}"})
        since = req.q("since")
        if since:
            files = [f for f in files if f["date"] >= since]
        return Response(body={"files": files})

    def web_event_file(self, req: "Request", name: str) -> Response:
        path = self.store.file("web_events", name)
        if path is None:
            raise HttpError(404, f"no such file {name}")
        return Response(body=path.read_bytes(), content_type="application/gzip")

    def fx_file(self, req: "Request", name: str) -> Response:
        path = self.store.file("fx", name)
        if path is None:
            raise HttpError(404, f"no such file {name}")
        return Response(body=path.read_bytes(), content_type="text/csv; charset=utf-8")

    # -- Generic vendor styles -----------------------------------------------------------------------------------------
    def next_cursor(self, req: "Request", src: str, res: str) -> Response:
        if res not in RESOURCES.get(src, {}):
            raise HttpError(404, f"unknown resource {src}/{res}")
        table = self._table(src, res)
        if req.q("cursor"):
            state = decode_token(req.q("cursor"))
        else:
            since = req.q("updated_since") or req.q("date_from") or req.q("created_since")
            state = {"since": since, "o": 0, "n": _int(req.q("limit"), 100, hi=1000)}
        indices = table.select(since=state["since"])
        page = self._page(table, indices, state["o"], state["n"], f"{src}/{res}/{state['since']}")
        nxt = encode_token({**state, "o": state["o"] + state["n"]}) if state["o"] + state["n"] < len(indices) else None
        return Response(body={"items": page, "next_cursor": nxt})

    def offset_limit(self, req: "Request", res: str) -> Response:
        table = self._table("experiments", res)
        offset = _int(req.q("offset"), 0, lo=0)
        limit = _int(req.q("limit"), 100, hi=1000)
        since = req.q("updated_since")
        indices = table.select(since=since)
        page = self._page(table, indices, offset, limit, f"experiments/{res}/{since}")
        return Response(body={"items": page, "total": len(indices), "offset": offset, "limit": limit})

    def stripe_style(self, req: "Request", res: str) -> Response:
        table = self._table("payments", res)
        since = req.q("created_since") or req.q("created[gte]")
        limit = _int(req.q("limit"), 10, hi=100)
        indices = table.select(since=since)
        offset = 0
        after = req.q("starting_after")
        if after:
            pos = table.position_of(after)
            if pos is None:
                raise HttpError(400, f"No such object: '{after}'")
            offset = bisect.bisect_right(indices, pos)
        page = self._page(table, indices, offset, limit, f"payments/{res}/{since}")
        return Response(body={"object": "list", "data": page, "has_more": offset + limit < len(indices),
                              "url": f"/v1/{res}"})


def _end_of_day(value: str | None) -> str | None:
    """Inclusive upper bound for a date parameter: a date means the whole day."""
    if value and len(value) == 10:
        return f"{value}T23:59:59.999999+00:00"
    return value


# --------------------------------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------------------------------
class Request:
    def __init__(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> None:
        self.method = method
        self.raw_url = handler.path
        split = urlsplit(handler.path)
        self.path = split.path.rstrip("/") or "/"  # routes match with or without the platform's trailing slash
        self._query_items = [(k, v) for k, vs in parse_qs(split.query, keep_blank_values=True).items() for v in vs]
        self.query = {k: v for k, v in self._query_items}
        self._headers = handler.headers
        self.body = body
        host = handler.headers.get("Host") or f"{handler.server.server_address[0]}:{handler.server.server_address[1]}"
        self.base = f"http://{host}"

    def q(self, name: str) -> str | None:
        value = self.query.get(name)
        return value if value not in ("", None) else None

    def query_items(self) -> list[tuple[str, str]]:
        return list(self._query_items)

    def header(self, name: str) -> str | None:
        return self._headers.get(name)

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return _loads(self.body)
        except ValueError as exc:
            raise HttpError(400, f"body is not JSON: {exc}") from exc


def _make_handler(app: PlatformApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK
        # (~40 ms per response on loopback keep-alive): that wait, not work, was most of every paginated load
        disable_nagle_algorithm = True

        def log_message(self, fmt: str, *args: Any) -> None:  # quiet
            return

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                req = Request(self, method, body)
                source = req.path.strip("/").split("/", 1)[0]
                if req.path != "/__stats":
                    app.faults.count_request(source)
                    fault = app.faults.error_for(f"{method} {self.path} {hashlib.md5(body).hexdigest()}")
                    if fault:
                        status, headers = fault
                        self._send(Response(status=status, body={"errors": [{"code": status, "message": "simulated fault"}]},
                                            headers=headers))
                        return
                response = app.handle(req)
            except HttpError as exc:
                response = Response(status=exc.status, body={"errors": [{"code": exc.status, "message": exc.message}]})
            except FileNotFoundError as exc:
                response = Response(status=404, body={"errors": [{"code": 404, "message": str(exc)}]})
            except Exception as exc:  # noqa: BLE001 — a server bug must answer, not hang the client
                response = Response(status=500, body={"errors": [{"code": 500, "message": f"{type(exc).__name__}: {exc}"}]})
            self._send(response)

        def _send(self, response: Response) -> None:
            payload = response.body if isinstance(response.body, (bytes, bytearray)) else _dumps(response.body)
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that hung up (e.g. a retry after its timeout) is not a server error
        super().handle_error(request, client_address)


class ServerHandle:
    """Callable that stops the server; also exposes `base_url`, `stats()` and `app`."""

    def __init__(self, server: _Server, thread: threading.Thread, app: PlatformApp, base_url: str) -> None:
        self._server, self._thread, self.app, self.base_url = server, thread, app, base_url

    def stats(self) -> dict:
        return self.app.faults.snapshot()

    def __call__(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _build(store_dir: str | Path, port: int, faults: bool, seed: int,
           fault_rates: dict[str, float] | None, retry_after: tuple[int, ...]) -> tuple[_Server, PlatformApp]:
    store = Store(store_dir)
    app = PlatformApp(store, Faults(faults, seed, fault_rates, retry_after))
    server = _Server(("127.0.0.1", port), _make_handler(app))
    return server, app


def serve(store_dir: str | Path, port: int = 0, faults: bool = True, seed: int = 0, *,
          fault_rates: dict[str, float] | None = None, retry_after: tuple[int, ...] = (0, 0, 0, 1)) -> tuple[str, ServerHandle]:
    """Start the loopback server in a background thread. Returns (base_url, stop); `stop()` shuts it down.

    `fault_rates` overrides the defaults {"429": 0.03, "5xx": 0.02, "dup": 0.02}; `retry_after` is the set of
    Retry-After values (seconds) a 429 picks from."""
    server, app = _build(store_dir, port, faults, seed, fault_rates, retry_after)
    host, bound_port = server.server_address[:2]
    base_url = f"http://{host}:{bound_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="sim-server", daemon=True)
    thread.start()
    return base_url, ServerHandle(server, thread, app, base_url)


def serve_forever(store_dir: str | Path, port: int = 8765, faults: bool = True, seed: int = 0) -> None:
    """Blocking variant for the CLI (`python -m pipelines.simulator serve`)."""
    server, _ = _build(store_dir, port, faults, seed, None, (0, 0, 0, 1))
    host, bound_port = server.server_address[:2]
    print(f"Serving {store_dir} on http://{host}:{bound_port} (faults {'on' if faults else 'off'}, seed {seed}); Ctrl-C stops.")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def fetch_stats(base_url: str) -> dict:
    """Read `/__stats` from a running server."""
    from urllib.request import urlopen

    with urlopen(f"{base_url}/__stats") as resp:  # noqa: S310 — loopback only
        return json.loads(resp.read())
