#!/usr/bin/env python3
"""Write the report: one self-contained HTML page with the charts of the marts (opens offline).

Usage:
    .venv/bin/python scripts/report.py [--db PATH] [--out FILE]

Reads (read-only) the DuckDB file `--db`, else $MICROCONV_DB, else warehouse/microconv.duckdb, after
`dbt build`, and writes `--out`, else $MICROCONV_REPORT, else reports/microconv.html: KPIs by day with
alert periods, each funnel (bars with drop-off, by device and by channel, time to convert per step),
micro -> macro impact (forest plots), paths between goals (Sankey), page groups, users by readiness
stage and the funnel alerts. Goals and funnels come from the config seeds, so other seeds give a report
about them with no edit. plotly.js is embedded: nothing is fetched when the page opens.

Exit codes: 0 written; 2 the database or a table it needs is missing, or --out cannot be written
(one line on stderr starting with 'error: ').
"""

from __future__ import annotations

import sys

from common.cli import run_cli
from report.cli import main

if __name__ == "__main__":
    sys.exit(run_cli(main))
