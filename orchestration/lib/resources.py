"""Resources configured from the environment.

`PlatformApis` answers "where is each platform's API?". A source whose real credentials are
configured (dlt config / secrets, e.g. `SOURCES__SHOPIFY__BASE_URL` and
`SOURCES__SHOPIFY__ACCESS_TOKEN`) talks to the real platform; every other source talks to the
market simulator, which this resource starts on a free 127.0.0.1 port the first time a source
needs it and stops when the run (or step process) ends. No source configured for real and no
simulated store on disk is a configuration error with one clear line.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from dagster import ConfigurableResource, Failure, InitResourceContext
from pydantic import PrivateAttr

from orchestration.lib import settings


class SimulatorStoreMissing(Failure):
    pass


class PlatformApis(ConfigurableResource):
    """The simulator server as a run-scoped resource (started lazily, stopped at teardown)."""

    store_dir: str | None = None
    """Simulator store to serve; default `$SIM_STORE_PATH` (data/sim)."""
    faults: bool | None = None
    """Serve the platforms' transient 429/5xx and duplicate pages (the connectors retry them).
    Default: on, unless `SIM_FAULTS=0`."""
    seed: int | None = None
    """Seed of the fault pattern; default the store's seed (deterministic per seed)."""

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _base_url: str | None = PrivateAttr(default=None)
    _stop: Any = PrivateAttr(default=None)

    def resolved_store_dir(self) -> Path:
        return Path(self.store_dir) if self.store_dir else settings.sim_store_path()

    def simulator_base_url(self) -> str:
        """Base URL of the loopback simulator, starting it on first use."""
        with self._lock:
            if self._base_url is None:
                store = self.resolved_store_dir()
                if not (store / "manifest.json").exists():
                    raise SimulatorStoreMissing(
                        description=(
                            f"no simulated market at {store} and no real credentials for this "
                            "source: run `make run` (generates it) or configure the source"
                        )
                    )
                from pipelines.simulator.server import serve

                faults = self.faults
                if faults is None:
                    faults = os.environ.get("SIM_FAULTS", "1").strip().lower() not in ("0", "false", "off")
                seed = self.seed
                if seed is None:
                    seed = int((settings.sim_manifest() or {}).get("seed") or 0)
                self._base_url, self._stop = serve(store, port=0, faults=faults, seed=seed)
            return self._base_url

    def simulator_stats(self) -> dict | None:
        """Requests and faults served so far (None when the simulator is not running)."""
        with self._lock:
            if self._stop is None:
                return None
            return self._stop.stats()

    @property
    def simulator_running(self) -> bool:
        return self._base_url is not None

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self.stop()

    def stop(self) -> None:
        with self._lock:
            if self._stop is not None:
                self._stop()
            self._stop = None
            self._base_url = None

    @contextmanager
    def running(self) -> Iterator["PlatformApis"]:
        """Outside Dagster (scripts, tests): `with PlatformApis().running() as apis: ...`."""
        try:
            yield self
        finally:
            self.stop()


class InjectedFailure(RuntimeError):
    """A failure injected on purpose to exercise Dagster's op retries."""


class FailureInjection(ConfigurableResource):
    """Chaos switch: make the first attempt of chosen sources' ingestion fail.

    `XBORDER_INJECT_FAILURE=shopify,fx make run` (or `sources=[...]` in resource config) raises
    before the load on attempt 0 of those sources; the op's RetryPolicy re-runs it and the run
    recovers. Used by the retry test and handy for demonstrating retries in the UI.
    """

    sources: list[str] | None = None

    def selected_sources(self) -> set[str]:
        if self.sources is not None:
            return set(self.sources)
        raw = os.environ.get("XBORDER_INJECT_FAILURE", "")
        return {name.strip() for name in raw.split(",") if name.strip()}

    def raise_if_injected(self, source: str, attempt: int) -> None:
        if attempt == 0 and source in self.selected_sources():
            raise InjectedFailure(
                f"injected failure for {source} on attempt {attempt + 1} "
                "(XBORDER_INJECT_FAILURE): the op retry policy re-runs it"
            )
