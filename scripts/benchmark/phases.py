"""The benchmark's phases, in the order of PIPELINE, sharing one BenchRun (paths, environment, results).

A phase is a function `phase(run: BenchRun) -> None` that measures something and records it: a child
process through `run.child_phase(...)` (timed, memory sampled, appended to `run.phases`), anything
else through `run.phases.append(...)` and `run.report[...]`. A phase decides itself whether the
options skip it. To add one (say, load rows/s per source format), write the function and put it in
PIPELINE where it belongs; the phase table, the JSON results and the tests pick it up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from common.cli import CliError
from common.constants import ANCHOR_FUNNEL_IDS, FUNNEL_SEED_TABLES, GENERATOR_DEFAULT_DAYS
from rich.console import Console

from benchmark.dbt_results import ModelTiming, group_models, model_timings, table_row_counts
from benchmark.measure import (
    BYTES_PER_MIB,
    DBT,
    KIB_PER_MIB,
    PYTHON,
    PhaseResult,
    Sampler,
    events_per_second,
    failure_message,
    memory_gib,
    run_child,
)
from benchmark.reference import (
    REFERENCE_SQL,
    compare_with_reference,
    duckdb_settings,
    reference_scope,
    run_reference,
)

DB_FILE = "bench.duckdb"
ANCHOR_DB_FILE = "bench_anchor_funnels.duckdb"  # the copy the anchor funnels' run builds
# Rough peak bytes on disk per event (database with dbt and reference tables, DuckDB spill) for the space
# check; the generated files are deleted once loaded.
DISK_BYTES_PER_EVENT = 450
DISK_BYTES_PER_EVENT_NO_REFERENCE = 320


@dataclass
class BenchRun:
    """One benchmark run: its options, where things go, and what was measured so far."""

    args: argparse.Namespace
    console: Console
    events: int
    workdir: Path
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    phases: list[PhaseResult] = field(default_factory=list)
    samplers: dict[str, Sampler] = field(default_factory=dict)
    models: list[ModelTiming] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def generates(self) -> bool:
        """False with --data: the files are given, not generated."""
        return self.args.data is None

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data" if self.generates else self.args.data.resolve()

    @property
    def db(self) -> Path:
        return self.workdir / DB_FILE

    @property
    def spill_dir(self) -> Path:
        return self.workdir / "tmp"

    @property
    def target_dir(self) -> Path:
        return self.workdir / "target"

    @property
    def logs_dir(self) -> Path:
        return self.workdir / "logs"

    @property
    def env(self) -> dict[str, str]:
        """The children's environment: the benchmark database and spill folder, no tracking."""
        return dict(
            os.environ,
            MICROCONV_DB=str(self.db),
            MICROCONV_TEMP_DIR=str(self.spill_dir),
            MICROCONV_DBT_THREADS=str(self.args.dbt_threads),
            DO_NOT_TRACK="1",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )

    @property
    def dbt_options(self) -> list[str]:
        return [
            "--profiles-dir",
            "profiles",
            "--target-path",
            str(self.target_dir),
            "--log-path",
            str(self.logs_dir),
        ]

    @property
    def dbt_select(self) -> list[str]:
        return ["--select", self.args.select] if self.args.select else []

    def phase(self, name: str) -> PhaseResult | None:
        return next((phase for phase in self.phases if phase.phase == name), None)

    def child_phase(
        self,
        name: str,
        cmd: list[str],
        per_event: bool = True,
        env: dict[str, str] | None = None,
        tree: bool = False,
    ) -> PhaseResult:
        """Run one child process as the phase `name` (env: variables on top of self.env; tree: its peak RSS is
        that of its process tree, sampled, e.g. dbt on Spark with its JVM); a failure is a CliError naming its
        log."""
        self.console.print(f"[bold]{name}[/] ...")
        log = self.logs_dir / f"{name.replace(' ', '_')}.log"
        child = run_child(cmd, self.env | (env or {}), log, self.spill_dir, tree)
        self.samplers[name] = child.sampler
        result = PhaseResult(
            name,
            child.seconds,
            events_per_second(self.events, child.seconds) if per_event else None,
            (child.sampler.peak_rss_kib if tree else child.maxrss_kib) / KIB_PER_MIB,
            child.sampler.peak_spill_bytes / BYTES_PER_MIB,
            {"exit_code": child.exit_code} if child.exit_code else {},
        )
        self.phases.append(result)
        scope = " (the process tree)" if tree else ""
        self.console.print(f"  {child.seconds:,.1f} s, peak RSS {result.peak_rss_mib:,.0f} MiB{scope}")
        if child.exit_code != 0:
            raise CliError(failure_message(name, child.exit_code, log))
        return result


