"""Tests for scripts/summary.py on a tiny DuckDB built with plain SQL (no dbt)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import summary

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "summary.py"


def impact(
    micro: str,
    macro: str,
    units_with: int,
    lift: float | None,
    ci: tuple[float, float],
    p_value: float,
    *,
    micro_type: str = "secondary_action",
    grain: str = "session",
    sufficient: bool = True,
) -> tuple[object, ...]:
    """A mart_goal_impact row (rate_without fixed at 3%, rate_with from the lift)."""
    rate_with = 0.03 * (1 + lift) if lift is not None else 0.04
    rate_without = 0.03 if lift is not None else 0.0
    return (
        grain,
        micro,
        micro_type,
        macro,
        units_with,
        rate_with,
        rate_without,
        lift,
        *ci,
        p_value,
        sufficient,
    )


GOAL_IMPACT_ROWS: list[tuple[object, ...]] = [
    impact("video_start", "purchase", 500, 1.0, (0.012, 0.048), 1e-4),
    impact("wishlist_add", "purchase", 300, 0.5, (0.002, 0.028), 0.0412),
    impact("newsletter_signup", "purchase", 200, -1 / 3, (-0.03, 0.01), 0.25),
    impact("time_on_site_2min", "lead_form", 900, 1.5, (0.005, 0.015), 2e-4, micro_type="engagement"),
    impact("email_click", "purchase", 600, 2 / 3, (0.008, 0.032), 0.001),
    # Never listed: insufficient sample, process milestone, null lift, user grain.
    impact("share", "purchase", 40, 5.67, (0.05, 0.3), 0.0, sufficient=False),
    impact("add_to_cart", "purchase", 800, 29.0, (0.27, 0.32), 0.0, micro_type="process_milestone"),
    impact("compare", "purchase", 100, None, (0.01, 0.09), 0.01),
    impact("review_read", "purchase", 100, 49.0, (0.3, 0.6), 0.0, grain="user"),
]

WAREHOUSE_SQL = """
create schema raw;
create schema staging;
create schema marts;

-- 10 raw rows in two files: 7 staged, 1 duplicate removed, 2 rejected.
create table marts.mart_load_reconciliation (
    load_id bigint, raw_rows bigint, staged_events bigint, duplicates_removed bigint, rejected_rows bigint
);
insert into marts.mart_load_reconciliation values (1, 6, 4, 1, 1), (2, 4, 3, 0, 1);

create table staging.stg_config__funnel_steps (funnel_id varchar, step_number integer, goal_id varchar);
insert into staging.stg_config__funnel_steps values
    ('purchase', 1, 'product_view'), ('purchase', 2, 'add_to_cart'), ('purchase', 3, 'purchase'),
    ('lead', 1, 'ebook_download'), ('lead', 2, 'lead_form');

-- 8 sessions of 5 users, 2 converted.
create table marts.fct_sessions (session_id varchar, user_key varchar, converted boolean);
insert into marts.fct_sessions values
    ('s1', 'u1', true), ('s2', 'u1', false), ('s3', 'u2', true), ('s4', 'u3', false),
    ('s5', 'u3', false), ('s6', 'u4', false), ('s7', 'u5', false), ('s8', 'u5', false);

-- Two days x two channels; step 1's previous = all sessions of the slice.
create table marts.fct_funnel_daily (
    session_date date, funnel_id varchar, step_number integer, goal_id varchar, channel varchar,
    sessions_reached_previous bigint, sessions_reached bigint
);
insert into marts.fct_funnel_daily values
    ('2026-09-01', 'purchase', 1, 'product_view', 'Direct', 3, 2),
    ('2026-09-01', 'purchase', 2, 'add_to_cart', 'Direct', 2, 1),
    ('2026-09-01', 'purchase', 3, 'purchase', 'Direct', 1, 1),
    ('2026-09-02', 'purchase', 1, 'product_view', 'Email', 5, 4),
    ('2026-09-02', 'purchase', 2, 'add_to_cart', 'Email', 4, 2),
    ('2026-09-02', 'purchase', 3, 'purchase', 'Email', 2, 1),
    ('2026-09-01', 'lead', 1, 'ebook_download', 'Direct', 3, 1),
    ('2026-09-01', 'lead', 2, 'lead_form', 'Direct', 1, 0);

create table staging.stg_config__funnels (funnel_id varchar, funnel_mode varchar, funnel_type varchar);
insert into staging.stg_config__funnels values
    ('purchase', 'ordered', 'closed'), ('lead', 'strict', 'closed'), ('research', 'unordered', 'closed');
create table staging.stg_config__funnel_exclusions (funnel_id varchar, goal_id varchar);
insert into staging.stg_config__funnel_exclusions values ('lead', 'phone_call');
create table marts.fct_funnel_sessions (funnel_id varchar, session_id varchar, is_excluded boolean);
insert into marts.fct_funnel_sessions values
    ('lead', 's1', false), ('lead', 's2', true), ('lead', 's3', true), ('purchase', 's1', true);

