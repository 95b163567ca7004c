"""scripts/bench_sources.py: every source format is written from the same events, loaded and timed."""

from __future__ import annotations

import json
from pathlib import Path

import bench_sources
import duckdb
from cli_helpers import assert_one_line_error, run_in_process

FORMATS = [
    "canonical csv",
    "ga4 ndjson",
    "ga4 parquet",
    "segment messages jsonl",
    "segment tracks csv",
    "snowplow enriched tsv",
    "snowplow atomic csv",
]


def test_every_format_loads_the_same_events(tmp_path: Path) -> None:
    out = tmp_path / "sources.json"
    keep = tmp_path / "files"
    result = run_in_process(bench_sources.main, "--events", 2000, "--json", out, "--keep", keep)
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())["results"]
    assert [r["format"] for r in results] == FORMATS
    # The converted files hold the rows whose timestamp the converter reads (not the planted bad ones).
    rows = {r["format"]: r["rows"] for r in results}
    assert rows["canonical csv"] == 2000
    assert len({n for f, n in rows.items() if f != "canonical csv"}) == 1
    assert 1900 < rows["ga4 ndjson"] <= 2000
    for line in FORMATS:
        assert line in result.stdout
    # GA4 NDJSON as BigQuery writes it: int64 as JSON strings.
    first = json.loads((keep / "ga4_events.json").read_text().splitlines()[0])
    assert isinstance(first["event_timestamp"], str) and first["event_timestamp"].isdigit()
    # Snowplow enriched TSV: 131 tab-separated fields, no header.
    tsv = (keep / "snowplow_enriched.tsv").read_text().splitlines()
    assert {len(line.split("\t")) for line in tsv} == {131}
    parquet = keep / "ga4_events.parquet"
    with duckdb.connect() as con:  # its own connection: the module default may hold another test's result
        parquet_rows = con.execute(f"select count(*) from read_parquet('{parquet}')").fetchall()
    assert parquet_rows == [(rows["ga4 parquet"],)]


def test_too_few_events_is_one_line(tmp_path: Path) -> None:
    result = run_in_process(bench_sources.main, "--events", 10)
    assert_one_line_error(result, "--events must be at least 1000")
