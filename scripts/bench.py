#!/usr/bin/env python3
"""Benchmark the whole pipeline: generate, load, dbt (seed, run, data tests) and the hand-written reference.

Usage:
    .venv/bin/python scripts/bench.py [--events N] [--seed S] [--format parquet|csv|jsonl]
        [--data DIR] [--workdir DIR] [--results-dir DIR] [--keep] [--dbt-threads N]
        [--select SELECTOR] [--no-tests] [--no-reference]

Phases, each timed (wall seconds, events/s) with the peak memory of the process doing the work:
- generate: scripts/generate_events.py --events N --seed S --format F (default parquet: smaller files
  and the faster generate + load; `--data DIR` skips this phase and loads the files in DIR);
- load: scripts/load_events.py into a fresh DuckDB file (WORKDIR/bench.duckdb);
- dbt seed, dbt run (per model from target/run_results.json, summed per group: staging,
  intermediate, marts) and dbt test (data tests only; unit tests do not depend on the data);
- reference: bench/reference.sql, the same logic as one hand-written DuckDB script, run in this
  process on the same database with the same DuckDB settings (threads, memory_limit,
  temp_directory), writing schema `reference`. Then a few counts and checksums of its tables are
  compared with the dbt marts (a mismatch is printed and recorded, it does not fail the run).

Peak memory of a child process is its ru_maxrss (os.wait4); per dbt model it is the highest RSS
sampled (every 0.25 s, /proc/PID/status) while the model ran, with the peak size of DuckDB's spill
folder. The reference's peak is this process's VmHWM, reset before it starts.

The ratio printed at the end is dbt's time for the models the reference covers (the list at the top
of bench/reference.sql; sum of their execution times) / the reference's time: the target is <= 2.
The ratio of the whole `dbt run` (every model, dbt's own overhead included) is printed too.

Environment: DuckDB settings come from the same variables as profiles/profiles.yml
(MICROCONV_DUCKDB_THREADS, MICROCONV_MEMORY_LIMIT, with the same defaults); the database and the
spill folder are always under WORKDIR, and dbt writes its target/ and logs/ there as well.
BENCH_EVENTS sets the default of --events.

Output: rich tables on stdout, and everything as JSON in RESULTS_DIR/<UTC date-time>.json
(default bench/results/, git-ignored). WORKDIR (default warehouse/bench/, git-ignored) is deleted
at the end unless --keep. Exit codes: 0 done (even when a reference comparison differs), 2 a phase
failed (one line on stderr naming the phase and its log file).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from common.cli import CliError, run_cli
from common.constants import EXIT_OK, FORMATS, REPO_ROOT
from rich.console import Console
from rich.table import Table

DEFAULT_EVENTS = 10_000_000
DEFAULT_SEED = 42
DEFAULT_WORKDIR = REPO_ROOT / "warehouse" / "bench"
DEFAULT_RESULTS_DIR = REPO_ROOT / "bench" / "results"
REFERENCE_SQL = REPO_ROOT / "bench" / "reference.sql"
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))
SAMPLE_SECONDS = 0.25
MODEL_GROUPS: tuple[str, ...] = ("staging", "intermediate", "marts")
# Rough peak bytes on disk per event (database with dbt and reference tables, DuckDB spill) for the space
# check; the generated files are deleted once loaded.
DISK_BYTES_PER_EVENT = 450
DISK_BYTES_PER_EVENT_NO_REFERENCE = 320
TOP_MODELS = 10

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


def comparison_query(relation: str, group_by: tuple[str, ...], checksum: tuple[str, ...]) -> str:
    """Per group: count(*) and the sum of hashes of the checksum columns' text (null as a marker)."""
    keys = ", ".join(group_by)
    text = " || '|' || ".join(f"coalesce(cast({c} as varchar), '<null>')" for c in checksum)
    measures = ["count(*)"] + ([f"sum(hash({text}))"] if checksum else [])
    select = ", ".join(([keys] if keys else []) + measures)
    order = f" group by {keys} order by {keys}" if keys else ""
    return f"select {select} from {relation}{order}"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def default_events() -> int:
    text = os.environ.get("BENCH_EVENTS")
    if not text:
        return DEFAULT_EVENTS
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError as exc:
        raise CliError(f"BENCH_EVENTS {exc}") from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = _Parser(prog="bench.py", description="Benchmark generate, load, dbt and the reference SQL.")
    p.add_argument(
        "--events", type=_positive_int, default=None, help="events to generate (default $BENCH_EVENTS or 10M)"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    p.add_argument(
        "--format", choices=FORMATS, default="parquet", help="generated file format (default parquet)"
    )
    p.add_argument("--data", type=Path, help="load the event files in this folder instead of generating")
    p.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR, help="scratch folder (default warehouse/bench)"
    )
    p.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS_DIR, help="where the JSON results go")
    p.add_argument("--keep", action="store_true", help="keep the work folder (data, database, dbt target)")
    p.add_argument(
        "--dbt-threads",
        type=_positive_int,
        default=1,
        help="dbt threads (default 1: DuckDB already uses every core, and per-model times add up)",
    )
    p.add_argument("--select", help="dbt selector for `dbt run` (default: every model)")
    p.add_argument("--no-tests", action="store_true", help="skip the dbt data tests")
    p.add_argument("--no-reference", action="store_true", help="skip the reference SQL and the comparison")
    args = p.parse_args(argv)
    if args.events is None:
        args.events = default_events()
    if args.data is not None and not args.data.is_dir():
        raise CliError(f"--data {args.data}: not a folder")
    return args


