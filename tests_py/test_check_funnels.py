"""Tests for scripts/check_funnels.py: exit codes, JSON shape, readable output, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import check_funnels
import duckdb
import pytest
from cli_helpers import assert_one_line_error, run_in_process, run_script
from common.constants import EXIT_ALERTS, EXIT_OK

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_funnels.py"

CREATE_ALERTS = """
create schema marts;
create table marts.mart_funnel_alerts (
    alert_id varchar, funnel_id varchar, step_number integer, goal_id varchar,
    segment_type varchar, segment_value varchar, alert_period varchar,
    alert_start date, alert_end date, periods bigint, flagged_periods bigint,
    alert_type varchar, severity varchar,
    sessions_reached_previous bigint, sessions_reached bigint, rate double,
    baseline_sessions_reached_previous bigint, baseline_sessions_reached bigint, baseline_rate double,
    relative_change double, sessions_lost bigint, p_value double, q_value double, tests bigint,
    related_segments varchar
);
"""
MOBILE_LOST = (
    "('a1', 'purchase', 5, 'payment_info', 'device_category', 'mobile', 'day', '2026-10-06', '2026-10-12', "
    "7, 6, 'step_lost', 'critical', 93, 2, 0.0215, 314, 264, 0.8408, -0.974, 76, 1e-12, 3e-10, 2900, "
    "'all, channel=Paid Search')"
)
DIRECT_DROP = (
    "('a2', 'purchase', 2, 'add_to_cart', 'channel', 'Direct', 'day', '2026-09-20', '2026-09-21', "
    "2, 2, 'rate_drop', 'medium', 400, 80, 0.2, 3000, 900, 0.3, -0.333, 40, 1e-6, 1e-3, 2900, null)"
)


def make_db(path: Path, *rows: str, create_table: bool = True) -> Path:
    con = duckdb.connect(str(path))
    if create_table:
        con.execute(CREATE_ALERTS)
        for row in rows:
            con.execute(f"insert into marts.mart_funnel_alerts values {row}")
    else:
        con.execute("create schema marts; create table marts.other (x integer)")
    con.close()
    return path


def check(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the check in this process (fast); same result shape as `run`."""
    return run_in_process(check_funnels.main, *args)


def run(*args: object) -> subprocess.CompletedProcess[str]:
    """Run the check as the CLI, in a subprocess."""
    return run_script(SCRIPT, *args)


def test_no_alerts_is_healthy(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb")
    result = check("--db", db)
    assert result.returncode == EXIT_OK
    assert "healthy" in result.stdout
    assert result.stderr == ""


def test_alerts_exit_1_with_segment_and_dates(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb", MOBILE_LOST, DIRECT_DROP)
    result = check("--db", db)
    assert result.returncode == EXIT_ALERTS
    out = result.stdout
    assert "2 funnel alerts" in out
    assert "device_category=mobile" in out
    assert "2026-10-06 .. 2026-10-12 (7 days)" in out
    assert "channel=Direct" in out
    assert "critical" in out and "step_lost" in out
    assert "payment_info" in out
    # most severe first
    assert out.index("device_category=mobile") < out.index("channel=Direct")


def test_json_is_a_list_of_alert_objects(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb", MOBILE_LOST, DIRECT_DROP)
    result = check("--db", db, "--json")
    assert result.returncode == EXIT_ALERTS
    alerts = json.loads(result.stdout)
    assert isinstance(alerts, list) and len(alerts) == 2
    first = alerts[0]
    assert set(first) == set(check_funnels.ALERT_COLUMNS)
    assert first["segment_type"] == "device_category"
    assert first["segment_value"] == "mobile"
    assert first["alert_start"] == "2026-10-06"
    assert first["alert_end"] == "2026-10-12"
    assert first["alert_type"] == "step_lost"
    assert first["sessions_reached_previous"] == 93
    assert first["related_segments"] == "all, channel=Paid Search"
    assert alerts[1]["related_segments"] is None


def test_json_without_alerts_is_an_empty_list(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb")
    result = check("--db", db, "--json")
    assert result.returncode == EXIT_OK
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("since", "expected_ids", "code"),
    [
        ("2026-09-01", ["a1", "a2"], EXIT_ALERTS),
        ("2026-09-22", ["a1"], EXIT_ALERTS),  # the Direct alert ended on 09-21
        ("2026-10-12", ["a1"], EXIT_ALERTS),  # still running on its last day
        ("2026-10-13", [], EXIT_OK),
    ],
)
def test_since_keeps_alerts_running_on_or_after_the_date(
    tmp_path: Path, since: str, expected_ids: list[str], code: int
) -> None:
    db = make_db(tmp_path / "w.duckdb", MOBILE_LOST, DIRECT_DROP)
    result = check("--db", db, "--since", since, "--json")
    assert result.returncode == code
    assert [alert["alert_id"] for alert in json.loads(result.stdout)] == expected_ids


def test_since_in_the_human_output(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb", MOBILE_LOST)
    assert "since 2026-10-13" in check("--db", db, "--since", "2026-10-13").stdout


def test_missing_database_is_one_line_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "missing" / "x.duckdb"
    result = check("--db", db)
    assert_one_line_error(result, str(db), "not found")
    assert not db.exists()


def test_missing_mart_is_one_line(tmp_path: Path) -> None:
    db = make_db(tmp_path / "x.duckdb", create_table=False)
    result = check("--db", db)
    assert_one_line_error(result, f"{db}: table marts.mart_funnel_alerts not found; run 'make build' first")


@pytest.mark.parametrize("since", ["2026-13-01", "yesterday", "10/06/2026"])
def test_bad_since_is_one_line(tmp_path: Path, since: str) -> None:
    db = make_db(tmp_path / "w.duckdb")
    assert_one_line_error(check("--db", db, "--since", since), "--since", since)


def test_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = make_db(tmp_path / "env.duckdb", MOBILE_LOST)
    monkeypatch.setenv("MICROCONV_DB", str(db))
    assert check("--json").returncode == EXIT_ALERTS


def test_cli_exit_codes_without_traceback(tmp_path: Path) -> None:
    db = make_db(tmp_path / "w.duckdb", MOBILE_LOST)
    alerts = run("--db", db)
    assert alerts.returncode == EXIT_ALERTS, alerts.stderr
    assert "device_category=mobile" in alerts.stdout
    healthy = run("--db", db, "--since", "2026-11-01")
    assert healthy.returncode == EXIT_OK, healthy.stderr
    assert_one_line_error(run("--db", tmp_path / "nope.duckdb"), "not found")
    assert_one_line_error(run("--db", make_db(tmp_path / "y.duckdb", create_table=False)), "make build")


def test_database_opened_read_only(tmp_path: Path) -> None:
    """A read-only check works while another process only reads, and never writes the file."""
    db = make_db(tmp_path / "w.duckdb", MOBILE_LOST)
    before = db.read_bytes()
    reader = duckdb.connect(str(db), read_only=True)
    try:
        assert check("--db", db).returncode == EXIT_ALERTS
    finally:
        reader.close()
    assert db.read_bytes() == before
