"""scripts/report.py: data shaping on a small hand-made warehouse, the page, and the CLI errors.

The fixture warehouse uses goal and funnel ids unlike the demo's (shop, zeta, look, ...), so a report that
hard-coded any demo id would fail here. The real-browser test is test_report_browser.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from cli_helpers import assert_one_line_error, run_in_process
from report import data
from report.cli import main
from report.page import build_report

SCHEMA_SQL = """
create schema config;
create schema marts;
create table config.conversion_goals (goal_id text, goal_name text, goal_kind text, micro_type text);
insert into config.conversion_goals values
    ('buy', 'Bought it', 'macro', null), ('call', 'Called us', 'macro', null),
    ('look', 'Looked around', 'micro', 'process_milestone'), ('cart', 'Carted', 'micro', 'process_milestone'),
    ('news', 'Read </script><b>news</b>', 'micro', 'secondary_action'),
    ('long', 'Stayed long', 'micro', 'engagement');
create table config.funnels (funnel_id text, funnel_name text, conversion_window_hours double);
insert into config.funnels values ('shop', 'Shop funnel', 24), ('zeta', 'Zeta funnel', 48);
create table config.funnel_steps (funnel_id text, step_number int, goal_id text);
insert into config.funnel_steps values ('shop', 2, 'cart'), ('shop', 1, 'look'), ('shop', 3, 'buy'),
    ('zeta', 1, 'news'), ('zeta', 2, 'call');
create table config.page_groups (page_group text, page_path_like text, primary_goal_id text);
insert into config.page_groups values ('shelf', '/shelf%', 'cart'), ('faq', '/faq%', 'call');

create table marts.mart_kpi_daily (session_date date, sessions bigint, converting_sessions bigint,
    session_conversion_rate double, revenue decimal(38, 2));
insert into marts.mart_kpi_daily values ('2026-01-01', 100, 5, 0.05, 50.5), ('2026-01-02', 80, 2, 0.025, 20),
    ('2026-01-03', 120, 6, 0.05, 70);
create table marts.mart_funnel_alerts (alert_id text, funnel_id text, step_number int, goal_id text,
    segment_type text, segment_value text, alert_period text, alert_start date, alert_end date,
    alert_type text, severity text, rate double, baseline_rate double, relative_change double,
    sessions_lost bigint, related_segments text);
insert into marts.mart_funnel_alerts values
    ('a-old', 'shop', 2, 'cart', 'device_category', 'mobile', 'day', '2026-01-01', '2026-01-01',
     'drop', 'high', 0.1, 0.5, -0.8, 4, null),
    ('a-now', 'shop', 3, 'buy', 'all', 'all', 'day', '2026-01-02', '2026-01-03',
     'step_lost', 'critical', 0.0, 0.5, -1.0, 9, 'channel=Email');

create table marts.fct_funnel_daily (session_date date, funnel_id text, step_number int, goal_id text,
    channel text, device_category text, sessions_reached_previous bigint, sessions_reached bigint,
    drop_off bigint);
insert into marts.fct_funnel_daily values
    ('2026-01-01', 'shop', 1, 'look', 'Direct', 'desktop', 60, 30, 30),
    ('2026-01-01', 'shop', 2, 'cart', 'Direct', 'desktop', 30, 15, 15),
    ('2026-01-01', 'shop', 3, 'buy', 'Direct', 'desktop', 15, 5, 10),
    ('2026-01-02', 'shop', 1, 'look', 'Email', null, 40, 10, 30),
    ('2026-01-02', 'shop', 2, 'cart', 'Email', null, 10, 8, 2),
    ('2026-01-02', 'shop', 3, 'buy', 'Email', null, 8, 2, 6),
    ('2026-01-01', 'zeta', 1, 'news', 'Direct', 'desktop', 60, 6, 54),
    ('2026-01-01', 'zeta', 2, 'call', 'Direct', 'desktop', 6, 3, 3);
create table marts.fct_funnel_session_steps (funnel_id text, session_id text, step_number int,
    seconds_from_previous_step double);
insert into marts.fct_funnel_session_steps values
    ('shop', 's1', 1, null), ('shop', 's1', 2, 9.99), ('shop', 's1', 3, 10),
    ('shop', 's2', 1, null), ('shop', 's2', 2, 10), ('shop', 's2', 3, 400000),
    ('zeta', 's3', 1, null), ('zeta', 's3', 2, 65);
create table marts.fct_funnel_sessions (funnel_id text, session_id text, total_steps bigint,
    completed boolean, seconds_to_complete double);