# ----------------------------------------------------------------------------------------------------------
# Measuring child processes


@dataclass
class Sample:
    at: float  # epoch seconds
    rss_kib: int
    spill_bytes: int


@dataclass
class PhaseResult:
    phase: str
    seconds: float
    events_per_s: float | None
    peak_rss_mib: float
    peak_spill_mib: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


def _rss_kib(pid: int | str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _hwm_kib() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _reset_hwm() -> bool:
    """Reset this process's peak RSS (Linux >= 4.0); False when the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def dir_bytes(path: Path) -> int:
    total = 0
    try:
        for root, _dirs, files in os.walk(path):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.stat(os.path.join(root, name)).st_size
    except OSError:
        pass
    return total


class Sampler:
    """Samples the RSS of a process and the size of a spill folder in a background thread."""

    def __init__(self, pid: int | str, spill_dir: Path | None) -> None:
        self.pid = pid
        self.spill_dir = spill_dir
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            spill = dir_bytes(self.spill_dir) if self.spill_dir else 0
            self.samples.append(Sample(time.time(), _rss_kib(self.pid), spill))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_between(self, start: float, end: float) -> tuple[int, int]:
        inside = [s for s in self.samples if start <= s.at <= end]
        return max((s.rss_kib for s in inside), default=0), max((s.spill_bytes for s in inside), default=0)

    @property
    def peak_spill_bytes(self) -> int:
        return max((s.spill_bytes for s in self.samples), default=0)


@dataclass
class ChildRun:
    seconds: float
    maxrss_kib: int  # ru_maxrss of the child (KiB on Linux)
    exit_code: int
    sampler: Sampler


def run_child(cmd: list[str], env: dict[str, str], log: Path, spill_dir: Path | None = None) -> ChildRun:
    """Run cmd to completion with its output in `log`, sampling its memory and the spill folder."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)
        with Sampler(proc.pid, spill_dir) as sampler:
            _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(seconds, usage.ru_maxrss, proc.returncode, sampler)


def failure_message(phase: str, exit_code: int, log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return f"phase {phase} failed (exit {exit_code}), see {log}: {' | '.join((errors or lines)[-3:])}"


# ----------------------------------------------------------------------------------------------------------
# dbt


@dataclass
class ModelTiming:
    name: str
    group: str
    materialized: str
    status: str
    seconds: float
    rows: int | None
    peak_rss_mib: float
    peak_spill_mib: float
    started_at: str | None
    completed_at: str | None


def _epoch(text: str | None) -> float | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def model_timings(target: Path, sampler: Sampler, table_rows: dict[str, int]) -> list[ModelTiming]:
    """Per-model timings from run_results.json, groups and materializations from manifest.json."""
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    timings: list[ModelTiming] = []
    for result in results["results"]:
        uid = result["unique_id"]
        if not uid.startswith("model."):
            continue
        node = manifest["nodes"].get(uid, {})
        fqn = node.get("fqn", [])
        group = fqn[1] if len(fqn) > 2 else "other"
        steps = {t["name"]: t for t in result.get("timing", [])}
        started = (steps.get("compile") or steps.get("execute") or {}).get("started_at")
        completed = (steps.get("execute") or {}).get("completed_at")
        start_s, end_s = _epoch(started), _epoch(completed)
        rss, spill = sampler.peak_between(start_s, end_s) if start_s and end_s else (0, 0)
        name = uid.split(".")[-1]
        timings.append(
            ModelTiming(
                name=name,
                group=group,
                materialized=node.get("config", {}).get("materialized", "?"),
                status=str(result.get("status")),
                seconds=float(result.get("execution_time") or 0.0),
                rows=table_rows.get(name),
                peak_rss_mib=rss / 1024,
                peak_spill_mib=spill / 2**20,
                started_at=started,
                completed_at=completed,
            )
        )
    return timings


def table_row_counts(db: Path) -> dict[str, int]:
    """Estimated row count of every table (exact after a CTAS), by table name."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select table_name, estimated_size from duckdb_tables()").fetchall()
    return {str(name): int(size) for name, size in rows}


# ----------------------------------------------------------------------------------------------------------
# Reference


def reference_statements(sql: str) -> list[str]:
    """Split reference.sql into statements: a statement ends with ';' at the end of a line."""
    statements: list[str] = []
    current: list[str] = []
    for line in sql.splitlines():
        current.append(line)
        if line.rstrip().endswith(";") and not line.lstrip().startswith("--"):
            text = "\n".join(current).strip()
            if re.sub(r"--[^\n]*", "", text).strip(" ;\n"):
                statements.append(text)
            current = []
    rest = "\n".join(current).strip()
    if re.sub(r"--[^\n]*", "", rest).strip():
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


def run_reference(db: Path, spill_dir: Path) -> tuple[PhaseResult, list[dict[str, Any]]]:
    sql = REFERENCE_SQL.read_text()
    statements = reference_statements(sql)
    steps: list[dict[str, Any]] = []
    with duckdb.connect(str(db)) as con:
        for key, value in duckdb_settings(spill_dir).items():
            con.execute(f"set {key} = '{value}'")
        exact_peak = _reset_hwm()
        with Sampler("self", spill_dir) as sampler:
            start = time.perf_counter()
            for statement in statements:
                t0 = time.perf_counter()
                try:
                    con.execute(statement)
                except duckdb.Error as exc:
                    first = statement.splitlines()[0][:80]
                    raise CliError(f"phase reference failed at `{first}`: {exc}") from exc
                steps.append({"statement": _statement_label(statement), "seconds": time.perf_counter() - t0})
            seconds = time.perf_counter() - start
    rss_kib = _hwm_kib() if exact_peak else max((s.rss_kib for s in sampler.samples), default=0)
    phase = PhaseResult(
        "reference",
        seconds,
        None,
        rss_kib / 1024,
        sampler.peak_spill_bytes / 2**20,
        {"statements": len(statements), "peak_is_exact": exact_peak},
    )
    return phase, steps


def _statement_label(statement: str) -> str:
    body = "\n".join(line for line in statement.splitlines() if not line.lstrip().startswith("--"))
    match = re.search(r"create\s+(?:or\s+replace\s+)?(?:temp\w*\s+)?(?:table|view)\s+([\w.]+)", body, re.I)
    if match:
        return match.group(1)
    return " ".join(body.split())[:60]


def compare_with_reference(db: Path) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    with duckdb.connect(str(db), read_only=True) as con:
        for label, relation, group_by, checksum in COMPARISONS:
            reference = "reference." + relation.split(".")[1]
            try:
                dbt_rows = con.execute(comparison_query(relation, group_by, checksum)).fetchall()
                ref_rows = con.execute(comparison_query(reference, group_by, checksum)).fetchall()
            except duckdb.Error as exc:
                checks.append({"check": label, "table": relation, "match": False, "error": str(exc)})
                continue
            checks.append(
                {
                    "check": label,
                    "table": relation,
                    "match": dbt_rows == ref_rows,
                    "dbt": _jsonable(dbt_rows),
                    "reference": _jsonable(ref_rows),
                }
            )
    return checks


def _jsonable(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [
        [v if isinstance(v, int | float | str | bool) or v is None else str(v) for v in row] for row in rows
    ]


# ----------------------------------------------------------------------------------------------------------
# Reporting


def _mib(kib: int) -> float:
    return kib / 1024


def _rate(events: int, seconds: float) -> float | None:
    return events / seconds if seconds > 0 else None


def _fmt_rate(rate: float | None) -> str:
    return f"{rate:,.0f}" if rate is not None else "-"


def print_report(console: Console, report: dict[str, Any]) -> None:
    events = report["events"]
    phases = Table(title=f"microconv benchmark: {events:,} events", title_justify="left")
    for col in ("phase", "seconds", "events/s", "peak RSS MiB", "peak spill MiB"):
        phases.add_column(col, justify="left" if col == "phase" else "right")
    for phase in report["phases"]:
        phases.add_row(
            phase["phase"],
            f"{phase['seconds']:,.1f}",
            _fmt_rate(phase["events_per_s"]),
            f"{phase['peak_rss_mib']:,.0f}",
            f"{phase['peak_spill_mib']:,.0f}",
        )
    console.print(phases)

    models: list[dict[str, Any]] = report.get("models", [])
    if models:
        groups = Table(title="dbt run by model group (sum of model execution times)", title_justify="left")
        for col in ("group", "models", "seconds", "events/s", "peak RSS MiB", "peak spill MiB"):
            groups.add_column(col, justify="left" if col == "group" else "right")
        for group in report["model_groups"]:
            groups.add_row(
                group["group"],
                str(group["models"]),
                f"{group['seconds']:,.1f}",
                _fmt_rate(group["events_per_s"]),
                f"{group['peak_rss_mib']:,.0f}",
                f"{group['peak_spill_mib']:,.0f}",
            )
        console.print(groups)

        top = Table(title=f"top {TOP_MODELS} models by time", title_justify="left")
        for col in ("model", "group", "seconds", "share", "rows", "peak RSS MiB", "peak spill MiB"):
            top.add_column(col, justify="left" if col in ("model", "group") else "right")
        total = sum(m["seconds"] for m in models) or 1.0
        for m in sorted(models, key=lambda m: m["seconds"], reverse=True)[:TOP_MODELS]:
            top.add_row(
                m["name"],
                m["group"],
                f"{m['seconds']:,.1f}",
                f"{m['seconds'] / total:.0%}",
                f"{m['rows']:,}" if m["rows"] is not None else "-",
                f"{m['peak_rss_mib']:,.0f}",
                f"{m['peak_spill_mib']:,.0f}",
            )
        console.print(top)

    checks: list[dict[str, Any]] = report.get("reference_checks", [])
    if checks:
        table = Table(title="dbt marts vs reference", title_justify="left")
        table.add_column("check")
        table.add_column("table")
        table.add_column("match")
        for check in checks:
            table.add_row(check["check"], check["table"], "yes" if check["match"] else "[bold red]NO[/]")
        console.print(table)
    ratio = report.get("ratio")
    if ratio:
        console.print(
            f"dbt / reference, same models: {ratio['scope_dbt_seconds']:,.1f} s / "
            f"{ratio['reference_seconds']:,.1f} s = [bold]{ratio['scope']:.2f}x[/] (target <= 2x); "
            f"whole dbt run: {ratio['dbt_run_seconds']:,.1f} s = {ratio['run']:.2f}x"
        )
    console.print(f"results: {report['results_file']}")


# ----------------------------------------------------------------------------------------------------------
# Main


def check_disk(workdir: Path, events: int, reference: bool, console: Console) -> None:
    needed = events * (DISK_BYTES_PER_EVENT if reference else DISK_BYTES_PER_EVENT_NO_REFERENCE)
    free = shutil.disk_usage(workdir).free
    if free < needed:
        raise CliError(
            f"{workdir}: {free / 2**30:.1f} GiB free, the benchmark of {events:,} events needs about "
            f"{needed / 2**30:.1f} GiB"
        )
    console.print(f"disk: {free / 2**30:.1f} GiB free in {workdir}, about {needed / 2**30:.1f} GiB needed")


def clean_workdir(workdir: Path, keep_data: bool) -> None:
    names = ["bench.duckdb", "bench.duckdb.wal", "tmp", "target", "logs"] + ([] if keep_data else ["data"])
    for name in names:
        path = workdir / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Wide enough for the tables when the output is a file or a pipe (rich assumes 80 columns there).
    console = Console() if sys.stdout.isatty() else Console(width=130)
    events: int = args.events
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    clean_workdir(workdir, keep_data=args.data is not None)
    if args.data is None:
        check_disk(workdir, events, not args.no_reference, console)
    data_dir = args.data.resolve() if args.data is not None else workdir / "data"
    db = workdir / "bench.duckdb"
    spill = workdir / "tmp"
    target = workdir / "target"
    logs = workdir / "logs"
    spill.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        MICROCONV_DB=str(db),
        MICROCONV_TEMP_DIR=str(spill),
        MICROCONV_DBT_THREADS=str(args.dbt_threads),
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    started = datetime.now(UTC)
    phases: list[PhaseResult] = []
    report: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "events": events,
        "seed": args.seed,
        "format": args.format if args.data is None else "(--data)",
        "machine": {"cpus": os.cpu_count(), "memory_gib": _memory_gib()},
        "duckdb_settings": duckdb_settings(spill),
        "dbt_threads": args.dbt_threads,
        "select": args.select,
    }

    samplers: dict[str, Sampler] = {}

    def phase(name: str, cmd: list[str], rate: bool = True) -> PhaseResult:
        console.print(f"[bold]{name}[/] ...")
        log = logs / f"{name.replace(' ', '_')}.log"
        child = run_child(cmd, env, log, spill)
        samplers[name] = child.sampler
        result = PhaseResult(
            name,
            child.seconds,
            _rate(events, child.seconds) if rate else None,
            _mib(child.maxrss_kib),
            child.sampler.peak_spill_bytes / 2**20,
            {"exit_code": child.exit_code} if child.exit_code else {},
        )
        phases.append(result)
        console.print(f"  {child.seconds:,.1f} s, peak RSS {result.peak_rss_mib:,.0f} MiB")
        if child.exit_code != 0:
            raise CliError(failure_message(name, child.exit_code, log))
        return result

    dbt_common = ["--profiles-dir", "profiles", "--target-path", str(target), "--log-path", str(logs)]
    try:
        if args.data is None:
            generate = ["scripts/generate_events.py", "--events", str(events), "--seed", str(args.seed)]
            phase("generate", [PYTHON, *generate, "--out", str(data_dir), "--format", args.format])
        phase("load", [PYTHON, "scripts/load_events.py", "--db", str(db), "--quiet", str(data_dir)])
        if args.data is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)  # loaded: free the disk for the build
        with duckdb.connect(str(db), read_only=True) as con:
            loaded = con.execute("select count(*) from raw.events").fetchone()
        report["raw_rows"] = int(loaded[0]) if loaded else 0
        if args.data is not None:
            events = report["events"] = report["raw_rows"]
            phases[-1].events_per_s = _rate(events, phases[-1].seconds)
        phase("dbt seed", [DBT, "seed", *dbt_common], rate=False)
        select = ["--select", args.select] if args.select else []
        models: list[ModelTiming] = []
        try:
            run_result = phase("dbt run", [DBT, "run", *dbt_common, *select])
        finally:
            # Also when the run fails: how far it got, and each model's time and memory until then.
            if (target / "run_results.json").exists() and "dbt run" in samplers:
                models = model_timings(target, samplers["dbt run"], table_row_counts(db))
                report["models"] = [asdict(m) for m in models]
                report["model_groups"] = _group_models(models, events)
        if not args.no_tests:
            phase("dbt test", [DBT, "test", "--exclude", "test_type:unit", *dbt_common, *select])
        if not args.no_reference:
            console.print("[bold]reference[/] ...")
            ref_phase, steps = run_reference(db, spill)
            ref_phase.events_per_s = _rate(events, ref_phase.seconds)
            phases.append(ref_phase)
            console.print(f"  {ref_phase.seconds:,.1f} s, peak RSS {ref_phase.peak_rss_mib:,.0f} MiB")
            report["reference_statements"] = steps
            report["reference_checks"] = compare_with_reference(db)
            scope = set(reference_scope(REFERENCE_SQL.read_text()))
            scope_seconds = sum(m.seconds for m in models if m.name in scope)
            report["reference_scope"] = sorted(scope)
            report["ratio"] = {
                "scope_dbt_seconds": scope_seconds,
                "dbt_models_seconds": sum(m.seconds for m in models),
                "dbt_run_seconds": run_result.seconds,
                "reference_seconds": ref_phase.seconds,
                "scope": scope_seconds / ref_phase.seconds,
                "run": run_result.seconds / ref_phase.seconds,
            }
        report["database_mib"] = db.stat().st_size / 2**20 if db.exists() else None
    finally:
        report["phases"] = [asdict(p) for p in phases]
        report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        results_dir: Path = args.results_dir
        results_dir.mkdir(parents=True, exist_ok=True)
        results_file = results_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
        report["results_file"] = str(results_file)
        results_file.write_text(json.dumps(report, indent=2) + "\n")
        if not args.keep:
            clean_workdir(workdir, keep_data=args.data is not None)
            if args.data is None:
                shutil.rmtree(workdir / "data", ignore_errors=True)
        print_report(console, report)  # also after a failed phase: what was measured until then
    return EXIT_OK


def _group_models(models: list[ModelTiming], events: int) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    names = list(MODEL_GROUPS) + sorted({m.group for m in models} - set(MODEL_GROUPS))
    for name in names:
        members = [m for m in models if m.group == name]
        if not members:
            continue
        seconds = sum(m.seconds for m in members)
        groups.append(
            {
                "group": name,
                "models": len(members),
                "seconds": seconds,
                "events_per_s": _rate(events, seconds),
                "peak_rss_mib": max(m.peak_rss_mib for m in members),
                "peak_spill_mib": max(m.peak_spill_mib for m in members),
            }
        )
    return groups


def _memory_gib() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return None


if __name__ == "__main__":
    sys.exit(run_cli(main))
