#!/usr/bin/env bash
# `make ui`: the Dagster UI (webserver + daemon, so schedules and sensors tick) on the same
# warehouse as `make run`, bound to 127.0.0.1.
#
# Starting the UI never writes the warehouse: it only reads Dagster's own instance
# ($DAGSTER_HOME). If a run is writing the warehouse right now, the UI still starts and says so;
# runs launched from it queue in the `duckdb_warehouse` pool (limit 1).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"
HOST=127.0.0.1
PORT="${DAGSTER_PORT:-3000}"

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
export WAREHOUSE_PATH="$(abspath "${WAREHOUSE_PATH:-data/warehouse.duckdb}")"
export SIM_STORE_PATH="$(abspath "${SIM_STORE_PATH:-data/sim}")"
export TRUTH_PATH="$(abspath "${TRUTH_PATH:-data/truth}")"
export DAGSTER_HOME="$(abspath "${DAGSTER_HOME:-data/dagster_home}")"
export DBT_PROFILES_DIR="${DBT_PROFILES_DIR:-$PWD}"
# dbt and dagster live in the venv; make them findable without activating it
export PATH="$(dirname "$PY"):$PATH"

if "$PY" - "$HOST" "$PORT" <<'PYCODE'
import socket, sys
s = socket.socket()
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(0)
sys.exit(1)
PYCODE
then
  echo "error: port $PORT on $HOST is already in use (another 'make ui'?) - stop it or run: DAGSTER_PORT=3001 make ui" >&2
  exit 2
fi

# dagster.yaml (pool limit 1), dbt parse if the manifest is stale, warehouse lock note
PYTHONUNBUFFERED=1 "$PY" -m orchestration.ui

echo "Dagster UI: http://$HOST:$PORT  (warehouse: $WAREHOUSE_PATH; Ctrl-C stops)"
exec "$(dirname "$PY")/dagster" dev -m orchestration -h "$HOST" -p "$PORT"
