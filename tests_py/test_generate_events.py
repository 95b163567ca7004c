"""Tests for scripts/generate_events.py (the demo data generator)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest
from common.constants import (
    CANONICAL_COLUMNS,
    GENERATOR_EVENT_NAMES,
    INCIDENT_DEVICE,
    INCIDENT_END,
    INCIDENT_END_OFFSET_DAYS,
    INCIDENT_EVENT,
    INCIDENT_START,
    INCIDENT_START_OFFSET_DAYS,
)
from generator import site
from generator.core import Result, generate
from generator.render import format_ts, hex_ids, mix64

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "generate_events.py"
N = 20_000
SEED = 7


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _read(folder: Path, fmt: str = "csv") -> duckdb.DuckDBPyConnection:
    """A connection with view `r` = every row of the part files, plus filename."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    pattern = str(folder / f"events_part_*.{fmt}")
    reader = {
        "csv": f"read_csv('{pattern}', all_varchar = true, header = true, filename = true)",
        "parquet": f"read_parquet('{pattern}', filename = true)",
        "jsonl": f"read_json('{pattern}', format = 'newline_delimited', filename = true, "
        f"columns = {{{', '.join(f'{c}: {chr(39)}VARCHAR{chr(39)}' for c in CANONICAL_COLUMNS)}}})",
    }[fmt]
    con.execute(f"CREATE VIEW r AS SELECT * FROM {reader}")
    # valid rows (PRODUCT.md reject rules), first copy of each event_id, timestamps parsed
    con.execute(
        """
        CREATE TABLE v AS
        SELECT * EXCLUDE (rn) FROM (
            SELECT *, TRY_CAST(event_ts AS TIMESTAMPTZ) AS ts,
                   row_number() OVER (PARTITION BY event_id ORDER BY filename) AS rn
            FROM r
            WHERE trim(coalesce(event_id, '')) <> ''
              AND trim(coalesce(event_name, '')) <> ''
              AND (trim(coalesce(anonymous_id, '')) <> '' OR trim(coalesce(user_id, '')) <> '')
              AND TRY_CAST(event_ts AS TIMESTAMPTZ) BETWEEN '2000-01-01' AND '2030-01-01'
        ) WHERE rn = 1
        """
    )
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("gen")
    return out, generate(N, SEED, out)


@pytest.fixture(scope="module")
def con(data: tuple[Path, Result]) -> duckdb.DuckDBPyConnection:
    return _read(data[0])


# --- files -----------------------------------------------------------------------------------


def test_exact_row_count_and_file_names(data: tuple[Path, Result], con: duckdb.DuckDBPyConnection) -> None:
    out, res = data
    assert res.rows == N
    assert _one(con, "SELECT count(*) FROM r") == N
    names = [p.name for p in res.files]
    assert names == sorted(names) == [f"events_part_{i:03d}.csv" for i in range(len(names))]
    assert sorted(p.name for p in out.iterdir()) == names
    assert len(names) == 8  # 56 days = 8 weeks, one file each


def test_columns_are_the_canonical_schema(con: duckdb.DuckDBPyConnection) -> None:
    cols = [row[0] for row in con.execute("DESCRIBE SELECT * EXCLUDE (filename) FROM r").fetchall()]
    assert tuple(cols) == CANONICAL_COLUMNS


