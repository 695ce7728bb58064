#!/usr/bin/env bash
# `make docs`: dbt docs (models, columns, tests, lineage) generated into target/.
#
# `dbt docs generate` reads the warehouse's catalog, so it needs a built warehouse (`make run`)
# and a moment without a writer: if a run holds the DuckDB lock it stops with a clear message.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
export WAREHOUSE_PATH="$(abspath "${WAREHOUSE_PATH:-data/warehouse.duckdb}")"
export DBT_PROFILES_DIR="${DBT_PROFILES_DIR:-$PWD}"
export PATH="$(dirname "$PY"):$PATH"

generate_args=(--target-path target)
if [ ! -f "$WAREHOUSE_PATH" ]; then
  # do not let dbt create an empty warehouse file just to read its catalog
  echo "note: no warehouse at $WAREHOUSE_PATH yet - generating docs without a catalog (run 'make run' first for column types and stats)"
  generate_args+=(--empty-catalog --no-compile)
fi
if holder="$("$PY" -c 'from orchestration.lib.warehouse import lock_holder; print(lock_holder(for_write=False) or "")')" && [ -n "$holder" ]; then
  echo "error: the warehouse $WAREHOUSE_PATH is being written by $holder - wait for that run to finish, then re-run 'make docs'" >&2
  exit 2
fi

AS_OF_DATE="${AS_OF_DATE:-$("$PY" -c 'from orchestration.lib.settings import as_of_date; print(as_of_date())')}"
export AS_OF_DATE

"$(dirname "$PY")/dbt" docs generate "${generate_args[@]}"
echo
echo "dbt docs written to $PWD/target (index.html, manifest.json, catalog.json)."
echo "Open them with:  .venv/bin/dbt docs serve --host 127.0.0.1 --port 8080   (then http://127.0.0.1:8080)"
