"""The retrying HTTP client every connector uses: dlt's `RESTClient` on a dlt `requests` retry session.

dlt's retry session (`dlt.sources.helpers.requests.Client`) retries 429 and every 5xx plus connection errors with
exponential backoff, and honours a positive `Retry-After` (a `Retry-After: 0` falls back to the backoff). Attempts are
bounded; when they run out we raise `PlatformRequestError` naming the source, the URL and the last status instead of a
bare `HTTPError`.

`HttpSettings` holds the knobs. Production defaults are polite (1 s backoff doubling up to 60 s, 6 attempts); the
simulator settings are quick because the loopback server asks for `Retry-After: 0|1`.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator

from dlt.common.configuration import resolve_configuration
from dlt.common.configuration.specs import RuntimeConfiguration
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import HTTPError, RequestException, Response


@dataclass(frozen=True)
class HttpSettings:
    max_attempts: int = 6
    backoff_factor: float = 1.0
    max_retry_delay: float = 60.0
    timeout: float = 60.0
    poll_interval: float = 5.0  # async report polling (Amazon Ads)
    poll_timeout: float = 1800.0

    @classmethod
    def from_dlt_runtime(cls) -> "HttpSettings":
        """Production defaults, overridable with dlt's own `[runtime] request_*` settings (or RUNTIME__REQUEST_* env)."""
        try:
            rt = resolve_configuration(RuntimeConfiguration())
        except Exception:  # noqa: BLE001 — fall back to class defaults if config cannot be resolved
            return cls()
        return cls(max_attempts=max(int(rt.request_max_attempts), 1), backoff_factor=float(rt.request_backoff_factor),
                   max_retry_delay=float(rt.request_max_retry_delay), timeout=float(rt.request_timeout))


SIMULATOR_HTTP = HttpSettings(max_attempts=10, backoff_factor=0.02, max_retry_delay=2.0, timeout=60.0,
                              poll_interval=0.02, poll_timeout=120.0)


class PlatformRequestError(RuntimeError):
    """A request still failing after all retry attempts (or failing with a non-retryable status)."""


class HttpStats:
    """Per-source request / retry counters (for the run summary)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_source: dict[str, dict[str, int]] = {}

    def record(self, source: str, status: int) -> None:
        with self._lock:
            s = self.by_source.setdefault(source, {"requests": 0, "retried": 0})
            s["requests"] += 1
            if status == 429 or status >= 500:
                s["retried"] += 1

    def get(self, source: str) -> dict[str, int]:
        with self._lock:
            return dict(self.by_source.get(source, {"requests": 0, "retried": 0}))

    def reset(self, source: str | None = None) -> None:
        with self._lock:
            if source is None:
                self.by_source.clear()
            else:
                self.by_source.pop(source, None)


HTTP_STATS = HttpStats()


class PlatformClient:
    """A source's HTTP client: base URL, auth headers, retries, clear errors, request counting."""

    def __init__(self, source: str, base_url: str, headers: dict[str, str] | None = None,
                 settings: HttpSettings | None = None, params: dict[str, Any] | None = None) -> None:
        self.source = source
        self.settings = settings or HttpSettings.from_dlt_runtime()
        self.default_params = params or {}
        retry_client = Client(
            request_timeout=self.settings.timeout,
            raise_for_status=False,
            request_max_attempts=self.settings.max_attempts,
            request_backoff_factor=self.settings.backoff_factor,
            request_max_retry_delay=self.settings.max_retry_delay,
            respect_retry_after_header=True,
        )
        self.rest = RESTClient(base_url=base_url.rstrip("/"), headers=headers or {}, session=retry_client.session)

    def with_settings(self, **changes: Any) -> HttpSettings:
        return replace(self.settings, **changes)

    # every attempt (including retried ones) passes through this hook
    def _count(self, response: Response, *args: Any, **kwargs: Any) -> None:
        HTTP_STATS.record(self.source, response.status_code)

    @staticmethod
    def _raise(response: Response, *args: Any, **kwargs: Any) -> None:
        response.raise_for_status()

    def _hooks(self) -> dict[str, list]:
        return {"response": [self._count, self._raise]}

    def _error(self, exc: Exception, method: str, url: str) -> PlatformRequestError:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        retryable = status is None or status == 429 or status >= 500
        attempts = f" after {self.settings.max_attempts} attempts" if retryable else ""
        body = ""
        if response is not None:
            body = (response.text or "")[:200].replace("\n", " ")
        what = f"HTTP {status}" if status else type(exc).__name__
        return PlatformRequestError(f"{self.source}: {method} {url} failed with {what}{attempts}: {body or exc}")

    def paginate(self, path: str, *, paginator: BasePaginator, data_selector: str, method: str = "GET",
                 params: dict[str, Any] | None = None, json: dict[str, Any] | None = None,
                 check: Callable[[Response], None] | None = None) -> Iterator[list]:
        """Yield each page's records. `check(response)` may raise for errors a platform reports with HTTP 200."""
        merged = {**self.default_params, **(params or {})}
        hooks = self._hooks()
        if check is not None:  # runs before the paginator reads the page
            hooks["response"].append(lambda response, *a, **kw: check(response) if response.ok else None)
        try:
            for page in self.rest.paginate(path, method=method, params=merged or None, json=json, paginator=paginator,
                                           data_selector=data_selector, hooks=hooks):
                yield list(page)
        except (HTTPError, RequestException) as exc:
            raise self._error(exc, method, path) from exc

    def request(self, path: str, method: str = "GET", *, params: dict[str, Any] | None = None,
                json: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
                use_default_params: bool = True) -> Response:
        merged = {**(self.default_params if use_default_params else {}), **(params or {})}
        try:
            return self.rest.request(path, method=method, params=merged or None, json=json, headers=headers,
                                     hooks=self._hooks())
        except (HTTPError, RequestException) as exc:
            raise self._error(exc, method, path) from exc
