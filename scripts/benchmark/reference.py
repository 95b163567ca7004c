"""bench/reference.sql: the dbt models' logic as one hand-written DuckDB script, run in this process on
the benchmark database with the profile's settings (schema `reference`), and compared with the dbt marts.

The comparison takes, per relation, the row count and a checksum of some columns' text (types may
differ), overall or per group; a mismatch is recorded, it does not fail the run.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import duckdb
from common.cli import CliError
from common.constants import REPO_ROOT

from benchmark.measure import (
    BYTES_PER_MIB,
    KIB_PER_MIB,
    PhaseResult,
    Sampler,
    peak_rss_kib_of_this_process,
    reset_peak_rss_of_this_process,
)

REFERENCE_SQL = REPO_ROOT / "bench" / "reference.sql"
REFERENCE_SCHEMA = "reference"

# Compared between each dbt relation and the reference table of the same name: (label, relation, group by
# columns, checksum columns). Per group: the row count and a checksum of the columns' text (types may differ).
COMPARISONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("staged events", "staging.stg_events", (), ("event_id", "event_ts", "page_path", "revenue")),
    ("rejected rows", "staging.stg_events_rejected", ("reject_reason",), ("_load_id", "_source_row")),
    (
        "sessions",
        "marts.fct_sessions",
        (),
        (
            "session_id", "user_key", "session_number", "started_at", "duration_s", "events", "pageviews",
            "landing_page_path", "exit_page_path", "channel", "device_category", "is_engaged",
            "micro_conversions", "macro_conversions", "revenue",
        ),
    ),
    (
        "conversions by goal kind",
        "marts.fct_conversions",
        ("goal_kind",),
        ("conversion_id", "session_id", "user_key", "event_id", "converted_at", "page_path", "value"),
    ),
    ("goals", "marts.dim_goals", (), ("goal_id", "completions", "converting_sessions", "total_value")),
    (
        "funnel session steps",
        "marts.fct_funnel_session_steps",
        ("funnel_id", "step_number"),
        ("session_id", "reached_at", "session_position", "seconds_from_previous_step"),
    ),
    (
        "funnel sessions by furthest step",
        "marts.fct_funnel_sessions",
        ("funnel_id", "furthest_step"),
        ("session_id", "user_key", "channel", "started_at", "completed_at"),
    ),
    (
        "funnel users by furthest step",
        "marts.fct_funnel_users",
        ("funnel_id", "furthest_step"),
        ("user_key", "started_at", "completed_at", "attempts", "start_session_id", "start_channel"),
    ),
    (
        "funnel daily",
        "marts.fct_funnel_daily",
        ("funnel_id", "step_number"),
        (
            "session_date", "channel", "device_category", "sessions_reached_previous", "sessions_reached",
            "median_seconds_from_previous_step",
        ),
    ),
    (
        "daily KPIs",
        "marts.mart_kpi_daily",
        (),
        ("session_date", "sessions", "users", "engaged_sessions", "macro_conversions", "revenue", "orders"),
    ),
    (
        "load reconciliation",
        "marts.mart_load_reconciliation",
        ("load_id", "raw_rows", "staged_events", "duplicates_removed", "rejected_rows"),
        (),
    ),
)  # fmt: skip


# Funnel relations are compared on the funnels the reference implements (reference.sql: covered_funnels).
COVERED_FUNNELS = f"funnel_id in (select funnel_id from {REFERENCE_SCHEMA}.covered_funnels)"


def comparison_query(relation: str, group_by: tuple[str, ...], checksum: tuple[str, ...]) -> str:
    """Per group: count(*) and the sum of hashes of the checksum columns' text (null as a marker)."""
    keys = ", ".join(group_by)
    text = " || '|' || ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in checksum)
    measures = ["count(*)"] + ([f"sum(hash({text}))"] if checksum else [])
    select = ", ".join(([keys] if keys else []) + measures)
    where = f" where {COVERED_FUNNELS}" if "funnel_id" in group_by else ""
    order = f" group by {keys} order by {keys}" if keys else ""
    return f"select {select} from {relation}{where}{order}"


def _has_sql(text: str) -> bool:
    """Whether `text` holds more than comments, blanks and semicolons."""
    return bool(re.sub(r"--[^\n]*", "", text).strip(" ;\n"))