insert into marts.fct_funnel_sessions values ('shop', 's1', 3, true, 19.99), ('shop', 's2', 3, true, 400010),
    ('shop', 's4', 3, false, null), ('zeta', 's3', 2, true, 65);

create table marts.mart_goal_impact (grain text, micro_goal_id text, micro_type text, macro_goal_id text,
    units_with bigint, units_without bigint, macro_with bigint, macro_without bigint, rate_with double,
    rate_without double, difference double, ci_low double, ci_high double, p_value double,
    is_sample_sufficient boolean);
insert into marts.mart_goal_impact values
    ('session', 'look', 'process_milestone', 'buy', 50, 250, 20, 10, 0.4, 0.04, 0.36, 0.3, 0.42, 0.0, true),
    ('session', 'news', 'secondary_action', 'buy', 40, 260, 4, 26, 0.1, 0.1, 0.0, -0.05, 0.05, 0.9, true),
    ('session', 'long', 'engagement', 'buy', 60, 240, 12, 18, 0.2, 0.075, 0.125, 0.05, 0.2, 0.001, true),
    ('session', 'cart', 'process_milestone', 'buy', 3, 297, 1, 29, 0.33, 0.1, 0.23, -0.1, 0.6, 0.3, false),
    ('session', 'news', 'secondary_action', 'call', 40, 260, 1, 2, 0.025, 0.0077, 0.017, -0.01, 0.1, 0.3,
     true),
    ('user', 'news', 'secondary_action', 'buy', 30, 200, 3, 20, 0.1, 0.1, 0.0, -0.05, 0.05, 0.9, true);
create table marts.mart_path_transitions (from_step text, to_step text, transitions bigint,
    probability double);
insert into marts.mart_path_transitions values ('(start)', 'look', 50, 0.5), ('(start)', '(exit)', 50, 0.5),
    ('look', 'cart', 20, 0.4), ('look', '(exit)', 30, 0.6), ('cart', 'buy', 5, 0.25),
    ('cart', '(exit)', 15, 0.75), ('buy', '(exit)', 5, 1.0);
create table marts.mart_page_goals (page_group text, primary_goal_id text, visits bigint,
    primary_goal_completion_rate double, exit_rate double);
insert into marts.mart_page_goals values ('shelf', 'cart', 40, 0.5, 0.3), ('faq', 'call', 10, 0.1, 0.7);
create table marts.dim_users (user_key text, main_funnel_id text, readiness_stage text,
    readiness_stage_order int, recency_bucket text, days_since_last_seen double, readiness_score double);
insert into marts.dim_users values
    ('u1', 'zeta', 'new', 0, '0-6d', 1, 0.01), ('u2', 'zeta', 'new', 0, '7-13d', 8, 0.02),
    ('u3', 'zeta', 'converted', 4, '0-6d', 0, 0.5), ('u4', 'zeta', 'interest', 1, '0-6d', 2, 0.05);
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute(SCHEMA_SQL)
    con.close()
    return path


@pytest.fixture
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def test_config_reads_goals_and_funnels_main_funnel_first(con: duckdb.DuckDBPyConnection) -> None:
    config = data.read_config(con)
    assert [f.funnel_id for f in config.funnels] == ["zeta", "shop"]  # dim_users.main_funnel_id first
    assert config.funnels[1].step_goal_ids == ("look", "cart", "buy")  # by step_number
    assert config.goal_name("look") == "Looked around"
    assert config.goal_name("(start)") == "(start)"
    assert config.goal_category("buy") == "macro"
    assert config.goal_category("news") == "secondary_action"
    assert config.macro_goal_ids == ("buy", "call")


def test_funnel_steps_sum_counts_over_days_channels_and_devices(con: duckdb.DuckDBPyConnection) -> None:
    steps = data.read_funnel_steps(con, "shop")
    assert [(s.step_number, s.reached, s.previous, s.drop_off) for s in steps] == [
        (1, 40, 100, 60),
        (2, 23, 40, 17),
        (3, 7, 23, 16),
    ]
    assert steps[1].rate == pytest.approx(23 / 40)  # from summed counts, never averaged rates


def test_funnel_segments_largest_first_and_missing_values_named(con: duckdb.DuckDBPyConnection) -> None:
    devices = data.read_funnel_segments(con, "shop", "device_category")
    assert [(s.segment, s.sessions) for s in devices] == [("desktop", 60), (data.NOT_SET, 40)]
    assert [s.reached for s in devices[1].steps] == [10, 8, 2]
    channels = data.read_funnel_segments(con, "shop", "channel")
    assert [s.segment for s in channels] == ["Direct", "Email"]
    with pytest.raises(ValueError):
        data.read_funnel_segments(con, "shop", "country; drop table x")


