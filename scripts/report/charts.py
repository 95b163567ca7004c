"""The report's charts as plotly figures, built from the shaped rows of report.data.

Colours carry meaning and are the same in every chart: a goal's category (macro, process milestone,
secondary action, engagement), reached vs dropped off, a confidence interval above / below / across zero,
alert periods in red. Segments (devices, channels) get a colour-blind-safe palette in order of size.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from report.data import (
    NOT_SET,
    PATH_EXIT,
    PATH_START,
    TIME_BIN_LABELS,
    Alert,
    Funnel,
    GoalImpact,
    KpiDay,
    PageGroup,
    PathLinks,
    ReadinessCell,
    ReportConfig,
    SegmentSteps,
    StepCounts,
    TimeDistribution,
)

FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
TEXT_COLOR = "#1f2937"
GRID_COLOR = "#e5e7eb"
REACHED_COLOR = "#2563eb"
DROP_OFF_COLOR = "#f8b4b4"
SESSIONS_COLOR = "#64748b"
RATE_COLOR = "#2563eb"
REVENUE_COLOR = "#16a34a"
ALERT_FILL = "rgba(220, 38, 38, 0.14)"
ALERT_COLOR = "#b91c1c"
POSITIVE_COLOR = "#15803d"
NEGATIVE_COLOR = "#b91c1c"
NEUTRAL_COLOR = "#6b7280"
CATEGORY_COLORS: dict[str, str] = {
    "macro": "#15803d",
    "process_milestone": "#2563eb",
    "secondary_action": "#d97706",
    "engagement": "#9333ea",
    "micro": "#0891b2",
    "other": "#6b7280",
}
CATEGORY_LABELS: dict[str, str] = {
    "macro": "Macro goal",
    "process_milestone": "Process milestone",
    "secondary_action": "Secondary action",
    "engagement": "Engagement",
    "micro": "Micro goal",
    "other": "Session start / end",
}
# Okabe-Ito (colour-blind safe), extended: segments in order of size.
SEGMENT_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#999933",
    "#882255",
    "#44AA99",
    "#332288",
    "#777777",
    "#000000",
)
# Recency buckets, most recent first: dark to light.
RECENCY_PALETTE: tuple[str, ...] = ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#e5eef8", "#f3f6fa")
PATH_LABELS: dict[str, str] = {PATH_START: "Session start", PATH_EXIT: "Session end (exit)"}
SEGMENT_LABELS: dict[str, str] = {"device_category": "device", "channel": "channel"}


def _layout(fig: go.Figure, height: int, **extra: object) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOR},
        margin={"l": 70, "r": 30, "t": 40, "b": 50},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        **extra,
    )
    return fig


def _empty(fig: go.Figure, message: str) -> go.Figure:
    fig.add_annotation(
        text=message,
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        font={"size": 15, "color": NEUTRAL_COLOR},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def _rgba(hex_color: str, alpha: float) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def step_label(config: ReportConfig, step: StepCounts | int, goal_id: str | None = None) -> str:
    number, goal = (step.step_number, step.goal_id) if isinstance(step, StepCounts) else (step, goal_id)
    return f"{number}. {config.goal_name(goal or '')}"


def wrap_label(text: str, width: int = 16) -> str:
    """Break a tick label into lines of about `width` characters (plotly does not wrap)."""
    lines = [""]
    for word in text.split():
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return "<br>".join(lines)


def alert_label(alert: Alert, config: ReportConfig) -> str:
    segment = "all traffic" if alert.segment == "all" else alert.segment.split("=", 1)[-1]
    funnel = next((f.name for f in config.funnels if f.funnel_id == alert.funnel_id), alert.funnel_id)
    return f"{funnel} step {alert.step_number} ({config.goal_name(alert.goal_id)}), {segment}"


def kpi_figure(days: Sequence[KpiDay], alerts: Sequence[Alert], config: ReportConfig) -> go.Figure:
    """Sessions, conversion rate and revenue by day (three rows, one time axis), alert periods shaded."""
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=("Sessions", "Conversion rate (sessions with a macro conversion)", "Revenue"),
    )
    _layout(fig, 640, bargap=0.15, hovermode="x unified", showlegend=False)
    if not days:
        return _empty(fig, "No sessions in the data yet")
    x = [day.day.isoformat() for day in days]
    fig.add_trace(
        go.Bar(
            x=x,
            y=[d.sessions for d in days],
            name="Sessions",
            marker_color=SESSIONS_COLOR,
            hovertemplate="%{y:,}",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=[d.conversion_rate for d in days],
            name="Conversion rate",
            mode="lines+markers",
            line={"color": RATE_COLOR, "width": 2},
            marker={"size": 4},
            hovertemplate="%{y:.2%}",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=x,
            y=[d.revenue for d in days],
            name="Revenue",
            marker_color=REVENUE_COLOR,
            hovertemplate="%{y:,.2f}",
        ),
        row=3,
        col=1,
    )
    half_day = dt.timedelta(hours=12)
    for index, alert in enumerate(alerts):
        days_long = 7 if alert.alert_period == "week" else 1
        start = dt.datetime.combine(alert.alert_start, dt.time()) - half_day
        end = dt.datetime.combine(alert.alert_end, dt.time()) + dt.timedelta(days=days_long) - half_day
        for row in (1, 2, 3):
            fig.add_vrect(x0=start, x1=end, fillcolor=ALERT_FILL, line_width=0, layer="above", row=row, col=1)
        fig.add_annotation(
            x=start,
            y=1,
            xref="x",
            yref="y domain",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            yshift=-14 * (index % 3),
            text=f"⚠ {alert_label(alert, config)}",
            font={"size": 11, "color": ALERT_COLOR},
            bgcolor="rgba(255,255,255,0.75)",
        )
    fig.update_yaxes(tickformat=",", row=1, col=1)
    fig.update_yaxes(tickformat=".1%", rangemode="tozero", row=2, col=1)
    fig.update_yaxes(tickformat=",.0f", row=3, col=1)
    fig.update_xaxes(type="date", tickformat="%b %d", showgrid=False)
    return fig


def funnel_figure(funnel: Funnel, steps: Sequence[StepCounts], config: ReportConfig) -> go.Figure:
    """Sessions reaching each step (blue) with the sessions lost since the previous step stacked on top."""
    fig = _layout(go.Figure(), 430, barmode="stack", bargap=0.35)
    if not steps or not steps[0].previous:
        return _empty(fig, f"No sessions entered the funnel {funnel.name!r}")
    labels = [step_label(config, step) for step in steps]
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[s.reached for s in steps],
            name="Sessions reaching the step",
            marker_color=REACHED_COLOR,
            hovertemplate="%{x}<br>%{y:,} sessions reached it<extra></extra>",
        )
    )
    drops = [0 if s.step_number == 1 else s.drop_off for s in steps]
    top = max(step.reached + drop for step, drop in zip(steps, drops, strict=True)) or 1
    fig.add_trace(
        go.Bar(
            x=labels,
            y=drops,
            name="Dropped off since the previous step",
            marker_color=DROP_OFF_COLOR,
            text=[
                f"-{d:,}<br>dropped ({_pct(d / s.previous if s.previous else None, 0)})"
                if d > 0.06 * top
                else ""
                for d, s in zip(drops, steps, strict=True)
            ],
            textposition="inside",
            insidetextanchor="middle",
            textangle=0,
            textfont={"color": "#7f1d1d", "size": 12},
            hovertemplate="%{x}<br>%{y:,} sessions reached the previous step but not this one<extra></extra>",
        )
    )
    for label, step, drop in zip(labels, steps, drops, strict=True):
        of = "all sessions" if step.step_number == 1 else f"step {step.step_number - 1}"
        fig.add_annotation(
            x=label,
            y=step.reached + drop,
            yshift=4,
            yanchor="bottom",
            showarrow=False,
            text=f"<b>{step.reached:,}</b> reached<br>{_pct(step.rate)} of {of}",
        )
    fig.update_layout(legend_traceorder="normal")
    fig.update_yaxes(
        title_text="sessions",
        tickformat=",",
        range=[0, 1.2 * top],
    )
    return fig


def segment_figure(
    funnel: Funnel, segments: Sequence[SegmentSteps], dimension: str, config: ReportConfig
) -> go.Figure:
    """Step conversion rate per step, one bar per segment (largest first), same colours as the legend."""
    label = SEGMENT_LABELS.get(dimension, dimension)
    fig = _layout(
        go.Figure(), 400 if len(segments) <= 4 else 440, barmode="group", bargap=0.2, bargroupgap=0.05
    )
    if not segments:
        return _empty(fig, f"No sessions entered the funnel {funnel.name!r}")
    few = len(segments) <= 4
    for index, segment in enumerate(segments):
        fig.add_trace(
            go.Bar(
                x=[wrap_label(step_label(config, step)) for step in segment.steps],
                y=[step.rate for step in segment.steps],
                name=f"{segment.segment} ({segment.sessions:,} sessions)",
                marker_color=SEGMENT_PALETTE[index % len(SEGMENT_PALETTE)],
                text=[_pct(step.rate, 0) for step in segment.steps] if few else None,
                textposition="outside",
                textfont={"size": 11},
                customdata=[[s.reached, s.previous, s.drop_off] for s in segment.steps],
                hovertemplate=(
                    f"<b>{segment.segment}</b> · %{{x}}<br>step rate %{{y:.1%}}: %{{customdata[0]:,}} of "
                    "%{customdata[1]:,}<br>dropped off: %{customdata[2]:,}<extra></extra>"
                ),
            )
        )
    fig.update_yaxes(title_text="step conversion rate", tickformat=".0%", range=[0, 1.08])
    fig.update_layout(legend_title_text=f"{label.capitalize()}: ")
    fig.update_xaxes(tickangle=0)
    if not few:  # many segments: a column on the right, clear of the chart's tool bar
        fig.update_layout(
            legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
            legend_title_text=label.capitalize(),
        )
    return fig


def duration_label(bin_index: int) -> str:
    return TIME_BIN_LABELS[bin_index]


def time_figure(funnel: Funnel, distribution: TimeDistribution, config: ReportConfig) -> go.Figure:
    """Share of sessions per time bin, one row per step transition (each row sums to 100%)."""
    rows = [row for row in distribution.rows if row.total]
    fig = _layout(go.Figure(), max(260, 120 + 52 * len(rows)))
    if not rows:
        return _empty(fig, f"No session went past step 1 of {funnel.name!r} yet")
    used = [i for i in range(len(TIME_BIN_LABELS)) if any(row.counts[i] for row in rows)]
    columns = list(range(used[0], used[-1] + 1))
    last_step = len(funnel.step_goal_ids)
    labels = []
    for row in rows:
        if row.to_step - row.from_step > 1 or (row.from_step == 1 and row.to_step == last_step > 2):
            name = f"<b>Whole funnel</b>: step 1 → {row.to_step}"
        else:
            name = (
                f"{config.goal_name(funnel.step_goal_ids[row.from_step - 1])} → "
                f"{config.goal_name(funnel.step_goal_ids[row.to_step - 1])}"
            )
        median = row.median_bin
        median_text = f"median {duration_label(median)}" if median is not None else ""
        labels.append(f"{name}<br><span style='font-size:11px'>{row.total:,} sessions · {median_text}</span>")
    shares = [[row.counts[i] / row.total for i in columns] for row in rows]
    fig.add_trace(
        go.Heatmap(
            z=shares,
            x=[duration_label(i) for i in columns],
            y=labels,
            text=[[_pct(share, 0) if share >= 0.005 else "" for share in line] for line in shares],
            texttemplate="%{text}",
            textfont={"size": 11},
            customdata=[[row.counts[i] for i in columns] for row in rows],
            colorscale="Blues",
            zmin=0,
            zmax=max(max(line) for line in shares),
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": "share of<br>sessions"}, "tickformat": ".0%", "thickness": 12},
            hovertemplate="%{y}<br>%{x}: %{customdata:,} sessions (%{z:.1%})<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(
        title_text="time from the previous step (from step 1 for the whole funnel)", side="bottom"
    )
    fig.update_layout(margin={"l": 20})
    return fig


def _impact_color(low: float, high: float) -> str:
    if low > 0:
        return POSITIVE_COLOR
    if high < 0:
        return NEGATIVE_COLOR
    return NEUTRAL_COLOR


def forest_figure(impact: GoalImpact, config: ReportConfig) -> go.Figure:
    """Difference in the macro goal's conversion rate with vs without each micro goal, with 95% CI.

    Process milestones (the funnel's own steps, large by construction) get their own panel and x scale,
    so they do not squash the others.
    """
    groups = [
        ("Secondary actions and engagement", [r for r in impact.rows if r.micro_type != "process_milestone"]),
        (
            "Process milestones (steps toward a macro goal: large by construction)",
            [r for r in impact.rows if r.micro_type == "process_milestone"],
        ),
    ]
    groups = [(title, rows) for title, rows in groups if rows]
    macro = config.goal_name(impact.macro_goal_id)
    if not groups:
        return _empty(_layout(go.Figure(), 220), f"No micro goal has a sufficient sample for {macro!r}")
    fig = make_subplots(
        rows=len(groups),
        cols=1,
        subplot_titles=[title for title, _ in groups],
        vertical_spacing=0.12,
        row_heights=[len(rows) + 1.5 for _, rows in groups],
    )
    _layout(fig, 110 + sum(30 * len(rows) + 50 for _, rows in groups), showlegend=False)
    for index, (_, rows) in enumerate(groups, start=1):
        labels = [
            f"{config.goal_name(r.micro_goal_id)}  <span style='color:#6b7280'>n={r.units_with:,}</span>"
            for r in rows
        ]
        fig.add_trace(
            go.Scatter(
                x=[r.difference * 100 for r in rows],
                y=labels,
                mode="markers",
                marker={
                    "size": 10,
                    "symbol": "square",
                    "color": [_impact_color(r.ci_low, r.ci_high) for r in rows],
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "thickness": 2,
                    "width": 5,
                    "color": "#374151",
                    "array": [(r.ci_high - r.difference) * 100 for r in rows],
                    "arrayminus": [(r.difference - r.ci_low) * 100 for r in rows],
                },
                customdata=[
                    [
                        r.rate_with,
                        r.rate_without,
                        r.ci_low * 100,
                        r.ci_high * 100,
                        r.units_with,
                        r.units_without,
                        "<0.001" if (r.p_value or 0) < 0.001 else f"{r.p_value:.3f}",
                    ]
                    for r in rows
                ],
                hovertemplate=(
                    f"%{{y}}<br>{macro} rate with it %{{customdata[0]:.2%}} (n=%{{customdata[4]:,}}), "
                    "without %{customdata[1]:.2%} (n=%{customdata[5]:,})<br>difference %{x:+.2f} pts, "
                    "95% CI %{customdata[2]:+.2f} to %{customdata[3]:+.2f}, p %{customdata[6]}"
                    "<extra></extra>"
                ),
            ),
            row=index,
            col=1,
        )
        fig.add_vline(x=0, line={"color": "#111827", "width": 1, "dash": "dot"}, row=index, col=1)
        fig.update_yaxes(autorange="reversed", automargin=True, row=index, col=1)
        fig.update_xaxes(ticksuffix=" pts", zeroline=False, row=index, col=1)
    fig.update_xaxes(
        title_text=f"difference in {macro} rate (percentage points), with minus without",
        row=len(groups),
        col=1,
    )
    fig.update_layout(margin={"l": 20, "t": 50})
    return fig


def _path_node_label(step: str, config: ReportConfig) -> str:
    return PATH_LABELS.get(step, config.goal_name(step))


def sankey_figure(paths: PathLinks, config: ReportConfig) -> go.Figure:
    """Goal -> next goal within a session: left column = from, right column = to."""
    fig = _layout(go.Figure(), 680)
    if not paths.links:
        return _empty(fig, "No paths between goals in the data yet")

    def ordered(keys: dict[str, int]) -> list[str]:
        return sorted(keys, key=lambda step: (step != PATH_START, -keys[step], step))

    out_flow: dict[str, int] = {}
    in_flow: dict[str, int] = {}
    for link in paths.links:
        out_flow[link.from_step] = out_flow.get(link.from_step, 0) + link.transitions
        in_flow[link.to_step] = in_flow.get(link.to_step, 0) + link.transitions
    sources = ordered(out_flow)
    targets = sorted(in_flow, key=lambda step: (step == PATH_EXIT, -in_flow[step], step))
    nodes = [("from", step) for step in sources] + [("to", step) for step in targets]
    position = {node: index for index, node in enumerate(nodes)}
    colors = [CATEGORY_COLORS[config.goal_category(step)] for _, step in nodes]
    fig.add_trace(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [_path_node_label(step, config) for _, step in nodes],
                "color": colors,
                "pad": 12,
                "thickness": 16,
                "line": {"color": "white", "width": 0.5},
                "hovertemplate": "%{label}: %{value:,} transitions<extra></extra>",
            },
            link={
                "source": [position[("from", link.from_step)] for link in paths.links],
                "target": [position[("to", link.to_step)] for link in paths.links],
                "value": [link.transitions for link in paths.links],
                "color": [
                    _rgba(CATEGORY_COLORS[config.goal_category(link.from_step)], 0.35) for link in paths.links
                ],
                "customdata": [_pct(link.probability) for link in paths.links],
                "hovertemplate": (
                    "%{source.label} → %{target.label}<br>%{value:,} transitions, "
                    "%{customdata} of what follows %{source.label}<extra></extra>"
                ),
            },
            textfont={"family": FONT_FAMILY, "size": 12, "color": TEXT_COLOR},
        )
    )
    fig.update_layout(margin={"l": 20, "r": 20, "t": 40, "b": 20})
    return fig


def page_groups_figure(groups: Sequence[PageGroup], config: ReportConfig) -> go.Figure:
    """Each page group at (exit rate, primary-goal rate), sized by visits, coloured by its goal's category."""
    fig = _layout(go.Figure(), 520)
    shown = [g for g in groups if g.visits and g.exit_rate is not None and g.primary_goal_rate is not None]
    if not shown:
        return _empty(fig, "No page views of any page group yet")
    largest = max(g.visits for g in shown)
    by_category: dict[str, list[PageGroup]] = {}
    for group in shown:
        by_category.setdefault(config.goal_category(group.primary_goal_id), []).append(group)
    for category, members in by_category.items():
        fig.add_trace(
            go.Scatter(
                x=[g.exit_rate for g in members],
                y=[g.primary_goal_rate for g in members],
                mode="markers+text",
                text=[g.page_group for g in members],
                textposition="top center",
                textfont={"size": 12},
                name=f"primary goal: {CATEGORY_LABELS.get(category, category)}",
                marker={
                    "size": [8 + 40 * math.sqrt(g.visits / largest) for g in members],
                    "color": CATEGORY_COLORS.get(category, NEUTRAL_COLOR),
                    "opacity": 0.75,
                    "line": {"color": "white", "width": 1},
                },
                customdata=[[config.goal_name(g.primary_goal_id), g.visits] for g in members],
                hovertemplate=(
                    "<b>%{text}</b><br>primary goal: %{customdata[0]} (%{y:.1%} of visits)<br>"
                    "exit rate %{x:.1%} · %{customdata[1]:,} visits<extra></extra>"
                ),
            )
        )
    top_x = max(g.exit_rate or 0.0 for g in shown)
    top_y = max(g.primary_goal_rate or 0.0 for g in shown)
    fig.update_xaxes(
        title_text="exit rate (page views that end the visit)",
        tickformat=".0%",
        range=[-0.03, min(1.0, top_x) * 1.12 + 0.02],
    )
    fig.update_yaxes(
        title_text="primary goal completed after the view (share of visits)",
        tickformat=".0%",
        range=[-0.05, min(1.0, top_y) * 1.15 + 0.02],
    )
    return fig


def readiness_figure(cells: Sequence[ReadinessCell]) -> go.Figure:
    """Users per readiness stage (in order), stacked by how recently they were seen."""
    fig = _layout(go.Figure(), 440, barmode="stack", bargap=0.3)
    if not cells:
        return _empty(fig, "No users in the data yet")
    stages = sorted({(c.stage_order, c.stage) for c in cells})
    stage_names = [stage for _, stage in stages]
    buckets = sorted({(c.bucket_order, c.recency_bucket) for c in cells})
    bucket_names = list(dict.fromkeys(name for _, name in buckets))
    total = sum(c.users for c in cells)
    cell = {(c.stage, c.recency_bucket): c for c in cells}
    for index, bucket in enumerate(bucket_names):
        row = [cell.get((stage, bucket)) for stage in stage_names]
        fig.add_trace(
            go.Bar(
                x=stage_names,
                y=[c.users if c else 0 for c in row],
                name=f"last seen {bucket} ago" if bucket != NOT_SET else bucket,
                marker_color=RECENCY_PALETTE[min(index, len(RECENCY_PALETTE) - 1)],
                customdata=[[c.avg_score if c and c.avg_score is not None else float("nan")] for c in row],
                hovertemplate=(
                    f"%{{x}}, last seen {bucket} ago: %{{y:,}} users<br>"
                    "average readiness score %{customdata[0]:.1%}<extra></extra>"
                ),
            )
        )
    for stage in stage_names:
        users = sum(c.users for c in cells if c.stage == stage)
        fig.add_annotation(
            x=stage,
            y=users,
            text=f"<b>{users:,}</b> ({_pct(users / total if total else None)})",
            showarrow=False,
            yshift=12,
        )
    fig.update_yaxes(title_text="users", tickformat=",")
    fig.update_xaxes(title_text="readiness stage (left: least ready, right: converted)")
    fig.update_layout(legend_title_text="Recency: ", legend_traceorder="normal")
    return fig
