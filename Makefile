# microconv: `make run` for the demo, `make test` for everything CI checks.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export MICROCONV_DB ?= warehouse/microconv.duckdb
export MICROCONV_REPORT ?= reports/microconv.html
# Dagster's instance (runs, schedules, sensor cursors) in the project; telemetry off in .dagster/dagster.yaml.
export DAGSTER_HOME ?= $(CURDIR)/.dagster

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DBT := $(VENV)/bin/dbt --no-use-colors
DBT_ARGS := --profiles-dir profiles

DEMO_EVENTS ?= 300000
DEMO_SEED ?= 42
DEMO_DIR := data/demo

# make test's generated set: 42 days (the least that holds the planted incident, 2026-10-06..10-12) of
# 300,000 events, so that the incident's mobile payment step has enough sessions every day (12-18) for
# the alert tests; tests/audit/assert_planted_incident_alert.sql asserts its one alert for these values.
TEST_EVENTS ?= 300000
TEST_DAYS ?= 42
TEST_SEED ?= 7
TEST_DIR := data/test
TEST_DB := warehouse/test.duckdb
E2E_DB := warehouse/e2e.duckdb
E2E_SOURCES_DB := warehouse/e2e_sources.duckdb
SOURCES_FIXTURES := tests_py/fixtures/sources

# make test-spark: the same models on Apache Spark (local mode), compared with DuckDB builds of the same data.
SPARK_DIR := warehouse/spark_test
SPARK_ENV := SPARK_CONF_DIR=$(CURDIR)/profiles/spark MICROCONV_SPARK_WAREHOUSE=$(SPARK_DIR)/warehouse MICROCONV_SPARK_MASTER=$${MICROCONV_SPARK_MASTER:-local[2]}
SPARK_DBT := $(SPARK_ENV) $(DBT) --log-path $(SPARK_DIR)/logs
SPARK_DBT_ARGS := $(DBT_ARGS) --target spark --target-path target/spark
SPARK_EVENTS ?= 3000
# The second Spark warehouse: SPARK_EVENTS generated events (make test-spark-full: plus the GA4, Segment and
# Snowplow fixtures; each load on Spark starts a JVM, about a minute on the shared 2-core machine).
SPARK_MIXED_SOURCES ?=
SPARK_MIXED_ENV := SPARK_CONF_DIR=$(CURDIR)/profiles/spark MICROCONV_SPARK_WAREHOUSE=$(SPARK_DIR)/mixed MICROCONV_SPARK_MASTER=$${MICROCONV_SPARK_MASTER:-local[2]}
SPARK_COMPARED := staging intermediate marts semantic
# The generated events reach Spark in two batches (the first half of the files with the late-data cases' first
# events, then the rest with the late events of tests_py/fixtures/incremental): a build of the incremental models
# (and what they read) after the first, the whole build after the second, incremental for those models, then
# compared with DuckDB's full build of the same files. The changed-key lists record each load as
# seen when it was built (a full build lists every load as seen now), so they are not compared.
INCREMENTAL_FIXTURES := tests_py/fixtures/incremental
INCREMENTAL_BOOKKEEPING := intermediate.int_visitors__changed intermediate.int_user_keys__changed
# What make test-spark builds of the end-to-end fixture on Spark: seeds, models, the expected-output checks and
# the engine macro tests (tests/macros); every model is then compared with DuckDB's, which ran every unit and
# data test on the same rows. make test-spark-full runs all unit and data tests on Spark too (slow, see README).
SPARK_E2E_SELECT ?= --indirect-selection empty --select resource_type:seed resource_type:model test_name:equals_expected_csv path:tests/macros
# Columns that differ between two loads of the same files: when they were loaded.
LOAD_TIME_COLUMNS := _loaded_at loaded_at

BENCH_EVENTS ?= 10000000
BENCH_SOURCE_EVENTS ?= 1000000
BENCH_SPARK_EVENTS ?= 1000000

DAGSTER := $(VENV)/bin/dagster

.PHONY: help setup run build checks report docs dagster materialize test lint pytest dbt-test test-spark test-spark-full report-test bench bench-spark mutants clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(VENV)/.dagster_cli ## create .venv with the pinned dependencies

# .venv/bin/dagster takes the code location of pyproject.toml's [tool.dagster] for every command
# (Dagster 1.13's `asset materialize` does not read it): see orchestration/dagster_cli.py.
$(VENV)/.dagster_cli: $(VENV)/.installed orchestration/dagster_cli.py
	$(PY) -c 'import pathlib, sys; from orchestration.dagster_cli import install; install(pathlib.Path("$(VENV)/bin/dagster").absolute(), pathlib.Path.cwd())'
	@touch $@

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
	$(MAKE) --no-print-directory report