@pytest.mark.parametrize(
    ("seconds", "expected"), [(-1, 0), (0, 0), (9.99, 0), (10, 1), (59.9, 2), (60, 3), (86400, 10), (1e9, 11)]
)
def test_time_bins_sql_and_python_agree_on_edges(seconds: float, expected: int) -> None:
    assert data.time_bin_of(seconds) == expected
    sql = data.time_bin_sql("s")
    assert (
        duckdb.connect().execute(f"select {sql} from (select {seconds}::double as s)").fetchone()[0]
        == expected
    )


def test_time_to_convert_falls_back_to_session_steps(con: duckdb.DuckDBPyConnection) -> None:
    config = data.read_config(con)
    shop = config.funnels[1]
    dist = data.read_time_to_convert(con, shop)
    assert dist.source == "marts.fct_funnel_session_steps"
    assert [(r.from_step, r.to_step) for r in dist.rows] == [(1, 2), (2, 3), (1, 3)]  # whole funnel last
    step_2 = dist.rows[0]
    assert step_2.counts[0] == 1 and step_2.counts[1] == 1 and step_2.total == 2  # 9.99 s and 10 s
    assert dist.rows[1].counts[-1] == 1  # 400,000 s: 3+ days
    assert dist.rows[2].total == 2  # completed sessions only
    zeta = data.read_time_to_convert(con, config.funnels[0])
    assert [(r.from_step, r.to_step) for r in zeta.rows] == [(1, 2)]  # 2 steps: no separate whole-funnel row


def test_time_to_convert_uses_the_binned_mart_when_it_exists(warehouse: Path) -> None:
    writer = duckdb.connect(str(warehouse))
    writer.execute(
        """
        create table marts.fct_funnel_time_to_convert (funnel_id text, from_step int, to_step int,
            bin_start_s double, bin_end_s double, users bigint, sessions bigint);
        insert into marts.fct_funnel_time_to_convert values
            ('shop', 1, 2, 0, 5, 7, 7), ('shop', 1, 2, 5, 10, 1, 1), ('shop', 1, 2, 60, 120, 3, 3),
            ('shop', 2, 3, 3600, 7200, 2, 2), ('shop', 1, 3, 100, 200, 4, 4), ('shop', 2, 2, 0, 1, 9, 9);
        """
    )
    writer.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        shop = data.read_config(con).funnels[1]
        dist = data.read_time_to_convert(con, shop)
    finally:
        con.close()
    assert dist.source == data.TIME_TO_CONVERT_TABLE
    rows = {(r.from_step, r.to_step): r for r in dist.rows}
    assert set(rows) == {(1, 2), (2, 3), (1, 3)}  # only consecutive steps and step 1 -> last
    assert rows[(1, 2)].counts[0] == 8 and rows[(1, 2)].counts[3] == 3  # re-binned by bin_start_s
    assert rows[(1, 2)].median_bin == 0
    assert rows[(2, 3)].counts[8] == 2


def test_median_bin() -> None:
    assert data.TimeRow(1, 2, (1, 1, 2)).median_bin == 1
    assert data.TimeRow(1, 2, (0, 0, 3)).median_bin == 2
    assert data.TimeRow(1, 2, (0, 0, 0)).median_bin is None


def test_goal_impact_per_macro_goal_sufficient_samples_only(con: duckdb.DuckDBPyConnection) -> None:
    impacts = data.read_goal_impact(con)
    assert [i.macro_goal_id for i in impacts] == ["buy", "call"]  # most macro conversions first
    buy = impacts[0]
    # other micro types first by difference, process milestones last; the small 'cart' sample left out
    assert [r.micro_goal_id for r in buy.rows] == ["long", "news", "look"]
    assert buy.insufficient == 1
    assert buy.rows[0].ci_low == pytest.approx(0.05)
    assert [i.macro_goal_id for i in data.read_goal_impact(con, "user")] == ["buy"]


def test_path_links_largest_first_with_totals(con: duckdb.DuckDBPyConnection) -> None:
    paths = data.read_path_links(con, 3)
    assert [(link.from_step, link.to_step) for link in paths.links] == [
        ("(start)", "(exit)"),
        ("(start)", "look"),
        ("look", "(exit)"),
    ]
    assert (paths.total_links, paths.total_transitions, paths.shown_transitions) == (7, 175, 130)


