"""Export the Spark build's relations into a DuckDB file, to compare it with a DuckDB build.

Usage:
    .venv/bin/python scripts/export_spark.py OUT.duckdb [--like REFERENCE.duckdb] [--schemas marts staging]

Reads Spark's warehouse ($MICROCONV_SPARK_WAREHOUSE, the dbt profile's `spark` target) and writes every
table and view of the schemas into OUT.duckdb (replaced), each column cast to the type the same column has in
REFERENCE.duckdb (types normalised: Spark's decimals, int sizes, timestamps in UTC). Then
`scripts/compare_warehouses.py REFERENCE.duckdb OUT.duckdb --schemas ...` compares the values (doubles to
6 decimals). `make test-spark` runs both. Exit 0, or 2 with one `error:` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common.cli import CliError, run_cli
from common.constants import EXIT_OK
from spark_target.export import export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="DuckDB file to write (replaced)")
    parser.add_argument("--like", type=Path, default=None, help="DuckDB build whose column types to use")
    parser.add_argument("--schemas", nargs="+", default=["marts"], help="schemas to export (default: marts)")
    args = parser.parse_args(argv)
    if args.like is not None and not args.like.is_file():
        raise CliError(f"{args.like}: no such database file")
    written = export(args.schemas, args.out, args.like)
    print(f"exported {len(written)} relations of {', '.join(args.schemas)} to {args.out}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
