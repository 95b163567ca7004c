"""Event files: which files a path means, their format, and reading them as ordered Arrow streams.

Every reader yields Arrow record batches whose columns are renamed to positional names (c0, c1, ...)
and get one more column, `__row`: the 1-based row number in file order. The number is assigned
here, batch after batch, from readers that return rows in file order (Arrow's streaming CSV reader,
ParquetFile.iter_batches); it never depends on how DuckDB later schedules the scan, so it is exactly
the file order even for files read in many blocks.

- CSV (.csv, .csv.gz): Arrow's streaming CSV reader, header row required, comma separated, quoted
  fields may hold newlines, every column read as text. An empty unquoted field is NULL, a quoted
  empty field ("") is the empty string.
- Parquet (.parquet): ParquetFile.iter_batches, columns keep their Parquet types; the loader casts
  them to text in DuckDB.
- JSON Lines (.jsonl, .ndjson, optionally .gz): each non-blank line is one record (a JSON object);
  lines are read as text here and parsed by DuckDB's JSON functions.
- .gz files are decompressed with Python's gzip module, which checks the CRC and notices truncated
  files (Arrow's own gzip stream does not).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from common.cli import CliError
from common.constants import FORMATS

ROW_COLUMN = "__row"
# DuckDB view of a JSON Lines file while its keys are collected (jsonl_keys).
JSONL_KEYS_VIEW = "__microconv_jsonl_keys"
CSV_BLOCK_SIZE = 4 << 20  # bytes per Arrow CSV block; a single row must fit in one block
PARQUET_BATCH_ROWS = 65_536

# Recognised file name endings (checked longest first, case-insensitive) -> (format, gzip-compressed).
EXTENSIONS: dict[str, tuple[str, bool]] = {
    ".csv.gz": ("csv", True),
    ".jsonl.gz": ("jsonl", True),
    ".ndjson.gz": ("jsonl", True),
    ".csv": ("csv", False),
    ".parquet": ("parquet", False),
    ".jsonl": ("jsonl", False),
    ".ndjson": ("jsonl", False),
}


@dataclass(frozen=True)
class EventFile:
    """One file to load: `display` is the path as the user gave it, `path` the absolute path."""

    display: str
    path: Path
    file_format: str  # one of FORMATS
    gzipped: bool

    @property
    def format_label(self) -> str:
        """What raw.load_log.file_format records: csv, csv.gz, parquet, jsonl, jsonl.gz."""
        return f"{self.file_format}.gz" if self.gzipped else self.file_format


class SourceReadError(Exception):
    """A file that cannot be read as its format (corrupt, not gzip, bad JSON, ...)."""


def detect_format(name: str) -> tuple[str, bool] | None:
    """(format, gzipped) from a file name, or None for an unknown extension."""
    lower = name.lower()
    for ending in sorted(EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ending):
            return EXTENSIONS[ending]
    return None


def resolve_paths(paths: Sequence[str], format_override: str | None = None) -> list[EventFile]:
    """Expand the command-line paths into files, in the order given (directory contents by name).

    A directory means its regular, non-hidden files with a known extension (not recursive). With
    `format_override` every file is parsed as that format; `.gz` still means gzip-compressed.
    Raises CliError for a nonexistent path, a directory without loadable files or a file whose
    extension is unknown (and no --format).
    """
    if format_override is not None and format_override not in FORMATS:
        raise CliError(f"unknown format '{format_override}' (expected one of: {', '.join(FORMATS)})")
    files: list[EventFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = [
                child
                for child in sorted(path.iterdir(), key=lambda p: p.name)
                if child.is_file() and not child.name.startswith(".") and detect_format(child.name)
            ]
            if not found:
                known = ", ".join(sorted(EXTENSIONS))
                raise CliError(f"{given}: directory has no loadable files ({known})")
            files.extend(_event_file(str(child), child, format_override) for child in found)
        elif path.is_file():
            files.append(_event_file(given, path, format_override))
        elif path.exists():
            raise CliError(f"{given}: not a regular file or directory")
        else:
            raise CliError(f"{given}: no such file or directory")
    return files


def _event_file(display: str, path: Path, format_override: str | None) -> EventFile:
    detected = detect_format(path.name)
    gzipped = path.name.lower().endswith(".gz")
    if format_override is not None:
        return EventFile(display, path.absolute(), format_override, gzipped)
    if detected is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise CliError(f"{display}: unknown file extension (expected one of {known}, or use --format)")
    return EventFile(display, path.absolute(), detected[0], detected[1])


def content_hash(path: Path) -> str:
    """sha256 hex digest of the file's bytes (as stored, i.e. of the compressed bytes for .gz)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _open_binary(event_file: EventFile) -> IO[bytes]:
    if event_file.gzipped:
        return gzip.open(event_file.path, "rb")
    return event_file.path.open("rb")


