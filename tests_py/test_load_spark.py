"""`load_events.py --target spark`: the loader's rules on Apache Spark's raw tables (local mode).

One Spark warehouse (a temporary folder) for the module: every call of the loader runs in this process
(one JVM; each call opens and stops its SparkSession). Checked: rows and load columns land in raw.events and
the source tables, raw.load_log gets one row per file, a file loaded again is skipped, a file missing a
required column is a one-line error that loads nothing, and a partition left by a load killed between its
two commits (rows, then load_log) is dropped by the next run.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import load_events
import pytest
from cli_helpers import run_in_process
from common.constants import EXIT_ERROR, EXIT_OK

REPO = Path(__file__).resolve().parents[1]
E2E_EVENTS = REPO / "tests_py" / "fixtures" / "e2e" / "events.csv"
SOURCES = REPO / "tests_py" / "fixtures" / "sources"
GA4_EVENTS = SOURCES / "ga4" / "events_20260901.json"

pytest.importorskip("pyspark")
with E2E_EVENTS.open(newline="") as handle:
    E2E_ROWS = sum(1 for _ in csv.reader(handle)) - 1  # data rows (the header not counted)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("spark") / "warehouse"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MICROCONV_SPARK_WAREHOUSE", str(folder))
        patch.setenv("MICROCONV_SPARK_MASTER", "local[1]")
        yield folder


def query(sql: str) -> list[Any]:
    from spark_target.session import spark_session

    spark = spark_session()
    try:
        return [tuple(row) for row in spark.sql(sql).collect()]
    finally:
        spark.stop()


def load(*args: object) -> Any:
    return run_in_process(load_events.main, "--target", "spark", *args)


def test_db_and_target_spark_is_an_error() -> None:
    result = run_in_process(load_events.main, "--target", "spark", "--db", "x.duckdb", E2E_EVENTS)
    assert result.returncode == EXIT_ERROR
    assert result.stderr.startswith("error: --db is for --target duckdb")


def test_loads_canonical_and_source_files_once(warehouse: Path, tmp_path: Path) -> None:
    first = load(E2E_EVENTS)
    assert first.returncode == EXIT_OK, first.stderr
    assert "loaded" in first.stdout and f"{E2E_ROWS} rows" in first.stdout
    second = load("--source", "ga4", GA4_EVENTS)
    assert second.returncode == EXIT_OK, second.stderr
    again = load(E2E_EVENTS)
    assert again.returncode == EXIT_OK
    assert "skipped" in again.stdout and "already loaded as load 1" in again.stdout
    bad = tmp_path / "no_name.csv"
    bad.write_text("event_id,event_ts,anonymous_id\ne1,2026-09-01T10:00:00Z,a\n")
    failed = load(bad)
    assert failed.returncode == EXIT_ERROR
    assert failed.stderr.strip() == f"error: {bad}: missing required column 'event_name'"

    per_load = "select _load_id, count(*), min(_source_row), max(_source_row) from raw.events group by 1"
    assert query(per_load) == [(1, E2E_ROWS, 1, E2E_ROWS)]
    assert query("select event_id from raw.events where _source_row = 2") == [("e02",)]
    log = query("select load_id, source_file, file_format, rows from raw.load_log order by load_id")
    ga4_rows = query("select count(*) from raw.ga4_events where _load_id = 2")[0][0]
    assert ga4_rows > 0
    assert log == [(1, str(E2E_EVENTS), "csv", E2E_ROWS), (2, str(GA4_EVENTS), "ga4:jsonl", ga4_rows)]
    assert (warehouse / "raw.db" / "events" / "_load_id=1").is_dir()  # Parquet, one partition per load


def test_every_source_loads(warehouse: Path) -> None:
    for source in ("segment", "snowplow"):
        result = load("--source", source, SOURCES / source)
        assert result.returncode == EXIT_OK, result.stderr
    logged = query(
        "select file_format, rows from raw.load_log where file_format like 'segment:%' "
        "or file_format like 'snowplow:%' order by load_id"
    )
    assert [fmt for fmt, _ in logged] == ["segment:jsonl", "segment:csv", "segment:csv", "snowplow:tsv"]
    landed = query(
        "select (select count(*) from raw.segment_messages) + (select count(*) from raw.segment_tracks)"
        " + (select count(*) from raw.segment_pages) + (select count(*) from raw.segment_identifies),"
        " (select count(*) from raw.snowplow_events)"
    )[0]
    assert landed == (sum(rows for fmt, rows in logged[:3]), logged[3][1])


def test_partition_without_load_log_row_is_dropped(warehouse: Path) -> None:
    # A load killed after writing its rows and before its raw.load_log row leaves a partition of its own.
    query("insert into raw.events partition (_load_id = 99) (event_id) values ('orphan')")
    assert query("select count(*) from raw.events where _load_id = 99") == [(1,)]
    assert load(E2E_EVENTS).returncode == EXIT_OK  # any run of the loader recovers first
    assert query("select count(*) from raw.events where _load_id = 99") == [(0,)]
    assert query("select count(*) from raw.events") == [(E2E_ROWS,)]
