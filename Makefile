# Two commands matter: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SCALE ?= demo
SEED ?= 42
SCENARIO ?=
export WAREHOUSE_PATH ?= data/warehouse.duckdb
export TRUTH_PATH ?= data/truth
export SIM_STORE_PATH ?= data/sim
export DBT_PROFILES_DIR ?= $(CURDIR)
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
SCENARIO_ARG := $(if $(SCENARIO),--scenario $(SCENARIO),)

.PHONY: help install run test test-fast accuracy ui docs reports reports-check bench browser-deps clean

help:
	@echo "make run    - install, generate the demo market, ingest, build the warehouse, score (SCALE=small|demo|large SEED=42 SCENARIO=file.yaml)"
	@echo "make test   - install and run the whole test suite (small market)"
	@echo "make ui     - Dagster UI on the same warehouse (http://127.0.0.1:3000)"
	@echo "make docs   - build dbt docs (lineage) into target/"
	@echo "make bench  - scale benchmarks (slow), results in bench/results/"

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python dependencies into $(VENV) (first time takes a few minutes)..."
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	@$(PY) -m orchestration.run --scale $(SCALE) --seed $(SEED) $(SCENARIO_ARG)

browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian chromium for browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped with a reason"; }

test: install browser-deps
	@$(PY) -m pytest -q -m "not accuracy" --durations=25 $(PYTEST_ARGS)

test-fast: install
	@$(PY) -m pytest -q -m "not accuracy and not integration" $(PYTEST_ARGS)

accuracy: install
	@$(PY) -m pytest -q -m accuracy $(PYTEST_ARGS)

ui: install
	@bash scripts/ui.sh

docs: install
	@bash scripts/docs.sh

reports: install
	@bash scripts/reports.sh

reports-check: install
	@$(PY) scripts/reports_check.py --warehouse $(WAREHOUSE_PATH)

bench: install
	@$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf data target logs
