"""The Spark side of `load_events.py --target spark`: the same rules, Spark's raw tables.

Each file is read and checked by the DuckDB loader (every format and `--source`, the same columns, errors
and load columns) into a scratch in-memory DuckDB that starts with a copy of Spark's `raw.load_log` (so
content hashes and the load_id sequence are Spark's). Its rows are then published to Spark:

1. the rows go to the raw table's partition `_load_id = N` (every raw table is Parquet, partitioned by
   `_load_id`), written with dynamic partition overwrite: one Spark job that replaces that partition only;
2. then the file's row is appended to `raw.load_log` (one more job).

What is atomic: each step is one Spark job commit (files written to a temporary folder, moved into place
at commit), so a failed step leaves nothing of itself. The two steps are not one transaction (Spark with
Parquet has none across tables): a load killed between them leaves a partition without a load_log row.
Every loader run starts by dropping such partitions (`recover`), and the retry of the file gets the same
load_id and overwrites the partition, so a file is loaded once or not at all as soon as the loader ran.
"""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb
from common.constants import RAW_LOAD_LOG, RAW_SCHEMA
from common.warehouse import one_line

from spark_target.session import spark_session

PARTITION = "_load_id"
_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "TIMESTAMP": "timestamp",
    "DOUBLE": "double",
}


class SparkPublishError(Exception):
    """Writing a loaded file to Spark failed (nothing of it is left in Spark's raw tables)."""


class SparkRaw:
    """Spark's raw tables, mirrored by the loader's scratch DuckDB `scratch` (same tables, created)."""

    def __init__(self, scratch: duckdb.DuckDBPyConnection) -> None:
        self.scratch = scratch
        self.spark: Any = spark_session()
        self.spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
        self.tables = self._scratch_tables()
        self._create_tables()
        self.recover()
        log = self.spark.table(RAW_LOAD_LOG).toArrow()
        if log.num_rows:
            scratch.register("__spark_load_log", log)
            scratch.execute(f"INSERT INTO {RAW_LOAD_LOG} SELECT * FROM __spark_load_log")
            scratch.unregister("__spark_load_log")

    def _scratch_tables(self) -> dict[str, list[tuple[str, str]]]:
        rows = self.scratch.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? ORDER BY table_name, ordinal_position",
            [RAW_SCHEMA],
        ).fetchall()
        tables: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in rows:
            tables.setdefault(f"{RAW_SCHEMA}.{table}", []).append((column, _TYPES.get(kind, "string")))
        return tables

    def _create_tables(self) -> None:
        if not self.spark.catalog.databaseExists(RAW_SCHEMA):  # (IF NOT EXISTS logs the metastore's error)
            self.spark.sql(f"CREATE DATABASE {RAW_SCHEMA}")
        for table, columns in self.tables.items():
            if table == RAW_LOAD_LOG:
                body, partition = columns, ""
            else:  # the partition column last, as Spark stores it
                body = [c for c in columns if c[0] != PARTITION] + [c for c in columns if c[0] == PARTITION]
                partition = f" PARTITIONED BY ({PARTITION})"
            spec = ", ".join(f"`{name}` {kind}" for name, kind in body)
            self.spark.sql(f"CREATE TABLE IF NOT EXISTS {table} ({spec}) USING parquet{partition}")
            existing = {field.name for field in self.spark.table(table).schema}
            missing = [c for c in columns if c[0] not in existing]  # tables of an older loader
            if missing:
                added = ", ".join(f"`{name}` {kind}" for name, kind in missing)
                self.spark.sql(f"ALTER TABLE {table} ADD COLUMNS ({added})")

    def _data_tables(self) -> list[str]:
        return [table for table in self.tables if table != RAW_LOAD_LOG]

    def _partitions(self, table: str) -> set[int]:
        rows = self.spark.sql(f"SHOW PARTITIONS {table}").collect()
        return {int(row[0].split("=", 1)[1]) for row in rows}

    def recover(self) -> None:
        """Drop partitions whose load has no raw.load_log row (a load killed between its two commits)."""
        logged = {row[0] for row in self.spark.sql(f"SELECT load_id FROM {RAW_LOAD_LOG}").collect()}
        for table in self._data_tables():
            for load_id in sorted(self._partitions(table) - logged):
                self._drop(table, load_id)

    def _drop(self, table: str, load_id: int) -> None:
        self.spark.sql(f"ALTER TABLE {table} DROP IF EXISTS PARTITION ({PARTITION} = {int(load_id)})")

    def _scratch_rows(self, table: str, column: str, load_id: int) -> Any:
        return self.scratch.sql(f"SELECT * FROM {table} WHERE {column} = {int(load_id)}").to_arrow_table()

    def publish(self, load_id: int) -> None:
        """Write load `load_id` of the scratch database to Spark: rows first, then its load_log row."""
        try:
            for table in self._data_tables():
                rows = self._scratch_rows(table, PARTITION, load_id)
                if rows.num_rows:
                    target = self.spark.table(table)
                    frame = self.spark.createDataFrame(rows.select(target.columns), schema=target.schema)
                    frame.write.insertInto(table, overwrite=True)
            log = self._scratch_rows(RAW_LOAD_LOG, "load_id", load_id)
            target = self.spark.table(RAW_LOAD_LOG)
            self.spark.createDataFrame(log.select(target.columns), schema=target.schema).write.insertInto(
                RAW_LOAD_LOG
            )
        except Exception as exc:
            self.discard(load_id)
            raise SparkPublishError(f"writing to Spark failed: {one_line(exc)}") from exc
        finally:
            for table in self._data_tables():  # the scratch copy is no longer needed
                self.scratch.execute(f"DELETE FROM {table} WHERE {PARTITION} = ?", [load_id])

    def discard(self, load_id: int) -> None:
        """Forget a load that failed: its partitions in Spark and its scratch load_log row."""
        for table in self._data_tables():
            with contextlib.suppress(Exception):  # best effort; the next run's recover() drops it too
                self._drop(table, load_id)
        self.scratch.execute(f"DELETE FROM {RAW_LOAD_LOG} WHERE load_id = ?", [load_id])

    def close(self) -> None:
        self.spark.stop()