def start_report(run: BenchRun) -> None:
    """What the run is: settings and machine (written even when a phase fails)."""
    run.report.update(
        {
            "started_at": run.started.isoformat(timespec="seconds"),
            "events": run.events,
            "seed": run.args.seed,
            "format": run.args.format if run.generates else "(--data)",
            "machine": {"cpus": os.cpu_count(), "memory_gib": memory_gib()},
            "duckdb_settings": duckdb_settings(run.spill_dir),
            "dbt_threads": run.args.dbt_threads,
            "select": run.args.select,
        }
    )


def check_disk(run: BenchRun) -> None:
    """Enough free space for the generated files, the database and the spill (only when generating)."""
    if not run.generates:
        return
    per_event = DISK_BYTES_PER_EVENT_NO_REFERENCE if run.args.no_reference else DISK_BYTES_PER_EVENT
    needed = run.events * per_event
    free = shutil.disk_usage(run.workdir).free
    if free < needed:
        raise CliError(
            f"{run.workdir}: {free / 2**30:.1f} GiB free, the benchmark of {run.events:,} events needs about "
            f"{needed / 2**30:.1f} GiB"
        )
    run.console.print(
        f"disk: {free / 2**30:.1f} GiB free in {run.workdir}, about {needed / 2**30:.1f} GiB needed"
    )


def clean_workdir(workdir: Path, keep_data: bool) -> None:
    """Remove the database, spill folder and dbt output (and the data unless keep_data)."""
    names = [DB_FILE, f"{DB_FILE}.wal", ANCHOR_DB_FILE, f"{ANCHOR_DB_FILE}.wal", "tmp", "target", "logs"]
    names += ["spark", "target_spark"]
    names += [] if keep_data else ["data"]
    for name in names:
        path = workdir / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


def generate(run: BenchRun) -> None:
    """scripts/generate_events.py --events N --seed S --format F (skipped with --data)."""
    if not run.generates:
        return
    args = ["--events", str(run.events), "--seed", str(run.args.seed)]
    out = ["--out", str(run.data_dir), "--format", run.args.format]
    run.child_phase("generate", [PYTHON, "scripts/generate_events.py", *args, *out])


def load(run: BenchRun) -> None:
    """scripts/load_events.py into the fresh database; with --data, the loaded rows are the events."""
    run.child_phase(
        "load", [PYTHON, "scripts/load_events.py", "--db", str(run.db), "--quiet", str(run.data_dir)]
    )
    if run.generates and not run.args.keep and not run.args.spark:  # with --spark, spark_load deletes them
        shutil.rmtree(run.data_dir, ignore_errors=True)  # loaded: free the disk for the build
    with duckdb.connect(str(run.db), read_only=True) as con:
        loaded = con.execute("select count(*) from raw.events").fetchone()
    run.report["raw_rows"] = int(loaded[0]) if loaded else 0
    if not run.generates:
        run.events = run.report["events"] = run.report["raw_rows"]
        load_phase = run.phases[-1]
        load_phase.events_per_s = events_per_second(run.events, load_phase.seconds)


def dbt_seed(run: BenchRun) -> None:
    run.child_phase("dbt seed", [DBT, "seed", *run.dbt_options], per_event=False)