checks: setup ## data reconciliation + funnel alerts on $$MICROCONV_DB (exit 1 = something to look at is reported, not a failure)
	$(PY) scripts/check_data.py || [ $$? -eq 1 ]
	$(PY) scripts/check_funnels.py || [ $$? -eq 1 ]

report: setup ## write the HTML report $$MICROCONV_REPORT (default reports/microconv.html) from $$MICROCONV_DB
	$(PY) scripts/report.py --db "$(MICROCONV_DB)" --out "$(MICROCONV_REPORT)"

build: setup ## dbt build against $$MICROCONV_DB (no data generation)
	@mkdir -p "$(dir $(MICROCONV_DB))"
	$(DBT) build $(DBT_ARGS)

docs: setup ## dbt docs generate (target/index.html + catalog of $$MICROCONV_DB); serve: .venv/bin/dbt docs serve --profiles-dir profiles
	$(DBT) docs generate $(DBT_ARGS)

dagster: setup ## Dagster UI + daemon (schedule, new-files sensor) on http://127.0.0.1:3000
	$(DAGSTER) dev --host 127.0.0.1 --port 3000

materialize: setup ## run every Dagster asset once: load $$MICROCONV_INCOMING, dbt build, checks
	$(DAGSTER) asset materialize --select '*'

# sqlfluff renders the models against an empty in-memory database, as on a clean clone (CI): is_incremental() is
# false there, so a local warehouse's state cannot change what is linted.
lint: setup ## sqlfluff + ruff
	$(VENV)/bin/ruff check scripts tests_py orchestration
	MICROCONV_DB=:memory: $(VENV)/bin/sqlfluff lint models macros tests --disable-progress-bar --nocolor

pytest: setup ## python tests
	$(VENV)/bin/pytest -q tests_py

dbt-test: setup ## dbt build (unit + data tests) on the end-to-end fixtures (canonical and per source) and on a generated data set with the planted incident
	rm -f $(E2E_DB) $(E2E_SOURCES_DB) $(TEST_DB)
	$(PY) scripts/load_events.py --db $(E2E_DB) tests_py/fixtures/e2e/events.csv
	MICROCONV_DB=$(E2E_DB) $(DBT) build $(DBT_ARGS) --vars '{e2e: true}'
	$(PY) scripts/load_events.py --db $(E2E_SOURCES_DB) --quiet --source ga4 $(SOURCES_FIXTURES)/ga4/
	$(PY) scripts/load_events.py --db $(E2E_SOURCES_DB) --quiet --source segment $(SOURCES_FIXTURES)/segment/
	$(PY) scripts/load_events.py --db $(E2E_SOURCES_DB) --quiet --source snowplow $(SOURCES_FIXTURES)/snowplow/
	MICROCONV_DB=$(E2E_SOURCES_DB) $(DBT) build $(DBT_ARGS) --exclude test_type:unit --vars '{e2e_sources: true}'
	$(PY) scripts/generate_events.py --events $(TEST_EVENTS) --seed $(TEST_SEED) --days $(TEST_DAYS) --out $(TEST_DIR)
	$(PY) scripts/load_events.py --db $(TEST_DB) $(TEST_DIR)
	MICROCONV_DB=$(TEST_DB) $(DBT) build $(DBT_ARGS) --exclude test_type:unit --vars '{alert_expect_planted_incident: true}'

