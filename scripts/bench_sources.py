"""Loading speed of every source format (issue 13), next to the canonical CSV loader, in the same run.

Usage:
    .venv/bin/python scripts/bench_sources.py [--events N] [--seed S] [--json PATH] [--keep DIR]

Generates N demo events (scripts/generate_events.py, one CSV file), writes the same events in every export
format with DuckDB (vectorized): GA4 BigQuery NDJSON (int64 as JSON strings, nested event_params / device /
geo / ecommerce) and Parquet, Segment spec messages (JSON Lines) and a `tracks` warehouse table (CSV),
Snowplow enriched TSV (131 fields) and atomic.events CSV. Then loads each file, alone, into a fresh DuckDB
file with `load_events.py --source ...` (the canonical CSV with the default source) and prints seconds,
rows/s and the ratio to the canonical CSV loader's rows/s (target: every format within 3x). Timings are
benchmarks, never assertions. Exit code 0, or 2 with one `error:` line (bad argument, a load that fails).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
from common.cli import CliError, run_cli
from common.constants import EXIT_OK, REPO_ROOT
from sources.specs import SNOWPLOW_FIELDS

TARGET_RATIO = 3.0

# Canonical events (text columns) -> each export format; `{events}` is replaced by the canonical relation.
GA4_SELECT = """
select
    strftime(ts, '%Y%m%d') as event_date,
    {micros} as event_timestamp,
    event_name,
    [
        {{'key': 'ga_session_id', 'value': {{'string_value': null, 'int_value': {session},
          'float_value': null, 'double_value': null}}}},
        {{'key': 'page_location', 'value': {{'string_value': page_url, 'int_value': null, 'float_value': null,
          'double_value': null}}}},
        {{'key': 'page_title', 'value': {{'string_value': page_title, 'int_value': null, 'float_value': null,
          'double_value': null}}}},
        {{'key': 'page_referrer', 'value': {{'string_value': referrer, 'int_value': null, 'float_value': null,
          'double_value': null}}}},
        {{'key': 'source', 'value': {{'string_value': utm_source, 'int_value': null, 'float_value': null,
          'double_value': null}}}}
    ] as event_params,
    user_id,
    anonymous_id as user_pseudo_id,
    {{'category': device_category, 'operating_system': 'Web'}} as device,
    {{'country': country, 'city': '(not set)'}} as geo,
    {{'name': '(direct)', 'medium': '(none)', 'source': '(direct)'}} as traffic_source,
    {stream_id} as stream_id,
    'WEB' as platform,
    {{'purchase_revenue': try_cast(revenue as double), 'transaction_id': order_id}} as ecommerce
from {events}
"""

SEGMENT_SELECT = """
select
    case when event_name = 'page_view' then 'page' else 'track' end as type,
    event_id as messageId,
    anonymous_id as anonymousId,
    user_id as userId,
    case when event_name != 'page_view' then event_name end as event,
    strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') as timestamp,
    {'page': {'url': page_url, 'path': page_path, 'title': page_title, 'referrer': referrer},
      'campaign': {'source': utm_source, 'medium': utm_medium, 'name': utm_campaign}} as context,
    {'revenue': try_cast(revenue as double), 'order_id': order_id} as properties
from {events}
"""

SEGMENT_TRACKS_SELECT = """
select
    event_id as id, anonymous_id, user_id, strftime(ts, '%Y-%m-%d %H:%M:%S.%g') as timestamp,
    event_name as event, event_name as event_text, page_url as context_page_url,
    page_path as context_page_path, utm_source as context_campaign_source,
    utm_medium as context_campaign_medium