def anchor_funnels(run: BenchRun) -> None:
    """A full `dbt run` with only the anchor funnels (ANCHOR_FUNNEL_IDS: the default funnels before the funnel
    options) left in the funnel seed tables, on a copy of the freshly loaded and seeded database (deleted
    after); the main `dbt run` that follows builds the database itself, with every default funnel, from the
    same state. Its time / this one's is what the extra default funnels cost (target: at most 1.15). Both runs
    create every table from nothing: a run that replaces existing tables also drops the old ones, work only
    one side would do. Skipped with --no-anchor-funnels or --select."""
    if run.args.no_anchor_funnels or run.args.select:
        return
    anchor_db = run.workdir / ANCHOR_DB_FILE
    shutil.copyfile(run.db, anchor_db)
    wal = Path(f"{run.db}.wal")
    if wal.exists():  # not checkpointed yet: the copy needs it too
        shutil.copyfile(wal, f"{anchor_db}.wal")
    anchors = ", ".join(f"'{funnel_id}'" for funnel_id in ANCHOR_FUNNEL_IDS)
    with duckdb.connect(str(anchor_db)) as con:
        for table in FUNNEL_SEED_TABLES:
            con.execute(f"delete from {table} where funnel_id not in ({anchors})")
    try:
        name = "dbt run anchor funnels"
        run.child_phase(name, [DBT, "run", *run.dbt_options], env={"MICROCONV_DB": str(anchor_db)})
        models = model_timings(run.target_dir, run.samplers[name], table_row_counts(anchor_db))
        run.report["anchor_funnels"] = {"models": [asdict(model) for model in models]}
    finally:
        for path in (anchor_db, Path(f"{anchor_db}.wal")):
            path.unlink(missing_ok=True)


def anchor_funnels_ratio(run: BenchRun) -> None:
    """The full `dbt run` with every default funnel / the one with the anchor funnels only."""
    full, anchors = run.phase("dbt run"), run.phase("dbt run anchor funnels")
    if not full or not anchors or not anchors.seconds:
        return
    ratio = full.seconds / anchors.seconds
    run.report["anchor_funnels"] |= {
        "funnels": list(ANCHOR_FUNNEL_IDS),
        "seconds": anchors.seconds,
        "full_run_seconds": full.seconds,
        "full_run_ratio": ratio,
    }
    run.console.print(
        f"  every default funnel {full.seconds:,.1f} s = {ratio:.2f}x the run with the anchor funnels only "
        f"({', '.join(ANCHOR_FUNNEL_IDS)}: {anchors.seconds:,.1f} s; target: at most 1.15x)"
    )


def dbt_run(run: BenchRun) -> None:
    """`dbt run --full-refresh` (the database's first run: the anchor funnels' run built a copy), then each
    model's time and memory (also when the run fails: how far it got)."""
    try:
        run.child_phase("dbt run", [DBT, "run", "--full-refresh", *run.dbt_options, *run.dbt_select])
        anchor_funnels_ratio(run)
    finally:
        if (run.target_dir / "run_results.json").exists() and "dbt run" in run.samplers:
            run.models = model_timings(run.target_dir, run.samplers["dbt run"], table_row_counts(run.db))
            run.report["models"] = [asdict(model) for model in run.models]
            run.report["model_groups"] = group_models(run.models, run.events)


def dbt_test(run: BenchRun) -> None:
    """The data tests (unit tests do not depend on the data); skipped with --no-tests."""
    if run.args.no_tests:
        return
    run.child_phase(
        "dbt test", [DBT, "test", "--exclude", "test_type:unit", *run.dbt_options, *run.dbt_select]
    )


def reference(run: BenchRun) -> None:
    """bench/reference.sql, its comparison with the marts, and the dbt / reference ratios."""
    if run.args.no_reference:
        return
    run.console.print("[bold]reference[/] ...")
    reference_phase, steps = run_reference(run.db, run.spill_dir)
    reference_phase.events_per_s = events_per_second(run.events, reference_phase.seconds)
    run.phases.append(reference_phase)
    run.console.print(f"  {reference_phase.seconds:,.1f} s, peak RSS {reference_phase.peak_rss_mib:,.0f} MiB")
    run.report["reference_statements"] = steps
    run.report["reference_checks"] = compare_with_reference(run.db)
    scope = set(reference_scope(REFERENCE_SQL.read_text()))
    run.report["reference_scope"] = sorted(scope)
    run.report["ratio"] = reference_ratio(run, scope, reference_phase.seconds)


