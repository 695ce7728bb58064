"""`evidence_build_possible`: could Evidence's own build run on this machine?

The asset `reports/evidence_queries` validates the report queries offline; the real build
(`make reports`: `npm ci` when needed, `evidence sources`, `evidence build`/`dev`) needs npm,
`reports/node_modules` and network -- DuckDB-wasm fetches its parquet extension from
extensions.duckdb.org, and without it `evidence sources` hangs. This check only looks: `npm` on
PATH, `reports/node_modules` present, a TCP connect to the npm registry and to the DuckDB extension
host (each bounded to ~2 s, name resolution included). It never runs npm or Evidence. When the build
cannot run it fails with severity WARN, so an offline run stays green with a visible warning.
"""


import os
import shutil
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from dagster import AssetCheckResult, AssetCheckSeverity, asset_check

from orchestration.defs.reports.assets import EVIDENCE_QUERIES_KEY, REPORTS_DIR

DUCKDB_EXTENSIONS_HOST = "extensions.duckdb.org"
DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org/"
PROBE_TIMEOUT_S = 2.0
CHECK_NAME = "evidence_build_possible"
OFFLINE_HINT = (
    "Evidence's build needs network for DuckDB's wasm parquet extension; "
    "run `make reports` on a machine with network"
)


def host_reachable(host: str, port: int = 443, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """A TCP connect to host:port within `timeout`. Name resolution is not covered by a socket
    timeout, so the probe runs in a daemon thread and the caller waits at most ~timeout."""
    outcome: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                outcome.append(True)
        except OSError:
            outcome.append(False)

    thread = threading.Thread(target=probe, name=f"probe-{host}", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(outcome and outcome[0])


def npm_registry_host() -> tuple[str, int]:
    """The registry npm would use ($npm_config_registry, else registry.npmjs.org); never runs npm."""
    url = urlparse(os.environ.get("npm_config_registry") or os.environ.get("NPM_CONFIG_REGISTRY") or DEFAULT_NPM_REGISTRY)
    return url.hostname or "registry.npmjs.org", url.port or (80 if url.scheme == "http" else 443)


def build_possible(reports_dir: Path = REPORTS_DIR) -> AssetCheckResult:
    npm = shutil.which("npm")
    node_modules = (Path(reports_dir) / "node_modules").is_dir()
    registry = npm_registry_host()
    targets = {"npm registry": registry, "DuckDB extension host": (DUCKDB_EXTENSIONS_HOST, 443)}
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:  # both probes at once: ~2 s at worst
        futures = {name: pool.submit(host_reachable, host, port) for name, (host, port) in targets.items()}
        reachable = {name: future.result() for name, future in futures.items()}

    missing = []
    if not npm:
        missing.append("`npm` is not on PATH")
    if not node_modules:
        missing.append(f"{Path(reports_dir) / 'node_modules'} does not exist (npm ci)")
    for name, (host, port) in targets.items():
        if not reachable[name]:
            missing.append(f"{name} {host}:{port} is not reachable")
    passed = not missing
    description = (
        "Evidence's build can run here: `make reports` (REPORTS_MODE=build for a static site)."
        if passed
        else f"{OFFLINE_HINT}. Not possible here: {'; '.join(missing)}. The report queries themselves are "
        "validated offline by the asset reports/evidence_queries."
    )
    return AssetCheckResult(
        asset_key=EVIDENCE_QUERIES_KEY,
        check_name=CHECK_NAME,
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "npm": npm or "not found",
            "node_modules": node_modules,
            "npm_registry_reachable": reachable["npm registry"],
            "duckdb_extensions_reachable": reachable["DuckDB extension host"],
            "reason": description,
        },
    )


@asset_check(
    asset=EVIDENCE_QUERIES_KEY,
    name=CHECK_NAME,
    blocking=False,
    description=(
        "Whether Evidence's build (`make reports`) could run here: npm, reports/node_modules, and the npm "
        "registry and extensions.duckdb.org reachable (2 s probes). WARN when not; never runs the build."
    ),
)
def evidence_build_possible() -> AssetCheckResult:
    return build_possible()
