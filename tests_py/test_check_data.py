"""Tests for scripts/check_data.py: reconciliation, reject reasons, freshness, exit codes, errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import check_data
import duckdb
import pytest
import yaml
from cli_helpers import assert_one_line_error, run_in_process, run_script
from common.constants import EXIT_ALERTS, EXIT_OK

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_data.py"

RAW_TABLES = """
create schema raw;
create table raw.load_log (
    load_id bigint, source_file varchar, content_hash varchar, file_format varchar, rows bigint,
    loaded_at timestamp
);
create table raw.events (event_id varchar, _load_id bigint, _source_row bigint);
"""
STAGING_TABLES = """
create schema staging;
create table staging.stg_events (event_id varchar, event_ts timestamp, _load_id bigint, _source_row bigint);
create table staging.stg_events_rejected (
    reject_reason varchar, event_id varchar, _load_id bigint, _source_row bigint
);
"""
# The columns of the dbt model marts.mart_load_reconciliation (built by hand here; the model's own
# rule is checked by its dbt data tests and by test_check_data_after_dbt_build below).
MART_TABLE = """
create schema marts;
create table marts.mart_load_reconciliation (
    load_id bigint, source_file varchar, loaded_at timestamp, file_rows bigint, raw_rows bigint,
    staged_events bigint, duplicates_removed bigint, rejected_rows bigint, is_reconciled boolean
);
"""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def make_db(
    path: Path,
    *,
    loaded_hours_ago: float = 1.0,
    event_ts: str = "2026-10-26 23:00:00",
    unstaged_load: bool = False,
    wrong_log_rows: bool = False,
    mart_rows: list[tuple[object, ...]] | None = None,
) -> Path:
    """Load 1 (a.csv): 5 rows = 3 staged + 1 duplicate (e2 again) + 1 rejected (missing_ids).
    Load 2 (b.csv): 2 rows = 1 staged + 1 duplicate of load 1 (e1).
    Optionally a load 3 in raw but not in the mart (a load after the last dbt build).
    `mart_rows` replaces the mart's rows (load_id, source_file, file_rows, raw, staged, duplicates,
    rejected, is_reconciled)."""
    loaded_at = now_utc() - dt.timedelta(hours=loaded_hours_ago)
    con = duckdb.connect(str(path))
    con.execute(RAW_TABLES + STAGING_TABLES + MART_TABLE)
    log_rows = 6 if wrong_log_rows else 5
    con.execute(
        "insert into raw.load_log values (1, 'a.csv', 'h1', 'csv', ?, ?), (2, 'b.csv', 'h2', 'csv', 2, ?)",
        [log_rows, loaded_at - dt.timedelta(hours=1), loaded_at],
    )
    raw = [("e1", 1, 1), ("e2", 1, 2), ("e3", 1, 3), ("e2", 1, 4), ("e4", 1, 5), ("e1", 2, 1), ("e5", 2, 2)]
    con.executemany("insert into raw.events values (?, ?, ?)", raw)
    con.executemany(
        "insert into staging.stg_events values (?, ?, ?, ?)",
        [
            ("e1", event_ts, 1, 1),
            ("e2", event_ts, 1, 2),
            ("e3", "2026-10-01 00:00:00", 1, 3),
            ("e5", event_ts, 2, 2),
        ],
    )
    con.execute("insert into staging.stg_events_rejected values ('missing_ids', 'e4', 1, 5)")
    if mart_rows is None:
        mart_rows = [
            (1, "a.csv", log_rows, 5, 3, 1, 1, not wrong_log_rows),
            (2, "b.csv", 2, 2, 1, 1, 0, True),
        ]
    con.executemany(
        "insert into marts.mart_load_reconciliation "
        "select ?, ?, (select loaded_at from raw.load_log where load_id = ?), ?, ?, ?, ?, ?, ?",
        [(row[0], row[1], row[0], *row[2:]) for row in mart_rows],
    )
    if unstaged_load:
        con.execute("insert into raw.load_log values (3, 'c.csv', 'h3', 'csv', 2, ?)", [loaded_at])
        con.execute("insert into raw.events values ('e6', 3, 1), ('e7', 3, 2)")
    con.close()
    return path


def check(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the check in this process (fast); same result shape as `run`."""
    return run_in_process(check_data.main, *args)


