"""Tests for scripts/load_events.py: formats, row order, idempotency, mapping, properties, errors."""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import load_events
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from common.cli import run_cli
from common.constants import CANONICAL_COLUMNS

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "load_events.py"
LOAD_COLUMNS = ["_load_id", "_source_file", "_source_row", "_loaded_at"]


def event(i: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "event_id": f"e-{i}",
        "event_name": "page_view",
        "event_ts": f"2026-09-01T10:00:{i % 60:02d}Z",
        "anonymous_id": f"a-{i % 3}",
    }
    row.update(extra)
    return row


def write_csv(path: Path, rows: list[dict[str, object]], fieldnames: list[str] | None = None) -> Path:
    names = fieldnames or list(dict.fromkeys(k for row in rows for k in row))
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return path


def load(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the loader in this process (fast); same result shape as `run`."""
    out, err = io.StringIO(), io.StringIO()
    argv = [str(a) for a in args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli(load_events.main, argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the loader as the CLI, in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def events(db: Path, columns: str = "*") -> list[dict[str, object]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(f"SELECT {columns} FROM raw.events ORDER BY _load_id, _source_row")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def assert_one_error_line(result: subprocess.CompletedProcess[str], expected: str | None = None) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    if expected is not None:
        assert lines[0] == expected
    return lines[0]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "test.duckdb"


# --- formats -----------------------------------------------------------------------------------


def test_csv_loads_rows_in_file_order_with_load_columns(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "a.csv", [event(i) for i in range(5)])
    result = run(src, "--db", db)
    assert result.returncode == 0, result.stderr
    assert f"loaded {src}: 5 rows in " in result.stdout
    assert "as load 1" in result.stdout
    assert "total: 1 files loaded, 5 rows" in result.stdout
    rows = events(db)
    assert [r["event_id"] for r in rows] == [f"e-{i}" for i in range(5)]
    assert [r["_source_row"] for r in rows] == [1, 2, 3, 4, 5]
    assert {r["_load_id"] for r in rows} == {1}
    assert {r["_source_file"] for r in rows} == {str(src.absolute())}
    assert all(isinstance(r["_loaded_at"], datetime) and r["_loaded_at"].tzinfo is None for r in rows)
    # all canonical columns, in order, as text; missing optional ones are NULL
    described = query(db, "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'events'")
    assert [c for c, _ in described] == [*CANONICAL_COLUMNS, *LOAD_COLUMNS, "session_id"]
    assert {t for c, t in described if c in CANONICAL_COLUMNS} == {"VARCHAR"}
    assert rows[0]["user_id"] is None and rows[0]["properties"] is None
    log = query(db, "SELECT load_id, source_file, content_hash, file_format, rows FROM raw.load_log")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert log == [(1, str(src.absolute()), digest, "csv", 5)]


def test_loaded_at_is_utc_now(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "a.csv", [event(1)])
    before = datetime.now(UTC).replace(tzinfo=None)
    assert run(src, "--db", db, env={"TZ": "America/New_York"}).returncode == 0
    after = datetime.now(UTC).replace(tzinfo=None)
    (loaded_at,) = query(db, "SELECT _loaded_at FROM raw.events")[0]
    assert before <= loaded_at <= after
    assert query(db, "SELECT loaded_at FROM raw.load_log") == [(loaded_at,)]


def test_csv_empty_fields_quotes_and_newlines(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_text(
        "event_id,event_name,event_ts,anonymous_id,user_id,page_title\n"
        'e1,page_view,2026-09-01,a1,,"Shoes, ""red"""\n'
        'e2,page_view,2026-09-01,a1,"","two\nlines"\n',
        encoding="utf-8",
    )
    assert load(src, "--db", db).returncode == 0
    rows = events(db)
    assert [r["user_id"] for r in rows] == [None, ""]
    assert [r["page_title"] for r in rows] == ['Shoes, "red"', "two\nlines"]
    assert [r["_source_row"] for r in rows] == [1, 2]


def test_csv_gz_loads(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "a.csv.gz", [event(i) for i in range(3)])
    assert load(src, "--db", db).returncode == 0
    assert [(r["event_id"], r["_source_row"]) for r in events(db)] == [("e-0", 1), ("e-1", 2), ("e-2", 3)]
    assert query(db, "SELECT file_format FROM raw.load_log") == [("csv.gz",)]


