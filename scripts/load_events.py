"""Load event files (CSV, Parquet, JSON Lines) into raw.events of the DuckDB warehouse.

Usage:
    .venv/bin/python scripts/load_events.py PATH [PATH ...] [--db DBPATH | --target spark]
        [--format csv|parquet|jsonl|tsv]
        [--source canonical|ga4|segment|snowplow] [--map canonical=source ...] [--derive-event-id] [--quiet]

--source (default canonical) says what the files are. ga4, segment and snowplow files land, in the export's
own shape, in their own raw tables (raw.ga4_events, raw.segment_messages / _tracks / _pages / _identifies,
raw.snowplow_events; see scripts/sources/) with the same rules as below (content hash, one transaction per
file, load columns, raw.load_log with file_format '<source>:<format>'); dbt staging maps them to the
canonical columns. A file that is not that format is a one-line error naming what is missing.

PATH is a file or a directory; a directory means its non-hidden files with a known extension, in
name order (not recursive). The format comes from the extension: .csv, .csv.gz, .parquet, .jsonl,
.jsonl.gz, .ndjson, .ndjson.gz; `--format` sets it for every file (.gz still means gzip). Files are
loaded in the order given. The database is `--db`, else $MICROCONV_DB, else
warehouse/microconv.duckdb; its folder is created. The session time zone is UTC.

Tables (created when missing):
- raw.events: the canonical columns (PRODUCT.md, all VARCHAR, in canonical order) plus
  _load_id BIGINT (one per loaded file, max(raw.load_log.load_id) + 1), _source_file VARCHAR
  (the file's absolute path), _source_row BIGINT (1-based row number in file order; for JSON Lines
  the number of the record, blank lines not counted) and _loaded_at TIMESTAMP (UTC, no zone).
- raw.load_log(load_id, source_file, content_hash, file_format, rows, loaded_at): one row per file
  loaded. content_hash is the sha256 of the file's bytes; a file whose hash is already there is
  skipped ("skipped FILE: already loaded as load N") and adds nothing, so loading the same file
  twice (under any name) adds nothing.

Values:
- Everything lands as text. Typed Parquet columns are cast by DuckDB: TIMESTAMP ->
  '2026-09-03 14:05:09.123', TIMESTAMPTZ -> '2026-09-03 14:05:09.123+00' (UTC), DECIMAL -> '12.50';
  nested Parquet values become JSON text. CSV: an empty unquoted field is NULL, "" is ''. JSON Lines:
  scalars as their text (numbers as DuckDB's JSON prints them, e.g. 12.50 -> '12.5'), objects and
  arrays as JSON text, a missing key or null is NULL; the columns are the keys of all records.
- The optional `session_id` column (a tracker session id) is
  loaded into raw.events.session_id (added after the load columns), never packed into properties, and is
  not part of --derive-event-id's hash.
- Missing optional canonical columns are NULL. Column names match the canonical names exactly, else
  ignoring case and surrounding blanks.
- `--map canonical=source` (repeatable): the file's column `source` fills canonical column
  `canonical` (when a file has no column `source`, the mapping is ignored for that file).
- Other columns (not canonical, not mapped) are packed into `properties` as a JSON object, NULL
  values left out; CSV values are JSON strings, Parquet and JSON Lines values keep their JSON type.
  Duplicate names get _2, _3, ...; an empty name is column_<position>.
  When the file also has a properties column holding a JSON object, the two are merged and the
  properties column wins on equal keys; a properties value that is not a JSON object is kept as
  the string under the key "properties". Rows whose extra columns are all NULL keep their
  properties value unchanged.
- `--derive-event-id`: event_id = md5 hex of the row's other canonical values (after mapping and
  packing `properties`), each written as <byte length>:<value> or '-' for NULL and joined with '|',
  so equal rows get equal ids, different rows different ids, and the same row the same id on every
  run. A source event_id column is then ignored.

Checks (per file, before anything is loaded from it): event_id (unless --derive-event-id),
event_name, event_ts and at least one of anonymous_id / user_id must be columns of the file, else
`error: FILE: missing required column 'X'` (for the ids: 'anonymous_id' or 'user_id'). Each file is
one transaction: a file that fails (missing column, unreadable, corrupt) loads nothing and the other
files still load; the exit code is then 2. Argument problems (nonexistent path, directory without
loadable files, unknown extension, bad --map) and a database locked by another process stop the
run before anything is loaded. Every error is one line on stderr starting with 'error: '.

--target spark loads into Apache Spark's raw tables instead (the dbt profile's `spark` target: warehouse
$MICROCONV_SPARK_WAREHOUSE, master $MICROCONV_SPARK_MASTER) with the same rules: each file is read and checked
as above into a scratch in-memory DuckDB, then written to Spark, rows first (the raw table's partition
_load_id = N, Parquet), then its raw.load_log row; see scripts/spark_target/loader.py for what is atomic.

Output (stdout, none with --quiet): per file `loaded FILE: N rows in S s (R rows/s) as load K` or
the skipped line, then a total line. Exit codes: 0 all files loaded or skipped, 2 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
from common.cli import CliError, run_cli
from common.constants import (
    CANONICAL_COLUMNS,
    EXIT_ERROR,
    EXIT_OK,
    FORMATS,
    ID_COLUMNS,
    RAW_EVENTS,
    RAW_LOAD_LOG,
    RAW_SCHEMA,
    default_db_path,
)
from common.event_files import (
    ROW_COLUMN,
    EventFile,
    NumberedStream,
    SourceReadError,
    content_hash,
    csv_stream,
    jsonl_keys,
    jsonl_line_stream,
    parquet_stream,
    resolve_paths,
)
from common.warehouse import connect, insert_file_rows, one_line, scalar
from sources.loader import (
    SOURCE_FORMATS,
    SourceFileError,
    ensure_source_tables,
    load_source_file,
    resolve_source_paths,
)
from sources.specs import SOURCES
from spark_target.loader import SparkPublishError, SparkRaw  # pyspark itself is imported only for spark

TARGETS: tuple[str, ...] = ("duckdb", "spark")

# Optional canonical columns (PRODUCT.md "Tracker sessions"): loaded when the file has them, never
# packed into properties, not part of --derive-event-id's hash.
OPTIONAL_COLUMNS: tuple[str, ...] = ("session_id",)
LOADED_COLUMNS: tuple[str, ...] = (*CANONICAL_COLUMNS, *OPTIONAL_COLUMNS)

SOURCE_VIEW = "__microconv_source"

CREATE_SQL = f"""
CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA};
CREATE TABLE IF NOT EXISTS {RAW_EVENTS} (
    {", ".join(f"{column} VARCHAR" for column in CANONICAL_COLUMNS)},
    _load_id BIGINT,
    _source_file VARCHAR,
    _source_row BIGINT,
    _loaded_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS {RAW_LOAD_LOG} (
    load_id BIGINT,
    source_file VARCHAR,
    content_hash VARCHAR,
    file_format VARCHAR,
    rows BIGINT,
    loaded_at TIMESTAMP
);
"""


class FileLoadError(Exception):
    """A file that could not be loaded; the message starts with the file name."""


class MissingColumnError(Exception):
    """A required canonical column has no source column."""

    def __init__(self, column: str) -> None:
        super().__init__(f"missing required column '{column}'")


@dataclass(frozen=True)
class SourceColumns:
    """The columns of one file as SQL: names in file order, an expression per column giving its
    value as VARCHAR (`text`) and as a JSON value for `properties` (`json`), the relation to select
    from, and the 1-based row number expression."""

    names: list[str]
    text: list[str]
    json: list[str]
    relation: str
    row: str = ROW_COLUMN


@dataclass(frozen=True)
class LoadResult:
    status: str  # "loaded" or "skipped"
    load_id: int
    rows: int = 0


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def parse_maps(items: Sequence[str]) -> dict[str, str]:
    """`canonical=source` strings -> {canonical: source}; CliError for bad syntax or names."""
    mapping: dict[str, str] = {}
    for item in items:
        canonical, sep, source = item.partition("=")
        canonical, source = canonical.strip(), source.strip()
        if not sep or not canonical or not source:
            raise CliError(f"bad --map '{item}': expected canonical=source")
        if canonical not in LOADED_COLUMNS:
            raise CliError(
                f"bad --map '{item}': unknown canonical column '{canonical}' "
                f"(expected one of: {', '.join(LOADED_COLUMNS)})"
            )
        if canonical in mapping:
            raise CliError(f"bad --map '{item}': '{canonical}' is mapped twice")
        mapping[canonical] = source
    return mapping


def find_column(names: Sequence[str], wanted: str) -> int | None:
    """Index of the column named `wanted`: exact match first, else ignoring case and blanks."""
    if wanted in names:
        return names.index(wanted)
    key = wanted.strip().lower()
    for index, name in enumerate(names):
        if name.strip().lower() == key:
            return index
    return None


def resolve_columns(
    names: Sequence[str], mapping: dict[str, str], derive_event_id: bool
) -> tuple[dict[str, int], list[int]]:
    """Which source column fills each canonical column, and which columns are extras.

    Raises MissingColumnError for the first missing required column.
    """
    chosen: dict[str, int] = {}
    ignored: set[int] = set()
    for column in LOADED_COLUMNS:
        index = None
        if column in mapping:
            index = find_column(names, mapping[column])
        if index is None:
            index = find_column(names, column)
        if index is None:
            continue
        if derive_event_id and column == "event_id":
            ignored.add(index)
            continue
        chosen[column] = index
    required = [
        c for c in ("event_id", "event_name", "event_ts") if not (c == "event_id" and derive_event_id)
    ]
    for column in required:
        if column not in chosen:
            raise MissingColumnError(column)
    if not any(column in chosen for column in ID_COLUMNS):
        raise MissingColumnError("' or '".join(ID_COLUMNS))
    used = set(chosen.values()) | ignored
    extras = [index for index in range(len(names)) if index not in used]
    return chosen, extras


def extra_keys(names: Sequence[str], extras: Sequence[int]) -> list[str]:
    """Property keys for the extra columns: their names, made unique (x, x_2, ...); an empty name
    becomes column_<position>."""
    keys: list[str] = []
    for index in extras:
        key = names[index] or f"column_{index + 1}"
        if key in keys:
            suffix = 2
            while f"{key}_{suffix}" in keys:
                suffix += 1
            key = f"{key}_{suffix}"
        keys.append(key)
    return keys


def build_select(source: SourceColumns, mapping: dict[str, str], derive_event_id: bool) -> str:
    """SELECT of the canonical columns (text) plus __row from one source, after mapping, packing
    extra columns into properties and (optionally) deriving event_id."""
    chosen, extras = resolve_columns(source.names, mapping, derive_event_id)

    def text(column: str) -> str:
        return source.text[chosen[column]] if column in chosen else "NULL::VARCHAR"

    canon = ",\n        ".join(f'{text(c)} AS "{c}"' for c in LOADED_COLUMNS if c != "properties")
    if extras:
        keys = extra_keys(source.names, extras)
        pairs = ", ".join(f"{sql_string(key)}, {source.json[i]}" for key, i in zip(keys, extras, strict=True))
        # merge_patch into {} drops the keys whose value is null
        extras_sql = f"json_merge_patch('{{}}', json_object({pairs}))::VARCHAR"
        properties = """CASE
            WHEN __extras = '{}' THEN __properties
            WHEN __properties IS NULL OR trim(__properties) = '' THEN __extras
            WHEN try(json_type(__properties)) = 'OBJECT'
                THEN json_merge_patch(__extras, __properties)::VARCHAR
            ELSE json_merge_patch(__extras, json_object('properties', __properties))::VARCHAR
        END"""
    else:
        extras_sql = "NULL::VARCHAR"
        properties = "__properties"
    others = [c for c in CANONICAL_COLUMNS if c != "event_id"]
    if derive_event_id:
        parts = ", ".join(f"coalesce(strlen({c})::VARCHAR || ':' || {c}, '-')" for c in others)
        event_id = f"md5(concat_ws('|', {parts}))"
    else:
        event_id = "event_id"
    outer = ", ".join([*others, *OPTIONAL_COLUMNS])
    return f"""
WITH picked AS (
    SELECT
        {canon},
        {text("properties")} AS __properties,
        {extras_sql} AS __extras,
        {source.row} AS {ROW_COLUMN}
    FROM {source.relation}
),
packed AS (
    SELECT * EXCLUDE (__properties, __extras), {properties} AS properties
    FROM picked
)
SELECT {event_id} AS event_id, {outer}, {ROW_COLUMN}
FROM packed
"""


def _typed_exprs(schema: pa.Schema) -> tuple[list[str], list[str]]:
    """Per Parquet column: SQL giving its value as text and as JSON (columns are c0, c1, ...)."""
    texts: list[str] = []
    jsons: list[str] = []
    for index, field in enumerate(schema):
        if field.name == ROW_COLUMN:
            continue
        column = f"c{index}"
        kind = field.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
            value = f"decode({column})"
            texts.append(value)
            jsons.append(f"to_json({value})")
        elif pa.types.is_nested(kind):
            texts.append(f"to_json({column})::VARCHAR")
            jsons.append(f"to_json({column})")
        else:
            texts.append(f"CAST({column} AS VARCHAR)")
            jsons.append(f"to_json({column})")
    return texts, jsons


def json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def open_source(
    con: duckdb.DuckDBPyConnection, event_file: EventFile
) -> tuple[SourceColumns, NumberedStream | None]:
    """Describe one file as SQL; the stream (if any) must be registered as SOURCE_VIEW to select."""
    if event_file.file_format == "csv":
        names, stream = csv_stream(event_file)
        texts = [f"c{i}" for i in range(len(names))]
        return SourceColumns(names, texts, texts, SOURCE_VIEW), stream
    if event_file.file_format == "parquet":
        names, stream = parquet_stream(event_file)
        texts, jsons = _typed_exprs(stream.schema)
        return SourceColumns(names, texts, jsons, SOURCE_VIEW), stream
    if event_file.file_format == "jsonl":
        keys = jsonl_keys(con, event_file)
        pointers = "[" + ", ".join(sql_string(json_pointer(k)) for k in keys) + "]"
        relation = (
            f"(SELECT {ROW_COLUMN}, json_extract_string(c0, {pointers}::VARCHAR[]) AS __t, "
            f"json_extract(c0, {pointers}::VARCHAR[]) AS __j FROM {SOURCE_VIEW})"
        )
        texts = [f"__t[{i + 1}]" for i in range(len(keys))]
        jsons = [f"__j[{i + 1}]" for i in range(len(keys))]
        source = SourceColumns(keys, texts, jsons, relation)
        return source, None  # the line stream is opened after the checks, see load_file
    raise FileLoadError(f"unknown format '{event_file.file_format}' (expected one of: {', '.join(FORMATS)})")


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CREATE_SQL)
    # Optional canonical columns come after the load columns (older files gain them here).
    for column in OPTIONAL_COLUMNS:
        con.execute(f"ALTER TABLE {RAW_EVENTS} ADD COLUMN IF NOT EXISTS {column} VARCHAR")
    ensure_source_tables(con)


def load_file(
    con: duckdb.DuckDBPyConnection,
    event_file: EventFile,
    mapping: dict[str, str],
    derive_event_id: bool = False,
) -> LoadResult:
    """Load one file in one transaction; FileLoadError (nothing loaded) when it cannot be loaded."""
    try:
        digest = content_hash(event_file.path)
    except OSError as exc:
        raise FileLoadError(f"{event_file.display}: cannot read: {one_line(exc.strerror or exc)}") from exc
    already = scalar(con, f"SELECT min(load_id) FROM {RAW_LOAD_LOG} WHERE content_hash = ?", [digest])
    if already is not None:
        return LoadResult("skipped", int(already))
    select, stream = prepare_source(con, event_file, mapping, derive_event_id)
    return insert_file(con, event_file, digest, select, stream)


def prepare_source(
    con: duckdb.DuckDBPyConnection, event_file: EventFile, mapping: dict[str, str], derive_event_id: bool
) -> tuple[str, NumberedStream]:
    """The SELECT of the file's canonical rows and the stream it reads; checks the required columns
    (before anything is written)."""
    try:
        source, stream = open_source(con, event_file)
        select = build_select(source, mapping, derive_event_id)
        if stream is None:  # JSON Lines: second pass over the lines
            stream = jsonl_line_stream(event_file)
    except MissingColumnError as exc:
        raise FileLoadError(f"{event_file.display}: {exc}") from exc
    except SourceReadError as exc:
        raise FileLoadError(
            f"{event_file.display}: cannot read as {event_file.format_label}: {one_line(exc)}"
        ) from exc
    return select, stream


def insert_file(
    con: duckdb.DuckDBPyConnection, event_file: EventFile, digest: str, select: str, stream: NumberedStream
) -> LoadResult:
    """Insert the rows into raw.events and the file into raw.load_log, in ONE transaction."""
    columns = ", ".join([*LOADED_COLUMNS, "_load_id", "_source_file", "_source_row", "_loaded_at"])
    insert = f"""
        INSERT INTO {RAW_EVENTS} ({columns})
        SELECT {", ".join(LOADED_COLUMNS)}, $load_id, $source_file, {ROW_COLUMN}, $loaded_at
        FROM ({select})
    """
    try:
        load_id, rows = insert_file_rows(
            con,
            view=SOURCE_VIEW,
            reader=stream.reader(),
            insert=insert,
            source_file=str(event_file.path),
            digest=digest,
            file_format=event_file.format_label,
        )
    except duckdb.Error as exc:
        if stream.error is not None:
            label = f"{event_file.display}: cannot read as {event_file.format_label}"
            raise FileLoadError(f"{label}: {one_line(stream.error)}") from exc
        raise FileLoadError(f"{event_file.display}: load failed: {one_line(exc)}") from exc
    return LoadResult("loaded", load_id, rows)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="load_events.py",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        epilog=(__doc__.split("\n\n", 2)[2] if __doc__ else None),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="event file or directory of event files")
    parser.add_argument(
        "--db", default=None, help="DuckDB file (default: $MICROCONV_DB or warehouse/microconv.duckdb)"
    )
    parser.add_argument(
        "--target",
        choices=TARGETS,
        default="duckdb",
        help="warehouse: duckdb (default, the --db file) or spark (the profile's spark target; README)",
    )
    parser.add_argument(
        "--source",
        choices=SOURCES,
        default="canonical",
        help="what the files are: canonical (default), ga4, segment or snowplow (see README, Sources)",
    )
    parser.add_argument(
        "--format",
        choices=SOURCE_FORMATS,
        default=None,
        help="parse every file as this format (tsv: snowplow only)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="CANONICAL=SOURCE",
        help="use the file's column SOURCE as canonical column CANONICAL (repeatable)",
    )
    parser.add_argument(
        "--derive-event-id",
        action="store_true",
        help="set event_id to an md5 of the row's other canonical values (ignores a source event_id)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print nothing on stdout (errors still on stderr)"
    )
    return parser


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:.0f}" if seconds > 0 else "-"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    mapping = parse_maps(args.map)
    if args.source == "canonical":
        files = resolve_paths(args.paths, args.format)
    else:
        if mapping or args.derive_event_id:
            raise CliError(f"--map and --derive-event-id apply to --source canonical only, not {args.source}")
        files = resolve_source_paths(args.paths, args.source, args.format)
    if args.target == "spark" and args.db:
        raise CliError("--db is for --target duckdb; Spark's warehouse is $MICROCONV_SPARK_WAREHOUSE")
    db_path = args.db or default_db_path()

    def say(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    spark = None
    if args.target == "spark":
        # Files are read and checked into a scratch DuckDB, then published to Spark (spark_target/loader.py).
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
    else:
        con = connect(db_path)
    try:
        ensure_tables(con)
        if args.target == "spark":
            spark = SparkRaw(con)
        started = time.perf_counter()
        loaded = skipped = failed = total_rows = 0
        for event_file in files:
            file_started = time.perf_counter()
            try:
                if args.source == "canonical":
                    result = load_file(con, event_file, mapping, args.derive_event_id)
                else:
                    result = load_source_file(con, event_file, args.source)
                if spark is not None and result.status == "loaded":
                    spark.publish(result.load_id)
            except (FileLoadError, SourceFileError, SparkPublishError) as exc:
                failed += 1
                print(f"error: {exc}", file=sys.stderr, flush=True)
                continue
            if result.status == "skipped":
                skipped += 1
                say(f"skipped {event_file.display}: already loaded as load {result.load_id}")
                continue
            seconds = time.perf_counter() - file_started
            loaded += 1
            total_rows += result.rows
            say(
                f"loaded {event_file.display}: {result.rows} rows in {seconds:.2f} s "
                f"({_rate(result.rows, seconds)} rows/s) as load {result.load_id}"
            )
        seconds = time.perf_counter() - started
        say(
            f"total: {loaded} files loaded, {total_rows} rows in {seconds:.2f} s "
            f"({_rate(total_rows, seconds)} rows/s); {skipped} skipped, {failed} failed"
        )
    finally:
        con.close()
        if spark is not None:
            spark.close()
    return EXIT_ERROR if failed else EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