def run(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the check as the CLI, in a subprocess."""
    return run_script(SCRIPT, *args)


def test_healthy_data(tmp_path: Path) -> None:
    result = check("--db", make_db(tmp_path / "w.duckdb"))
    assert result.returncode == EXIT_OK, result.stdout
    assert "healthy" in result.stdout
    assert "missing_ids 1" in result.stdout
    assert "a.csv" in result.stdout and "b.csv" in result.stdout


def test_json_shape_and_counts(tmp_path: Path) -> None:
    result = check("--db", make_db(tmp_path / "w.duckdb"), "--json")
    assert result.returncode == EXIT_OK
    report = json.loads(result.stdout)
    assert set(report) == {"healthy", "loads", "reject_reasons", "freshness"}
    assert report["healthy"] is True
    first, second = report["loads"]
    assert {k: first[k] for k in ("load_id", "source_file", "file_rows", "raw_rows")} == {
        "load_id": 1,
        "source_file": "a.csv",
        "file_rows": 5,
        "raw_rows": 5,
    }
    assert (first["staged_rows"], first["duplicate_rows"], first["rejected_rows"]) == (3, 1, 1)
    assert (second["staged_rows"], second["duplicate_rows"], second["rejected_rows"]) == (1, 1, 0)
    assert first["ok"] is True and first["problem"] is None
    assert report["reject_reasons"] == [{"reject_reason": "missing_ids", "rows": 1}]
    freshness = report["freshness"]
    assert freshness["stale"] is False and freshness["problems"] == []
    assert freshness["newest_event_ts"] == "2026-10-26T23:00:00"
    assert freshness["max_age_hours"] == 48.0
    assert freshness["max_event_lag_hours"] is None
    assert 0.9 < freshness["load_age_hours"] < 1.1


def test_load_after_the_build_is_not_built_yet(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb", unstaged_load=True)
    result = check("--db", db, "--json")
    assert result.returncode == EXIT_ALERTS
    report = json.loads(result.stdout)
    assert report["healthy"] is False
    third = report["loads"][2]
    assert third["load_id"] == 3 and third["source_file"] == "c.csv" and third["file_rows"] == 2
    assert third["ok"] is False
    assert third["problem"] == "not built yet: run 'make build'"
    assert [third[key] for key in ("raw_rows", "staged_rows", "duplicate_rows", "rejected_rows")] == [
        None
    ] * 4
    human = check("--db", db)
    assert human.returncode == EXIT_ALERTS
    assert "MISMATCH: not built yet: run 'make build'" in human.stdout
    assert "1 file(s) do not reconcile" in human.stdout


def test_load_log_row_count_differs(tmp_path: Path) -> None:
    result = check("--db", make_db(tmp_path / "w.duckdb", wrong_log_rows=True), "--json")
    assert result.returncode == EXIT_ALERTS
    assert "raw.load_log says 6 rows, raw.events has 5" in json.loads(result.stdout)["loads"][0]["problem"]


def test_verdict_is_the_marts_is_reconciled(tmp_path: Path) -> None:
    """The script takes the mart's verdict, never recomputes it: a row the mart marks reconciled is ok
    whatever its numbers, a row it marks not reconciled is a mismatch naming the counts."""
    rows = [(1, "a.csv", 5, 5, 3, 1, 0, False), (2, "b.csv", 2, 2, 9, 9, 9, True)]
    result = check("--db", make_db(tmp_path / "w.duckdb", mart_rows=rows), "--json")
    assert result.returncode == EXIT_ALERTS
    first, second = json.loads(result.stdout)["loads"]
    assert first["problem"] == "raw 5 != staged + duplicates + rejected 4"
    assert second["ok"] is True and second["problem"] is None


def test_raw_rows_without_load_log_entry(tmp_path: Path) -> None:
    rows = [
        (1, "a.csv", 5, 5, 3, 1, 1, True),
        (2, "b.csv", 2, 2, 1, 1, 0, True),
        (7, None, None, 1, 1, 0, 0, False),
    ]
    result = check("--db", make_db(tmp_path / "w.duckdb", mart_rows=rows), "--json")
    assert result.returncode == EXIT_ALERTS
    orphan = json.loads(result.stdout)["loads"][2]
    assert orphan["load_id"] == 7 and orphan["problem"] == "rows in raw.events without a raw.load_log entry"
    assert "(not in raw.load_log)" in check("--db", make_db(tmp_path / "h.duckdb", mart_rows=rows)).stdout


def test_old_load_is_stale(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb", loaded_hours_ago=100)
    result = check("--db", db)
    assert result.returncode == EXIT_ALERTS
    assert "stale data" in result.stdout
    assert check("--db", db, "--max-age-hours", "200").returncode == EXIT_OK


def test_historical_events_are_not_stale_by_default(tmp_path: Path) -> None:
    """The demo: events weeks older than their (recent) load are fine unless --max-event-lag-hours."""
    db = make_db(tmp_path / "w.duckdb", event_ts="2020-01-01 00:00:00")
    assert check("--db", db).returncode == EXIT_OK
    result = check("--db", db, "--max-event-lag-hours", "6", "--json")
    assert result.returncode == EXIT_ALERTS
    problems = json.loads(result.stdout)["freshness"]["problems"]
    assert len(problems) == 1 and "older than the newest load" in problems[0]


def test_missing_database_is_one_line_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nope.duckdb"
    assert_one_line_error(check("--db", db), str(db), "not found")
    assert not db.exists()


def test_missing_mart_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "raw_only.duckdb"
    con = duckdb.connect(str(db))
    con.execute(RAW_TABLES)
    con.close()
    assert_one_line_error(check("--db", db), "table marts.mart_load_reconciliation not found", "make build")


def test_missing_raw_table_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    assert_one_line_error(check("--db", db), "table raw.load_log not found", "load_events.py")


@pytest.mark.parametrize("option", ["--max-age-hours", "--max-event-lag-hours"])
@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_bad_hours_are_one_line(tmp_path: Path, option: str, value: str) -> None:
    assert_one_line_error(check("--db", make_db(tmp_path / "w.duckdb"), f"{option}={value}"), option)


def test_cli_exit_codes_without_traceback(tmp_path: Path) -> None:
    healthy = run("--db", make_db(tmp_path / "w.duckdb"))
    assert healthy.returncode == EXIT_OK, healthy.stderr
    mismatch = run("--db", make_db(tmp_path / "m.duckdb", unstaged_load=True), "--json")
    assert mismatch.returncode == EXIT_ALERTS, mismatch.stderr
    assert json.loads(mismatch.stdout)["healthy"] is False
    assert_one_line_error(run("--db", tmp_path / "nope.duckdb"), "not found")


def test_hand_made_mart_has_the_models_columns(tmp_path: Path) -> None:
    """The table built by hand above has exactly the columns documented for the dbt model, so these
    tests read what `dbt build` writes (the e2e build in `make test` checks the model's values)."""
    models = yaml.safe_load((REPO / "models/marts/audit/_audit__models.yml").read_text())["models"]
    model = next(m for m in models if m["name"] == "mart_load_reconciliation")
    con = duckdb.connect(str(make_db(tmp_path / "w.duckdb")))
    hand_made = [row[0] for row in con.execute("describe marts.mart_load_reconciliation").fetchall()]
    con.close()
    assert hand_made == [column["name"] for column in model["columns"]]
    assert list(check_data.MART_COLUMNS) == hand_made


def test_mart_of_an_older_build_is_one_line(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb")
    con = duckdb.connect(str(db))
    con.execute("alter table marts.mart_load_reconciliation drop column file_rows")
    con.close()
    assert_one_line_error(check("--db", db), "has no column file_rows", "make build")
