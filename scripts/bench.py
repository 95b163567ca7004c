#!/usr/bin/env python3
"""Benchmark the whole pipeline: generate, load, dbt (seed, run, data tests) and the hand-written reference.

Usage:
    .venv/bin/python scripts/bench.py [--events N] [--seed S] [--format parquet|csv|jsonl]
        [--data DIR] [--workdir DIR] [--results-dir DIR] [--keep] [--dbt-threads N]
        [--select SELECTOR] [--no-tests] [--no-reference] [--spark]

Phases, each timed (wall seconds, events/s) with the peak memory of the process doing the work:
- generate: scripts/generate_events.py --events N --seed S --format F (default parquet: smaller files
  and the faster generate + load; `--data DIR` skips this phase and loads the files in DIR);
- load: scripts/load_events.py into a fresh DuckDB file (WORKDIR/bench.duckdb);
- dbt seed; dbt run with only the anchor funnels (purchase, lead) left in the funnel seed tables, on a copy
  of the seeded database (--no-anchor-funnels skips it); dbt run --full-refresh of the database itself with
  every default funnel (both build every table from the same state; its time / the anchor funnels' run =
  what the extra default funnels cost, target <= 1.15);
- dbt run (per model from target/run_results.json, summed per group: staging,
  intermediate, marts) and dbt test (data tests only; unit tests do not depend on the data);
- with --spark (`make bench-spark`): the same files loaded into a Spark warehouse under WORKDIR (local mode,
  scripts/load_events.py --target spark) and, after the DuckDB phases, `dbt seed` and `dbt run
  --full-refresh` on the `spark` target: per-model times and Spark's run / DuckDB's (benchmark/spark.py);
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

Code: scripts/benchmark/ (options, measure, dbt_results, reference, phases, report); the phases run in
the order of benchmark.phases.PIPELINE, and a new phase is one function added there.

Output: rich tables on stdout, and everything as JSON in RESULTS_DIR/<UTC date-time>.json
(default bench/results/, git-ignored). WORKDIR (default warehouse/bench/, git-ignored) is deleted
at the end unless --keep. Exit codes: 0 done (even when a reference comparison differs), 2 a phase
failed (one line on stderr naming the phase and its log file).
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime

from benchmark.options import parse_args
from benchmark.phases import PIPELINE, BenchRun, check_disk, clean_workdir, start_report
from benchmark.report import print_report, write_results
from common.cli import run_cli
from common.constants import EXIT_OK
from rich.console import Console


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Wide enough for the tables when the output is a file or a pipe (rich assumes 80 columns there).
    console = Console() if sys.stdout.isatty() else Console(width=130)
    run = BenchRun(args=args, console=console, events=args.events, workdir=args.workdir.resolve())
    run.workdir.mkdir(parents=True, exist_ok=True)
    clean_workdir(run.workdir, keep_data=not run.generates)
    check_disk(run)
    run.spill_dir.mkdir(parents=True, exist_ok=True)
    start_report(run)
    try:
        for phase in PIPELINE:
            phase(run)
    finally:
        run.report["phases"] = [asdict(phase) for phase in run.phases]
        run.report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        write_results(run.report, args.results_dir, run.started.strftime("%Y%m%dT%H%M%SZ"))
        if not args.keep:
            clean_workdir(run.workdir, keep_data=not run.generates)
        print_report(console, run.report)  # also after a failed phase: what was measured until then
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
