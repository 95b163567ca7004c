"""Compare two DuckDB builds of the project relation by relation: equal row multisets, or what differs.

Usage:
    .venv/bin/python scripts/compare_warehouses.py EXPECTED.duckdb ACTUAL.duckdb [--schemas staging marts]
        [--decimals 6] [--ignore-columns _loaded_at ...] [--ignore-relations intermediate.x ...]

For every table or view of the given schemas in EXPECTED, the same relation in ACTUAL must hold the same
rows, as a multiset (duplicates count, order does not). Doubles are rounded to `--decimals` places before
comparing; timestamps and text compare exactly. A relation missing on either side, or with other columns,
is a difference. Used to prove refactors give identical marts (`make run` before and after), and to compare
incremental builds with full refreshes. Exit 0 when equal, 1 when something differs, 2 on error.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
from common.cli import CliError, run_cli
from common.constants import EXIT_ALERTS, EXIT_OK

DEFAULT_SCHEMAS: tuple[str, ...] = ("staging", "intermediate", "marts")
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


@dataclass(frozen=True)
class RelationDiff:
    """How one relation differs between the two builds (empty `problem` = equal)."""

    relation: str
    expected_rows: int
    actual_rows: int
    problem: str | None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("expected", type=Path, help="DuckDB file of the reference build")
    parser.add_argument("actual", type=Path, help="DuckDB file of the build to check")
    parser.add_argument("--schemas", nargs="+", default=list(DEFAULT_SCHEMAS), help="schemas to compare")
    parser.add_argument("--decimals", type=int, default=6, help="doubles are rounded to this many places")
    parser.add_argument(
        "--ignore-columns", nargs="*", default=[], help="columns left out of the comparison (e.g. _loaded_at)"
    )
    parser.add_argument(
        "--ignore-relations",
        nargs="*",
        default=[],
        help="relations left out of the comparison, as schema.name (e.g. an incremental build's bookkeeping)",
    )
    return parser.parse_args(argv)


def relation_columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> dict[str, list[tuple]]:
    """{relation name: [(column, data_type), ...]} of one schema of one attached database."""
    rows = con.execute(
        """
        select table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = ? and table_schema = ?
        order by table_name, ordinal_position
        """,
        [catalog, schema],
    ).fetchall()
    relations: dict[str, list[tuple]] = {}
    for table, column, data_type in rows:
        relations.setdefault(table, []).append((column, data_type))
    return relations


def comparable_select(catalog: str, schema: str, table: str, columns: list[tuple], decimals: int) -> str:
    """A select of the relation with doubles rounded, so float noise is not a difference."""
    expressions = []
    for column, data_type in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        if data_type.upper() in FLOAT_TYPES:
            expressions.append(f"round({quoted}, {decimals}) as {quoted}")
        else:
            expressions.append(quoted)
    return f'select {", ".join(expressions)} from "{catalog}"."{schema}"."{table}"'


def compare_relation(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, columns: list[tuple], decimals: int
) -> RelationDiff:
    expected_sql = comparable_select("expected", schema, table, columns, decimals)
    actual_sql = comparable_select("actual", schema, table, columns, decimals)
    expected_rows = con.execute(f"select count(*) from ({expected_sql})").fetchone()[0]
    actual_rows = con.execute(f"select count(*) from ({actual_sql})").fetchone()[0]
    missing = con.execute(f"select count(*) from ({expected_sql} except all {actual_sql})").fetchone()[0]
    extra = con.execute(f"select count(*) from ({actual_sql} except all {expected_sql})").fetchone()[0]
    problem = None
    if missing or extra:
        problem = f"{missing} expected rows missing, {extra} unexpected rows"
    return RelationDiff(f"{schema}.{table}", expected_rows, actual_rows, problem)


def compare_schema(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    decimals: int,
    ignored: set[str],
    ignored_relations: frozenset[str] = frozenset(),
) -> list[RelationDiff]:
    expected = relation_columns(con, "expected", schema)
    actual = relation_columns(con, "actual", schema)
    diffs = []
    for table in sorted(expected.keys() | actual.keys()):
        relation = f"{schema}.{table}"
        if relation in ignored_relations:
            continue
        if table not in actual:
            diffs.append(RelationDiff(relation, -1, -1, "missing in the actual build"))
            continue
        if table not in expected:
            diffs.append(RelationDiff(relation, -1, -1, "not in the expected build"))
            continue
        expected_columns = [column for column in expected[table] if column[0] not in ignored]
        actual_columns = [column for column in actual[table] if column[0] not in ignored]
        if [name for name, _ in expected_columns] != [name for name, _ in actual_columns]:
            diffs.append(RelationDiff(relation, -1, -1, "columns differ"))
            continue
        diffs.append(compare_relation(con, schema, table, expected_columns, decimals))
    return diffs


def compare_warehouses(
    expected: Path,
    actual: Path,
    schemas: list[str],
    decimals: int,
    ignored: set[str],
    ignored_relations: frozenset[str] = frozenset(),
) -> list[RelationDiff]:
    for path in (expected, actual):
        if not path.is_file():
            raise CliError(f"{path}: no such database file")
    con = duckdb.connect()
    try:
        con.execute(f"attach '{expected}' as expected (read_only)")
        con.execute(f"attach '{actual}' as actual (read_only)")
        return [
            diff
            for schema in schemas
            for diff in compare_schema(con, schema, decimals, ignored, ignored_relations)
        ]
    except duckdb.Error as exc:
        raise CliError(f"cannot compare {expected} and {actual}: {' '.join(str(exc).split())}") from None
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    diffs = compare_warehouses(
        args.expected,
        args.actual,
        args.schemas,
        args.decimals,
        set(args.ignore_columns),
        frozenset(args.ignore_relations),
    )
    for diff in diffs:
        status = "equal" if diff.problem is None else f"DIFFERS: {diff.problem}"
        print(f"{diff.relation}: {diff.expected_rows} / {diff.actual_rows} rows: {status}")
    differing = [diff for diff in diffs if diff.problem]
    print(f"compared {len(diffs)} relations: {len(diffs) - len(differing)} equal, {len(differing)} differ")
    return EXIT_ALERTS if differing else EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