create table marts.mart_goal_impact (
    grain varchar, micro_goal_id varchar, micro_type varchar, macro_goal_id varchar, units_with bigint,
    rate_with double, rate_without double, lift double, ci_low double, ci_high double, p_value double,
    is_sample_sufficient boolean
);
create table marts.dim_users (user_key varchar, main_funnel_id varchar);
insert into marts.dim_users values ('u1', 'purchase'), ('u2', 'purchase');
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    con.execute(WAREHOUSE_SQL)
    con.executemany(
        "insert into marts.mart_goal_impact values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", GOAL_IMPACT_ROWS
    )
    con.close()
    return db


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich wraps to COLUMNS when stdout is not a terminal; keep each table row on one line.
    monkeypatch.setenv("COLUMNS", "160")


def run_script(*args: str, env_db: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("MICROCONV_DB", None)
    if env_db is not None:
        env["MICROCONV_DB"] = env_db
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, check=False
    )


def test_prints_load_session_funnel_and_goal_sections(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert summary.main(["--db", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "Events: 10 loaded, 7 staged, 1 duplicates removed, 2 rejected" in out
    assert "Sessions: 8 (5 users); 25.00% converted (2 with a macro goal)" in out
    assert "Funnel 'purchase'" in out
    assert str(warehouse.resolve()) in out
    assert "select * from marts.mart_kpi_daily" in out


def test_funnel_steps_sum_over_days_and_channels(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary.main(["--db", str(warehouse)])
    lines = capsys.readouterr().out.splitlines()
    steps = {line.split()[1]: line.split()[2:] for line in lines if line.strip()[:1] in {"1", "2", "3"}}
    # step 1: 6 of 8 sessions; step 2: 3 of 6 (50.0%), 37.50% of all; step 3: 2 of 3.
    assert steps["product_view"] == ["6", "75.0%", "75.00%"]
    assert steps["add_to_cart"] == ["3", "50.0%", "37.50%"]
    assert steps["purchase"] == ["2", "66.7%", "25.00%"]
    assert "ebook_download" not in steps


def test_other_funnels_show_mode_exclusions_steps_and_excluded(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary.main(["--db", str(warehouse)])
    out = capsys.readouterr().out
    assert "Other funnels" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith(("lead ", "research "))}
    # lead: strict with one exclusion, 1 of 3 sessions at step 1 then 0, 2 sessions excluded.
    assert "strict, 1 exclusion" in lines["lead"]
    assert "1 > 0" in lines["lead"]
    assert lines["lead"].split()[-1] == "2"
    # research has no rows in fct_funnel_daily: no steps, nothing excluded; the main funnel is not listed.
    assert "unordered" in lines["research"]
    assert lines["research"].split()[-1] == "0"
    assert not any(line.startswith("purchase ") for line in out.splitlines())


def test_top_goals_ranked_by_lift_with_ci(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary.main(["--db", str(warehouse)])
    out = capsys.readouterr().out
    goal_lines = [line for line in out.splitlines() if "->" in line and "micro->macro" not in line]
    names = [line.split()[0] for line in goal_lines]
    # Session grain, sufficient sample, lift not null, process milestones left out; top 5 by lift.
    assert names == [
        "time_on_site_2min->lead_form",
        "video_start->purchase",
        "email_click->purchase",
        "wishlist_add->purchase",
        "newsletter_signup->purchase",
    ]
    assert "+1.2..+4.8" in goal_lines[1]
    assert "+100%" in goal_lines[1]
    assert "<.001" in goal_lines[1]
    assert "0.041" in goal_lines[3]


def test_funnel_option_selects_another_funnel(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert summary.main(["--db", str(warehouse), "--funnel", "lead"]) == 0
    out = capsys.readouterr().out
    assert "Funnel 'lead'" in out
    assert "ebook_download" in out


def test_script_exit_code_zero_with_env_db(warehouse: Path) -> None:
    result = run_script(env_db=str(warehouse))
    assert result.returncode == 0, result.stderr
    assert "microconv summary" in result.stdout
    assert result.stderr == ""


def test_missing_database_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "missing.duckdb"
    result = run_script("--db", str(missing))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: database ")
    assert "not found" in lines[0]
    assert not missing.exists()


def test_database_without_models_is_one_line_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "raw_only.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema raw; create table raw.events (event_id varchar)")
    con.close()
    result = run_script("--db", str(db))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "marts.mart_load_reconciliation" in lines[0]
    assert "make build" in lines[0]


def test_unknown_funnel_is_one_line_exit_2(warehouse: Path) -> None:
    result = run_script("--db", str(warehouse), "--funnel", "nope")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown funnel 'nope' (funnels: lead, purchase)"