def test_files_are_weeks_in_load_order(con: duckdb.DuckDBPyConnection) -> None:
    # most rows of file k are in week k
    rows = con.execute(
        """SELECT filename, median(epoch(ts - TIMESTAMPTZ '2026-09-01 00:00:00+00') / 86400 // 7)
           FROM v GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    assert [int(week) for _, week in rows] == list(range(len(rows)))


# sha256 of the files of `generate(20_000, 7, out)` (CSV), recorded before the simulation was split
# into named functions. A change of the generator's code that is meant to keep its output must keep
# these; a change meant to alter the data updates them (and says so in its commit).
PINNED_SHA256_20K_SEED_7 = {
    "events_part_000.csv": "f6848983db68b3cdfc8fefb9b0b69497b6a9a16da938e92c9981f3a83a9b7ec3",
    "events_part_001.csv": "392b2ffe0f5b867046660e1a24c9e4af031d46b855d9f5e07975f663598b374b",
    "events_part_002.csv": "24b9badd895e07777f23ffff2167ab8ee2524f2a46d8eaa12afe308f2aa8e609",
    "events_part_003.csv": "657a587cab4fc3c25cd6502b5d4f8967fcb7b9b3f44dbb578cb440fc59618fd6",
    "events_part_004.csv": "3f68d80c65e6ed0b59fc19b1be6819350604ec35d5f678f0b25ae9288fe04d46",
    "events_part_005.csv": "7ac9a579c320d1762dab5db5c345381fa70aeb1dfc6f5e99bac12dd4f48399c4",
    "events_part_006.csv": "977e4ce9ac541d800260936a9f83b4094ca58b1acdcb7cbe75144559066f12b3",
    "events_part_007.csv": "ab35633190c9ad58e11eb22c339a0ba594297ed7ee97aafea8047ed33b250de2",
}


def test_output_is_pinned_byte_for_byte(data: tuple[Path, Result]) -> None:
    assert _digests(data[0]) == PINNED_SHA256_20K_SEED_7


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path, fmt: str) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(5_000, 3, a, fmt)
    generate(5_000, 3, b, fmt)
    generate(5_000, 4, c, fmt)
    assert _digests(a) == _digests(b)
    assert _digests(a) != _digests(c)
    assert set(_digests(a).values()).isdisjoint(_digests(c).values())


def test_every_format_is_readable_and_the_same(tmp_path: Path) -> None:
    rows: dict[str, list[tuple[object, ...]]] = {}
    for fmt in ("csv", "parquet", "jsonl"):
        res = generate(5_000, 11, tmp_path / fmt, fmt)
        assert all(p.suffix == f".{fmt}" for p in res.files)
        con = _read(tmp_path / fmt, fmt)
        cols = [row[0] for row in con.execute("DESCRIBE SELECT * EXCLUDE (filename) FROM r").fetchall()]
        assert tuple(cols) == CANONICAL_COLUMNS
        assert _one(con, "SELECT count(*) FROM v") > 4_800
        data = con.execute("SELECT * EXCLUDE (filename) FROM r").fetchall()
        rows[fmt] = [tuple(None if x == "" else x for x in row) for row in data]  # CSV: "" reads as null
    assert len(rows["csv"]) == 5_000
    assert rows["csv"] == rows["parquet"] == rows["jsonl"]
    for line in (tmp_path / "jsonl" / "events_part_000.jsonl").read_text().splitlines():
        assert list(json.loads(line)) == list(CANONICAL_COLUMNS)


def test_rerun_removes_stale_part_files_only(tmp_path: Path) -> None:
    (tmp_path / "events_part_099.csv").write_text("stale\n")
    (tmp_path / "events_part_000.parquet").write_text("stale\n")
    (tmp_path / "notes.txt").write_text("keep me\n")
    res = generate(2_000, 1, tmp_path, "csv", dt.date(2026, 9, 1), 14)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in res.files] + ["notes.txt"])


def test_small_runs_are_exact_and_clean(tmp_path: Path) -> None:
    res = generate(37, 5, tmp_path)
    con = _read(tmp_path)
    assert res.rows == 37 == _one(con, "SELECT count(*) FROM r") == _one(con, "SELECT count(*) FROM v")
    assert res.counts.duplicates == res.counts.invalid == 0


# --- content ---------------------------------------------------------------------------------


def test_event_names_are_the_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    names = {row[0] for row in con.execute("SELECT DISTINCT event_name FROM v").fetchall()}
    assert names == set(GENERATOR_EVENT_NAMES) == set(site.EVENT_NAMES)


def test_dates_within_window(con: duckdb.DuckDBPyConnection) -> None:
    lo, hi = con.execute("SELECT min(ts), max(ts) FROM v").fetchone() or (None, None)
    assert lo is not None and hi is not None
    assert lo >= dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    assert hi < dt.datetime(2026, 10, 27, tzinfo=dt.UTC)


def test_three_timestamp_forms(con: duckdb.DuckDBPyConnection) -> None:
    forms = dict(
        con.execute(
            r"""SELECT CASE
                 WHEN regexp_full_match(event_ts, '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z') THEN 'z'
                 WHEN regexp_full_match(event_ts, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d')
                   THEN 'offset'
                 WHEN regexp_full_match(event_ts, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d') THEN 'naive'
                 ELSE 'other' END, count(*)
               FROM v GROUP BY 1"""
        ).fetchall()
    )
    assert set(forms) == {"z", "offset", "naive"}
    assert forms["z"] > forms["offset"] > forms["naive"] > 0.02 * N


def test_timestamp_text_is_the_same_instant() -> None:
    ms = int(dt.datetime(2026, 9, 3, 14, 5, 9, 123_000, tzinfo=dt.UTC).timestamp() * 1000)
    text = format_ts(np.full(4, ms), np.array([0, 1, 1, 2]), np.array([120, 120, -240, 60])).to_pylist()
    assert text == [
        "2026-09-03T14:05:09.123Z",
        "2026-09-03 16:05:09.123+02:00",
        "2026-09-03 10:05:09.123-04:00",
        "2026-09-03 14:05:09",
    ]
    parsed = duckdb.execute("SELECT list(epoch_ms(t::TIMESTAMPTZ)) FROM (SELECT unnest(?) AS t)", [text[:3]])
    assert (parsed.fetchone() or [None])[0] == [ms] * 3


def test_hex_ids_are_unique() -> None:
    ids = hex_ids("e-", mix64(np.arange(100_000, dtype=np.uint64), 12345)).to_pylist()
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 18 and i.startswith("e-") for i in ids[:100])


def test_utm_in_url_and_half_in_columns(con: duckdb.DuckDBPyConnection) -> None:
    only_url, both = con.execute(
        """SELECT count(*) FILTER (WHERE utm_source IS NULL), count(*) FILTER (WHERE utm_source IS NOT NULL)
           FROM v WHERE page_url LIKE '%utm_source=%'"""
    ).fetchone() or (0, 0)
    assert only_url > 0 and both > 0
    assert 0.3 < only_url / (only_url + both) < 0.7
    # utm columns only where the URL has them, and they agree
    assert (
        _one(con, "SELECT count(*) FROM v WHERE utm_source IS NOT NULL AND page_url NOT LIKE '%utm_source=%'")
        == 0
    )
    assert (
        _one(
            con,
            """SELECT count(*) FROM v WHERE utm_medium IS NOT NULL
               AND regexp_extract(page_url, 'utm_medium=([^&]+)', 1) <> utm_medium""",
        )
        == 0
    )


def test_channels_present(con: duckdb.DuckDBPyConnection) -> None:
    mediums = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT regexp_extract(page_url, 'utm_medium=([^&]+)', 1) FROM v"
        ).fetchall()
    }
    assert {"cpc", "email", "paid_social", "display", "affiliate"} <= mediums
    refs = {
        r[0] for r in con.execute("SELECT DISTINCT referrer FROM v WHERE referrer IS NOT NULL").fetchall()
    }
    assert {
        "https://www.google.com/",
        "https://www.bing.com/",
        "https://www.facebook.com/",
        "https://t.co/",
    } <= refs
    assert any("partner-site" in x for x in refs)
    assert any(x.startswith("https://www.example-shop.com/") for x in refs)
    devices = dict(
        con.execute("SELECT device_category, count(*) / sum(count(*)) OVER () FROM v GROUP BY 1").fetchall()
    )
    assert set(devices) == {"desktop", "mobile", "tablet"}
    assert 0.05 < devices["tablet"] < 0.15


def test_page_path_sometimes_empty_and_derivable(con: duckdb.DuckDBPyConnection) -> None:
    share = _one(con, "SELECT avg((page_path IS NULL)::INT) FROM v")
    assert 0.05 < float(share) < 0.15  # type: ignore[arg-type]
    mismatched = _one(
        con,
        """SELECT count(*) FROM v WHERE page_path IS NOT NULL
           AND regexp_extract(page_url, '^https://www\\.example-shop\\.com([^?#]*)', 1) <> page_path""",
    )
    assert mismatched == 0


def test_email_sessions_start_with_email_click(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """SELECT event_name, next_name, page_url = next_url
           FROM (SELECT *, lead(event_name) OVER w AS next_name, lead(page_url) OVER w AS next_url,
                        lag(ts) OVER w AS prev_ts
                 FROM v WINDOW w AS (PARTITION BY coalesce(anonymous_id, user_id) ORDER BY ts, event_id))
           WHERE event_name = 'email_click'"""
    ).fetchall()
    assert len(rows) > 50
    # (a session cut by the end of the window may lose its page_view)
    assert sum(not (nxt == "page_view" and same) for _, nxt, same in rows) <= 1
    assert (
        _one(
            con,
            """SELECT count(*) FROM v
               WHERE event_name = 'email_click' AND page_url NOT LIKE '%utm_medium=email%'""",
        )
        == 0
    )


def test_identity_login_devices_and_user_only(con: duckdb.DuckDBPyConnection) -> None:
    # visitors whose early events have no user_id and later ones do (login in between)
    switched = _one(
        con,
        """SELECT count(*) FROM (
             SELECT anonymous_id, arg_min(user_id IS NULL, ts) AS first_anon,
                    bool_or(user_id IS NOT NULL) AS later
             FROM v WHERE anonymous_id IS NOT NULL GROUP BY 1) WHERE first_anon AND later""",
    )
    assert switched > 10
    share_users = _one(
        con,
        """SELECT avg(has::INT) FROM (SELECT anonymous_id, bool_or(user_id IS NOT NULL) AS has
           FROM v WHERE anonymous_id IS NOT NULL GROUP BY 1)""",
    )
    assert 0.15 < float(share_users) < 0.35  # type: ignore[arg-type]
    two_devices = _one(
        con,
        """SELECT count(*) FROM (SELECT user_id FROM v WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL
           GROUP BY 1 HAVING count(DISTINCT anonymous_id) > 1)""",
    )
    assert two_devices > 0
    assert _one(con, "SELECT count(DISTINCT user_id) FROM v WHERE anonymous_id IS NULL") > 0
    assert _one(con, "SELECT count(*) FROM v WHERE event_name = 'login' AND user_id IS NULL") == 0


def test_ids_look_right(con: duckdb.DuckDBPyConnection) -> None:
    assert _one(con, "SELECT count(*) FROM v WHERE NOT regexp_full_match(event_id, 'e-[0-9a-f]{16}')") == 0
    assert (
        _one(con, "SELECT count(*) FROM v WHERE NOT regexp_full_match(anonymous_id, 'a-[0-9a-f]{16}')") == 0
    )
    assert _one(con, "SELECT count(*) FROM v WHERE NOT regexp_full_match(user_id, 'u-[0-9]+')") == 0
    assert _one(con, "SELECT count(*) FROM v WHERE NOT regexp_full_match(order_id, 'o-[0-9]+')") == 0


def test_purchases_have_revenue_and_order(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT revenue, order_id FROM v WHERE event_name = 'purchase'").fetchall()
    assert len(rows) > 20
    numeric = [r for r, _ in rows if r != "n/a"]
    assert all(r is not None and len(r.split(".")[1]) == 2 and float(r) > 0 for r in numeric)
    assert all(o is not None for _, o in rows)
    assert (
        _one(
            con,
            """SELECT count(*) FROM v
               WHERE event_name <> 'purchase' AND (revenue IS NOT NULL OR order_id IS NOT NULL)""",
        )
        == 0
    )


def test_properties_are_json(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        _one(con, "SELECT count(*) FROM v WHERE properties IS NOT NULL AND NOT json_valid(properties)") == 0
    )
    item = _one(con, "SELECT any_value(properties) FROM v WHERE event_name = 'view_item'")
    assert isinstance(item, str) and '"item_id":"sku-' in item and '"price":' in item


def test_funnel_decreases(con: duckdb.DuckDBPyConnection) -> None:
    steps = [
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "add_shipping_info",
        "add_payment_info",
        "purchase",
    ]
    counts = dict(con.execute("SELECT event_name, count(*) FROM v GROUP BY 1").fetchall())
    seq = [counts[s] for s in steps]
    assert seq == sorted(seq, reverse=True) and len(set(seq)) == len(seq), seq
    assert 0.15 < counts["add_to_cart"] / counts["view_item"] < 0.45


def test_funnel_events_follow_their_page_view(con: duckdb.DuckDBPyConnection) -> None:
    # every event happens on the page of the visitor's latest page_view (same URL)
    rows = con.execute(
        """SELECT event_name, count(*) FILTER (WHERE last_pv_url IS DISTINCT FROM page_url) AS bad, count(*)
           FROM (SELECT *, last_value(CASE WHEN event_name = 'page_view' THEN page_url END IGNORE NULLS)
                             OVER (PARTITION BY coalesce(anonymous_id, user_id) ORDER BY ts, event_id
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_pv_url
                 FROM v)
           WHERE event_name NOT IN ('page_view', 'email_click') GROUP BY 1"""
    ).fetchall()
    for name, bad, total in rows:
        assert bad <= 0.01 * total, (name, bad, total)  # only events whose page_view was cut by the window
    on_page = dict(
        con.execute(
            """SELECT event_name, list(DISTINCT regexp_extract(page_url, '^https://[^/]+(/[a-z]*)', 1))
               FROM v GROUP BY 1"""
        ).fetchall()
    )
    assert set(on_page["view_item"]) == {"/product"}
    assert set(on_page["add_to_cart"]) == {"/product"}
    assert set(on_page["view_item_list"]) == {"/category"}
    assert set(on_page["view_cart"]) == {"/cart"}
    assert set(on_page["begin_checkout"]) == set(on_page["purchase"]) == {"/checkout"}
    assert set(on_page["file_download"]) == {"/blog"}
    assert set(on_page["compare_products"]) == {"/compare"}
    assert set(on_page["generate_lead"]) == {"/contact"}
    assert set(on_page["sign_up"]) == {"/signup"}


@pytest.fixture(scope="module")
def sessions(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Table s = valid events with visitor and session number (30-minute rule)."""
    con.execute(
        """CREATE TABLE s AS
           SELECT *, sum(new::INT) OVER (PARTITION BY visitor ORDER BY ts, event_id) AS session_no
           FROM (SELECT *, coalesce(anonymous_id, user_id) AS visitor,
                        coalesce(ts - lag(ts) OVER w > INTERVAL 30 MINUTE, true) AS new
                 FROM v WINDOW w AS (PARTITION BY coalesce(anonymous_id, user_id) ORDER BY ts, event_id))"""
    )
    return con


def test_sessions_vary_in_length(sessions: duckdb.DuckDBPyConnection) -> None:
    long_, deep, total = sessions.execute(
        """SELECT count(*) FILTER (WHERE dur > 120), count(*) FILTER (WHERE pv > 5), count(*)
           FROM (SELECT epoch(max(ts) - min(ts)) AS dur,
                        count(*) FILTER (WHERE event_name = 'page_view') AS pv
                 FROM s GROUP BY visitor, session_no)"""
    ).fetchone() or (0, 0, 0)
    assert 0.1 < long_ / total < 0.5
    assert 0.02 < deep / total < 0.2
    assert _one(sessions, "SELECT count(DISTINCT visitor) FROM s WHERE session_no > 1") > 100


def test_journeys_span_sessions(sessions: duckdb.DuckDBPyConnection) -> None:
    # carts from an earlier session: purchases in sessions without add_to_cart
    carried = _one(
        sessions,
        """SELECT count(*) FROM (SELECT visitor, session_no FROM s GROUP BY ALL
           HAVING bool_or(event_name = 'purchase') AND NOT bool_or(event_name = 'add_to_cart'))""",
    )
    assert carried > 0
    # content to lead: e-book download, then newsletter, then a lead (across sessions)
    leads = _one(
        sessions,
        """WITH d AS (SELECT visitor, min(ts) AS t FROM s WHERE event_name = 'file_download' GROUP BY 1),
                n AS (SELECT visitor, min(s.ts) AS t FROM s JOIN d USING (visitor)
                      WHERE event_name = 'newsletter_signup' AND s.ts > d.t GROUP BY 1)
           SELECT count(DISTINCT visitor) FROM s JOIN n USING (visitor)
           WHERE event_name = 'generate_lead' AND s.ts > n.t""",
    )
    assert leads > 0


# --- planted problems ------------------------------------------------------------------------


def test_planted_invalid_rows(data: tuple[Path, Result], con: duckdb.DuckDBPyConnection) -> None:
    c = data[1].counts
    assert (
        min(
            c.missing_event_id, c.bad_timestamp, c.timestamp_out_of_range, c.missing_event_name, c.missing_ids
        )
        >= 10
    )
    assert _one(con, "SELECT count(*) FROM r WHERE trim(coalesce(event_id, '')) = ''") == c.missing_event_id
    assert _one(con, "SELECT count(*) FROM r WHERE event_id = '   '") > 0  # whitespace-only too
    bad_ts = dict(
        con.execute(
            """SELECT coalesce(event_ts, '<null>'), count(*) FROM r
               WHERE TRY_CAST(event_ts AS TIMESTAMPTZ) IS NULL GROUP BY 1"""
        ).fetchall()
    )
    assert set(bad_ts) == {"not-a-date", "2026-02-30 10:00:00", "<null>"}
    assert sum(bad_ts.values()) == c.bad_timestamp
    out_of_range = dict(
        con.execute(
            """SELECT event_ts, count(*) FROM r WHERE TRY_CAST(event_ts AS TIMESTAMPTZ) < '2000-01-01'
               OR TRY_CAST(event_ts AS TIMESTAMPTZ) > '2030-01-01' GROUP BY 1"""
        ).fetchall()
    )
    assert set(out_of_range) == {"1999-12-31T23:59:59Z", "2099-01-01T00:00:00Z"}
    assert sum(out_of_range.values()) == c.timestamp_out_of_range
    assert (
        _one(con, "SELECT count(*) FROM r WHERE trim(coalesce(event_name, '')) = ''") == c.missing_event_name
    )
    assert (
        _one(
            con,
            """SELECT count(*) FROM r
               WHERE trim(coalesce(anonymous_id, '')) = '' AND trim(coalesce(user_id, '')) = ''""",
        )
        == c.missing_ids
    )
    assert _one(con, "SELECT count(*) FROM r WHERE revenue = 'n/a'") == c.bad_revenue > 0


def test_planted_duplicates(data: tuple[Path, Result], con: duckdb.DuckDBPyConnection) -> None:
    c = data[1].counts
    assert c.duplicates == round(0.01 * N)
    valid = """trim(coalesce(event_id, '')) <> '' AND trim(coalesce(event_name, '')) <> ''
               AND TRY_CAST(event_ts AS TIMESTAMPTZ) BETWEEN '2000-01-01' AND '2030-01-01'
               AND (trim(coalesce(anonymous_id, '')) <> '' OR trim(coalesce(user_id, '')) <> '')"""
    assert _one(con, f"SELECT count(*) - count(DISTINCT event_id) FROM r WHERE {valid}") == c.duplicates
    later_file, changed = con.execute(
        f"""SELECT count(DISTINCT event_id) FILTER (WHERE n_files > 1),
                   count(DISTINCT event_id) FILTER (WHERE n_payloads > 1)
            FROM (SELECT event_id, count(DISTINCT filename) OVER (PARTITION BY event_id) AS n_files,
                         count(DISTINCT coalesce(page_title, '') || event_ts)
                           OVER (PARTITION BY event_id) AS n_payloads,
                         count(*) OVER (PARTITION BY event_id) AS n
                  FROM r WHERE {valid}) WHERE n > 1"""
    ).fetchone() or (0, 0)
    assert later_file > 0.6 * c.duplicates
    assert changed == c.duplicates_changed


def test_planted_out_of_order(data: tuple[Path, Result], con: duckdb.DuckDBPyConnection) -> None:
    c = data[1].counts
    # events (not duplicates) in a file after the one of their week
    moved = _one(
        con,
        """SELECT count(*)
           FROM v JOIN (SELECT event_id FROM r GROUP BY 1 HAVING count(*) = 1) USING (event_id)
           WHERE epoch(ts - TIMESTAMPTZ '2026-09-01 00:00:00+00') / 86400 // 7
                 < regexp_extract(filename, 'events_part_(\\d+)', 1)::INT""",
    )
    assert moved == c.out_of_order > 0


def test_incident_breaks_mobile_payment(tmp_path: Path) -> None:
    assert (INCIDENT_START, INCIDENT_END) == ("2026-10-06", "2026-10-12")
    assert (INCIDENT_DEVICE, INCIDENT_EVENT) == ("mobile", "add_payment_info")
    start = dt.date(2026, 9, 1)
    assert start + dt.timedelta(days=INCIDENT_START_OFFSET_DAYS) == dt.date.fromisoformat(INCIDENT_START)
    assert start + dt.timedelta(days=INCIDENT_END_OFFSET_DAYS) == dt.date.fromisoformat(INCIDENT_END)
    res = generate(60_000, 2, tmp_path)
    assert (res.incident_start.isoformat(), res.incident_end.isoformat()) == (INCIDENT_START, INCIDENT_END)
    con = _read(tmp_path)
    rows = con.execute(
        f"""SELECT ts::DATE BETWEEN '{INCIDENT_START}' AND '{INCIDENT_END}' AS incident, device_category,
                   count(*) FILTER (WHERE event_name = 'add_payment_info')
                   / count(*) FILTER (WHERE event_name = 'add_shipping_info') AS rate
            FROM v GROUP BY ALL"""
    ).fetchall()
    rate = {(inc, dev): r for inc, dev, r in rows}
    assert rate[(True, "mobile")] < 0.2
    assert rate[(False, "mobile")] > 0.6
    assert rate[(True, "desktop")] > 0.6


# --- CLI -------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def test_cli_writes_and_summarises(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    proc = _cli("--events", "3000", "--seed", "1", "--out", str(tmp_path / "d"), "--format", "parquet",
                "--days", "21", "--manifest", str(manifest))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("generated 3,000 rows in 3 parquet files") and "rows/s" in lines[0]
    assert lines[1].startswith("planted: duplicates=30")
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [
        f"events_part_00{i}.parquet" for i in range(3)
    ]
    assert '"missing_event_id": 2' in manifest.read_text()


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--events", "10", "--seed", "1"],
        ["--events", "0", "--seed", "1", "--out", "X"],
        ["--events", "ten", "--seed", "1", "--out", "X"],
        ["--events", "10", "--seed", "-1", "--out", "X"],
        ["--events", "10", "--seed", "1", "--out", "X", "--format", "xml"],
        ["--events", "10", "--seed", "1", "--out", "X", "--start", "2026-02-30"],
        ["--events", "10", "--seed", "1", "--out", "X", "--days", "0"],
        ["--events", "10", "--seed", "1", "--out", "X", "--bogus"],
        ["--events", "10", "--seed", "1", "--out", "FILE"],
    ],
)
def test_cli_bad_arguments(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "FILE").write_text("x")
    args = [str(tmp_path / a) if a in ("X", "FILE") else a for a in args]
    proc = _cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert not (tmp_path / "X").exists()
