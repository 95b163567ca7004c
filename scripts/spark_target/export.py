"""Copy Spark tables and views into a DuckDB file, typed like a reference DuckDB build, for comparisons.

Each relation of the given schemas is read from Spark (Arrow) and written to `<out>.<schema>.<name>`;
a column that the reference build's relation of the same name also has is cast to the reference's type
(Spark's decimal arithmetic, int vs bigint, timestamp with the session zone UTC), so that
scripts/compare_warehouses.py compares values, not type names. Timestamps become UTC wall-clock times.
A partitioned table's columns take the reference's order (Spark puts partition columns last).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from spark_target.session import spark_session


def _naive_timestamps(table: pa.Table) -> pa.Table:
    """Spark's timestamps arrive as UTC instants (tz=UTC): store them as UTC wall-clock times."""
    fields = []
    for field in table.schema:
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            fields.append(pa.field(field.name, pa.timestamp(field.type.unit)))
        else:
            fields.append(field)
    return table.cast(pa.schema(fields))


def _column_order(spark: Any, schema: str, name: str, columns: list[str], reference: list[str]) -> list[str]:
    """The columns of a Spark table, in the reference's order when the table is partitioned (Spark moves its
    partition columns to the end) and has the reference's columns; else as Spark has them."""
    partitioned = any(column.isPartition for column in spark.catalog.listColumns(f"`{schema}`.`{name}`"))
    if partitioned and sorted(columns) == sorted(reference):
        return reference
    return columns


def _reference_types(reference: duckdb.DuckDBPyConnection | None, schema: str, name: str) -> dict[str, str]:
    if reference is None:
        return {}
    rows = reference.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return dict(rows)


def export(schemas: list[str], out: Path, reference: Path | None) -> list[str]:
    """Write every relation of `schemas` to the DuckDB file `out` (replaced); the names written."""
    spark: Any = spark_session()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    ref = duckdb.connect(str(reference), read_only=True) if reference else None
    written = []
    try:
        con.execute("SET TimeZone = 'UTC'")
        for schema in schemas:
            if not spark.catalog.databaseExists(schema):
                continue
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for relation in sorted(spark.catalog.listTables(schema), key=lambda r: r.name):
                if relation.isTemporary:
                    continue
                rows = _naive_timestamps(spark.table(f"`{schema}`.`{relation.name}`").toArrow())
                types = _reference_types(ref, schema, relation.name)
                names = _column_order(spark, schema, relation.name, rows.column_names, list(types))
                columns = ", ".join(
                    f'CAST("{column}" AS {types[column]}) AS "{column}"' if column in types else f'"{column}"'
                    for column in names
                )
                con.register("__spark_rows", rows)
                target = f'"{schema}"."{relation.name}"'
                con.execute(f"CREATE TABLE {target} AS SELECT {columns} FROM __spark_rows")
                con.unregister("__spark_rows")
                written.append(f"{schema}.{relation.name}")
    finally:
        con.close()
        if ref is not None:
            ref.close()
        spark.stop()
    return written
