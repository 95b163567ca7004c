"""Incremental builds equal a full refresh, whatever arrives late (README "Incremental builds").

One scenario, built once per module: generated events plus the hand-made batches in fixtures/incremental/,
loaded in several batches with an incremental `dbt run` after each, one of them killed (`kill -9`) half-way
and rerun, and a final incremental `dbt build` (every data test on the incremental result). Then a copy of
the same raw data is rebuilt with `--full-refresh`, and every relation of staging, intermediate (but the
per-load bookkeeping of changed keys) and marts must be equal (row multisets, doubles to 6 decimals). Each
late-data case has its own visitors and its own test below, which checks that the case really happened (the
late event did bridge, re-key, ...) in the incremental build.

Batches (each case has its own visitors): 0 = half of a generated set + the cases' first events; 1 = a late
event bridging two sessions, one starting a visitor's history a day earlier, logins that re-key a visitor's
earlier sessions, a late user funnel step inside its window, a late session funnel step and a late event
breaking a strict funnel; 2 = a repeated event_id loaded long ago (with a changed payload), the valid copy of
an event_id first loaded as a rejected row, a late event moving a tracker session to another visitor, a late
exclusion goal in a completed session funnel, and a duplicate of a generated event; its build is killed,
then rerun; 3
= the other half of the generated set (loaded after its later half: out of order) and a second generated set.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from cli_helpers import kill_when_model_starts
from compare_warehouses import main as compare_main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests_py" / "fixtures" / "incremental"
VENV_BIN = Path(sys.executable).parent
# The model whose start triggers the kill -9 of batch 2's build: by then staging and sessions have
# incorporated the batch, the conversions and marts have not.
KILL_AT_MODEL = "int_conversions__unioned"
BOOKKEEPING = ("int_visitors__changed", "int_user_keys__changed")


@dataclass
class Scenario:
    root: Path
    incremental_db: Path
    full_refresh_db: Path
    snapshots: dict[str, dict[str, list[tuple]]] = field(default_factory=dict)
    killed_returncode: int | None = None
    watermarks_after_kill: dict[str, int] = field(default_factory=dict)
    compare_returncode: int | None = None
    final_build: subprocess.CompletedProcess[str] | None = None


def _env(root: Path, db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "MICROCONV_DB": str(db),
        "MICROCONV_TEMP_DIR": str(root / "spill"),
    }


def _dbt_args(root: Path, *args: str) -> list[str]:
    return [
        str(VENV_BIN / "dbt"),
        "--no-use-colors",
        *args,
        "--profiles-dir",
        "profiles",
        "--target-path",
        str(root / "target"),
        "--log-path",
        str(root / "logs"),
    ]


def _dbt(root: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        _dbt_args(root, *args), cwd=REPO, env=_env(root, db), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result


def _load(root: Path, db: Path, *files: Path) -> None:
    result = subprocess.run(
        [sys.executable, "scripts/load_events.py", *map(str, files)],
        cwd=REPO,
        env=_env(root, db),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _generate(root: Path, out: Path, seed: int, start: str) -> list[Path]:
    subprocess.run(
        [
            sys.executable,
            "scripts/generate_events.py",
            "--events",
            "3000",
            "--seed",
            str(seed),
            "--days",
            "8",
            "--start",
            start,
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=_env(root, root / "unused.duckdb"),
        capture_output=True,
        check=True,
    )
    return sorted(out.glob("*.csv"))


# What each case's test reads, after each batch.
QUERIES = {
    "bridge_sessions": (
        "select session_id, started_at, events from marts.fct_sessions where visitor_id = 'inc-bridge' "
        "order by started_at"
    ),
    "early_sessions": (
        "select session_number, landing_page_path, channel from marts.fct_sessions "
        "where visitor_id = 'inc-early' order by session_number"
    ),
    "early_user": "select first_channel, sessions from marts.dim_users where user_key = 'inc-early'",
    "anon_keys": (
        "select distinct user_key from marts.fct_sessions where visitor_id in ('inc-anon', 'inc-switch')"
    ),
    "old_key_rows": """
        select 'fct_sessions', count(*) from marts.fct_sessions where user_key in ('inc-anon', 'inc-u-old')
        union all select 'fct_conversions', count(*) from marts.fct_conversions
            where user_key in ('inc-anon', 'inc-u-old')
        union all select 'dim_users', count(*) from marts.dim_users
            where user_key in ('inc-anon', 'inc-u-old')
        union all select 'fct_funnel_users', count(*) from marts.fct_funnel_users
            where user_key in ('inc-anon', 'inc-u-old')
    """,
    "user_funnel": (
        "select user_key, furthest_step from marts.fct_funnel_users "
        "where funnel_id = 'purchase' and user_key in ('inc-funnel', 'inc-user', 'inc-anon') "
        "order by user_key"
    ),
    "duplicates": (
        "select event_id, event_name, page_path, _load_id from staging.stg_events "
        "where event_id in ('inc-e1', 'inc-e2') order by event_id"
    ),
    "tracker": (
        "select visitor_id, events, landing_page_path from marts.fct_sessions "
        "where visitor_id in ('inc-tr-a', 'inc-tr-b')"
    ),
    "session_funnels": (
        "select user_key, funnel_id, furthest_step, is_excluded from marts.fct_funnel_sessions "
        "where (user_key, funnel_id) in "
        "(('inc-sf', 'purchase'), ('inc-st', 'review_cart_strict'), ('inc-sx', 'cart_no_store_check'))"
    ),
}


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: sorted(con.sql(sql).fetchall(), key=repr) for name, sql in QUERIES.items()}
    finally:
        con.close()


def _duplicate_of_first_generated_row(source: Path, target: Path) -> str:
    """A copy of SOURCE's first event with a changed payload (it must lose to the copy loaded first)."""
    with source.open(newline="") as handle:
        reader = csv.DictReader(handle)
        row = next(reader)
        fields = reader.fieldnames or []
    row["page_path"] = "/changed-by-a-later-duplicate"
    row["event_name"] = "purchase"
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerow(row)
    return row["event_id"]


