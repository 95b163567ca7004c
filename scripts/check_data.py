#!/usr/bin/env python3
"""Check the loaded data: per-file reconciliation, reject reasons, freshness.

Usage:
    .venv/bin/python scripts/check_data.py [--db PATH] [--json] [--max-age-hours H]
        [--max-event-lag-hours H]

Reads the DuckDB warehouse read-only (`--db`, else $MICROCONV_DB, else warehouse/microconv.duckdb)
after `dbt build`:

- Reconciliation, per loaded file, read from the dbt model marts.mart_load_reconciliation (the one
  place the rule is computed: raw rows = staged events + duplicates removed + rejected rows, and
  raw.load_log's row count = the file's rows in raw.events; see
  models/marts/audit/_audit__models.yml). A file is a mismatch when the mart's is_reconciled is
  false; the problem names the part that differs. A file of raw.load_log that the mart does not have
  yet (loaded after the last `dbt build`) is reported as "not built yet: run 'make build'", its
  counts unknown ('-', null in JSON).
- Reject reasons with their row counts.
- Freshness. The newest load (max loaded_at of raw.load_log) must be at most --max-age-hours
  (default 48) old: a scheduled loader that stopped delivering is stale data. Event times are
  judged relative to the load, never to the clock, so historical data (the demo, a backfill) is not
  stale: the newest event's lag behind the newest load is reported, and is a problem only with
  --max-event-lag-hours H (off by default; e.g. 6 for a live tracker exported hourly).

Exit codes: 0 healthy, 1 a reconciliation mismatch or stale data, 2 error (missing database or
table, bad argument); errors are one line on stderr starting with 'error: '.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import asdict, dataclass

import duckdb
from common.checks import Row, fetch_rows, make_console, open_read_only, print_json, require_tables
from common.cli import CliError, run_cli
from common.constants import EXIT_ALERTS, EXIT_OK, RAW_LOAD_LOG, default_db_path
from rich.table import Table

DEFAULT_MAX_AGE_HOURS = 48.0
RECONCILIATION_MART = "marts.mart_load_reconciliation"
REQUIRED_TABLES: tuple[str, ...] = (
    RAW_LOAD_LOG,
    RECONCILIATION_MART,
    "staging.stg_events",
    "staging.stg_events_rejected",
)
NOT_BUILT_PROBLEM = "not built yet: run 'make build'"
MART_COLUMNS: tuple[str, ...] = (
    "load_id",
    "source_file",
    "loaded_at",
    "file_rows",
    "raw_rows",
    "staged_events",
    "duplicates_removed",
    "rejected_rows",
    "is_reconciled",
)
COUNT_KEYS: tuple[str, ...] = ("raw_rows", "staged_rows", "duplicate_rows", "rejected_rows")

# The reconciliation rule lives in the dbt model marts.mart_load_reconciliation; this script reads it
# and only renames its columns to the report's keys.
RECONCILIATION_SQL = f"""
select
    load_id,
    source_file,
    loaded_at,
    file_rows,
    raw_rows,
    staged_events as staged_rows,
    duplicates_removed as duplicate_rows,
    rejected_rows,
    is_reconciled
from {RECONCILIATION_MART}
order by load_id
"""

# Files loaded after the last `dbt build` (in raw.load_log, not yet in the mart): a lookup, no counting.
NOT_BUILT_SQL = f"""
select load_id, source_file, loaded_at, rows as file_rows
from {RAW_LOAD_LOG}
where load_id not in (select load_id from {RECONCILIATION_MART} where load_id is not null)
order by load_id
"""

REJECT_REASONS_SQL = """
select reject_reason, count(*) as rows
from staging.stg_events_rejected
group by reject_reason
order by rows desc, reject_reason
"""

FRESHNESS_SQL = f"""
select
    (select max(loaded_at) from {RAW_LOAD_LOG}) as newest_loaded_at,
    (select max(event_ts) from staging.stg_events) as newest_event_ts