def test_parquet_typed_columns_land_as_text(tmp_path: Path, db: Path) -> None:
    ts = datetime(2026, 9, 3, 14, 5, 9, 123000)
    table = pa.table(
        {
            "event_id": ["p1", "p2"],
            "event_name": ["purchase", "page_view"],
            "event_ts": pa.array([ts, ts], pa.timestamp("ms")),
            "user_id": pa.array([7, None], pa.int64()),
            "revenue": pa.array([Decimal("12.50"), None], pa.decimal128(10, 2)),
            "order_ts": pa.array([ts.replace(tzinfo=UTC)] * 2, pa.timestamp("us", tz="Europe/Berlin")),
            "day": pa.array([date(2026, 9, 3)] * 2),
            "flag": [True, False],
        }
    )
    src = tmp_path / "p.parquet"
    pq.write_table(table, src)
    assert load(src, "--db", db).returncode == 0
    rows = events(db)
    assert [r["event_ts"] for r in rows] == ["2026-09-03 14:05:09.123"] * 2
    assert [r["user_id"] for r in rows] == ["7", None]
    assert [r["revenue"] for r in rows] == ["12.50", None]
    assert [r["_source_row"] for r in rows] == [1, 2]
    props = json.loads(str(rows[0]["properties"]))
    assert props == {"order_ts": "2026-09-03 14:05:09.123+00", "day": "2026-09-03", "flag": True}


def test_parquet_timestamptz_event_ts_is_utc_text(tmp_path: Path, db: Path) -> None:
    ts = datetime(2026, 9, 3, 14, 5, 9, 123000, tzinfo=UTC)
    table = pa.table(
        {
            "event_id": ["p1"],
            "event_name": ["page_view"],
            "event_ts": pa.array([ts], pa.timestamp("us", tz="America/New_York")),
            "anonymous_id": ["a"],
        }
    )
    pq.write_table(table, tmp_path / "tz.parquet")
    assert run(tmp_path / "tz.parquet", "--db", db, env={"TZ": "Asia/Tokyo"}).returncode == 0
    assert query(db, "SELECT event_ts FROM raw.events") == [("2026-09-03 14:05:09.123+00",)]


def test_jsonl_missing_keys_are_null_and_late_keys_are_found(tmp_path: Path, db: Path) -> None:
    rows = [event(i) for i in range(3000)]
    rows[1] = {"event_id": "e-1", "event_name": "page_view", "event_ts": "2026-09-01", "user_id": "u1"}
    rows[-1] = event(2999, country="DE", revenue=12.5, nested={"a": [1, 2]})
    src = write_jsonl(tmp_path / "a.jsonl", rows)
    with src.open("a", encoding="utf-8") as handle:  # blank lines are not rows
        handle.write("\n\n")
    assert load(src, "--db", db).returncode == 0
    loaded = events(db)
    assert len(loaded) == 3000
    assert [r["_source_row"] for r in loaded] == list(range(1, 3001))
    assert loaded[1]["anonymous_id"] is None and loaded[1]["user_id"] == "u1"
    assert loaded[0]["country"] is None
    assert (loaded[-1]["country"], loaded[-1]["revenue"]) == ("DE", "12.5")
    assert json.loads(str(loaded[-1]["properties"])) == {"nested": {"a": [1, 2]}}
    assert query(db, "SELECT file_format, rows FROM raw.load_log") == [("jsonl", 3000)]


def test_ndjson_gz_loads(tmp_path: Path, db: Path) -> None:
    src = write_jsonl(tmp_path / "b.ndjson.gz", [event(i, revenue="1.50") for i in range(4)])
    assert load(src, "--db", db).returncode == 0
    assert [(r["event_id"], r["revenue"]) for r in events(db)] == [(f"e-{i}", "1.50") for i in range(4)]
    assert query(db, "SELECT file_format FROM raw.load_log") == [("jsonl.gz",)]


def test_format_option_overrides_extension(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "events.txt", [event(1)])
    assert load(src, "--db", db, "--format", "csv").returncode == 0
    assert [r["event_id"] for r in events(db)] == ["e-1"]


