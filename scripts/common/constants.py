"""Every constant the scripts share, in one place."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_DB = "warehouse/microconv.duckdb"
DB_ENV_VAR = "MICROCONV_DB"

# Exit codes used by every script.
EXIT_OK = 0
EXIT_ALERTS = 1  # checks found something to act on
EXIT_ERROR = 2  # bad argument, bad file, missing database

# Canonical event schema (PRODUCT.md, "Input"), in order.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_name",
    "event_ts",
    "anonymous_id",
    "user_id",
    "page_url",
    "page_path",
    "page_title",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "device_category",
    "country",
    "revenue",
    "order_id",
    "properties",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("event_id", "event_name", "event_ts")
ID_COLUMNS: tuple[str, ...] = ("anonymous_id", "user_id")  # at least one must be present
LOAD_COLUMNS: tuple[str, ...] = ("_load_id", "_source_file", "_source_row", "_loaded_at")

RAW_SCHEMA = "raw"
RAW_EVENTS = "raw.events"
RAW_LOAD_LOG = "raw.load_log"

FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")


def default_db_path() -> str:
    """The DuckDB file: $MICROCONV_DB, else the project default."""
    return os.environ.get(DB_ENV_VAR) or DEFAULT_DB