def test_alerts_open_when_running_on_the_last_day(con: duckdb.DuckDBPyConnection) -> None:
    overview = data.read_overview(con)
    assert overview.last_date.isoformat() == "2026-01-03"
    assert overview.conversion_rate == pytest.approx(13 / 300)
    alerts = data.read_alerts(con, overview.last_date)
    assert [(a.alert_id, a.is_open, a.segment) for a in alerts] == [
        ("a-now", True, "all"),
        ("a-old", False, "device_category=mobile"),
    ]


def test_readiness_stages_in_order_with_recency(con: duckdb.DuckDBPyConnection) -> None:
    cells = data.read_readiness(con)
    assert [(c.stage, c.recency_bucket, c.users) for c in cells] == [
        ("new", "0-6d", 1),
        ("new", "7-13d", 1),
        ("interest", "0-6d", 1),
        ("converted", "0-6d", 1),
    ]


def test_page_groups_by_visits(con: duckdb.DuckDBPyConnection) -> None:
    assert [(g.page_group, g.primary_goal_rate) for g in data.read_page_groups(con)] == [
        ("shelf", 0.5),
        ("faq", 0.1),
    ]


def test_page_is_self_contained_deterministic_and_about_the_seeds(con: duckdb.DuckDBPyConnection) -> None:
    report = build_report(con, "small.duckdb")
    page = report.html
    # 1 KPI chart + 4 per funnel + 1 forest plot per macro goal + Sankey, page groups, readiness
    assert len(report.chart_ids) == 1 + 4 * 2 + 2 + 3
    assert len(set(report.chart_ids)) == len(report.chart_ids)
    assert page.count('<div class="chart"') == len(report.chart_ids)
    assert "Plotly.newPlot" in page and "plotly.js" in page.lower()  # the library is inline
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link\b|@import|url\(\s*['\"]?https?:", page)
    assert page.count("<script") == page.count("</script>")  # a goal name cannot close a script
    for name in ("Shop funnel", "Zeta funnel", "Looked around", "Carted", "Bought it", "Called us"):
        assert name in page
    assert "Read &lt;/script&gt;&lt;b&gt;news&lt;/b&gt;" in page  # escaped in the HTML parts
    assert build_report(con, "small.duckdb").html == page  # same data, same bytes


def test_page_renders_empty_marts(warehouse: Path) -> None:
    writer = duckdb.connect(str(warehouse))
    for table in (
        "mart_kpi_daily",
        "mart_funnel_alerts",
        "fct_funnel_daily",
        "fct_funnel_session_steps",
        "fct_funnel_sessions",
        "mart_goal_impact",
        "mart_path_transitions",
        "mart_page_goals",
        "dim_users",
    ):
        writer.execute(f"delete from marts.{table}")
    writer.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        report = build_report(con, "empty.duckdb")
    finally:
        con.close()
    assert len(report.chart_ids) == 1 + 4 * 2 + 0 + 3
    assert "No sessions in the data yet" in report.html
    assert "No funnel alerts" in report.html


def test_cli_writes_the_report(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "report.html"
    result = run_in_process(main, "--db", warehouse, "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.is_file() and str(out) in result.stdout
    assert not list(out.parent.glob("*.partial"))


def test_cli_uses_the_environment(warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "from_env.html"
    monkeypatch.setenv("MICROCONV_DB", str(warehouse))
    monkeypatch.setenv("MICROCONV_REPORT", str(out))
    assert run_in_process(main).returncode == 0
    assert out.is_file()


def test_cli_missing_database(tmp_path: Path) -> None:
    result = run_in_process(main, "--db", tmp_path / "nope.duckdb", "--out", tmp_path / "r.html")
    assert_one_line_error(result, "nope.duckdb", "not found")


def test_cli_missing_mart(warehouse: Path, tmp_path: Path) -> None:
    writer = duckdb.connect(str(warehouse))
    writer.execute("drop table marts.mart_page_goals")
    writer.close()
    result = run_in_process(main, "--db", warehouse, "--out", tmp_path / "r.html")
    assert_one_line_error(result, "marts.mart_page_goals", "make build")
    assert not (tmp_path / "r.html").exists()


def test_cli_out_is_a_folder(warehouse: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_in_process(main, "--db", warehouse, "--out", tmp_path), "is a folder")


def test_cli_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    assert_one_line_error(run_in_process(main, "--db", bad, "--out", tmp_path / "r.html"), "bad.duckdb")
