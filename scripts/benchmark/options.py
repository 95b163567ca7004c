"""The command line of scripts/bench.py."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from common.cli import CliError
from common.constants import FORMATS, REPO_ROOT

DEFAULT_EVENTS = 10_000_000
DEFAULT_SEED = 42
DEFAULT_WORKDIR = REPO_ROOT / "warehouse" / "bench"
DEFAULT_RESULTS_DIR = REPO_ROOT / "bench" / "results"
EVENTS_ENV_VAR = "BENCH_EVENTS"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def positive_int(text: str) -> int:
    """An integer >= 1; '10_000' and '10,000' are accepted."""
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def default_events() -> int:
    """$BENCH_EVENTS, else DEFAULT_EVENTS; a bad value is a one-line CliError."""
    text = os.environ.get(EVENTS_ENV_VAR)
    if not text:
        return DEFAULT_EVENTS
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError as exc:
        raise CliError(f"{EVENTS_ENV_VAR} {exc}") from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="bench.py", description="Benchmark generate, load, dbt and the reference SQL.")
    parser.add_argument(
        "--events", type=positive_int, default=None, help="events to generate (default $BENCH_EVENTS or 10M)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="parquet", help="generated file format (default parquet)"
    )
    parser.add_argument("--data", type=Path, help="load the event files in this folder instead of generating")
    parser.add_argument(
        "--workdir", type=Path, default=DEFAULT_WORKDIR, help="scratch folder (default warehouse/bench)"
    )
    parser.add_argument(
        "--results-dir", type=Path, default=DEFAULT_RESULTS_DIR, help="where the JSON results go"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (data, database, dbt target)"
    )
    parser.add_argument(
        "--dbt-threads",
        type=positive_int,
        default=1,
        help="dbt threads (default 1: DuckDB already uses every core, and per-model times add up)",
    )
    parser.add_argument("--select", help="dbt selector for `dbt run` (default: every model)")
    parser.add_argument("--no-tests", action="store_true", help="skip the dbt data tests")
    parser.add_argument(
        "--source-events",
        type=int,
        default=0,
        help="also time loading every source format with this many events (bench_sources.py; 0 = skip)",
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="skip the reference SQL and the comparison"
    )
    parser.add_argument(
        "--no-incremental",
        action="store_true",
        help="skip the incremental phase (one more day of events, loaded and built incrementally)",
    )
    parser.add_argument(
        "--no-anchor-funnels",
        action="store_true",
        help="skip the full `dbt run` with only the anchor funnels (purchase, lead) before the main one",
    )
    parser.add_argument(
        "--spark",
        action="store_true",
        help="also load the same events into Spark (local mode) and time dbt seed + dbt run there",
    )
    args = parser.parse_args(argv)
    if args.events is None:
        args.events = default_events()
    if args.data is not None and not args.data.is_dir():
        raise CliError(f"--data {args.data}: not a folder")
    return args