test-spark: setup ## on Spark (local mode): the end-to-end fixture (expected outputs, engine macro tests), then SPARK_EVENTS generated events in two batches (the second built incrementally); every model equal to DuckDB's build of the same data
	rm -rf $(SPARK_DIR)
	@mkdir -p $(SPARK_DIR)
	$(SPARK_ENV) $(PY) scripts/load_events.py --target spark --quiet tests_py/fixtures/e2e/events.csv
	$(SPARK_DBT) build $(SPARK_DBT_ARGS) --vars '{e2e: true}' $(SPARK_E2E_SELECT)
	$(PY) scripts/load_events.py --db $(SPARK_DIR)/e2e.duckdb --quiet tests_py/fixtures/e2e/events.csv
	MICROCONV_DB=$(SPARK_DIR)/e2e.duckdb $(DBT) build $(DBT_ARGS) --resource-type seed --resource-type model --target-path target/spark_duckdb
	$(SPARK_ENV) $(PY) scripts/export_spark.py $(SPARK_DIR)/e2e_spark.duckdb --like $(SPARK_DIR)/e2e.duckdb --schemas $(SPARK_COMPARED)
	$(PY) scripts/compare_warehouses.py $(SPARK_DIR)/e2e.duckdb $(SPARK_DIR)/e2e_spark.duckdb --schemas $(SPARK_COMPARED) --ignore-columns $(LOAD_TIME_COLUMNS)
	$(PY) scripts/generate_events.py --events $(SPARK_EVENTS) --seed $(TEST_SEED) --days $(TEST_DAYS) --out $(SPARK_DIR)/generated
	@mkdir -p $(SPARK_DIR)/batch_1 $(SPARK_DIR)/batch_2
	files=$$(ls $(SPARK_DIR)/generated/*.csv); half=$$(( $$(echo "$$files" | wc -l) / 2 )); \
	  cp $$(echo "$$files" | head -n $$half) $(INCREMENTAL_FIXTURES)/batch0_cases.csv $(SPARK_DIR)/batch_1/; \
	  cp $$(echo "$$files" | tail -n +$$((half + 1))) $(INCREMENTAL_FIXTURES)/batch1_late_events.csv \
	    $(INCREMENTAL_FIXTURES)/batch2_duplicates_tracker.csv $(SPARK_DIR)/batch_2/
	for target in "--target spark" "--db $(SPARK_DIR)/mixed.duckdb"; do \
	  for source in $(SPARK_MIXED_SOURCES); do \
	    $(SPARK_MIXED_ENV) $(PY) scripts/load_events.py $$target --quiet --source $$source $(SOURCES_FIXTURES)/$$source/; \
	  done; \
	  $(SPARK_MIXED_ENV) $(PY) scripts/load_events.py $$target --quiet $(SPARK_DIR)/batch_1; \
	done
	$(SPARK_MIXED_ENV) $(DBT) --log-path $(SPARK_DIR)/logs build $(SPARK_DBT_ARGS) --resource-type seed --resource-type model \
	  --select +config.materialized:incremental
	for target in "--target spark" "--db $(SPARK_DIR)/mixed.duckdb"; do \
	  $(SPARK_MIXED_ENV) $(PY) scripts/load_events.py $$target --quiet $(SPARK_DIR)/batch_2; \
	done
	$(SPARK_MIXED_ENV) $(DBT) --log-path $(SPARK_DIR)/logs build $(SPARK_DBT_ARGS) --resource-type seed --resource-type model
	MICROCONV_DB=$(SPARK_DIR)/mixed.duckdb $(DBT) build $(DBT_ARGS) --resource-type seed --resource-type model --target-path target/spark_duckdb
	$(SPARK_MIXED_ENV) $(PY) scripts/export_spark.py $(SPARK_DIR)/mixed_spark.duckdb --like $(SPARK_DIR)/mixed.duckdb --schemas $(SPARK_COMPARED)
	$(PY) scripts/compare_warehouses.py $(SPARK_DIR)/mixed.duckdb $(SPARK_DIR)/mixed_spark.duckdb --schemas $(SPARK_COMPARED) \
	  --ignore-columns $(LOAD_TIME_COLUMNS) --ignore-relations $(INCREMENTAL_BOOKKEEPING)

test-spark-full: ## make test-spark with every dbt unit and data test on Spark, the source fixtures in the compared build, incremental builds killed (-9) half-way, and a tiny bench.py --spark (not part of make test)
	$(MAKE) --no-print-directory test-spark SPARK_E2E_SELECT= SPARK_MIXED_SOURCES="ga4 segment snowplow"
	$(SPARK_MIXED_ENV) MICROCONV_SPARK_RECOVERY_EXPECTED=$(SPARK_DIR)/mixed.duckdb $(VENV)/bin/pytest -q tests_py/test_incremental_spark.py
	MICROCONV_BENCH_SPARK_TEST=1 $(VENV)/bin/pytest -q tests_py/test_bench_spark.py

report-test: setup ## the report in headless chromium on warehouse/test.duckdb (built by dbt-test); screenshot in reports/test/
	MICROCONV_REPORT_TEST_DB=$(TEST_DB) $(VENV)/bin/pytest -q tests_py/test_report_browser.py

test: lint pytest dbt-test report-test test-spark ## everything CI checks

bench: setup ## benchmark (BENCH_EVENTS, default 10M; BENCH_SOURCE_EVENTS per source format, default 1M)
	$(PY) scripts/bench.py --events $(BENCH_EVENTS) --source-events $(BENCH_SOURCE_EVENTS)

bench-spark: setup ## the same BENCH_SPARK_EVENTS (default 1M) events built by DuckDB and by Spark (local mode), dbt run timed on both
	$(PY) scripts/bench.py --spark --events $(BENCH_SPARK_EVENTS) --no-anchor-funnels --no-tests --no-reference --no-incremental

mutants: setup ## mutation check: apply each bug of tests_py/mutants.yml to a scratch copy, run its tests (not part of make test)
	$(PY) scripts/mutants.py

clean: ## remove generated data, warehouse files and dbt artifacts
	rm -rf data target logs reports warehouse/*.duckdb warehouse/*.wal warehouse/tmp
