"""Load one export file into its source's raw table, with the canonical loader's rules.

- The file's content hash is looked up in the shared raw.load_log: a file already loaded (under any
  name, by any source) is skipped. `_load_id` comes from the same sequence as raw.events, so
  "first loaded" (smallest `_load_id`, `_source_row`) means the same thing across sources.
- One transaction per file: a file that fails (not that format, missing a required column,
  unreadable, corrupt) loads nothing; raw.load_log.file_format records `<source>:<format>`
  (e.g. `ga4:jsonl.gz`, `snowplow:tsv`).
- Values land as text (nested values as JSON text); file columns that are not columns of the raw
  table go to `_extra` (JSON object). Reading is vectorized: Arrow streams into DuckDB, no
  per-row Python.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
from common.cli import CliError
from common.constants import RAW_LOAD_LOG
from common.event_files import (
    CSV_BLOCK_SIZE,
    EXTENSIONS,
    ROW_COLUMN,
    EventFile,
    NumberedStream,
    SourceReadError,
    content_hash,
    csv_stream,
    jsonl_keys,
    jsonl_line_stream,
    parquet_stream,
)
from common.warehouse import insert_file_rows, one_line, scalar

from sources.specs import (
    GA4_EVENTS,
    RAW_TABLES,
    SEGMENT_MESSAGES,
    SNOWPLOW_EVENTS,
    SNOWPLOW_FIELDS,
    RawTable,
    normalized,
    segment_table_for,
)

STREAM_VIEW = "__microconv_source_stream"

# Endings each source accepts besides the canonical ones (csv, parquet, jsonl/ndjson, .gz).
SOURCE_EXTENSIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "ga4": {".json": ("jsonl", False), ".json.gz": ("jsonl", True)},
    "segment": {".json": ("jsonl", False), ".json.gz": ("jsonl", True)},
    "snowplow": {".tsv": ("tsv", False), ".tsv.gz": ("tsv", True)},
}
SOURCE_FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl", "tsv")


class SourceFileError(Exception):
    """A file that could not be loaded; the message starts with the file name."""


@dataclass(frozen=True)
class SourceLoadResult:
    status: str  # "loaded" or "skipped"
    load_id: int
    rows: int = 0


@dataclass(frozen=True)
class FileColumns:
    """A file as SQL: column names in file order, each column's value as text and as JSON, the
    relation to select from (over STREAM_VIEW) and its row-number column."""

    names: list[str]
    text: list[str]
    json: list[str]
    relation: str


def ensure_source_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every source's raw table (empty) so the dbt staging models always have their input."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table in RAW_TABLES:
        con.execute(table.create_sql())


def _detect(name: str, source: str) -> tuple[str, bool] | None:
    lower = name.lower()
    endings = {**EXTENSIONS, **SOURCE_EXTENSIONS.get(source, {})}
    for ending in sorted(endings, key=len, reverse=True):
        if lower.endswith(ending):
            return endings[ending]
    return None


def resolve_source_paths(paths: Sequence[str], source: str, format_override: str | None) -> list[EventFile]:
    """Like common.event_files.resolve_paths, with the source's own endings (.tsv for Snowplow,
    .json for GA4 and Segment) and the `tsv` format."""
    if format_override is not None and format_override not in SOURCE_FORMATS:
        raise CliError(f"unknown format '{format_override}' (expected one of: {', '.join(SOURCE_FORMATS)})")
    files: list[EventFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = [
                child
                for child in sorted(path.iterdir(), key=lambda p: p.name)
                if child.is_file() and not child.name.startswith(".") and _detect(child.name, source)
            ]
            if not found:
                raise CliError(f"{given}: directory has no loadable {source} files")
            files.extend(_source_file(str(child), child, source, format_override) for child in found)
        elif path.is_file():
            files.append(_source_file(given, path, source, format_override))
        elif path.exists():
            raise CliError(f"{given}: not a regular file or directory")
        else:
            raise CliError(f"{given}: no such file or directory")
    return files


def _source_file(display: str, path: Path, source: str, format_override: str | None) -> EventFile:
    gzipped = path.name.lower().endswith(".gz")
    if format_override is not None:
        return EventFile(display, path.absolute(), format_override, gzipped)
    detected = _detect(path.name, source)
    if detected is None:
        raise CliError(f"{display}: unknown file extension for --source {source} (use --format)")
    return EventFile(display, path.absolute(), detected[0], detected[1])


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _parquet_exprs(schema: pa.Schema) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    jsons: list[str] = []
    for index, field in enumerate(schema):
        column = f"c{index}"
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
            texts.append(f"decode({column})")
            jsons.append(f"to_json(decode({column}))")
        elif pa.types.is_nested(kind):
            texts.append(f"to_json({column})::VARCHAR")
            jsons.append(f"to_json({column})")
        else:
            texts.append(f"CAST({column} AS VARCHAR)")
            jsons.append(f"to_json({column})")
    return texts, jsons


def _open_binary(event_file: EventFile) -> IO[bytes]:
    """The file's bytes; Python's gzip checks the CRC and notices truncated files (Arrow's gzip does not)."""
    if event_file.gzipped:
        return gzip.open(event_file.path, "rb")
    return event_file.path.open("rb")


def _tsv_stream(event_file: EventFile) -> NumberedStream:
    """Snowplow enriched TSV: 131 tab-separated fields, no header, no quoting; empty field = NULL."""
    read = pa_csv.ReadOptions(block_size=CSV_BLOCK_SIZE, use_threads=True, column_names=list(SNOWPLOW_FIELDS))
    parse = pa_csv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False, ignore_empty_lines=True)
    convert = pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in SNOWPLOW_FIELDS},
        strings_can_be_null=True,
        null_values=[""],
    )
    try:
        reader = pa_csv.open_csv(
            _open_binary(event_file), read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return NumberedStream(iter(()), pa.schema([(n, pa.string()) for n in SNOWPLOW_FIELDS]))
        raise SourceReadError(_tsv_message(exc)) from exc
    except (pa.ArrowException, OSError, EOFError, ValueError) as exc:
        raise SourceReadError(str(exc)) from exc
    return NumberedStream(iter(reader), reader.schema)


def _tsv_message(exc: BaseException) -> str:
    found = re.search(r"Expected (\d+) columns, got (\d+)", str(exc))
    if found:
        return f"not a Snowplow enriched TSV: a line has {found.group(2)} tab-separated fields, expected 131"
    return str(exc)


def describe_file(
    con: duckdb.DuckDBPyConnection, event_file: EventFile
) -> tuple[FileColumns, NumberedStream | None]:
    """The file's columns as SQL; the stream (None for JSON Lines: opened after the checks)."""
    if event_file.file_format == "csv":
        names, stream = csv_stream(event_file)
        texts = [f"c{i}" for i in range(len(names))]
        return FileColumns(names, texts, [f"to_json({t})" for t in texts], STREAM_VIEW), stream
    if event_file.file_format == "parquet":
        names, stream = parquet_stream(event_file)
        texts, jsons = _parquet_exprs(stream.schema.remove(stream.schema.get_field_index(ROW_COLUMN)))
        return FileColumns(names, texts, jsons, STREAM_VIEW), stream
    if event_file.file_format == "tsv":
        stream = _tsv_stream(event_file)
        texts = [f"c{i}" for i in range(len(SNOWPLOW_FIELDS))]
        return FileColumns(
            list(SNOWPLOW_FIELDS), texts, [f"to_json({t})" for t in texts], STREAM_VIEW
        ), stream
    if event_file.file_format == "jsonl":
        keys = jsonl_keys(con, event_file)
        pointers = "[" + ", ".join(_sql_string(_json_pointer(k)) for k in keys) + "]::VARCHAR[]"
        relation = (
            f"(SELECT {ROW_COLUMN}, json_extract_string(c0, {pointers}) AS __t, "
            f"json_extract(c0, {pointers}) AS __j FROM {STREAM_VIEW})"
        )
        texts = [f"__t[{i + 1}]" for i in range(len(keys))]
        jsons = [f"__j[{i + 1}]" for i in range(len(keys))]
        return FileColumns(keys, texts, jsons, relation), None
    raise SourceReadError(f"unknown format '{event_file.file_format}'")


def raw_table_for(source: str, event_file: EventFile, names: list[str]) -> RawTable:
    if source == "ga4":
        return GA4_EVENTS
    if source == "snowplow":
        return SNOWPLOW_EVENTS
    if source == "segment":
        if event_file.file_format == "jsonl":
            return SEGMENT_MESSAGES
        return segment_table_for(event_file.path.name, names)
    raise SourceReadError(f"unknown source '{source}'")


def build_insert(table: RawTable, columns: FileColumns) -> str:
    """INSERT of the file into the raw table; raises SourceFileError-worthy ValueError for a file
    missing a required column."""
    by_key: dict[str, int] = {}
    for index, name in enumerate(columns.names):
        by_key.setdefault(normalized(name), index)
    chosen: dict[str, int] = {}
    for column in table.columns:
        index = by_key.get(normalized(column))
        if index is not None:
            chosen[column] = index
    for column in table.required:
        if column not in chosen:
            raise ValueError(f"missing required column '{column}' (not a {table.what})")
    if table.one_of and not any(column in chosen for column in table.one_of):
        wanted = "' or '".join(table.one_of)
        raise ValueError(f"missing required column '{wanted}' (not a {table.what})")
    used = set(chosen.values())
    extras = [i for i in range(len(columns.names)) if i not in used]
    if extras:
        keys: list[str] = []
        for i in extras:
            key = columns.names[i] or f"column_{i + 1}"
            while key in keys:
                key += "_"
            keys.append(key)
        pairs = ", ".join(f"{_sql_string(k)}, {columns.json[i]}" for k, i in zip(keys, extras, strict=True))
        extra_sql = f"nullif(json_merge_patch('{{}}', json_object({pairs}))::VARCHAR, '{{}}')"
    else:
        extra_sql = "NULL::VARCHAR"
    values = [columns.text[chosen[c]] if c in chosen else "NULL::VARCHAR" for c in table.columns]
    names = ", ".join([*table.columns, "_extra", "_load_id", "_source_file", "_source_row", "_loaded_at"])
    return (
        f"INSERT INTO {table.name} ({names})\n"
        f"SELECT {', '.join(values)}, {extra_sql}, $load_id, $source_file, {ROW_COLUMN}, $loaded_at\n"
        f"FROM {columns.relation}"
    )


def load_source_file(con: duckdb.DuckDBPyConnection, event_file: EventFile, source: str) -> SourceLoadResult:
    """Load one file of `source` in one transaction; SourceFileError (nothing loaded) on failure."""
    try:
        digest = content_hash(event_file.path)
    except OSError as exc:
        raise SourceFileError(f"{event_file.display}: cannot read: {one_line(exc.strerror or exc)}") from exc
    already = scalar(con, f"SELECT min(load_id) FROM {RAW_LOAD_LOG} WHERE content_hash = ?", [digest])
    if already is not None:
        return SourceLoadResult("skipped", int(already))

    label = f"{source}:{event_file.format_label}"
    reading = f"{event_file.display}: cannot read as {label}"
    stream: NumberedStream | None = None
    try:
        columns, stream = describe_file(con, event_file)
        table = raw_table_for(source, event_file, columns.names)
        insert = build_insert(table, columns)
        if stream is None:
            stream = jsonl_line_stream(event_file)
    except ValueError as exc:
        raise SourceFileError(f"{event_file.display}: {exc}") from exc
    except SourceReadError as exc:
        raise SourceFileError(f"{reading}: {one_line(exc)}") from exc

    try:
        load_id, rows = insert_file_rows(
            con,
            view=STREAM_VIEW,
            reader=stream.reader(),
            insert=insert,
            source_file=str(event_file.path),
            digest=digest,
            file_format=label,
        )
    except duckdb.Error as exc:
        if stream.error is not None:
            message = (
                _tsv_message(stream.error) if event_file.file_format == "tsv" else one_line(stream.error)
            )
            raise SourceFileError(f"{reading}: {message}") from exc
        raise SourceFileError(f"{event_file.display}: load failed: {one_line(exc)}") from exc
    return SourceLoadResult("loaded", load_id, rows)
