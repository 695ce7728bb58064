"""Resources configured from the environment.

`PlatformApis` answers "where is each platform's API?". A source whose real credentials are
configured (dlt config / secrets, e.g. `SOURCES__SHOPIFY__BASE_URL` and
`SOURCES__SHOPIFY__ACCESS_TOKEN`) talks to the real platform; every other source talks to the
market simulator, which this resource starts on a free 127.0.0.1 port the first time a source
needs it and stops when the run (or step process) ends. No source configured for real and no
simulated store on disk is a configuration error with one clear line.
"""

from __future__ import annotations

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
    faults: bool = True
    """Serve the platforms' transient 429/5xx and duplicate pages (the connectors retry them)."""
    seed: int = 0
    """Seed of the fault pattern (deterministic per seed)."""

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

                self._base_url, self._stop = serve(store, port=0, faults=self.faults, seed=self.seed)
            return self._base_url

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
