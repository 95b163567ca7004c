"""Command line of scripts/report.py: read $MICROCONV_DB (or --db), write $MICROCONV_REPORT (or --out)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common.cli import CliError
from common.constants import EXIT_OK, default_db_path, default_report_path
from common.warehouse import connect

from report.data import require_tables
from report.page import build_report, write_report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="report.py",
        description="Write the self-contained HTML report (charts of the marts; opens offline).",
    )
    parser.add_argument("--db", help="DuckDB file (default: $MICROCONV_DB or warehouse/microconv.duckdb)")
    parser.add_argument(
        "--out", help="HTML file to write (default: $MICROCONV_REPORT or reports/microconv.html)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_path = args.db or default_db_path()
    out = Path(args.out or default_report_path())
    if not Path(db_path).is_file():
        raise CliError(f"{db_path}: database file not found; run 'make run' (demo) or 'make build' first")
    if out.is_dir():
        raise CliError(f"{out}: is a folder; --out takes the HTML file to write")
    started = time.perf_counter()
    con = connect(db_path, read_only=True)
    try:
        require_tables(con, db_path)
        report = build_report(con, db_path)
    finally:
        con.close()
    try:
        write_report(report, out)
    except OSError as exc:
        raise CliError(f"{out}: cannot write the report: {exc.strerror or exc}") from None
    size_mb = out.stat().st_size / 1_000_000
    seconds = time.perf_counter() - started
    charts = len(report.chart_ids)
    print(f"report: {out} ({size_mb:.1f} MB, {charts} charts, {seconds:.1f} s); open it in a web browser")
    return EXIT_OK
