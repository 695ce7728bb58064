#!/usr/bin/env bash
# make reports: build and serve the Evidence reports (reports/) on the warehouse.
#
# Needs network: npm ci talks to the npm registry, and Evidence's DuckDB-wasm
# downloads its parquet extension from extensions.duckdb.org while running the
# source queries, building the pages, and again in the reader's browser. Without
# that site `evidence sources` hangs, so every network step runs under `timeout`
# and says why it stopped. Never run this in CI: there, `make reports-check`
# (scripts/reports_check.py) validates every report query offline.
#
# Steps:
#   1. snapshot $WAREHOUSE_PATH into reports/sources/warehouse/ (git-ignored): the
#      connection's `filename` is relative to that folder. The snapshot keeps the
#      warehouse's file name, because DuckDB names a database after its file and the
#      views dbt builds refer to that name (data/warehouse.duckdb -> warehouse.duckdb,
#      the name sources/warehouse/connection.yaml holds; any other name is passed to
#      Evidence as EVIDENCE_SOURCE__warehouse__filename). The copy is taken while
#      holding a read-only DuckDB connection, so no writer can change the file
#      mid-copy; a running writer (make run, Dagster) makes this step fail clearly.
#   2. npm ci (only when node_modules is missing or older than package-lock.json)
#   3. npx evidence sources   (runs reports/sources/**/*.sql into parquet)
#   4. REPORTS_MODE=dev  (default): npx evidence dev on http://127.0.0.1:$REPORTS_PORT
#      REPORTS_MODE=build: npx evidence build -> reports/build (a static site)
#
# Environment:
#   WAREHOUSE_PATH             warehouse file (default data/warehouse.duckdb, relative to the repo)
#   REPORTS_MODE               dev | build                  (default dev)
#   REPORTS_PORT               dev server port               (default 3000)
#   REPORTS_WAREHOUSE_MODE     copy | link                   (default copy; link = symlink, no copy,
#                                                             but the file must not be written meanwhile)
#   REPORTS_NPM_TIMEOUT        seconds for npm ci            (default 600)
#   REPORTS_SOURCES_TIMEOUT    seconds for evidence sources  (default 600)
#   REPORTS_BUILD_TIMEOUT      seconds for evidence build    (default 1200)
#   REPORTS_SKIP_NETCHECK=1    do not probe extensions.duckdb.org first
#   REPORTS_SOURCES_STRICT=0   keep going when a source query fails (default: fail)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPORTS="$ROOT/reports"
WAREHOUSE="${WAREHOUSE_PATH:-data/warehouse.duckdb}"
case "$WAREHOUSE" in /*) ;; *) WAREHOUSE="$ROOT/$WAREHOUSE" ;; esac
SNAPSHOT_NAME="$(basename "$WAREHOUSE")"
case "$SNAPSHOT_NAME" in *.duckdb) ;; *) SNAPSHOT_NAME="$SNAPSHOT_NAME.duckdb" ;; esac
SNAPSHOT="$REPORTS/sources/warehouse/$SNAPSHOT_NAME"
if [ "$SNAPSHOT_NAME" != warehouse.duckdb ]; then
  export EVIDENCE_SOURCE__warehouse__filename="$SNAPSHOT_NAME"
fi
MODE="${REPORTS_MODE:-dev}"
PORT="${REPORTS_PORT:-3000}"
PY="${PY:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3

# Evidence would otherwise send usage telemetry (and wait on the network for it).
export SEND_ANONYMOUS_USAGE_STATS=no

say() { printf '[reports] %s\n' "$*"; }
die() { printf '[reports] ERROR: %s\n' "$*" >&2; exit "${2:-1}"; }

# Runs "$@" under a timeout; on timeout prints $why and exits 3.
run_with_timeout() {
  local seconds="$1" why="$2"; shift 2
  set +e
  timeout --kill-after=10 "$seconds" "$@"  # not --foreground: on timeout the whole process group (npx -> node) is killed
  local rc=$?
  set -e
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    printf '[reports] TIMED OUT after %ss: %s\n' "$seconds" "$why" >&2
    exit 3
  fi
  return "$rc"
}

case "$MODE" in dev|build) ;; *) die "REPORTS_MODE must be dev or build (got '$MODE')" 2 ;; esac
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (Node 18+; tested with Node 20, npm 11)" 2
node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || die "Node 18+ is needed (found $(node --version))" 2
[ -f "$WAREHOUSE" ] || die "no warehouse at $WAREHOUSE: build it first (make run), or set WAREHOUSE_PATH" 2

# --- 1. warehouse snapshot ------------------------------------------------------
say "warehouse: $WAREHOUSE -> reports/sources/warehouse/$SNAPSHOT_NAME (${REPORTS_WAREHOUSE_MODE:-copy})"
"$PY" - "$WAREHOUSE" "$SNAPSHOT" "${REPORTS_WAREHOUSE_MODE:-copy}" <<'PYEOF'
import os, shutil, sys
import duckdb

src, dst, mode = sys.argv[1], sys.argv[2], sys.argv[3]
# Earlier snapshots under other names are ours too (the folder's *.duckdb files are git-ignored).
folder = os.path.dirname(dst)
for name in os.listdir(folder):
    path = os.path.join(folder, name)
    if name.endswith((".duckdb", ".duckdb.wal")) and not path.startswith(dst):
        os.remove(path)
        print(f"[reports] removed the old snapshot {name}")
try:
    # A read-only connection takes DuckDB's shared lock: no writer can start until we close it.
    guard = duckdb.connect(src, read_only=True)
except duckdb.Error as e:
    sys.exit(f"[reports] ERROR: cannot open {src} read-only ({str(e).splitlines()[0]}). "
             "Is it being written (make run, Dagster)? Try again when the run has finished.")
try:
    for stale in (dst, dst + ".wal"):
        if os.path.islink(stale) or (mode == "link" and os.path.exists(stale)):
            os.remove(stale)
    if mode == "link":
        os.symlink(os.path.abspath(src), dst)
        if os.path.exists(src + ".wal"):
            os.symlink(os.path.abspath(src) + ".wal", dst + ".wal")
        print("[reports] linked (the warehouse must not be written while Evidence reads it)")
    else:
        st = os.stat(src)
        if os.path.exists(dst) and os.stat(dst).st_size == st.st_size and os.stat(dst).st_mtime_ns == st.st_mtime_ns \
                and not os.path.exists(src + ".wal"):
            print("[reports] snapshot is up to date")
        else:
            tmp = dst + ".tmp"
            shutil.copy2(src, tmp)
            os.replace(tmp, dst)
            if os.path.exists(src + ".wal"):
                shutil.copy2(src + ".wal", dst + ".wal")
            elif os.path.exists(dst + ".wal"):
                os.remove(dst + ".wal")
            print(f"[reports] copied {st.st_size / 1e6:.1f} MB")
finally:
    guard.close()
PYEOF

cd "$REPORTS"

# --- 2. npm ci --------------------------------------------------------------------
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (needs the npm registry; up to ${REPORTS_NPM_TIMEOUT:-600}s)"
  run_with_timeout "${REPORTS_NPM_TIMEOUT:-600}" \
    "npm ci could not finish: is the npm registry ($(npm config get registry)) reachable from here?" \
    npm ci --no-audit --no-fund
else
  say "node_modules is up to date (delete reports/node_modules to force npm ci)"
fi

# --- 3. evidence sources ----------------------------------------------------------
if [ "${REPORTS_SKIP_NETCHECK:-0}" != 1 ]; then
  if ! node -e '
      const c = new AbortController(); setTimeout(() => c.abort(), 8000);
      fetch("https://extensions.duckdb.org/", { method: "HEAD", signal: c.signal })
        .then(() => process.exit(0), () => process.exit(1));'; then
    cat >&2 <<EOF
[reports] ERROR: https://extensions.duckdb.org is not reachable from this machine.
[reports] Evidence's DuckDB-wasm downloads its parquet extension from there while running
[reports] the source queries and building pages (and the reader's browser does too), so
[reports] 'evidence sources' would hang here. Run make reports on a machine with network.
[reports] Offline, 'make reports-check' validates every report query against the warehouse.
[reports] (REPORTS_SKIP_NETCHECK=1 skips this probe and relies on the timeouts instead.)
EOF
    exit 3
  fi
fi

strict=(--strict)
[ "${REPORTS_SOURCES_STRICT:-1}" = 0 ] && strict=()
say "npx evidence sources (up to ${REPORTS_SOURCES_TIMEOUT:-600}s)"
run_with_timeout "${REPORTS_SOURCES_TIMEOUT:-600}" \
  "'evidence sources' did not finish. It hangs without network: DuckDB-wasm fetches its parquet extension from extensions.duckdb.org. On an offline machine use 'make reports-check' instead." \
  npx --no-install evidence sources "${strict[@]}"

# --- 4. serve or build ------------------------------------------------------------
if [ "$MODE" = build ]; then
  say "npx evidence build (up to ${REPORTS_BUILD_TIMEOUT:-1200}s)"
  run_with_timeout "${REPORTS_BUILD_TIMEOUT:-1200}" \
    "'evidence build' did not finish. Prerendering runs every page query in DuckDB-wasm, which needs extensions.duckdb.org." \
    npx --no-install evidence build
  say "static site in reports/build; serve it with: python3 -m http.server --bind 127.0.0.1 --directory reports/build 8000"
else
  say "Evidence dev server on http://127.0.0.1:$PORT (Ctrl-C to stop)"
  exec npx --no-install evidence dev --host 127.0.0.1 --port "$PORT"
fi
