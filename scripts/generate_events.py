#!/usr/bin/env python3
"""Generate a realistic demo event data set for www.example-shop.com in the canonical schema.

Usage:
    scripts/generate_events.py --events N --seed S --out DIR
        [--format csv|parquet|jsonl] [--start 2026-09-01] [--days 56] [--manifest FILE]

Writes exactly N rows (planted rows included) with the canonical columns, all text, into
DIR/events_part_000.<ext>, events_part_001.<ext>, ... (ext = csv, parquet or jsonl): one
file per week of data from --start (a week with more than 2M rows is split); sorted file
names = intended load order. Part files of any format left in DIR by an earlier run are
removed first, other files are left alone. The same arguments give byte-identical files;
another seed gives other data. Missing values are nulls (CSV: empty field, JSON: null).
Prints two lines: the summary (rows, files, seconds, rows/s) and the planted counts.
--manifest FILE also writes those counts, the file names and the incident as JSON.
A bad argument is a one-line `error: ...` on stderr and exit code 2.

The data (all instants UTC in [--start, --start + --days)):
- persons -> visitors ('a-<16 hex>' anonymous_id) -> sessions over days. About 31% of
  persons log in at some point (`login`; that event and all later ones of the visitor,
  also in later sessions, carry user_id 'u-<n>'; earlier ones have none), so ~23% of
  visitors show a user_id; 10% of those persons use two devices (two anonymous_ids, one
  user_id); 1% of persons have only a user_id (no anonymous_id). `sign_up` also logs in.
  A 14-day warm-up before --start is simulated and dropped, so the first weeks already
  have returning visitors (and carts from before the window).
- sessions: next session of a visitor >= 2 h after the previous start (often days);
  events >= 0.4 s apart (>= 1 s in sessions writing the no-offset form), pages mostly
  seconds to minutes apart; 0.3% of page transitions are 31-75 min breaks, which the
  30-minute rule splits into a new session (landing with an internal referrer).
- channel of the landing event: organic search (google/bing referrer), paid search
  (utm google|bing / cpc), email (newsletter / email; the session starts with
  `email_click`), organic social (facebook/instagram/t.co), paid social (facebook|instagram
  / paid_social), display (gdn|criteo / display), affiliates (awin|tradedoubler /
  affiliate), referral (other sites), direct. utm parameters are in the landing page_url
  query; for half of the sessions also in the utm_* columns (only on landing-page events).
  Later pages have referrer = the previous page URL and no utm.
- pages: /, /category/<slug>, /product/sku-<n> (5% with ?color=..), /cart, /checkout,
  /checkout/shipping, /checkout/payment, /checkout/confirmation, /blog/<slug>,
  /help/<slug>, /contact, /signup, /stores, /compare; ~10% of rows have an empty page_path.
- events (site.EVENT_NAMES == common.constants.GENERATOR_EVENT_NAMES): every page load is
  a `page_view`, other events follow on that page. Shopping funnel view_item_list ->
  view_item -> add_to_cart -> view_cart -> begin_checkout -> add_shipping_info ->
  add_payment_info -> purchase (revenue '84.90', order_id 'o-<n>'), step rates by channel
  (email / paid search best, social / display worst) and device (mobile worse at
  checkout); 35% of returning visits with a cart go straight to /cart (direct or a
  cart_reminder email). Macro goals generate_lead (/contact), sign_up (/signup),
  click_to_call (/contact, /stores); secondary actions newsletter_signup, video_start,
  file_download, add_to_wishlist, review_read, compare_products,
  check_store_availability, share, email_click; noise login, search, scroll.
  properties is JSON text on item/list/search/scroll/video/download/purchase events,
  '{}' on other events, null on page_view.
- event_ts: 85% '2026-09-03T14:05:09.123Z', 10% '2026-09-03 16:05:09.123+02:00' (local
  time + offset, same instant), 5% '2026-09-03 14:05:09' (UTC, no offset); one form per
  session.

PLANTED on purpose (counts printed; nothing is planted below 1,000 events):
- duplicates, 1% of rows: an event_id re-emitted later in file order (80% in the next
  file, else later in the same file); half identical, half with a changed payload (a
  different page_title, or event_ts 1-3 s later). The first loaded copy is the truth.
- out of order, 0.02%: an event moved into the next file (an earlier day in a later file).
- invalid rows, 0.08% of rows each, extra rows that copy a real event under a fresh
  event_id with one field broken: missing_event_id ('' or spaces), bad_timestamp
  ('not-a-date', '2026-02-30 10:00:00', empty), timestamp_out_of_range
  ('1999-12-31T23:59:59Z', '2099-01-01T00:00:00Z'), missing_event_name ('' or spaces),
  missing_ids (both ids null, '' or spaces).
- bad revenue: 1% of purchases have revenue 'n/a' (otherwise valid; never duplicated).
- INCIDENT: from start+35 to start+41 days inclusive (2026-10-06..2026-10-12 with the
  default start; none if --days <= 41), mobile sessions that reach add_shipping_info emit
  add_payment_info at 3% of the normal rate, so mobile purchases nearly stop
  (common.constants.INCIDENT_*).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path

from common.cli import CliError, run_cli
from common.constants import (
    FORMATS,
    GENERATOR_DEFAULT_DAYS,
    GENERATOR_DEFAULT_START,
    INCIDENT_DEVICE,
    INCIDENT_END_OFFSET_DAYS,
    INCIDENT_EVENT,
)
from generator.core import Result, generate

MAX_EVENTS = 1_000_000_000
MAX_DAYS = 3_660


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(message)


def _positive_int(name: str, maximum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {text!r}") from None
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{name} must be between 1 and {maximum:,}, got {value}")
        return value

    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be an integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be >= 0, got {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"start must be a date YYYY-MM-DD, got {text!r}") from None
    if not 2001 <= value.year <= 2090:
        raise argparse.ArgumentTypeError(f"start must be between 2001 and 2090, got {text}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = _Parser(prog="generate_events.py", description="Generate the demo event data set.")
    p.add_argument("--events", required=True, type=_positive_int("events", MAX_EVENTS), help="rows to write")
    p.add_argument("--seed", required=True, type=_seed, help="random seed (same seed -> same bytes)")
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--format", default="csv", choices=FORMATS, help="file format (default csv)")
    p.add_argument(
        "--start",
        default=dt.date.fromisoformat(GENERATOR_DEFAULT_START),
        type=_date,
        help=f"first day, UTC (default {GENERATOR_DEFAULT_START})",
    )
    p.add_argument(
        "--days",
        default=GENERATOR_DEFAULT_DAYS,
        type=_positive_int("days", MAX_DAYS),
        help=f"number of days (default {GENERATOR_DEFAULT_DAYS})",
    )
    p.add_argument("--manifest", type=Path, help="also write the planted counts etc. as JSON to this file")
    args = p.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {args.out} exists and is not a directory")
    return args


def incident_line(result: Result) -> str:
    if result.incident_in_window:
        return f"incident: {INCIDENT_DEVICE} {INCIDENT_EVENT} {result.incident_start}..{result.incident_end}"
    return f"incident: none (needs --days > {INCIDENT_END_OFFSET_DAYS})"


def summary_lines(args: argparse.Namespace, result: Result) -> list[str]:
    """What was written, and what was planted."""
    counts = result.counts
    rate = result.rows / result.seconds if result.seconds > 0 else float("inf")
    return [
        f"generated {result.rows:,} rows in {len(result.files)} {args.format} files in {args.out} "
        f"in {result.seconds:.1f}s ({rate:,.0f} rows/s)",
        f"planted: duplicates={counts.duplicates} (changed {counts.duplicates_changed}), "
        f"out_of_order={counts.out_of_order}, "
        f"missing_event_id={counts.missing_event_id}, bad_timestamp={counts.bad_timestamp}, "
        f"timestamp_out_of_range={counts.timestamp_out_of_range}, "
        f"missing_event_name={counts.missing_event_name}, "
        f"missing_ids={counts.missing_ids}, bad_revenue={counts.bad_revenue}; {incident_line(result)}",
    ]


def future_warning(args: argparse.Namespace) -> str | None:
    """Staging rejects events more than a day after their load: say so when the data runs that far."""
    end = args.start + dt.timedelta(days=args.days)
    if end > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
        return (
            f"warning: data runs until {end}, in the future: staging rejects events after load time + 1 day"
        )
    return None


def write_manifest(args: argparse.Namespace, result: Result) -> None:
    manifest = {
        "events": args.events,
        "seed": args.seed,
        "format": args.format,
        "start": args.start.isoformat(),
        "days": args.days,
        "files": [path.name for path in result.files],
        "planted": result.counts.as_dict(),
        "incident": {
            "in_window": result.incident_in_window,
            "start": result.incident_start.isoformat(),
            "end": result.incident_end.isoformat(),
            "device_category": INCIDENT_DEVICE,
            "event_name": INCIDENT_EVENT,
        },
    }
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = generate(args.events, args.seed, args.out, args.format, args.start, args.days)
    except OSError as exc:
        raise CliError(f"cannot write to {args.out}: {exc.strerror or exc}") from exc
    for line in summary_lines(args, result):
        print(line)
    warning = future_warning(args)
    if warning:
        print(warning, file=sys.stderr)
    if args.manifest:
        write_manifest(args, result)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