def _killed_run(root: Path, db: Path) -> int:
    """Start an incremental `dbt run`, kill -9 it (its whole process group) when KILL_AT_MODEL starts."""
    return kill_when_model_starts(_dbt_args(root, "run"), KILL_AT_MODEL, delay_s=0.3, env=_env(root, db))


def _watermarks(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = "select model_name, load_id from intermediate.microconv_incremental_state"
        return dict(con.sql(sql).fetchall())
    finally:
        con.close()


def _drop_bookkeeping(db: Path) -> None:
    """The changed-key lists record each load as seen when it was built (a full refresh lists every load as
    seen now), so they are left out of the comparison; every other intermediate relation must be equal."""
    con = duckdb.connect(str(db))
    try:
        for table in BOOKKEEPING:
            con.execute(f"drop table intermediate.{table}")
    finally:
        con.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("incremental")
    (root / "incremental").mkdir()
    (root / "full_refresh").mkdir()
    # The same file name in both folders: the same DuckDB catalog name, so views survive the copy.
    result = Scenario(
        root, root / "incremental" / "microconv.duckdb", root / "full_refresh" / "microconv.duckdb"
    )
    db = result.incremental_db
    first_half, second_half = _generate(root, root / "generated_a", 11, "2026-09-01")
    second_set = _generate(root, root / "generated_b", 12, "2026-09-03")
    duplicate = root / "batch2_generated_duplicate.csv"
    _duplicate_of_first_generated_row(second_half, duplicate)

    _load(root, db, second_half, FIXTURES / "batch0_cases.csv")
    _dbt(root, db, "seed")
    _dbt(root, db, "run")
    result.snapshots["batch0"] = _snapshot(db)

    _load(root, db, FIXTURES / "batch1_late_events.csv")
    _dbt(root, db, "run")
    result.snapshots["batch1"] = _snapshot(db)

    _load(root, db, FIXTURES / "batch2_duplicates_tracker.csv", duplicate)
    result.killed_returncode = _killed_run(root, db)
    result.watermarks_after_kill = _watermarks(db)
    _dbt(root, db, "run")
    result.snapshots["batch2"] = _snapshot(db)

    _load(root, db, first_half, *second_set)
    result.final_build = _dbt(root, db, "build")

    shutil.copy(db, result.full_refresh_db)
    _dbt(root, result.full_refresh_db, "run", "--full-refresh")
    for path in (db, result.full_refresh_db):
        _drop_bookkeeping(path)
    result.compare_returncode = compare_main(
        [
            str(result.full_refresh_db),
            str(db),
            "--schemas",
            "staging",
            "intermediate",
            "marts",
        ]
    )
    return result


def test_every_relation_equals_a_full_refresh(scenario: Scenario) -> None:
    assert scenario.compare_returncode == 0, "see the compare_warehouses output above"


def test_final_incremental_build_passes_every_data_test(scenario: Scenario) -> None:
    assert scenario.final_build is not None and "ERROR=0" in scenario.final_build.stdout


def test_late_event_bridging_two_sessions_replaces_both(scenario: Scenario) -> None:
    before = sorted(scenario.snapshots["batch0"]["bridge_sessions"], key=lambda row: row[1])
    after = scenario.snapshots["batch1"]["bridge_sessions"]
    assert [events for _, _, events in before] == [1, 1]
    # One session from the first start (so the first id stays); the later session's id is gone.
    assert [(session_id, events) for session_id, _, events in after] == [(before[0][0], 3)]


def test_late_event_starting_a_history_earlier_renumbers_it(scenario: Scenario) -> None:
    assert scenario.snapshots["batch0"]["early_sessions"][0][:2] == (1, "/blog/a")
    assert scenario.snapshots["batch1"]["early_sessions"] == [
        (1, "/landing-early", "Paid Search"),
        (2, "/blog/a", "Direct"),
        (3, "/blog/b", "Direct"),
    ]
    assert scenario.snapshots["batch0"]["early_user"] == [("Direct", 2)]
    assert scenario.snapshots["batch1"]["early_user"] == [("Paid Search", 3)]


def test_late_login_re_keys_every_earlier_session(scenario: Scenario) -> None:
    assert scenario.snapshots["batch0"]["anon_keys"] == [("inc-anon",), ("inc-u-old",)]
    assert scenario.snapshots["batch1"]["anon_keys"] == [("inc-u-new",), ("inc-user",)]
    before = scenario.snapshots["batch0"]["old_key_rows"]
    assert all(count > 0 for name, count in before if name != "fct_conversions")
    assert all(count == 0 for _, count in scenario.snapshots["batch1"]["old_key_rows"])


def test_late_step_inside_the_window_advances_the_user_funnel(scenario: Scenario) -> None:
    assert scenario.snapshots["batch0"]["user_funnel"] == [("inc-anon", 2), ("inc-funnel", 2)]
    # inc-user: the re-keyed device's view_item and add_to_cart; inc-funnel: begin_checkout 47 h after step 1.
    assert scenario.snapshots["batch1"]["user_funnel"] == [("inc-funnel", 3), ("inc-user", 2)]


def test_repeated_event_id_keeps_the_first_loaded_copy(scenario: Scenario) -> None:
    first, valid_copy = scenario.snapshots["batch2"]["duplicates"]
    assert first[:3] == ("inc-e1", "page_view", "/first-copy")
    assert first == scenario.snapshots["batch0"]["duplicates"][0]
    # inc-e2's first copy was rejected (bad timestamp): the later valid copy is the first valid one.
    assert valid_copy[:3] == ("inc-e2", "page_view", "/valid-copy")


def test_late_event_moves_a_tracker_session_to_its_visitor(scenario: Scenario) -> None:
    assert scenario.snapshots["batch0"]["tracker"] == [("inc-tr-a", 2, "/tracked")]
    assert scenario.snapshots["batch2"]["tracker"] == [("inc-tr-b", 3, "/tracked-first")]


def test_late_events_change_session_funnel_outcomes(scenario: Scenario) -> None:
    """inc-sf: a late add_to_cart between view_item and begin_checkout takes the purchase funnel from
    step 1 to 3; inc-st: a late page view between review_read and add_to_cart breaks the strict funnel
    (next instant); inc-sx: a late store check (batch 2, the killed build) excludes a completed
    cart_no_store_check session."""
    assert scenario.snapshots["batch0"]["session_funnels"] == [
        ("inc-sf", "purchase", 1, False),
        ("inc-st", "review_cart_strict", 2, False),
        ("inc-sx", "cart_no_store_check", 3, False),
    ]
    assert scenario.snapshots["batch1"]["session_funnels"] == [
        ("inc-sf", "purchase", 3, False),
        ("inc-st", "review_cart_strict", 1, False),
        ("inc-sx", "cart_no_store_check", 3, False),
    ]
    assert scenario.snapshots["batch2"]["session_funnels"][2] == ("inc-sx", "cart_no_store_check", 0, True)


def test_build_killed_half_way_left_models_behind(scenario: Scenario) -> None:
    """The kill really interrupted the build: staging had the batch, a mart had not (the rerun caught up)."""
    assert scenario.killed_returncode == -signal.SIGKILL
    marks = scenario.watermarks_after_kill
    assert marks["stg_events"] > marks["fct_sessions"]