"""


@dataclass(frozen=True)
class Freshness:
    now: dt.datetime
    newest_loaded_at: dt.datetime | None
    newest_event_ts: dt.datetime | None
    load_age_hours: float | None
    event_lag_hours: float | None
    max_age_hours: float
    max_event_lag_hours: float | None
    problems: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.problems)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="check_data.py",
        description="Reconcile loaded files with staging, list reject reasons, check freshness. "
        "Exit 0 healthy, 1 mismatch or stale, 2 error.",
    )
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $MICROCONV_DB or warehouse/microconv.duckdb)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--max-age-hours",
        type=str,
        default=str(DEFAULT_MAX_AGE_HOURS),
        metavar="H",
        help=f"stale when the newest load is older than H hours (default {DEFAULT_MAX_AGE_HOURS:g})",
    )
    parser.add_argument(
        "--max-event-lag-hours",
        type=str,
        default=None,
        metavar="H",
        help="also stale when the newest event is over H hours older than the newest load (default: off)",
    )
    return parser.parse_args(argv)


def parse_hours(text: str, option: str) -> float:
    """A non-negative number of hours, else a one-line CliError."""
    try:
        hours = float(text)
    except ValueError:
        raise CliError(f"{option}: '{text}' is not a number of hours") from None
    if not hours >= 0:
        raise CliError(f"{option}: '{text}' must be a number of hours >= 0")
    return hours


def mismatch_problem(load: Row) -> str | None:
    """Why a file of the mart does not reconcile (None when the mart says it does)."""
    if load["is_reconciled"]:
        return None
    if load["file_rows"] is None:
        return "rows in raw.events without a raw.load_log entry"
    if load["file_rows"] != load["raw_rows"]:
        return f"raw.load_log says {load['file_rows']} rows, raw.events has {load['raw_rows']}"
    accounted = load["staged_rows"] + load["duplicate_rows"] + load["rejected_rows"]
    return f"raw {load['raw_rows']} != staged + duplicates + rejected {accounted}"


def built_loads(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """The files of marts.mart_load_reconciliation, with `ok` (its is_reconciled) and `problem`."""
    loads = fetch_rows(con, RECONCILIATION_SQL)
    for load in loads:
        problem = mismatch_problem(load)
        del load["is_reconciled"]
        load["ok"] = problem is None
        load["problem"] = problem
    return loads


def not_built_loads(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Files of raw.load_log that the last `dbt build` has not seen: counts unknown, not ok."""
    loads = fetch_rows(con, NOT_BUILT_SQL)
    for load in loads:
        load.update(dict.fromkeys(COUNT_KEYS), ok=False, problem=NOT_BUILT_PROBLEM)
    return loads


def require_mart_columns(con: duckdb.DuckDBPyConnection, db_path: str) -> None:
    """A mart built by an older version of the project lacks columns: say so in one line."""
    present = {
        row["column_name"]
        for row in fetch_rows(
            con,
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            RECONCILIATION_MART.split("."),
        )
    }
    missing = [column for column in MART_COLUMNS if column not in present]
    if missing:
        raise CliError(
            f"{db_path}: {RECONCILIATION_MART} has no column {missing[0]} (built by an older version); "
            "run 'make build'"
        )