def test_header_only_csv_loads_zero_rows(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "empty.csv", [], fieldnames=list(event(0)))
    result = load(src, "--db", db)
    assert result.returncode == 0, result.stderr
    assert "0 rows" in result.stdout
    assert query(db, "SELECT rows FROM raw.load_log") == [(0,)]


def test_default_db_from_env(tmp_path: Path) -> None:
    target = tmp_path / "env" / "from_env.duckdb"
    src = write_csv(tmp_path / "a.csv", [event(1)])
    assert run(src, env={"MICROCONV_DB": str(target)}).returncode == 0
    assert query(target, "SELECT count(*) FROM raw.events") == [(1,)]


# --- row order for files read in many blocks ---------------------------------------------------


@pytest.fixture(scope="module")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """300k-row files with a row-number column `rn`, big enough to be read in many blocks."""
    folder = tmp_path_factory.mktemp("big")
    con = duckdb.connect()
    select = (
        "SELECT 'e-' || (i % 1000) AS event_id, 'page_view' AS event_name, "
        "'2026-09-01T10:00:00Z' AS event_ts, 'a-' || (i % 977) AS anonymous_id, "
        "repeat('x', (i * 7919) % 200) AS page_title, i + 1 AS rn FROM range(300000) t(i)"
    )
    paths = {"csv": folder / "big.csv", "parquet": folder / "big.parquet", "jsonl": folder / "big.jsonl"}
    con.execute(f"COPY ({select}) TO '{paths['csv']}' (HEADER)")
    con.execute(f"COPY ({select}) TO '{paths['parquet']}' (ROW_GROUP_SIZE 50000)")
    con.execute(f"COPY ({select}) TO '{paths['jsonl']}' (FORMAT json)")
    con.close()
    return paths


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_source_row_is_file_order_for_big_files(big_files: dict[str, Path], tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "big.duckdb"
    if fmt == "parquet":
        assert pq.ParquetFile(big_files[fmt]).metadata.num_row_groups >= 6
    else:
        assert big_files[fmt].stat().st_size > 20_000_000  # several 4 MiB read blocks
    result = load(big_files[fmt], "--db", db, "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    counts = query(
        db,
        "SELECT count(*), count(DISTINCT _source_row), min(_source_row), max(_source_row), "
        "count(*) FILTER (WHERE (properties ->> 'rn')::BIGINT <> _source_row) FROM raw.events",
    )
    assert counts == [(300000, 300000, 1, 300000, 0)]


# --- idempotency and load ids ------------------------------------------------------------------


def test_same_file_twice_adds_nothing(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "a.csv", [event(i) for i in range(4)])
    first = load(src, "--db", db)
    assert first.returncode == 0
    second = load(src, src, "--db", db)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count(f"skipped {src}: already loaded as load 1") == 2
    assert query(db, "SELECT count(*), count(DISTINCT event_id) FROM raw.events") == [(4, 4)]
    assert query(db, "SELECT count(*) FROM raw.load_log") == [(1,)]
    # the same bytes under another name are the same file
    copy = tmp_path / "copy.csv"
    copy.write_bytes(src.read_bytes())
    third = load(copy, "--db", db)
    assert "skipped" in third.stdout and third.returncode == 0
    assert query(db, "SELECT count(*) FROM raw.events") == [(4,)]


def test_load_ids_increase_per_file(tmp_path: Path, db: Path) -> None:
    a = write_csv(tmp_path / "a.csv", [event(1)])
    b = write_jsonl(tmp_path / "b.jsonl", [event(2)])
    c = write_csv(tmp_path / "c.csv", [event(3)])
    assert load(a, b, "--db", db).returncode == 0
    assert load(c, a, "--db", db).returncode == 0
    assert query(db, "SELECT event_id, _load_id FROM raw.events ORDER BY _load_id") == [
        ("e-1", 1),
        ("e-2", 2),
        ("e-3", 3),
    ]
    assert query(db, "SELECT load_id FROM raw.load_log ORDER BY load_id") == [(1,), (2,), (3,)]


def test_directory_load_sorted_by_name(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(folder / "b.csv", [event(2)])
    write_jsonl(folder / "a.jsonl", [event(1)])
    pq.write_table(pa.Table.from_pylist([event(3)]), folder / "c.parquet")
    (folder / "README.md").write_text("not events")
    write_csv(folder / ".hidden.csv", [event(9)])
    (folder / "sub").mkdir()
    write_csv(folder / "sub" / "d.csv", [event(4)])
    result = load(folder, "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "SELECT event_id, _load_id FROM raw.events ORDER BY _load_id") == [
        ("e-1", 1),
        ("e-2", 2),
        ("e-3", 3),
    ]
    again = load(folder, "--db", db)
    assert again.returncode == 0 and again.stdout.count("already loaded") == 3
    assert query(db, "SELECT count(*) FROM raw.events") == [(3,)]


# --- mapping, derived ids, properties ----------------------------------------------------------


def test_map_renames_source_columns(tmp_path: Path, db: Path) -> None:
    src = write_csv(
        tmp_path / "m.csv",
        [{"id": "x1", "type": "purchase", "time": "2026-09-01", "cookie": "c1", "event_name": "old"}],
    )
    result = load(
        src, "--db", db, "--map", "event_id=id", "--map", "event_name=type", "--map", "event_ts=time",
        "--map", "anonymous_id=cookie",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (row,) = events(db)
    assert (row["event_id"], row["event_name"], row["event_ts"], row["anonymous_id"]) == (
        "x1",
        "purchase",
        "2026-09-01",
        "c1",
    )
    # the file's own event_name column, replaced by the mapping, is kept in properties
    assert json.loads(str(row["properties"])) == {"event_name": "old"}


def test_column_names_match_ignoring_case(tmp_path: Path, db: Path) -> None:
    src = write_csv(
        tmp_path / "c.csv", [{"Event_ID": "e1", "EVENT_NAME": "pv", "Event_TS": "t", "User_ID": "u"}]
    )
    assert load(src, "--db", db).returncode == 0
    (row,) = events(db)
    assert (row["event_id"], row["event_name"], row["user_id"], row["properties"]) == ("e1", "pv", "u", None)


def test_derive_event_id(tmp_path: Path, db: Path) -> None:
    lines = [
        "event_name,event_ts,anonymous_id,page_title,extra",
        "page_view,2026-09-01T10:00:00Z,a1,,",
        "page_view,2026-09-01T10:00:00Z,a1,,",  # exact duplicate of row 1
        "page_view,2026-09-01T10:00:00Z,a2,,",
        'page_view,2026-09-01T10:00:00Z,a1,"",',  # empty string differs from NULL
        "page_view,2026-09-01T10:00:00Z,a1,,x",  # extra columns (via properties) count
    ]
    src = tmp_path / "d.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load(src, "--db", db, "--derive-event-id").returncode == 0
    ids = [r["event_id"] for r in events(db)]
    assert all(isinstance(i, str) and len(i) == 32 for i in ids)
    assert ids[0] == ids[1]
    assert len(set(ids)) == 4
    # stable: the same rows in another file (and another run) get the same ids
    other = tmp_path / "d2.csv"
    other.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    db2 = tmp_path / "other.duckdb"
    assert load(other, "--db", db2, "--derive-event-id").returncode == 0
    assert [r["event_id"] for r in events(db2)] == [*ids, ids[0]]


def test_derive_event_id_overrides_source_event_id(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "d.csv", [event(1), event(2, event_name="x") | {"event_id": "e-1"}])
    assert load(src, "--db", db, "--derive-event-id").returncode == 0
    rows = events(db)
    assert rows[0]["event_id"] != "e-1" and rows[0]["event_id"] != rows[1]["event_id"]
    assert rows[0]["properties"] is None  # the source event_id is ignored, not packed


def test_derive_event_id_separator_is_unambiguous() -> None:
    source = load_events.SourceColumns(
        names=["event_name", "event_ts", "user_id", "page_title"],
        text=["c0", "c1", "c2", "c3"],
        json=["c0", "c1", "c2", "c3"],
        relation="src",
    )
    select = load_events.build_select(source, {}, derive_event_id=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE src (c0 VARCHAR, c1 VARCHAR, c2 VARCHAR, c3 VARCHAR, __row BIGINT)")
    con.execute(
        "INSERT INTO src VALUES ('a|b', 't', 'u', NULL, 1), ('a', 'b|t', 'u', NULL, 2), "
        "('a', 't', 'u', '', 3), ('a', 't', 'u', NULL, 4), ('a', 't', 'u', '-', 5), "
        "('1:a', 't', 'u', NULL, 6)"
    )
    ids = [row[0] for row in con.execute(f"SELECT event_id FROM ({select}) ORDER BY __row").fetchall()]
    assert len(set(ids)) == 6


def test_extra_columns_packed_into_properties(tmp_path: Path, db: Path) -> None:
    rows = [
        event(1, campaign_id="c9", properties='{"k": 1, "campaign_id": "from_props"}'),
        event(2, campaign_id="", properties="not json"),
        event(3, campaign_id="c7", properties="not json"),
        event(4, campaign_id="c8"),
        event(5),
    ]
    src = write_csv(tmp_path / "x.csv", rows, fieldnames=[*event(0), "campaign_id", "properties"])
    result = load(src, "--db", db)
    assert result.returncode == 0, result.stderr
    props = [r["properties"] for r in events(db)]
    assert json.loads(props[0]) == {"campaign_id": "from_props", "k": 1}  # properties wins
    assert props[1] == "not json"  # extras all NULL: untouched
    assert json.loads(props[2]) == {"campaign_id": "c7", "properties": "not json"}
    assert json.loads(props[3]) == {"campaign_id": "c8"}
    assert props[4] is None


# --- errors ------------------------------------------------------------------------------------


def test_missing_required_column_fails_that_file_only(tmp_path: Path, db: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [event(1)])
    bad_rows = [{k: v for k, v in event(2).items() if k != "event_name"}]
    bad = write_csv(tmp_path / "bad.csv", bad_rows)
    result = run(bad, good, "--db", db)
    assert_one_error_line(result, f"error: {bad}: missing required column 'event_name'")
    assert f"loaded {good}" in result.stdout
    assert "1 failed" in result.stdout
    assert query(db, "SELECT event_id, _load_id, _source_file FROM raw.events") == [("e-1", 1, str(good))]
    assert query(db, "SELECT source_file FROM raw.load_log") == [(str(good),)]


@pytest.mark.parametrize("missing", ["event_id", "event_ts"])
def test_missing_other_required_columns(tmp_path: Path, db: Path, missing: str) -> None:
    bad = write_csv(tmp_path / "bad.csv", [{k: v for k, v in event(2).items() if k != missing}])
    assert_one_error_line(load(bad, "--db", db), f"error: {bad}: missing required column '{missing}'")
    assert query(db, "SELECT count(*) FROM raw.load_log") == [(0,)]


def test_missing_both_ids(tmp_path: Path, db: Path) -> None:
    rows = [{k: v for k, v in event(2).items() if k != "anonymous_id"}]
    bad = write_jsonl(tmp_path / "bad.jsonl", rows)
    expected = f"error: {bad}: missing required column 'anonymous_id' or 'user_id'"
    assert_one_error_line(run(bad, "--db", db), expected)
    assert query(db, "SELECT count(*) FROM raw.events") == [(0,)]


def test_missing_event_id_ok_with_derive(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "n.csv", [{k: v for k, v in event(2).items() if k != "event_id"}])
    assert load(src, "--db", db, "--derive-event-id").returncode == 0


def test_nonexistent_path(tmp_path: Path, db: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [event(1)])
    missing = tmp_path / "nope.csv"
    assert_one_error_line(run(good, missing, "--db", db), f"error: {missing}: no such file or directory")
    assert not db.exists()  # argument errors stop before anything is loaded


def test_unknown_extension(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "events.xlsx"
    src.write_text("x")
    line = assert_one_error_line(run(src, "--db", db))
    assert line.startswith(f"error: {src}: unknown file extension")


def test_directory_without_loadable_files(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    line = assert_one_error_line(run(folder, "--db", db))
    assert line.startswith(f"error: {folder}: directory has no loadable files")


def test_corrupt_parquet(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"this is not parquet at all" * 10)
    good = write_csv(tmp_path / "good.csv", [event(1)])
    result = run(bad, good, "--db", db)
    line = assert_one_error_line(result)
    assert line.startswith(f"error: {bad}: cannot read as parquet: ")
    assert query(db, "SELECT count(*) FROM raw.events") == [(1,)]


def test_not_gzip(tmp_path: Path, db: Path) -> None:
    bad = tmp_path / "bad.csv.gz"
    bad.write_text("event_id,event_name\n1,2\n")
    line = assert_one_error_line(run(bad, "--db", db))
    assert line.startswith(f"error: {bad}: cannot read as csv.gz: ")


def test_truncated_gzip_loads_nothing(tmp_path: Path, db: Path) -> None:
    full = write_csv(tmp_path / "full.csv.gz", [event(i, page_title=f"title {i}" * 20) for i in range(5000)])
    data = full.read_bytes()
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    line = assert_one_error_line(run(bad, "--db", db))
    assert line.startswith(f"error: {bad}: cannot read as csv.gz: ")
    assert query(db, "SELECT count(*) FROM raw.events") == [(0,)]
    assert query(db, "SELECT count(*) FROM raw.load_log") == [(0,)]


def test_bad_json_line_loads_nothing(tmp_path: Path, db: Path) -> None:
    src = write_jsonl(tmp_path / "bad.jsonl", [event(1), event(2)])
    with src.open("a", encoding="utf-8") as handle:
        handle.write('{"event_id": "e-3", broken\n[1, 2]\n')
    line = assert_one_error_line(run(src, "--db", db))
    assert line == f"error: {src}: cannot read as jsonl: row 3 is not a JSON object"
    assert query(db, "SELECT count(*) FROM raw.events") == [(0,)]


def test_ragged_csv_row_loads_nothing(tmp_path: Path, db: Path) -> None:
    src = write_csv(tmp_path / "r.csv", [event(i) for i in range(3)])
    with src.open("a", encoding="utf-8") as handle:
        handle.write("e-9,page_view\n")
    line = assert_one_error_line(load(src, "--db", db))
    assert line.startswith(f"error: {src}: cannot read as csv: ")
    assert query(db, "SELECT count(*) FROM raw.events") == [(0,)]


def test_locked_database(tmp_path: Path, db: Path) -> None:
    db.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
            "print('ready', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        src = write_csv(tmp_path / "a.csv", [event(1)])
        line = assert_one_error_line(run(src, "--db", db))
        assert line.startswith(f"error: database {db} is locked by another process")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert run(tmp_path / "a.csv", "--db", db).returncode == 0  # works once the lock is gone


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("event_id", "error: bad --map 'event_id': expected canonical=source"),
        ("=id", "error: bad --map '=id': expected canonical=source"),
        ("eventid=id", "error: bad --map 'eventid=id': unknown canonical column 'eventid'"),
    ],
)
def test_bad_map(tmp_path: Path, db: Path, option: str, expected: str) -> None:
    src = write_csv(tmp_path / "a.csv", [event(1)])
    line = assert_one_error_line(run(src, "--db", db, "--map", option))
    assert line.startswith(expected)
    assert not db.exists()


def test_bad_format_and_no_paths_are_one_line_errors(tmp_path: Path) -> None:
    assert_one_error_line(run(tmp_path, "--format", "xml"))
    assert_one_error_line(run())


def test_help_describes_options() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in (
        "--map",
        "--derive-event-id",
        "--format",
        "--quiet",
        "raw.load_log",
        "_source_row",
        "properties",
    ):
        assert word in result.stdout


# --- unit ---------------------------------------------------------------------------------------


def test_extra_keys_are_unique() -> None:
    names = ["event_id", "x", "x", "", "x_2"]
    assert load_events.extra_keys(names, [1, 2, 3, 4]) == ["x", "x_2", "column_4", "x_2_2"]


def test_duplicate_header_names_become_unique_properties(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "dup.csv"
    src.write_text("event_id,event_name,event_ts,user_id,x,x,\n1,n,t,u,a,b,c\n", encoding="utf-8")
    assert load(src, "--db", db).returncode == 0
    (row,) = events(db)
    assert json.loads(str(row["properties"])) == {"x": "a", "x_2": "b", "column_7": "c"}


def test_parse_maps() -> None:
    assert load_events.parse_maps(["event_id = id", "user_id=uid"]) == {"event_id": "id", "user_id": "uid"}


def test_detect_format() -> None:
    from common.event_files import detect_format

    assert detect_format("x.CSV.GZ") == ("csv", True)
    assert detect_format("x.ndjson") == ("jsonl", False)
    assert detect_format("x.parquet") == ("parquet", False)
    assert detect_format("x.json") is None
