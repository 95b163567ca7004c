#!/usr/bin/env python3
"""Report funnel alerts: significant drops of funnel step conversion rates (marts.mart_funnel_alerts).

Usage:
    .venv/bin/python scripts/check_funnels.py [--db PATH] [--since DATE] [--json]

Reads marts.mart_funnel_alerts (built by `dbt build`; method and thresholds in
models/marts/audit/_audit__models.yml) from the DuckDB warehouse, opened read-only: `--db`, else
$MICROCONV_DB, else warehouse/microconv.duckdb. `--since DATE` (YYYY-MM-DD) keeps the alerts that
are still running on or after DATE (alert_end >= DATE); without it every alert counts.

Output: a table (severity, funnel step, segment, dates, rate vs baseline, change, sessions lost,
q-value, related segments), or with `--json` a JSON list of alert objects (the mart's columns;
dates as YYYY-MM-DD), most severe first.

Exit codes: 0 healthy (no alerts), 1 alerts found, 2 error (missing database or table, bad
argument); errors are one line on stderr starting with 'error: '.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from common.checks import (
    Row,
    fetch_rows,
    make_console,
    open_read_only,
    parse_date,
    print_json,
    require_tables,
)
from common.cli import run_cli
from common.constants import EXIT_ALERTS, EXIT_OK, default_db_path
from rich.table import Table

ALERTS_TABLE = "marts.mart_funnel_alerts"
ALERT_COLUMNS: tuple[str, ...] = (
    "alert_id",
    "funnel_id",
    "step_number",
    "goal_id",
    "segment_type",
    "segment_value",
    "alert_period",
    "alert_start",
    "alert_end",
    "periods",
    "flagged_periods",
    "alert_type",
    "severity",
    "sessions_reached_previous",
    "sessions_reached",
    "rate",
    "baseline_sessions_reached_previous",
    "baseline_sessions_reached",
    "baseline_rate",
    "relative_change",
    "sessions_lost",
    "p_value",
    "q_value",
    "tests",
    "related_segments",
)
SEVERITY_ORDER = "case severity when 'critical' then 1 when 'high' then 2 else 3 end"
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="check_funnels.py",
        description="Report funnel step conversion drops (marts.mart_funnel_alerts). "
        "Exit 0 healthy, 1 alerts, 2 error.",
    )
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $MICROCONV_DB or warehouse/microconv.duckdb)"
    )
    parser.add_argument(
        "--since", default=None, metavar="DATE", help="only alerts running on or after DATE (YYYY-MM-DD)"
    )
    parser.add_argument("--json", action="store_true", help="print the alerts as a JSON list")
    return parser.parse_args(argv)


def read_alerts(db_path: str, since: dt.date | None) -> list[Row]:
    """The alerts, most severe and most recent first."""
    con = open_read_only(db_path)
    try:
        require_tables(con, db_path, [ALERTS_TABLE])
        where = "where alert_end >= ?" if since else ""
        sql = (
            f"select {', '.join(ALERT_COLUMNS)} from {ALERTS_TABLE} {where} "
            f"order by {SEVERITY_ORDER}, alert_start desc, "
            "funnel_id, step_number, segment_type, segment_value"
        )
        return fetch_rows(con, sql, [since] if since else [])
    finally:
        con.close()


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _dates(alert: Row) -> str:
    unit = "day" if alert["alert_period"] == "day" else "week"
    count = alert["periods"]
    return f"{alert['alert_start']} .. {alert['alert_end']} ({count} {unit}{'s' if count != 1 else ''})"


ALERT_TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("severity", "left"),
    ("funnel step", "left"),
    ("segment", "left"),
    ("dates", "left"),
    ("type", "left"),
    ("rate", "right"),
    ("baseline", "right"),
    ("change", "right"),
    ("lost", "right"),
    ("q-value", "right"),
    ("also explains", "left"),
)


def alert_cells(alert: Row) -> list[str]:
    """One alert as the cells of ALERT_TABLE_COLUMNS."""
    segment = "all" if alert["segment_type"] == "all" else f"{alert['segment_type']}={alert['segment_value']}"
    return [
        f"[{SEVERITY_STYLE.get(alert['severity'], '')}]{alert['severity']}[/]",
        f"{alert['funnel_id']} #{alert['step_number']} {alert['goal_id']}",
        segment,
        _dates(alert),
        alert["alert_type"],
        f"{_percent(alert['rate'])} ({alert['sessions_reached']}/{alert['sessions_reached_previous']})",
        f"{_percent(alert['baseline_rate'])}",
        f"{alert['relative_change']:+.0%}" if alert["relative_change"] is not None else "-",
        str(alert["sessions_lost"]),
        f"{alert['q_value']:.1e}",
        alert["related_segments"] or "",
    ]


def print_table(alerts: list[Row], db_path: str, since: dt.date | None) -> None:
    console = make_console()
    scope = f" since {since}" if since else ""
    if not alerts:
        console.print(f"healthy: no funnel alerts{scope} in {db_path}")
        return
    table = Table(title=f"{len(alerts)} funnel alert{'s' if len(alerts) != 1 else ''}{scope} in {db_path}")
    for header, justify in ALERT_TABLE_COLUMNS:
        table.add_column(header, justify=justify, no_wrap=header != "also explains")  # type: ignore[arg-type]
    for alert in alerts:
        table.add_row(*alert_cells(alert))
    console.print(table)
    console.print(
        "rate = sessions reaching the step / sessions reaching the previous step (pooled over the alert); "
        "baseline = the same before the alert; lost = sessions missing at the baseline rate."
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db_path = args.db or default_db_path()
    since = parse_date(args.since, "--since") if args.since else None
    alerts = read_alerts(db_path, since)
    if args.json:
        print_json(alerts)
    else:
        print_table(alerts, db_path, since)
    return EXIT_ALERTS if alerts else EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
