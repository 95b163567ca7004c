"""The real export samples in ../shared/fixtures (GA4 obfuscated e-commerce sample, Snowplow packages'
test data) through the loader and the dbt models up to the sessions. Skipped when ../shared is absent;
never copied here.

Each database is built once per module with `dbt build` of seeds and models only (the data tests run in
`make dbt-test`), then the checks of issue 13 compare the staged events and sessions with what the files hold.
"""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import load_events
import pytest
from cli_helpers import run_in_process

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "fixtures"
GA4_PARQUET = SHARED / "ga4" / "malloy_ga4_obfuscated_sample_events.snappy.parquet"
GA4_NDJSON = SHARED / "ga4" / "malloy_ga4_obfuscated_sample__multi_event_users.ndjson.gz"
SNOWPLOW = SHARED / "snowplow"

pytestmark = pytest.mark.skipif(
    not (GA4_PARQUET.exists() and GA4_NDJSON.exists() and (SNOWPLOW / "snowplow_web_events.csv").exists()),
    reason="../shared/fixtures not available",
)

MODELS = "+int_events__sessionized +mart_load_reconciliation"


def build(db: Path, loads: list[tuple[str, Path]]) -> duckdb.DuckDBPyConnection:
    for source, path in loads:
        result = run_in_process(load_events.main, "--source", source, path, "--db", db, "--quiet")
        assert result.returncode == 0, result.stderr
    env = {**os.environ, "MICROCONV_DB": str(db), "DO_NOT_TRACK": "1"}
    result = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "dbt"),
            "--no-use-colors",
            "build",
            "--profiles-dir",
            "profiles",
            "--select",
            MODELS,
            "--resource-type",
            "model",
            "--resource-type",
            "seed",
            "--target-path",
            str(db.parent / "target"),
            "--log-path",
            str(db.parent / "logs"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return duckdb.connect(str(db), read_only=True)


@pytest.fixture(scope="module")
def ga4_parquet(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    # Load 1: the GA4 Parquet sample; load 2: the Snowplow web events (other visitors, other dates).
    db = tmp_path_factory.mktemp("samples_a") / "a.duckdb"
    con = build(db, [("ga4", GA4_PARQUET), ("snowplow", SNOWPLOW / "snowplow_web_events.csv")])
    yield con
    con.close()


@pytest.fixture(scope="module")
def ga4_ndjson(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    # Load 1: the GA4 NDJSON sample (int64 as JSON strings); loads 2, 3: Snowplow e-commerce, mobile events.
    db = tmp_path_factory.mktemp("samples_b") / "b.duckdb"
    con = build(
        db,
        [
            ("ga4", GA4_NDJSON),
            ("snowplow", SNOWPLOW / "ecommerce__snowplow_ecommerce_events.csv"),
            ("snowplow", SNOWPLOW / "mobile__snowplow_mobile_events.csv"),
        ],
    )
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def sessions_of_load(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    return rows(
        con,
        f"""
        select count(distinct sessionized.session_id)
        from intermediate.int_events__sessionized as sessionized
        inner join staging.stg_events as events on sessionized.event_id = events.event_id
        where events._load_id = {load_id}
    """,
    )[0][0]


# GA4: what the file holds, computed from the raw export rows with DuckDB (not with the models' macros).
FILE_SESSIONS = """
    select count(distinct (user_pseudo_id, json_extract_string(param, '$.value.int_value')))
    from raw.ga4_events, unnest(cast(json(event_params) as json[])) as params(param)
    where _load_id = 1 and json_extract_string(param, '$.key') = 'ga_session_id'
"""


@pytest.mark.parametrize("fixture", ["ga4_parquet", "ga4_ndjson"])
def test_ga4_event_counts_sessions_and_revenue_equal_the_file(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    con = request.getfixturevalue(fixture)
    in_file = rows(
        con, "select event_name, count(*) from raw.ga4_events where _load_id = 1 group by 1 order by 1"
    )
    staged = rows(
        con, "select event_name, count(*) from staging.stg_events where _load_id = 1 group by 1 order by 1"
    )
    assert staged == in_file
    assert rows(con, "select count(*) from staging.stg_events_rejected where _load_id = 1") == [(0,)]
    expected_sessions = rows(con, FILE_SESSIONS)[0][0]
    assert sessions_of_load(con, 1) == expected_sessions
    file_revenue = rows(
        con,
        """
        select sum(cast(json_extract_string(ecommerce, '$.purchase_revenue') as decimal(18, 2)))
        from raw.ga4_events where _load_id = 1 and event_name = 'purchase'
    """,
    )[0][0]
    staged_revenue = rows(
        con, "select sum(revenue) from staging.stg_events where _load_id = 1 and event_name = 'purchase'"
    )
    assert staged_revenue[0][0] == file_revenue
    # (fct_sessions.revenue is the conversions' value: a purchase without revenue counts its goal value, 60.)


def test_ga4_sample_sizes(
    ga4_parquet: duckdb.DuckDBPyConnection, ga4_ndjson: duckdb.DuckDBPyConnection
) -> None:
    # SOURCES.md: 24,219 rows and 20,705 sessions in the Parquet; 8,279 rows and 4,765 sessions in the NDJSON.
    assert rows(ga4_parquet, "select count(*) from staging.stg_events where _load_id = 1") == [(24219,)]
    assert sessions_of_load(ga4_parquet, 1) == 20705
    assert rows(ga4_ndjson, "select count(*) from staging.stg_events where _load_id = 1") == [(8279,)]
    assert sessions_of_load(ga4_ndjson, 1) == 4765
    assert rows(ga4_parquet, "select sum(revenue) from staging.stg_events where _load_id = 1") == [
        (Decimal("41529.00"),)
    ]


def test_ga4_ndjson_and_parquet_stage_the_same_events(
    ga4_parquet: duckdb.DuckDBPyConnection, ga4_ndjson: duckdb.DuckDBPyConnection
) -> None:
    # The NDJSON holds every row of its users from the Parquet: the mapped values must agree, whatever the
    # file format wrote for int64 (strings) and doubles.
    columns = (
        "event_name, event_ts, anonymous_id, page_url, page_title, referrer, utm_source, utm_medium, "
        "device_category, country, revenue, order_id, tracker_session_id"
    )
    ndjson = rows(ga4_ndjson, f"select {columns} from staging.stg_events where _load_id = 1 order by all")
    users = {r[2] for r in ndjson}
    parquet = [
        r
        for r in rows(
            ga4_parquet, f"select {columns} from staging.stg_events where _load_id = 1 order by all"
        )
        if r[2] in users
    ]
    assert ndjson == parquet


def test_snowplow_web_every_row_accounted_and_sessions(ga4_parquet: duckdb.DuckDBPyConnection) -> None:
    con = ga4_parquet
    assert rows(
        con,
        """
        select raw_rows, staged_events, duplicates_removed, rejected_rows, is_reconciled
        from marts.mart_load_reconciliation where load_id = 2
    """,
    ) == [(160, 157, 3, 0, True)]
    # Every staged event with a domain_sessionid is in the session of that id: one session per id.
    tracker_ids = rows(
        con, "select count(distinct tracker_session_id) from staging.stg_events where _load_id = 2"
    )
    tracker_sessions = rows(
        con,
        """
        select count(distinct sessionized.session_id)
        from intermediate.int_events__sessionized as sessionized
        inner join staging.stg_events as events on sessionized.event_id = events.event_id
        where events._load_id = 2 and events.tracker_session_id is not null
    """,
    )
    assert tracker_sessions == tracker_ids == [(46,)]
    # Plus one session for the one event without a domain_sessionid (case "NULL domain_sessionid"), alone.
    assert sessions_of_load(con, 2) == 47
    assert rows(
        con, "select user_id from staging.stg_events where _load_id = 2 and tracker_session_id is null"
    ) == [("NULL domain_sessionid",)]


def test_snowplow_web_compared_with_the_snowplow_package(ga4_parquet: duckdb.DuckDBPyConnection) -> None:
    """43 page views and 18 sessions in dbt-snowplow-web's expected output; the differences are its filters,
    each a labelled test case of the sample (user_id holds the label). See README, Sources > Snowplow."""
    con = ga4_parquet
    page_views = f"read_csv('{SNOWPLOW / 'snowplow_web_page_views_expected.csv'}', all_varchar = true)"
    sessions = f"read_csv('{SNOWPLOW / 'snowplow_web_sessions_expected.csv'}', all_varchar = true)"
    assert rows(con, f"select count(*) from {page_views}") == [(43,)]
    assert rows(con, f"select count(*) from {sessions}") == [(18,)]
    ours = "(select * from staging.stg_events where _load_id = 2 and event_name = 'page_view')"
    assert rows(con, f"select count(*) from {ours}") == [(49,)]
    # Every page view of the package is one of ours ...
    assert rows(
        con, f"select count(*) from {page_views} where event_id not in (select event_id from {ours})"
    ) == [(0,)]
    # ... and ours beyond them are the cases the package filters out.
    extra = rows(
        con,
        f"""
        select user_id, count(*) from {ours}
        where event_id not in (select event_id from {page_views}) group by 1 order by 1
    """,
    )
    assert extra == [
        ("NULL page_view_id", 1),  # no web_page context: the package cannot key the page view
        ("Unexpired session", 1),  # session still open at the package's run end
        ("dupe: page_view_id different derived_tstamp", 1),  # same page_view_id, another event_id: deduped
        ("late arriving: device created/sent >3 days", 1),  # beyond days_late_allowed (3)
        ("long session", 2),  # beyond max_session_days
    ]
    # Sessions: the package's 18 are all ours; our other 28 tracker sessions have no page view it keeps.
    assert rows(
        con,
        f"""
        select count(*) from {sessions}
        where domain_sessionid not in (select tracker_session_id from staging.stg_events where _load_id = 2)
    """,
    ) == [(0,)]
    other = rows(
        con,
        f"""
        select user_id, count(distinct tracker_session_id) from staging.stg_events
        where _load_id = 2 and tracker_session_id not in (select domain_sessionid from {sessions})
        group by 1 order by 1
    """,
    )
    assert other == [
        ("NULL page_view_id", 1),
        (
            "consent_accel",
            26,
        ),  # consent events only, no page view: the package's sessions come from page views
        ("late arriving: device created/sent >3 days", 1),
    ]


@pytest.mark.parametrize(("load_id", "rows_in_file"), [(2, 834), (3, 130)])
def test_snowplow_ecommerce_and_mobile_rows_accounted_and_tracker_sessions(
    ga4_ndjson: duckdb.DuckDBPyConnection, load_id: int, rows_in_file: int
) -> None:
    con = ga4_ndjson
    reconciled = rows(
        con,
        f"""
        select raw_rows, staged_events + duplicates_removed + rejected_rows, is_reconciled
        from marts.mart_load_reconciliation where load_id = {load_id}
    """,
    )
    assert reconciled == [(rows_in_file, rows_in_file, True)]
    tracker_ids = rows(
        con,
        f"""
        select count(distinct tracker_session_id) from staging.stg_events
        where _load_id = {load_id} and tracker_session_id is not null
    """,
    )[0][0]
    tracker_sessions = rows(
        con,
        f"""
        select count(distinct sessionized.session_id)
        from intermediate.int_events__sessionized as sessionized
        inner join staging.stg_events as events on sessionized.event_id = events.event_id
        where events._load_id = {load_id} and events.tracker_session_id is not null
    """,
    )[0][0]
    assert tracker_sessions == tracker_ids > 0


def test_snowplow_ecommerce_actions_map_to_the_default_goals(ga4_ndjson: duckdb.DuckDBPyConnection) -> None:
    names = dict(
        rows(ga4_ndjson, "select event_name, count(*) from staging.stg_events where _load_id = 2 group by 1")
    )
    for name in ("view_item", "add_to_cart", "begin_checkout", "purchase", "view_item_list", "select_item"):
        assert names.get(name, 0) > 0, (name, names)
    purchases = rows(
        ga4_ndjson,
        """
        select count(*), count(revenue), count(order_id) from staging.stg_events
        where _load_id = 2 and event_name = 'purchase'
    """,
    )
    assert purchases[0][0] == purchases[0][1] == purchases[0][2]
