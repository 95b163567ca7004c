"""The raw tables of each source: which columns they keep, and what makes a file that format.

A raw table keeps the export's top-level columns, in the export's own names (Segment's camelCase
message keys in snake_case, as Segment's warehouses write them), every value as text: nested
records and arrays as JSON text, exactly as exported (GA4's int64 stay JSON strings in NDJSON).
A file column that is not one of the table's columns is kept in `_extra` (a JSON object, NULL
values left out), so nothing in the file is lost. File columns match table columns ignoring case
and every character but letters and digits (`messageId` = `message_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SOURCES: tuple[str, ...] = ("canonical", "ga4", "segment", "snowplow")


@dataclass(frozen=True)
class RawTable:
    """One raw table: name, columns (all VARCHAR) and the columns a file must have."""

    name: str  # schema-qualified
    columns: tuple[str, ...]
    required: tuple[str, ...]
    one_of: tuple[str, ...] = ()  # at least one of these must be a column of the file
    what: str = ""  # the format, for error messages

    def create_sql(self) -> str:
        cols = ",\n    ".join(f"{column} VARCHAR" for column in self.columns)
        return (
            f"CREATE TABLE IF NOT EXISTS {self.name} (\n    {cols},\n    _extra VARCHAR,\n"
            "    _load_id BIGINT,\n    _source_file VARCHAR,\n"
            "    _source_row BIGINT,\n    _loaded_at TIMESTAMP\n);"
        )


def normalized(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# GA4 BigQuery export, events_YYYYMMDD (top-level columns of the export schema).
GA4_EVENTS = RawTable(
    name="raw.ga4_events",
    columns=(
        "event_date",
        "event_timestamp",
        "event_name",
        "event_params",
        "event_previous_timestamp",
        "event_value_in_usd",
        "event_bundle_sequence_id",
        "event_server_timestamp_offset",
        "user_id",
        "user_pseudo_id",
        "privacy_info",
        "user_properties",
        "user_first_touch_timestamp",
        "user_ltv",
        "device",
        "geo",
        "app_info",
        "traffic_source",
        "stream_id",
        "platform",
        "event_dimensions",
        "ecommerce",
        "items",
        "collected_traffic_source",
        "is_active_user",
        "batch_event_index",
        "batch_page_id",
        "batch_ordering_id",
        "session_traffic_source_last_click",
        "publisher",
    ),
    required=("event_timestamp", "event_name"),
    one_of=("user_pseudo_id", "user_id"),
    what="GA4 BigQuery export",
)

# Segment spec messages (track, page, screen, identify), one JSON object per line.
SEGMENT_MESSAGES = RawTable(
    name="raw.segment_messages",
    columns=(
        "type",
        "message_id",
        "anonymous_id",
        "user_id",
        "event",
        "name",
        "category",
        "timestamp",
        "original_timestamp",
        "sent_at",
        "received_at",
        "context",
        "properties",
        "traits",
        "integrations",
    ),
    required=("type", "message_id"),
    one_of=("anonymous_id", "user_id"),
    what="Segment message",
)

_SEGMENT_COMMON = (
    "id",
    "anonymous_id",
    "user_id",
    "timestamp",
    "original_timestamp",
    "sent_at",
    "received_at",
    "context_page_url",
    "context_page_path",
    "context_page_title",
    "context_page_referrer",
    "context_campaign_source",
    "context_campaign_medium",
    "context_campaign_name",
    "context_user_agent",
    "context_ip",
    "context_locale",
)

# Segment warehouse tables (snake_case columns, context flattened to context_*).
SEGMENT_TRACKS = RawTable(
    name="raw.segment_tracks",
    columns=(*_SEGMENT_COMMON, "event", "event_text"),
    required=("id", "timestamp", "event"),
    one_of=("anonymous_id", "user_id"),
    what="Segment tracks table",
)
SEGMENT_PAGES = RawTable(
    name="raw.segment_pages",
    columns=(*_SEGMENT_COMMON, "name", "category", "url", "path", "title", "referrer", "search"),
    required=("id", "timestamp"),
    one_of=("anonymous_id", "user_id"),
    what="Segment pages table",
)
SEGMENT_IDENTIFIES = RawTable(
    name="raw.segment_identifies",
    columns=(*_SEGMENT_COMMON, "email"),
    required=("id", "timestamp"),
    one_of=("anonymous_id", "user_id"),
    what="Segment identifies table",
)

# Snowplow atomic events: the 131 fields of the enriched TSV, in TSV order (= atomic.events).
SNOWPLOW_FIELDS: tuple[str, ...] = tuple(
    """app_id platform etl_tstamp collector_tstamp dvce_created_tstamp event event_id txn_id name_tracker
    v_tracker v_collector v_etl user_id user_ipaddress user_fingerprint domain_userid domain_sessionidx
    network_userid geo_country geo_region geo_city geo_zipcode geo_latitude geo_longitude
    geo_region_name ip_isp ip_organization ip_domain ip_netspeed page_url page_title page_referrer
    page_urlscheme page_urlhost page_urlport page_urlpath page_urlquery page_urlfragment refr_urlscheme
    refr_urlhost refr_urlport refr_urlpath refr_urlquery refr_urlfragment refr_medium refr_source
    refr_term mkt_medium mkt_source mkt_term mkt_content mkt_campaign contexts se_category se_action
    se_label se_property se_value unstruct_event tr_orderid tr_affiliation tr_total tr_tax tr_shipping
    tr_city tr_state tr_country ti_orderid ti_sku ti_name ti_category ti_price ti_quantity
    pp_xoffset_min pp_xoffset_max pp_yoffset_min pp_yoffset_max useragent br_name br_family br_version
    br_type br_renderengine br_lang br_features_pdf br_features_flash br_features_java
    br_features_director br_features_quicktime br_features_realplayer br_features_windowsmedia
    br_features_gears br_features_silverlight br_cookies br_colordepth br_viewwidth br_viewheight
    os_name os_family os_manufacturer os_timezone dvce_type dvce_ismobile dvce_screenwidth
    dvce_screenheight doc_charset doc_width doc_height tr_currency tr_total_base tr_tax_base
    tr_shipping_base ti_currency ti_price_base base_currency geo_timezone mkt_clickid mkt_network
    etl_tags dvce_sent_tstamp refr_domain_userid refr_dvce_tstamp derived_contexts domain_sessionid
    derived_tstamp event_vendor event_name event_format event_version event_fingerprint true_tstamp""".split()  # noqa: SIM905 (131 names, kept readable)
)
assert len(SNOWPLOW_FIELDS) == 131

SNOWPLOW_EVENTS = RawTable(
    name="raw.snowplow_events",
    columns=SNOWPLOW_FIELDS,
    required=("event_id", "collector_tstamp", "event"),
    what="Snowplow atomic events table",
)

RAW_TABLES: tuple[RawTable, ...] = (
    GA4_EVENTS,
    SEGMENT_MESSAGES,
    SEGMENT_TRACKS,
    SEGMENT_PAGES,
    SEGMENT_IDENTIFIES,
    SNOWPLOW_EVENTS,
)


def segment_table_for(file_name: str, columns: list[str]) -> RawTable:
    """Which Segment warehouse table a CSV/Parquet file is: by its name (the word tracks, pages or
    identifies),
    else by its columns (an `event` column = tracks, also for per-event tables such as
    order_completed; `url` or `path` = pages; else identifies)."""
    stem = file_name.lower()
    for marker, table in (
        ("tracks", SEGMENT_TRACKS),
        ("pages", SEGMENT_PAGES),
        ("identifies", SEGMENT_IDENTIFIES),
    ):
        if re.search(rf"(^|[^a-z]){marker}([^a-z]|$)", stem):
            return table
    keys = {normalized(c) for c in columns}
    if "event" in keys:
        return SEGMENT_TRACKS
    if "url" in keys or "path" in keys:
        return SEGMENT_PAGES
    return SEGMENT_IDENTIFIES