class NumberedStream:
    """Record batches renamed to c0..cN plus `__row` (1-based, file order), as one Arrow stream.

    Reading errors raised while DuckDB consumes the stream are kept in `error` so the loader can
    report the original message instead of DuckDB's wrapped one.
    """

    def __init__(self, batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> None:
        self._batches = batches
        self._types = [field.type for field in schema]
        self.schema = pa.schema(
            [pa.field(f"c{i}", t) for i, t in enumerate(self._types)] + [pa.field(ROW_COLUMN, pa.int64())]
        )
        self.error: BaseException | None = None
        self.rows = 0

    def _numbered(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self._batches:
                count = batch.num_rows
                numbers = pa.array(np.arange(self.rows + 1, self.rows + 1 + count, dtype=np.int64))
                self.rows += count
                yield pa.RecordBatch.from_arrays([*batch.columns, numbers], schema=self.schema)
        except Exception as exc:
            self.error = exc
            raise

    def reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(self.schema, self._numbered())


def _csv_reader(
    event_file: EventFile, convert: pa_csv.ConvertOptions | None = None
) -> pa_csv.CSVStreamingReader:
    read = pa_csv.ReadOptions(block_size=CSV_BLOCK_SIZE, use_threads=True)
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    return pa_csv.open_csv(
        _open_binary(event_file), read_options=read, parse_options=parse, convert_options=convert
    )


def csv_stream(event_file: EventFile) -> tuple[list[str], NumberedStream]:
    """Column names (header) and a stream of every column as text."""
    try:
        names = list(_csv_reader(event_file).schema.names)
        convert = pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=False,
        )
        reader = _csv_reader(event_file, convert)
    except (pa.ArrowException, OSError, EOFError, ValueError) as exc:
        raise SourceReadError(str(exc)) from exc
    return names, NumberedStream(iter(reader), reader.schema)


def parquet_stream(event_file: EventFile) -> tuple[list[str], NumberedStream]:
    """Column names and a stream of the Parquet columns with their own types."""
    try:
        parquet = pq.ParquetFile(event_file.path)
        schema = parquet.schema_arrow
        batches = parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, use_threads=True)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise SourceReadError(str(exc)) from exc
    return list(schema.names), NumberedStream(batches, schema)


def jsonl_line_stream(event_file: EventFile) -> NumberedStream:
    """The non-blank lines of a JSON Lines file as one text column (c0), numbered in file order.

    Lines are split with Arrow's CSV reader using a separator that valid JSON never contains
    unescaped (0x1F) and no quoting, so each line is one value.
    """
    read = pa_csv.ReadOptions(block_size=CSV_BLOCK_SIZE, use_threads=True, column_names=["line"])
    parse = pa_csv.ParseOptions(
        delimiter="\x1f", quote_char=False, escape_char=False, ignore_empty_lines=True
    )
    convert = pa_csv.ConvertOptions(column_types={"line": pa.string()}, strings_can_be_null=False)
    try:
        reader = pa_csv.open_csv(
            _open_binary(event_file), read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):  # no lines at all: an empty stream
            return NumberedStream(iter(()), pa.schema([("line", pa.string())]))
        raise SourceReadError(str(exc)) from exc
    except (pa.ArrowException, OSError, EOFError, ValueError) as exc:
        raise SourceReadError(str(exc)) from exc
    return NumberedStream(iter(reader), reader.schema)


def jsonl_keys(con: duckdb.DuckDBPyConnection, event_file: EventFile) -> list[str]:
    """First pass over a JSON Lines file: every key in order of first appearance; checks each line
    is a JSON object."""
    stream = jsonl_line_stream(event_file)
    con.register(JSONL_KEYS_VIEW, stream.reader())
    try:
        groups = con.execute(
            f"""
            SELECT CASE WHEN try(json_type(c0)) = 'OBJECT' THEN json_keys(c0) END AS keys,
                   min({ROW_COLUMN}) AS first_row
            FROM {JSONL_KEYS_VIEW}
            GROUP BY ALL
            ORDER BY first_row
            """
        ).fetchall()
    except duckdb.Error as exc:
        raise SourceReadError(str(stream.error or exc)) from exc
    finally:
        con.unregister(JSONL_KEYS_VIEW)
    bad = [first_row for keys, first_row in groups if keys is None]
    if bad:
        raise SourceReadError(f"row {min(bad)} is not a JSON object")
    ordered: dict[str, None] = {}
    for keys, _ in groups:
        ordered.update(dict.fromkeys(keys))
    return list(ordered)
