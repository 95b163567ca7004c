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
# Reject reasons of staging.stg_events_rejected, in order of precedence (PRODUCT.md "Input"). The dbt
# models own the rule; tests_py/test_rules_written_once.py keeps this list equal to their YAML.
REJECT_REASONS: tuple[str, ...] = (
    "missing_event_id",
    "bad_timestamp",
    "timestamp_out_of_range",
    "missing_event_name",
    "missing_ids",
)
LOAD_COLUMNS: tuple[str, ...] = ("_load_id", "_source_file", "_source_row", "_loaded_at")

RAW_SCHEMA = "raw"
RAW_EVENTS = "raw.events"
RAW_LOAD_LOG = "raw.load_log"

FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")


def default_db_path() -> str:
    """The DuckDB file: $MICROCONV_DB, else the project default."""
    return os.environ.get(DB_ENV_VAR) or DEFAULT_DB


# Demo generator (scripts/generate_events.py).
GENERATOR_DEFAULT_START = "2026-09-01"
GENERATOR_DEFAULT_DAYS = 56
GENERATOR_PART_PREFIX = "events_part_"  # events_part_000.csv, ...: sorted names = load order
# Event names the generator emits (GA4 vocabulary; the goal seeds refer to them).
GENERATOR_EVENT_NAMES: tuple[str, ...] = (
    "page_view",
    "view_item_list",
    "view_item",
    "add_to_cart",
    "view_cart",
    "begin_checkout",
    "add_shipping_info",
    "add_payment_info",
    "purchase",
    "generate_lead",
    "sign_up",
    "click_to_call",
    "newsletter_signup",
    "video_start",
    "file_download",
    "add_to_wishlist",
    "review_read",
    "compare_products",
    "check_store_availability",
    "share",
    "email_click",
    "login",
    "search",
    "scroll",
)
# Planted incident: from start + INCIDENT_START_OFFSET_DAYS to start + INCIDENT_END_OFFSET_DAYS
# (UTC days, inclusive) mobile sessions that reach add_shipping_info almost never (factor 0.03 of
# the normal rate) emit add_payment_info, and so rarely purchase. INCIDENT_START/END are the
# dates for the default --start.
INCIDENT_START_OFFSET_DAYS = 35
INCIDENT_END_OFFSET_DAYS = 41
INCIDENT_START = "2026-10-06"
INCIDENT_END = "2026-10-12"
INCIDENT_DEVICE = "mobile"
INCIDENT_EVENT = "add_payment_info"
INCIDENT_RATE_FACTOR = 0.03

# Report (scripts/report.py): the self-contained HTML page written by `make report`.
REPORT_ENV_VAR = "MICROCONV_REPORT"
DEFAULT_REPORT = "reports/microconv.html"


def default_report_path() -> str:
    """The report file: $MICROCONV_REPORT, else the project default."""
    return os.environ.get(REPORT_ENV_VAR) or DEFAULT_REPORT


# The default funnels before the funnel options (issue 16): `make bench` times a full `dbt run` with only
# these left in the funnel seeds, next to the run with every default funnel (phase "dbt run anchor funnels").
ANCHOR_FUNNEL_IDS: tuple[str, ...] = ("purchase", "lead")
FUNNEL_SEED_TABLES: tuple[str, ...] = ("config.funnels", "config.funnel_steps", "config.funnel_exclusions")
