# microconv: `make run` for the demo, `make test` for everything CI checks.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export MICROCONV_DB ?= warehouse/microconv.duckdb

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt --no-use-colors
DBT_ARGS := --profiles-dir profiles

DEMO_EVENTS ?= 300000
DEMO_SEED ?= 42
DEMO_DIR := data/demo

TEST_EVENTS ?= 20000
TEST_DIR := data/test
TEST_DB := warehouse/test.duckdb
E2E_DB := warehouse/e2e.duckdb
E2E_SOURCES_DB := warehouse/e2e_sources.duckdb
SOURCES_FIXTURES := tests_py/fixtures/sources

BENCH_EVENTS ?= 10000000
BENCH_SOURCE_EVENTS ?= 1000000

.PHONY: help setup run build checks test lint pytest dbt-test bench mutants clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(VENV)/.installed ## create .venv with the pinned dependencies

$(VENV)/.installed: requirements.txt
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@mkdir -p "$(dir $(MICROCONV_DB))"
	@touch $@

run: setup ## demo: generate, load, dbt build, print a summary (idempotent)
	$(PY) scripts/generate_events.py --events $(DEMO_EVENTS) --seed $(DEMO_SEED) --out $(DEMO_DIR)
	$(PY) scripts/load_events.py $(DEMO_DIR)
	$(MAKE) --no-print-directory build
	$(PY) scripts/summary.py
	$(MAKE) --no-print-directory checks

checks: setup ## data reconciliation + funnel alerts on $$MICROCONV_DB (exit 1 = something to look at is reported, not a failure)
	$(PY) scripts/check_data.py || [ $$? -eq 1 ]
	$(PY) scripts/check_funnels.py || [ $$? -eq 1 ]

build: setup ## dbt build against $$MICROCONV_DB (no data generation)
	@mkdir -p "$(dir $(MICROCONV_DB))"
	$(DBT) build $(DBT_ARGS)

lint: setup ## sqlfluff + ruff
	$(VENV)/bin/ruff check scripts tests_py
	$(VENV)/bin/sqlfluff lint models macros tests --disable-progress-bar --nocolor

pytest: setup ## python tests
	$(VENV)/bin/pytest -q tests_py

dbt-test: setup ## dbt build (unit + data tests) on the end-to-end fixtures and on a small generated data set
	rm -f $(E2E_DB) $(E2E_SOURCES_DB) $(TEST_DB)
	$(PY) scripts/load_events.py --db $(E2E_DB) tests_py/fixtures/e2e/events.csv
	MICROCONV_DB=$(E2E_DB) $(DBT) build $(DBT_ARGS) --vars '{e2e: true}'
	$(PY) scripts/load_events.py --db $(E2E_SOURCES_DB) --quiet --source ga4 $(SOURCES_FIXTURES)/ga4/
	$(PY) scripts/load_events.py --db $(E2E_SOURCES_DB) --quiet --source segment $(SOURCES_FIXTURES)/segment/
	$(PY) scripts/load_events.py --db $(E2E_SOURCES_DB) --quiet --source snowplow $(SOURCES_FIXTURES)/snowplow/
	MICROCONV_DB=$(E2E_SOURCES_DB) $(DBT) build $(DBT_ARGS) --exclude test_type:unit --vars '{e2e_sources: true}'
	$(PY) scripts/generate_events.py --events $(TEST_EVENTS) --seed 7 --out $(TEST_DIR)
	$(PY) scripts/load_events.py --db $(TEST_DB) $(TEST_DIR)
	MICROCONV_DB=$(TEST_DB) $(DBT) build $(DBT_ARGS) --exclude test_type:unit

test: lint pytest dbt-test ## everything CI checks

bench: setup ## benchmark (BENCH_EVENTS, default 10M; BENCH_SOURCE_EVENTS per source format, default 1M)
	$(PY) scripts/bench.py --events $(BENCH_EVENTS) --source-events $(BENCH_SOURCE_EVENTS)

mutants: setup ## mutation check: apply each bug of tests_py/mutants.yml to a scratch copy, run its tests (not part of make test)
	$(PY) scripts/mutants.py

clean: ## remove generated data, warehouse files and dbt artifacts
	rm -rf data target logs warehouse/*.duckdb warehouse/*.wal warehouse/tmp
