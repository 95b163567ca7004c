"""Opening the DuckDB warehouse file: one place for the session settings and for friendly errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from common.cli import CliError
from common.constants import RAW_LOAD_LOG

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


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> Any:
    """First value of the first row; fetches the whole result (DuckDB 2.0 wants results finished)."""
    rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    return rows[0][0] if rows else None


def insert_file_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    view: str,
    reader: pa.RecordBatchReader,
    insert: str,
    source_file: str,
    digest: str,
    file_format: str,
) -> tuple[int, int]:
    """Load one file: its rows (`insert`, reading `view`: the file's stream) and its raw.load_log row, in
    ONE transaction; (load_id, rows). On any error the transaction is rolled back (nothing written) and
    the error propagates for the caller to word. `insert` takes the parameters $load_id, $source_file and
    $loaded_at.

    Both writes are in one transaction, in either order: a load_log row committed on its own would make the
    retry of a failed or killed load skip the file as "already loaded" (tests_py/test_load_transactions.py
    fails inside this transaction)."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    con.begin()
    try:
        load_id = int(scalar(con, f"SELECT coalesce(max(load_id), 0) + 1 FROM {RAW_LOAD_LOG}"))
        con.register(view, reader)
        params = {"load_id": load_id, "source_file": source_file, "loaded_at": loaded_at}
        rows = int(scalar(con, insert, params))
        scalar(
            con,
            f"INSERT INTO {RAW_LOAD_LOG} VALUES (?, ?, ?, ?, ?, ?)",
            [load_id, source_file, digest, file_format, rows, loaded_at],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister(view)
    return load_id, rows