def reference_ratio(run: BenchRun, scope: set[str], reference_seconds: float) -> dict[str, float]:
    """dbt's time for the models the reference covers, and for the whole run, over the reference's."""
    scope_seconds = sum(model.seconds for model in run.models if model.name in scope)
    dbt_run_phase = run.phase("dbt run")
    dbt_run_seconds = dbt_run_phase.seconds if dbt_run_phase else 0.0
    return {
        "scope_dbt_seconds": scope_seconds,
        "dbt_models_seconds": sum(model.seconds for model in run.models),
        "dbt_run_seconds": dbt_run_seconds,
        "reference_seconds": reference_seconds,
        "scope": scope_seconds / reference_seconds,
        "run": dbt_run_seconds / reference_seconds,
    }


def incremental_day(run: BenchRun) -> None:
    """One more day of events (the data set's events per day, new seed, the day after its last event), loaded
    and built by an incremental `dbt run`, timed against the full `dbt run` of the same run (target: at most
    10%); skipped with --no-incremental or --select."""
    if run.args.no_incremental or run.args.select:
        return
    with duckdb.connect(str(run.db), read_only=True) as con:
        last_day = con.execute("select cast(max(event_ts) as date) from staging.stg_events").fetchone()
    if not last_day or last_day[0] is None:
        return
    start = (last_day[0] + timedelta(days=1)).isoformat()
    day_events = max(1, run.events // GENERATOR_DEFAULT_DAYS)
    day_dir = run.workdir / "data_day"
    generate_cmd = [PYTHON, "scripts/generate_events.py", "--events", str(day_events), "--seed",
                    str(run.args.seed + 1), "--days", "1", "--start", start, "--format", run.args.format,
                    "--out", str(day_dir)]  # fmt: skip
    run.child_phase("generate one more day", generate_cmd, per_event=False)
    load_cmd = [PYTHON, "scripts/load_events.py", "--db", str(run.db), "--quiet", str(day_dir)]
    run.child_phase("load one more day", load_cmd, per_event=False)
    shutil.rmtree(day_dir, ignore_errors=True)
    incremental = run.child_phase("dbt run incremental", [DBT, "run", *run.dbt_options], per_event=False)
    full = run.phase("dbt run")
    ratio = incremental.seconds / full.seconds if full and full.seconds else None
    run.report["incremental_day"] = {
        "day": start,
        "events": day_events,
        "seconds": incremental.seconds,
        "full_run_seconds": full.seconds if full else None,
        "ratio_to_full_run": ratio,
        "models": [
            asdict(model) for model in model_timings(run.target_dir, run.samplers["dbt run incremental"], {})
        ],
    }
    if ratio is not None:
        run.console.print(
            f"  one more day ({day_events:,} events on {start}): incremental {incremental.seconds:,.1f} s = "
            f"{ratio:.1%} of the full dbt run's {full.seconds:,.1f} s (target: at most 10%)"
        )


def source_formats(run: BenchRun) -> None:
    """Rows/s of every source format (GA4, Segment, Snowplow) next to the canonical CSV loader's, in the
    same run (scripts/bench_sources.py, its own small data set); skipped unless --source-events."""
    if not run.args.source_events:
        return
    results = run.workdir / "source_formats.json"
    events = str(run.args.source_events)
    cmd = [PYTHON, "scripts/bench_sources.py", "--events", events, "--json", str(results)]
    run.child_phase("source formats", cmd, per_event=False)
    rows = json.loads(results.read_text())["results"]
    run.report["source_formats"] = rows
    for row in rows:
        run.console.print(
            f"  {row['format']:<24} {row['rows_per_s']:>10,.0f} rows/s  "
            f"{row['slower_than_canonical_csv']:.2f}x the canonical CSV loader's time per row"
        )


def database_size(run: BenchRun) -> None:
    run.report["database_mib"] = run.db.stat().st_size / BYTES_PER_MIB if run.db.exists() else None


from benchmark.spark import spark_build, spark_load  # noqa: E402 (spark's phases take a BenchRun)

Phase = Callable[[BenchRun], None]
PIPELINE: tuple[Phase, ...] = (
    generate,
    load,
    spark_load,
    dbt_seed,
    anchor_funnels,
    dbt_run,
    dbt_test,
    reference,
    incremental_day,
    database_size,
    source_formats,
    spark_build,
)
