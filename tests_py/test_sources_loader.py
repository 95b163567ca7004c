"""load_events.py --source ga4|segment|snowplow: every format lands in its raw table, loader rules kept."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import duckdb
import load_events
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cli_helpers import assert_one_line_error, run_in_process, run_script
from sources.specs import RAW_TABLES, SNOWPLOW_FIELDS, segment_table_for

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests_py" / "fixtures" / "sources"
SCRIPT = REPO / "scripts" / "load_events.py"


def load(*args: object):
    return run_in_process(load_events.main, *args)


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def total_rows(db: Path) -> int:
    tables = [t.name for t in RAW_TABLES] + ["raw.events"]
    return sum(query(db, f"select count(*) from {t}")[0][0] for t in tables)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "sources.duckdb"


def ga4_row(i: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "event_date": "20260901",
        "event_timestamp": str(1788256800000000 + i),
        "event_name": "page_view",
        "event_params": [
            {"key": "ga_session_id", "value": {"string_value": None, "int_value": "1788256800"}}
        ],
        "user_id": None,
        "user_pseudo_id": f"p{i % 2}",
        "device": {"category": "desktop"},
        "geo": {"country": "France"},
        "items": [],
    }
    row.update(extra)
    return row


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    return path


def tsv_line(**values: str) -> str:
    return "\t".join(values.get(field, "") for field in SNOWPLOW_FIELDS)


# --- formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export.json", "export.ndjson.gz", "export.jsonl"])
def test_ga4_ndjson_keeps_the_nested_shape(tmp_path: Path, db: Path, name: str) -> None:
    src = write_jsonl(tmp_path / name, [ga4_row(i, surprise={"a": 1} if i == 2 else None) for i in range(3)])
    result = load("--source", "ga4", src, "--db", db)
    assert result.returncode == 0, result.stderr
    rows = query(
        db, "select event_timestamp, event_params, device, _extra, _source_row, _load_id from raw.ga4_events"
    )
    assert [r[0] for r in rows] == ["1788256800000000", "1788256800000001", "1788256800000002"]
    # nested values stay JSON (int64 as the JSON strings BigQuery writes); unknown keys go to _extra
    assert json.loads(rows[0][1])[0]["value"]["int_value"] == "1788256800"
    assert json.loads(rows[0][2]) == {"category": "desktop"}
    assert [r[3] for r in rows] == [None, None, '{"surprise":{"a":1}}']
    assert [r[4] for r in rows] == [1, 2, 3]
    fmt = "jsonl.gz" if name.endswith(".gz") else "jsonl"
    assert query(db, "select load_id, file_format, rows from raw.load_log") == [(1, f"ga4:{fmt}", 3)]


def test_ga4_parquet_nested_columns_become_json(tmp_path: Path, db: Path) -> None:
    table = pa.Table.from_pylist(
        [
            {
                "event_timestamp": 1788256800000000,
                "event_name": "purchase",
                "user_pseudo_id": "p1",
                "event_params": [
                    {"key": "ga_session_id", "value": {"int_value": 1788256800, "double_value": None}}
                ],
                "ecommerce": {"purchase_revenue": 12.5, "transaction_id": "T1"},
            }
        ]
    )
    src = tmp_path / "events_20260901.parquet"
    pq.write_table(table, src)
    assert load("--source", "ga4", src, "--db", db).returncode == 0
    rows = query(db, "select event_timestamp, event_params, ecommerce from raw.ga4_events")
    assert rows[0][0] == "1788256800000000"
    assert json.loads(rows[0][1])[0]["value"]["int_value"] == 1788256800
    assert json.loads(rows[0][2]) == {"purchase_revenue": 12.5, "transaction_id": "T1"}


def test_segment_messages_and_warehouse_tables_go_to_their_tables(tmp_path: Path, db: Path) -> None:
    result = load("--source", "segment", FIXTURES / "segment", "--db", db)
    assert result.returncode == 0, result.stderr
    assert query(db, "select count(*) from raw.segment_messages") == [(10,)]
    assert query(
        db,
        "select message_id, type, json_extract_string(context, '$.campaign.source') "
        "from raw.segment_messages where _source_row = 1",
    ) == [("seg-m1", "page", "newsletter")]
    assert query(db, "select id, event_text, _extra from raw.segment_tracks") == [
        ("seg-w2", "Order Completed", '{"order_id":"O-2","revenue":"80.00","total":"88.00","currency":"USD"}')
    ]
    assert query(db, "select id, path from raw.segment_pages") == [("seg-w1", "/products/p3")]
    assert [r[0] for r in query(db, "select file_format from raw.load_log order by load_id")] == [
        "segment:jsonl",
        "segment:csv",
        "segment:csv",
    ]


@pytest.mark.parametrize(
    ("name", "columns", "table"),
    [
        ("tracks.csv", ["id", "event"], "raw.segment_tracks"),
        ("prod_pages.parquet", ["id", "event"], "raw.segment_pages"),
        ("identifies_2026.csv", ["id"], "raw.segment_identifies"),
        ("order_completed.csv", ["id", "event", "revenue"], "raw.segment_tracks"),
        ("product_page_viewed.csv", ["id", "event"], "raw.segment_tracks"),
        ("export.csv", ["id", "url", "path"], "raw.segment_pages"),
        ("export.csv", ["id", "traits"], "raw.segment_identifies"),
    ],
)
def test_segment_table_by_name_then_columns(name: str, columns: list[str], table: str) -> None:
    assert segment_table_for(name, columns).name == table


@pytest.mark.parametrize("name", ["enriched.tsv", "enriched.tsv.gz"])
def test_snowplow_enriched_tsv(tmp_path: Path, db: Path, name: str) -> None:
    text = (FIXTURES / "snowplow" / "enriched_events.tsv").read_bytes()
    src = tmp_path / name
    src.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    assert load("--source", "snowplow", src, "--db", db).returncode == 0
    rows = query(
        db, "select event_id, domain_sessionid, tr_total, page_title, _source_row from raw.snowplow_events"
    )
    assert len(rows) == 8
    assert rows[0] == ("sp-e1", "sp-s1", None, "Shop", 1)
    assert rows[4][2] == "45.00"


def test_snowplow_warehouse_csv_and_parquet_keep_extra_columns(tmp_path: Path, db: Path) -> None:
    header = ["event_id", "collector_tstamp", "event", "domain_userid", "contexts_com_acme_thing_1_0_0"]
    src = tmp_path / "atomic.csv"
    with src.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["e1", "2026-09-01 10:00:00.000", "page_view", "d1", '[{"a": 1}]'])
    table = pa.table(
        {
            "event_id": ["e2"],
            "collector_tstamp": pa.array([1788256800000000], pa.timestamp("us")),
            "event": ["page_view"],
            "domain_userid": ["d2"],
        }
    )
    pq.write_table(table, tmp_path / "atomic.parquet")
    assert load("--source", "snowplow", src, tmp_path / "atomic.parquet", "--db", db).returncode == 0
    rows = query(db, "select event_id, collector_tstamp, _extra from raw.snowplow_events order by _load_id")
    assert rows == [
        ("e1", "2026-09-01 10:00:00.000", '{"contexts_com_acme_thing_1_0_0":"[{\\"a\\": 1}]"}'),
        ("e2", "2026-09-01 10:00:00", None),
    ]


def test_canonical_session_id_column_is_loaded_not_packed(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "events.csv"
    src.write_text(
        "event_id,event_name,event_ts,anonymous_id,session_id,extra\n"
        "e1,page_view,2026-09-01T10:00:00Z,a1,s-9,x\n"
    )
    assert load(src, "--db", db).returncode == 0
    assert query(db, "select session_id, properties from raw.events") == [("s-9", '{"extra":"x"}')]


# --- idempotence and transactions ----------------------------------------------------------------


def test_same_content_is_skipped_under_any_name_and_source(tmp_path: Path, db: Path) -> None:
    src = FIXTURES / "snowplow" / "enriched_events.tsv"
    copy = tmp_path / "copy.tsv"
    shutil.copy(src, copy)
    assert load("--source", "snowplow", src, "--db", db).returncode == 0
    again = load("--source", "snowplow", src, copy, "--db", db)
    assert again.returncode == 0
    assert again.stdout.count("already loaded as load 1") == 2
    assert query(db, "select count(*) from raw.snowplow_events") == [(8,)]
    assert query(db, "select count(*) from raw.load_log") == [(1,)]


def test_load_ids_are_shared_with_canonical_loads(tmp_path: Path, db: Path) -> None:
    canonical = tmp_path / "c.csv"
    canonical.write_text("event_id,event_name,event_ts,anonymous_id\ne1,page_view,2026-09-01T10:00:00Z,a1\n")
    assert load(canonical, "--db", db).returncode == 0
    assert load("--source", "ga4", FIXTURES / "ga4", "--db", db).returncode == 0
    assert query(db, "select distinct _load_id from raw.ga4_events") == [(2,)]


def test_truncated_gzip_loads_nothing(tmp_path: Path, db: Path) -> None:
    data = gzip.compress((FIXTURES / "snowplow" / "enriched_events.tsv").read_bytes() * 50)
    src = tmp_path / "cut.tsv.gz"
    src.write_bytes(data[: len(data) // 2])
    result = load("--source", "snowplow", src, "--db", db)
    assert_one_line_error(result, str(src), "cannot read as snowplow:tsv.gz")
    assert total_rows(db) == 0
    assert query(db, "select count(*) from raw.load_log") == [(0,)]


# --- files that are not the declared format --------------------------------------------------------


def test_canonical_csv_as_ga4_names_the_file_and_the_missing_column(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "canonical.csv"
    src.write_text("event_id,event_name,event_ts,anonymous_id\ne1,page_view,2026-09-01T10:00:00Z,a1\n")
    result = load("--source", "ga4", src, "--db", db)
    assert_one_line_error(result)
    assert result.stderr.strip() == (
        f"error: {src}: missing required column 'event_timestamp' (not a GA4 BigQuery export)"
    )
    assert total_rows(db) == 0


def test_json_without_event_timestamp_fails_and_other_files_still_load(tmp_path: Path, db: Path) -> None:
    bad = write_jsonl(tmp_path / "a_bad.json", [{"event_name": "page_view", "user_pseudo_id": "p1"}])
    result = load("--source", "ga4", bad, FIXTURES / "ga4" / "events_20260901.json", "--db", db)
    assert_one_line_error(result, str(bad), "missing required column 'event_timestamp'")
    assert query(db, "select count(*) from raw.ga4_events") == [(10,)]
    assert query(db, "select count(*), min(source_file) from raw.load_log") == [
        (1, str((FIXTURES / "ga4" / "events_20260901.json").absolute()))
    ]


def test_tsv_with_the_wrong_field_count(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "short.tsv"
    src.write_text(tsv_line(event_id="e1") + "\n" + "a\tb\tc\n")
    result = load("--source", "snowplow", src, "--db", db)
    assert_one_line_error(result, str(src), "a line has 3 tab-separated fields, expected 131")
    assert total_rows(db) == 0


def test_canonical_csv_given_as_snowplow_tsv(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "events.tsv"
    src.write_text("event_id,event_name,event_ts,anonymous_id\ne1,page_view,2026-09-01T10:00:00Z,a1\n")
    result = load("--source", "snowplow", src, "--db", db)
    assert_one_line_error(result, str(src), "a line has 1 tab-separated fields, expected 131")


@pytest.mark.parametrize(
    ("rows", "missing"),
    [
        ([{"type": "track", "anonymousId": "a"}], "'message_id' (not a Segment message)"),
        ([{"messageId": "m", "userId": "u"}], "'type' (not a Segment message)"),
        ([{"type": "track", "messageId": "m"}], "'anonymous_id' or 'user_id'"),
    ],
)
def test_segment_message_without_required_keys(
    tmp_path: Path, db: Path, rows: list[dict], missing: str
) -> None:
    src = write_jsonl(tmp_path / "m.jsonl", rows)
    assert_one_line_error(
        load("--source", "segment", src, "--db", db), str(src), f"missing required column {missing}"
    )
    assert total_rows(db) == 0


def test_snowplow_csv_without_event_id(tmp_path: Path, db: Path) -> None:
    src = tmp_path / "atomic.csv"
    src.write_text("collector_tstamp,event\n2026-09-01 10:00:00,page_view\n")
    assert_one_line_error(
        load("--source", "snowplow", src, "--db", db), "missing required column 'event_id' (not a Snowplow"
    )


def test_map_and_derive_are_canonical_only(tmp_path: Path, db: Path) -> None:
    result = load("--source", "ga4", FIXTURES / "ga4", "--map", "event_ts=x", "--db", db)
    assert_one_line_error(result, "--map and --derive-event-id apply to --source canonical only")


def test_cli_unknown_source_and_unknown_extension(tmp_path: Path, db: Path) -> None:
    assert_one_line_error(
        run_script(SCRIPT, "--source", "mixpanel", FIXTURES / "ga4", "--db", db), "mixpanel"
    )
    odd = tmp_path / "events.xml"
    odd.write_text("<x/>")
    assert_one_line_error(load("--source", "ga4", odd, "--db", db), "unknown file extension for --source ga4")