def reference_statements(sql: str) -> list[str]:
    """Split reference.sql into statements: a statement ends with ';' at the end of a line."""
    statements: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            text = "\n".join(current).strip()
            if _has_sql(text):
                statements.append(text)
            current = []
    rest = "\n".join(current).strip()
    if _has_sql(rest):
        statements.append(rest)
    return statements


def reference_scope(sql: str) -> list[str]:
    """The dbt models the reference reproduces: the `-- covers:` lines at the top of reference.sql."""
    names: list[str] = []
    for line in sql.splitlines():
        match = re.match(r"--\s*covers:\s*(.*)$", line.strip())
        if match:
            names += [n.strip() for n in match.group(1).split(",") if n.strip()]
    return names


def duckdb_settings(spill_dir: Path) -> dict[str, str]:
    """The settings of profiles/profiles.yml, from the same environment variables and defaults."""
    return {
        "threads": os.environ.get("MICROCONV_DUCKDB_THREADS", "2"),
        "memory_limit": os.environ.get("MICROCONV_MEMORY_LIMIT", "14GB"),
        "temp_directory": str(spill_dir),
        "preserve_insertion_order": "false",
        "TimeZone": "UTC",
    }


def statement_label(statement: str) -> str:
    """The table or view a statement creates, else its first 60 characters."""
    body = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    match = re.search(r"create\s+(?:or\s+replace\s+)?(?:temp\w*\s+)?(?:table|view)\s+([\w.]+)", body, re.I)
    if match:
        return match.group(1)
    return " ".join(body.split())[:60]


def run_statements(con: duckdb.DuckDBPyConnection, statements: list[str]) -> list[dict[str, Any]]:
    """Execute the statements in order; each one's label and seconds. A failure is a CliError."""
    steps: list[dict[str, Any]] = []
    for statement in statements:
        started = time.perf_counter()
        try:
            con.execute(statement)
        except duckdb.Error as exc:
            first = statement.splitlines()[0][:80]
            raise CliError(f"phase reference failed at `{first}`: {exc}") from exc
        steps.append({"statement": statement_label(statement), "seconds": time.perf_counter() - started})
    return steps


def run_reference(db: Path, spill_dir: Path) -> tuple[PhaseResult, list[dict[str, Any]]]:
    """Run reference.sql on `db`: the phase's time and memory, and each statement's seconds."""
    statements = reference_statements(REFERENCE_SQL.read_text())
    with duckdb.connect(str(db)) as con:
        for key, value in duckdb_settings(spill_dir).items():
            con.execute(f"set {key} = '{value}'")
        exact_peak = reset_peak_rss_of_this_process()
        with Sampler("self", spill_dir) as sampler:
            started = time.perf_counter()
            steps = run_statements(con, statements)
            seconds = time.perf_counter() - started
    peak_kib = peak_rss_kib_of_this_process() if exact_peak else sampler.peak_rss_kib
    phase = PhaseResult(
        "reference",
        seconds,
        None,
        peak_kib / KIB_PER_MIB,
        sampler.peak_spill_bytes / BYTES_PER_MIB,
        {"statements": len(statements), "peak_is_exact": exact_peak},
    )
    return phase, steps


def _jsonable(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [
        [v if isinstance(v, int | float | str | bool) or v is None else str(v) for v in row] for row in rows
    ]


def compare_relation(
    con: duckdb.DuckDBPyConnection,
    label: str,
    relation: str,
    group_by: tuple[str, ...],
    checksum: tuple[str, ...],
) -> dict[str, Any]:
    """One check: the dbt relation against the reference table of the same name."""
    reference = f"{REFERENCE_SCHEMA}." + relation.split(".")[1]
    try:
        dbt_rows = con.execute(comparison_query(relation, group_by, checksum)).fetchall()
        ref_rows = con.execute(comparison_query(reference, group_by, checksum)).fetchall()
    except duckdb.Error as exc:
        return {"check": label, "table": relation, "match": False, "error": str(exc)}
    return {
        "check": label,
        "table": relation,
        "match": dbt_rows == ref_rows,
        "dbt": _jsonable(dbt_rows),
        "reference": _jsonable(ref_rows),
    }


def compare_with_reference(db: Path) -> list[dict[str, Any]]:
    """Every check of COMPARISONS, in order."""
    with duckdb.connect(str(db), read_only=True) as con:
        return [compare_relation(con, *comparison) for comparison in COMPARISONS]
