"""Opening the DuckDB warehouse file: one place for the session settings and for friendly errors."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from common.cli import CliError

_LOCK_MARKER = "Could not set lock"
_PID_RE = re.compile(r"\(PID (\d+)\)")


def one_line(text: object, limit: int = 300) -> str:
    """Collapse a (DuckDB or Arrow, possibly multi-line) error message to one line of <= `limit` chars."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def connect(db_path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file (creating its folder unless read_only) with TimeZone UTC and no progress bar.

    A file locked by another process (a dbt run, a DuckDB shell, another loader) raises CliError with
    one readable line instead of DuckDB's IO error.
    """
    path = Path(db_path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        message = str(exc)
        if _LOCK_MARKER in message:
            pid = _PID_RE.search(message)
            holder = f" (PID {pid.group(1)})" if pid else ""
            raise CliError(
                f"database {db_path} is locked by another process{holder}; close it and retry"
            ) from None
        raise CliError(f"cannot open database {db_path}: {one_line(message)}") from None
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con