def reconcile(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Per-file counts as the mart has them (plus files not built yet), with `ok` and `problem`."""
    loads = built_loads(con) + not_built_loads(con)
    return sorted(loads, key=lambda load: load["load_id"])


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def _utc_naive(value: dt.datetime | None) -> dt.datetime | None:
    """Timestamps are compared as naive UTC (the warehouse's convention)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def check_freshness(
    con: duckdb.DuckDBPyConnection, now: dt.datetime, max_age_hours: float, max_event_lag_hours: float | None
) -> Freshness:
    newest = fetch_rows(con, FRESHNESS_SQL)[0]
    loaded_at, event_ts = _utc_naive(newest["newest_loaded_at"]), _utc_naive(newest["newest_event_ts"])
    load_age = _hours(now - loaded_at) if loaded_at else None
    event_lag = _hours(loaded_at - event_ts) if loaded_at and event_ts else None
    problems: list[str] = []
    if loaded_at is None:
        problems.append("no file loaded yet")
    elif load_age is not None and load_age > max_age_hours:
        problems.append(
            f"newest load {loaded_at:%Y-%m-%d %H:%M} UTC is {load_age:g} h old (> {max_age_hours:g} h)"
        )
    if event_ts is None:
        problems.append("no valid events staged")
    elif max_event_lag_hours is not None and event_lag is not None and event_lag > max_event_lag_hours:
        problems.append(
            f"newest event {event_ts:%Y-%m-%d %H:%M} UTC is {event_lag:g} h older than the newest load "
            f"(> {max_event_lag_hours:g} h)"
        )
    return Freshness(
        now=now,
        newest_loaded_at=loaded_at,
        newest_event_ts=event_ts,
        load_age_hours=load_age,
        event_lag_hours=event_lag,
        max_age_hours=max_age_hours,
        max_event_lag_hours=max_event_lag_hours,
        problems=tuple(problems),
    )


def _count(value: int | None) -> str:
    """A row count for the table; '-' when unknown (a file not built yet)."""
    return "-" if value is None else f"{value:,}"


def loads_table(loads: list[Row], db_path: str) -> Table:
    """One row per file (counts from the mart), and a total row when there are several."""
    table = Table(title=f"Loaded files in {db_path}")
    for header in ("load", "file", "raw", "staged", "duplicates", "rejected", "status"):
        table.add_column(header, justify="right" if header not in ("file", "status") else "left")
    for load in loads:
        table.add_row(
            str(load["load_id"]),
            load["source_file"] or "(not in raw.load_log)",
            *(_count(load[key]) for key in COUNT_KEYS),
            "[green]ok[/]" if load["ok"] else f"[red]MISMATCH: {load['problem']}[/]",
        )
    if len(loads) > 1:
        table.add_section()
        totals = (sum(load[key] or 0 for load in loads) for key in COUNT_KEYS)
        table.add_row("", "total", *(_count(total) for total in totals), "")
    return table


def reject_reasons_line(reasons: list[Row]) -> str:
    if not reasons:
        return "reject reasons: none"
    return "reject reasons: " + ", ".join(f"{r['reject_reason']} {r['rows']:,}" for r in reasons)


def freshness_line(freshness: Freshness) -> str:
    loaded = f"{freshness.newest_loaded_at:%Y-%m-%d %H:%M} UTC" if freshness.newest_loaded_at else "never"
    event = f"{freshness.newest_event_ts:%Y-%m-%d %H:%M} UTC" if freshness.newest_event_ts else "none"
    event_limit = (
        f", max {freshness.max_event_lag_hours:g} h" if freshness.max_event_lag_hours is not None else ""
    )
    return (
        f"freshness: newest load {loaded} ({freshness.load_age_hours} h ago, "
        f"max {freshness.max_age_hours:g} h); "
        f"newest event {event} ({freshness.event_lag_hours} h before the newest load{event_limit})"
    )


def verdict_lines(loads: list[Row], freshness: Freshness) -> list[str]:
    mismatches = [load for load in loads if not load["ok"]]
    if not mismatches and not freshness.stale:
        return [f"[green]healthy[/]: {len(loads)} file(s) reconcile, data is fresh"]
    lines = [f"[red]problem[/]: {len(mismatches)} file(s) do not reconcile"] if mismatches else []
    return lines + [f"[red]problem[/]: stale data: {problem}" for problem in freshness.problems]


def print_report(loads: list[Row], reasons: list[Row], freshness: Freshness, db_path: str) -> None:
    console = make_console()
    console.print(loads_table(loads, db_path))
    console.print(reject_reasons_line(reasons))
    console.print(freshness_line(freshness))
    for line in verdict_lines(loads, freshness):
        console.print(line)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db_path = args.db or default_db_path()
    max_age_hours = parse_hours(args.max_age_hours, "--max-age-hours")
    max_event_lag_hours = (
        None
        if args.max_event_lag_hours is None
        else parse_hours(args.max_event_lag_hours, "--max-event-lag-hours")
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = open_read_only(db_path)
    try:
        require_tables(con, db_path, REQUIRED_TABLES)
        require_mart_columns(con, db_path)
        loads = reconcile(con)
        reasons = fetch_rows(con, REJECT_REASONS_SQL)
        freshness = check_freshness(con, now, max_age_hours, max_event_lag_hours)
    finally:
        con.close()
    healthy = all(load["ok"] for load in loads) and not freshness.stale
    if args.json:
        print_json(
            {
                "healthy": healthy,
                "loads": loads,
                "reject_reasons": reasons,
                "freshness": {
                    **asdict(freshness),
                    "problems": list(freshness.problems),
                    "stale": freshness.stale,
                },
            }
        )
    else:
        print_report(loads, reasons, freshness, db_path)
    return EXIT_OK if healthy else EXIT_ALERTS


if __name__ == "__main__":
    sys.exit(run_cli(main))
