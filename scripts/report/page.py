"""Assemble the report: read the warehouse, build every chart, write one self-contained HTML page.

The page inlines plotly.js once (no script, style or font is fetched) and one <div class="chart"> per
figure with a fixed id, so the same data gives the same bytes. Every chart has a "How to read this"
sentence above it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import plotly
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from report import charts
from report.data import (
    SEGMENT_DIMENSIONS,
    Alert,
    Funnel,
    Overview,
    ReportConfig,
    read_alerts,
    read_config,
    read_funnel_segments,
    read_funnel_steps,
    read_goal_impact,
    read_kpi_days,
    read_overview,
    read_page_groups,
    read_path_links,
    read_readiness,
    read_time_to_convert,
)

MAX_PATH_LINKS = 40
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

CSS = """
:root { --text: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { background: #0f172a; color: #f8fafc; padding: 28px 40px 22px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #cbd5e1; }
nav { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 40px; position: sticky; top: 0;
  z-index: 10; font-size: 14px; display: flex; flex-wrap: wrap; gap: 4px 18px; }
nav a { color: var(--accent); text-decoration: none; white-space: nowrap; }
.chart { width: 100%; overflow: hidden; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 40px 60px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px;
  margin: 4px 0 8px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px; }
.tile .value { font-size: 26px; font-weight: 650; }
.tile .label { color: var(--muted); font-size: 13px; }
.tile.alert .value { color: #b91c1c; }
section { margin-top: 34px; }
section > h2 { font-size: 21px; margin: 0 0 4px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px 8px;
  margin-top: 16px; }
.card h3 { margin: 0 0 4px; font-size: 16px; }
.howto { margin: 0 0 8px; color: #374151; font-size: 14px; background: #eff6ff;
  border-left: 3px solid var(--accent); padding: 6px 10px; border-radius: 4px; }
.howto b { color: var(--accent); }
.note { color: var(--muted); font-size: 13px; margin: 4px 0 8px; }
table.alerts { border-collapse: collapse; width: 100%; font-size: 14px; margin-bottom: 10px; }
table.alerts th, table.alerts td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); }
table.alerts th { color: var(--muted); font-weight: 600; font-size: 13px; }
table.alerts td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 9px; font-size: 12px; font-weight: 600; }
.badge.open { background: #fee2e2; color: #991b1b; }
.badge.closed { background: #f1f5f9; color: #475569; }
.sev-critical { color: #991b1b; font-weight: 700; }
.sev-high { color: #b91c1c; font-weight: 600; }
.sev-medium { color: #b45309; }
footer { color: var(--muted); font-size: 13px; max-width: 1240px; margin: 0 auto; padding: 0 40px 40px; }
"""


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    how_to_read: str
    figure: go.Figure
    note: str = ""


@dataclass
class Section:
    section_id: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    body_html: str = ""  # HTML shown before the charts (the alert table)


@dataclass(frozen=True)
class Report:
    html: str
    chart_ids: tuple[str, ...]


def slug(text: str) -> str:
    """An HTML-id-safe slug of a goal or funnel id."""
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")
    return cleaned or "x"


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def overview_html(overview: Overview, open_alerts: int) -> str:
    tiles = [
        (f"{overview.sessions:,}", "sessions", ""),
        (f"{overview.users:,}", "users", ""),
        (_pct(overview.conversion_rate, 2), "sessions with a macro conversion", ""),
        (f"{overview.revenue:,.0f}", "revenue", ""),
        (str(open_alerts), "open funnel alerts", " alert" if open_alerts else ""),
    ]
    cells = "".join(
        f'<div class="tile{extra}"><div class="value">{html.escape(value)}</div>'
        f'<div class="label">{html.escape(label)}</div></div>'
        for value, label, extra in tiles
    )
    return f'<div class="tiles">{cells}</div>'


def alerts_html(alerts: list[Alert], config: ReportConfig) -> str:
    if not alerts:
        return '<p class="note">No funnel alerts: every step rate is in line with its baseline.</p>'
    header = (
        "<tr><th>status</th><th>severity</th><th>funnel step</th><th>segment</th><th>period</th>"
        "<th>type</th><th>rate</th><th>baseline</th><th>change</th><th>sessions lost</th>"
        "<th>also explains</th></tr>"
    )
    rows = []
    for alert in alerts:
        funnel = next((f.name for f in config.funnels if f.funnel_id == alert.funnel_id), alert.funnel_id)
        status = "open" if alert.is_open else "closed"
        change = "-" if alert.relative_change is None else f"{alert.relative_change:+.0%}"
        cells = [
            f'<span class="badge {status}">{status}</span>',
            f'<span class="sev-{html.escape(alert.severity)}">{html.escape(alert.severity)}</span>',
            html.escape(f"{funnel}: step {alert.step_number} {config.goal_name(alert.goal_id)}"),
            html.escape(alert.segment),
            html.escape(f"{alert.alert_start} to {alert.alert_end} ({alert.alert_period}s)"),
            html.escape(alert.alert_type),
        ]
        numbers = [_pct(alert.rate), _pct(alert.baseline_rate), change, f"{alert.sessions_lost:,}"]
        row = "".join(f"<td>{cell}</td>" for cell in cells)
        row += "".join(f'<td class="num">{html.escape(n)}</td>' for n in numbers)
        row += f"<td>{html.escape(alert.related_segments or '')}</td>"
        rows.append(f"<tr>{row}</tr>")
    open_count = sum(alert.is_open for alert in alerts)
    summary = (
        f"{open_count} open alert{'s' if open_count != 1 else ''} (still running on the last day of data); "
        f"{len(alerts) - open_count} closed, listed for context and shaded in the KPI chart above."
    )
    return (
        f'<p class="note">{html.escape(summary)}</p>'
        f'<table class="alerts"><thead>{header}</thead><tbody>{"".join(rows)}</tbody></table>'
    )


# One sentence per chart: what it shows and how to read it ({label}: device / channel, {macro}: goal name).
HOW_TO_READ: dict[str, str] = {
    "kpis": (
        "Each column is one day (UTC): sessions on top, the share of sessions with a macro conversion in "
        "the middle, revenue below; red bands mark periods in which a funnel alert fired, labelled with "
        "the funnel step and segment that dropped."
    ),
    "alerts": (
        "each row is a significant drop of a funnel step's conversion rate against its trailing baseline "
        "(mart_funnel_alerts), open ones first; rate and baseline are sessions reaching the step out of "
        "those reaching the previous one, and sessions lost is what the drop cost at the baseline rate."
    ),
    "funnel": (
        "Blue bars are the sessions reaching each step in order, labelled with the step rate (share of "
        "the previous step; for step 1, of all sessions); the red block on top is what the previous step "
        "lost, so the whole column is the previous step's sessions."
    ),
    "segment": (
        "Each group of bars is one step and each bar one {label}, largest first: its height is the step "
        "conversion rate (sessions reaching the step / sessions reaching the previous one), so a bar far "
        "below the others of its group shows the step where that {label} loses people."
    ),
    "time": (
        "Each row is one step of the funnel (the last row goes from step 1 to the end) and spreads the "
        "sessions that made it over how long it took; each row adds up to 100% and darker cells hold "
        "more sessions, so a row whose weight sits far right is a slow step."
    ),
    "impact": (
        "Each square is how much higher (right of the dotted zero line) or lower the {macro} rate is for "
        "sessions that completed the micro goal before it than for sessions that did not, in percentage "
        "points, with its 95% confidence interval as a line: green = reliably higher, red = reliably "
        "lower, grey = the interval crosses zero; n = sessions with the micro goal. This is association, "
        "not causation: use it to choose what to test."
    ),
    "paths": (
        "Each band runs from a goal on the left (or the session start) to the goal completed next in the "
        "same session on the right (or the session end), and its width is how often that happened; band "
        "colours follow the kind of goal they leave from."
    ),
    "pages": (
        "Each bubble is a page group, placed by its exit rate (further right = more visits end there) and "
        "the share of its visits that go on to complete the group's primary goal (higher = better); "
        "bubble size is visits and colour the kind of primary goal: top left works, bottom right needs "
        "attention."
    ),
    "readiness": (
        "Each bar counts the users at one readiness stage, from new (left) to converted (right), split by "
        "how long ago they were last seen, darker = more recent: recent users in the late stages are the "
        "ones to win back first."
    ),
}


def funnel_section(con: duckdb.DuckDBPyConnection, funnel: Funnel, config: ReportConfig) -> Section:
    """A funnel's four charts: steps with drop-off, step rates by device and by channel, time to convert."""
    fid = slug(funnel.funnel_id)
    steps = " → ".join(config.goal_name(goal) for goal in funnel.step_goal_ids)
    section = Section(f"funnel-{fid}", f"Funnel: {funnel.name}")
    section.charts.append(
        Chart(
            f"chart-funnel-{fid}",
            f"{funnel.name}: sessions per step ({steps})",
            HOW_TO_READ["funnel"],
            charts.funnel_figure(funnel, read_funnel_steps(con, funnel.funnel_id), config),
        )
    )
    for dimension in SEGMENT_DIMENSIONS:
        label = charts.SEGMENT_LABELS[dimension]
        segments = read_funnel_segments(con, funnel.funnel_id, dimension)
        section.charts.append(
            Chart(
                f"chart-funnel-{fid}-by-{label}",
                f"{funnel.name}: step conversion rate by {label}",
                HOW_TO_READ["segment"].format(label=label),
                charts.segment_figure(funnel, segments, dimension, config),
            )
        )
    distribution = read_time_to_convert(con, funnel)
    section.charts.append(
        Chart(
            f"chart-time-{fid}",
            f"{funnel.name}: time to convert per step",
            HOW_TO_READ["time"],
            charts.time_figure(funnel, distribution, config),
            note=f"Source: {distribution.source}.",
        )
    )
    return section


def impact_section(con: duckdb.DuckDBPyConnection, config: ReportConfig) -> Section:
    """One forest plot per macro goal of mart_goal_impact (session grain)."""
    section = Section("impact", "Which micro conversions go with macro conversions")
    for goal_impact in read_goal_impact(con):
        macro = config.goal_name(goal_impact.macro_goal_id)
        left_out = (
            f" {goal_impact.insufficient} micro goal(s) with too small a sample are left out."
            if goal_impact.insufficient
            else ""
        )
        section.charts.append(
            Chart(
                f"chart-impact-{slug(goal_impact.macro_goal_id)}",
                f"Micro goals and {macro}",
                HOW_TO_READ["impact"].format(macro=macro),
                charts.forest_figure(goal_impact, config),
                note=f"Session grain, mart_goal_impact (the user grain is in the mart).{left_out}",
            )
        )
    return section


def build_sections(con: duckdb.DuckDBPyConnection) -> tuple[list[Section], Overview, list[Alert]]:
    """Every section of the report, in page order, from the warehouse."""
    config = read_config(con)
    overview = read_overview(con)
    alerts = read_alerts(con, overview.last_date)
    kpi_figure = charts.kpi_figure(read_kpi_days(con), alerts, config)
    sections = [
        Section(
            "kpis",
            "KPIs by day",
            [
                Chart(
                    "chart-kpis",
                    "Sessions, conversion rate and revenue per day",
                    HOW_TO_READ["kpis"],
                    kpi_figure,
                )
            ],
        ),
        Section(
            "alerts",
            "Funnel alerts",
            body_html=(
                f'<p class="howto"><b>How to read this:</b> {html.escape(HOW_TO_READ["alerts"])}</p>'
                + alerts_html(alerts, config)
            ),
        ),
    ]
    sections += [funnel_section(con, funnel, config) for funnel in config.funnels]
    sections.append(impact_section(con, config))

    paths = read_path_links(con, MAX_PATH_LINKS)
    share = paths.shown_transitions / paths.total_transitions if paths.total_transitions else 0.0
    path_note = (
        f"The {len(paths.links)} largest of {paths.total_links} transitions ({_pct(share, 0)} of all "
        f"{paths.total_transitions:,}); mart_path_transitions has every one."
    )
    path_chart = Chart(
        "chart-paths",
        "What people do next, goal by goal",
        HOW_TO_READ["paths"],
        charts.sankey_figure(paths, config),
        note=path_note,
    )
    pages_chart = Chart(
        "chart-pages",
        "Primary-goal rate vs exit rate per page group",
        HOW_TO_READ["pages"],
        charts.page_groups_figure(read_page_groups(con), config),
    )
    readiness_chart = Chart(
        "chart-readiness",
        "How close users are to converting",
        HOW_TO_READ["readiness"],
        charts.readiness_figure(read_readiness(con)),
    )
    sections += [
        Section("paths", "Paths between goals", [path_chart]),
        Section("pages", "Page groups", [pages_chart]),
        Section("readiness", "Users by readiness stage", [readiness_chart]),
    ]
    return sections, overview, alerts


def chart_html(chart: Chart) -> str:
    height = chart.figure.layout.height or 450
    figure = chart.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=chart.chart_id,
        config=PLOTLY_CONFIG,
        default_height=f"{height}px",
    )
    note = f'<p class="note">{html.escape(chart.note)}</p>' if chart.note else ""
    return (
        f'<div class="card"><h3>{html.escape(chart.title)}</h3>'
        f'<p class="howto"><b>How to read this:</b> {html.escape(chart.how_to_read)}</p>'
        f'<div class="chart" data-chart="{chart.chart_id}">{figure}</div>{note}</div>'
    )


def render_page(sections: list[Section], overview: Overview, alerts: list[Alert], source: str) -> Report:
    period = (
        f"{overview.first_date} to {overview.last_date} (UTC days)"
        if overview.first_date
        else "no sessions yet"
    )
    nav = "".join(f'<a href="#{s.section_id}">{html.escape(s.title)}</a>' for s in sections)
    body = [
        f'<section id="{s.section_id}"><h2>{html.escape(s.title)}</h2>{s.body_html}'
        + "".join(chart_html(chart) for chart in s.charts)
        + "</section>"
        for s in sections
    ]
    chart_ids = tuple(chart.chart_id for s in sections for chart in s.charts)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>microconv report: {html.escape(period)}</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><h1>microconv: micro and macro conversions</h1>
<p>Sessions {html.escape(period)} · built from {html.escape(source)} · {len(chart_ids)} charts</p></header>
<nav>{nav}</nav>
<main>
{overview_html(overview, sum(a.is_open for a in alerts))}
{"".join(body)}
</main>
<footer>Generated by scripts/report.py from the marts and the config seeds of {html.escape(source)};
charts by plotly {html.escape(plotly.__version__)} (embedded, works offline). Hover a chart for exact numbers.
</footer>
</body>
</html>
"""
    return Report(page, chart_ids)


def build_report(con: duckdb.DuckDBPyConnection, source: str) -> Report:
    sections, overview, alerts = build_sections(con)
    return render_page(sections, overview, alerts, source)


def write_report(report: Report, out: Path) -> None:
    """Write atomically: the page appears complete or not at all."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(report.html, encoding="utf-8")
    partial.replace(out)