from {events}
"""


def snowplow_select(events: str) -> str:
    values = {
        "app_id": "'shop'",
        "platform": "'web'",
        "collector_tstamp": "strftime(ts, '%Y-%m-%d %H:%M:%S.%g')",
        "derived_tstamp": "strftime(ts, '%Y-%m-%d %H:%M:%S.%g')",
        "event": "case when event_name = 'page_view' then 'page_view' else 'struct' end",
        "event_id": "event_id",
        "user_id": "user_id",
        "domain_userid": "anonymous_id",
        "domain_sessionid": "md5(anonymous_id || strftime(ts, '%Y-%m-%d'))",
        "geo_country": "country",
        "page_url": "page_url",
        "page_title": "page_title",
        "page_referrer": "referrer",
        "page_urlpath": "page_path",
        "mkt_source": "utm_source",
        "mkt_medium": "utm_medium",
        "mkt_campaign": "utm_campaign",
        "se_category": "case when event_name != 'page_view' then 'shop' end",
        "se_action": "case when event_name != 'page_view' then event_name end",
        "tr_total": "revenue",
        "tr_orderid": "order_id",
        "dvce_type": "device_category",
        "event_name": "case when event_name = 'page_view' then 'page_view' else 'event' end",
    }
    columns = ", ".join(f"{values.get(field, 'null')}::varchar as {field}" for field in SNOWPLOW_FIELDS)
    return f"select {columns} from {events}"


def write_formats(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, tuple[str, Path]]:
    """Every export format of the canonical events: name -> (source, file)."""
    con.execute(
        f"""
        create or replace temp view canonical as
        select *, cast(regexp_replace(event_ts, 'Z$', '') as timestamp) as ts
        from read_csv('{canonical}', header = true, all_varchar = true)
        where try_cast(regexp_replace(event_ts, 'Z$', '') as timestamp) is not null
        """
    )
    micros = "epoch_us(ts)"
    session = "(epoch(ts)::bigint // 1800 * 1800)"
    ga4_json = GA4_SELECT.format(
        events="canonical",
        micros=f"{micros}::varchar",
        session=f"{session}::varchar",
        stream_id="'2100450278'",
    )
    ga4_typed = GA4_SELECT.format(events="canonical", micros=micros, session=session, stream_id="2100450278")
    files = {
        "ga4 ndjson": ("ga4", out / "ga4_events.json", ga4_json, "(format json)"),
        "ga4 parquet": ("ga4", out / "ga4_events.parquet", ga4_typed, "(format parquet)"),
        "segment messages jsonl": (
            "segment",
            out / "segment_messages.jsonl",
            SEGMENT_SELECT,
            "(format json)",
        ),
        "segment tracks csv": ("segment", out / "tracks.csv", SEGMENT_TRACKS_SELECT, "(format csv, header)"),
        "snowplow enriched tsv": (
            "snowplow",
            out / "snowplow_enriched.tsv",
            snowplow_select("canonical"),
            "(format csv, delimiter '\t', header false, quote '')",
        ),
        "snowplow atomic csv": (
            "snowplow",
            out / "snowplow_atomic.csv",
            snowplow_select("canonical"),
            "(format csv)",
        ),
    }
    written: dict[str, tuple[str, Path]] = {}
    for name, (source, path, select, options) in files.items():
        con.execute(f"copy ({select.replace('{events}', 'canonical')}) to '{path}' {options}")
        written[name] = (source, path)
    return written


def timed_load(source: str, path: Path, db: Path) -> tuple[int, float]:
    """Load one file into a fresh database with the loader CLI; (rows, seconds of the load itself)."""
    args = [sys.executable, str(REPO_ROOT / "scripts" / "load_events.py"), str(path), "--db", str(db)]
    if source != "canonical":
        args += ["--source", source]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CliError(f"loading {path.name} failed: {result.stderr.strip()}")
    # "loaded FILE: N rows in S s (R rows/s) as load K": the loader's own timing (no interpreter start-up).
    line = next(x for x in result.stdout.splitlines() if x.startswith("loaded "))
    rows = int(line.split(": ", 1)[1].split(" rows in ")[0])
    seconds = float(line.split(" rows in ")[1].split(" s ")[0])
    return rows, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_sources.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, default=None, help="write the results here as JSON")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated files in this folder")
    args = parser.parse_args(argv)
    if args.events < 1000:
        raise CliError(f"--events must be at least 1000, got {args.events}")
    work = Path(tempfile.mkdtemp(prefix="microconv_bench_sources_"))
    try:
        data = work / "canonical"
        generate = [
            sys.executable,
            str(REPO_ROOT / "scripts" / "generate_events.py"),
            "--events",
            str(args.events),
            "--seed",
            str(args.seed),
            "--out",
            str(data),
        ]
        result = subprocess.run(generate, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise CliError(f"generating events failed: {result.stderr.strip()}")
        # The generator writes one file per week: one canonical CSV of them all, the baseline's input.
        canonical = work / "canonical_events.csv"
        con = duckdb.connect()
        con.execute(
            f"copy (select * from read_csv('{data}/*.csv', header = true, all_varchar = true)) "
            f"to '{canonical}' (format csv, header)"
        )
        formats = write_formats(con, canonical, work)
        con.close()
        results = []
        rows, seconds = timed_load("canonical", canonical, work / "canonical.duckdb")
        base_rate = rows / seconds
        results.append({"format": "canonical csv", "rows": rows, "seconds": seconds, "rows_per_s": base_rate})
        for name, (source, path) in formats.items():
            rows, seconds = timed_load(source, path, work / f"{path.stem}.duckdb")
            results.append({"format": name, "rows": rows, "seconds": seconds, "rows_per_s": rows / seconds})
        print(f"{'format':<24} {'rows':>10} {'seconds':>8} {'rows/s':>10} {'vs canonical csv':>17}")
        for row in results:
            ratio = base_rate / row["rows_per_s"]
            row["slower_than_canonical_csv"] = ratio
            row["within_target"] = ratio <= TARGET_RATIO
            flag = "" if row["within_target"] else f"  (above the {TARGET_RATIO:.0f}x target)"
            print(
                f"{row['format']:<24} {row['rows']:>10} {row['seconds']:>8.2f} {row['rows_per_s']:>10.0f} "
                f"{ratio:>16.2f}x{flag}"
            )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"events": args.events, "results": results}, indent=2))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in [canonical, *(p for _, p in formats.values())]:
                shutil.copy(path, args.keep / path.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
