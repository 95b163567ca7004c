"""Shared pieces of the check scripts (check_data.py, check_funnels.py): read-only warehouse access,
one-line errors for a missing database or table, JSON and console output."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console

from common.cli import CliError
from common.warehouse import connect, one_line

Row = dict[str, Any]


def open_read_only(db_path: str) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; a missing file is a CliError (never created by a check)."""
    if not Path(db_path).is_file():
        raise CliError(f"{db_path}: database file not found; run 'make run' (demo) or 'make build' first")
    return connect(db_path, read_only=True)


def require_tables(con: duckdb.DuckDBPyConnection, db_path: str, tables: Sequence[str]) -> None:
    """Fail with one line naming the first missing table (schema.table) and how to create it."""
    existing = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    for table in tables:
        if table not in existing:
            hint = (
                "load events first (scripts/load_events.py)"
                if table.startswith("raw.")
                else "run 'make build' first"
            )
            raise CliError(f"{db_path}: table {table} not found; {hint}")


def fetch_rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[Row]:
    """Run a query and return its rows as dicts; a DuckDB error becomes a one-line CliError."""
    try:
        cursor = con.execute(sql, list(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    except duckdb.Error as exc:
        raise CliError(f"query failed: {one_line(exc)}") from None


def parse_date(text: str, option: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) given to `option`, else a one-line CliError."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option}: '{text}' is not a date (expected YYYY-MM-DD)") from None


def _json_value(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def print_json(payload: object) -> None:
    """Pretty JSON on stdout (dates and timestamps as ISO-8601 text)."""
    print(json.dumps(payload, indent=2, default=_json_value))


def make_console() -> Console:
    """A rich console on stdout; wide when not a terminal, so piped and logged lines are not wrapped."""
    if sys.stdout.isatty():
        return Console(highlight=False)
    return Console(highlight=False, width=200, no_color=True)
