"""Read and shape what the report shows, from the marts and the config seeds (no goal or funnel id here).

Every function takes an open (read-only) DuckDB connection and returns small typed rows for one chart.
The SQL aggregates in the database (counts are summed, never averaged rates), so the report's cost does not
grow with the number of events beyond what the marts already hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
from common.cli import CliError
from common.warehouse import one_line

# Tables the report reads; a missing one is a one-line error (exit 2) telling to build first.
REQUIRED_TABLES: tuple[str, ...] = (
    "config.conversion_goals",
    "config.funnels",
    "config.funnel_steps",
    "config.page_groups",
    "marts.mart_kpi_daily",
    "marts.mart_funnel_alerts",
    "marts.fct_funnel_daily",
    "marts.fct_funnel_session_steps",
    "marts.fct_funnel_sessions",
    "marts.mart_goal_impact",
    "marts.mart_path_transitions",
    "marts.mart_page_goals",
    "marts.dim_users",
)
# Optional: binned times between funnel steps. Used when it exists, else the report bins
# fct_funnel_session_steps.seconds_from_previous_step itself (same bins, same chart).
TIME_TO_CONVERT_TABLE = "marts.fct_funnel_time_to_convert"

# Time-to-convert bins: lower edges in seconds (the last bin is open-ended) and their labels.
TIME_BIN_EDGES_S: tuple[int, ...] = (0, 10, 30, 60, 120, 300, 600, 1800, 3600, 10800, 86400, 259200)
TIME_BIN_LABELS: tuple[str, ...] = (
    "< 10 s",
    "10-30 s",
    "30 s-1 min",
    "1-2 min",
    "2-5 min",
    "5-10 min",
    "10-30 min",
    "30 min-1 h",
    "1-3 h",
    "3-24 h",
    "1-3 days",
    "3+ days",
)
NOT_SET = "(not set)"
PATH_START = "(start)"
PATH_EXIT = "(exit)"
SEGMENT_DIMENSIONS: tuple[str, ...] = ("device_category", "channel")


@dataclass(frozen=True)
class Goal:
    goal_id: str
    name: str
    kind: str  # macro | micro
    micro_type: str | None


@dataclass(frozen=True)
class Funnel:
    funnel_id: str
    name: str
    step_goal_ids: tuple[str, ...]  # goal of step 1, 2, ...


@dataclass(frozen=True)
class ReportConfig:
    goals: dict[str, Goal]
    funnels: tuple[Funnel, ...]

    def goal_name(self, goal_id: str) -> str:
        goal = self.goals.get(goal_id)
        return goal.name if goal else goal_id

    def goal_category(self, goal_id: str) -> str:
        """'macro', the micro_type, or 'other' (a node that is no goal, e.g. (start))."""
        goal = self.goals.get(goal_id)
        if goal is None:
            return "other"
        return "macro" if goal.kind == "macro" else (goal.micro_type or "micro")

    @property
    def macro_goal_ids(self) -> tuple[str, ...]:
        return tuple(g.goal_id for g in self.goals.values() if g.kind == "macro")


@dataclass(frozen=True)
class Overview:
    first_date: dt.date | None
    last_date: dt.date | None
    sessions: int
    users: int
    converting_sessions: int
    revenue: float

    @property
    def conversion_rate(self) -> float | None:
        return self.converting_sessions / self.sessions if self.sessions else None


@dataclass(frozen=True)
class KpiDay:
    day: dt.date
    sessions: int
    conversion_rate: float | None
    revenue: float


@dataclass(frozen=True)
class Alert:
    alert_id: str
    funnel_id: str
    step_number: int
    goal_id: str
    segment: str  # 'all' or 'device_category=mobile'
    alert_period: str
    alert_start: dt.date
    alert_end: dt.date
    alert_type: str
    severity: str
    rate: float | None
    baseline_rate: float | None
    relative_change: float | None
    sessions_lost: int
    related_segments: str | None
    is_open: bool


@dataclass(frozen=True)
class StepCounts:
    step_number: int
    goal_id: str
    reached: int
    previous: int  # step 1: all sessions of the slice
    drop_off: int

    @property
    def rate(self) -> float | None:
        return self.reached / self.previous if self.previous else None


@dataclass(frozen=True)
class SegmentSteps:
    segment: str
    sessions: int  # all sessions of the segment
    steps: tuple[StepCounts, ...]


@dataclass(frozen=True)
class TimeRow:
    from_step: int
    to_step: int
    counts: tuple[int, ...]  # sessions per TIME_BIN_EDGES_S bin

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def median_bin(self) -> int | None:
        """Index of the bin holding the median (the first bin where the cumulative share reaches 1/2)."""
        if not self.total:
            return None
        running = 0
        for index, count in enumerate(self.counts):
            running += count
            if 2 * running >= self.total:
                return index
        return len(self.counts) - 1


@dataclass(frozen=True)
class TimeDistribution:
    funnel_id: str
    source: str  # the table the times come from
    rows: tuple[TimeRow, ...]


@dataclass(frozen=True)
class ImpactRow:
    micro_goal_id: str
    micro_type: str
    units_with: int
    units_without: int
    rate_with: float
    rate_without: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float | None


@dataclass(frozen=True)
class GoalImpact:
    macro_goal_id: str
    rows: tuple[ImpactRow, ...]  # sufficient samples only
    insufficient: int  # micro goals left out for a too small sample


@dataclass(frozen=True)
class PathLink:
    from_step: str
    to_step: str
    transitions: int
    probability: float


@dataclass(frozen=True)
class PathLinks:
    links: tuple[PathLink, ...]  # the largest transitions shown
    total_links: int
    total_transitions: int

    @property
    def shown_transitions(self) -> int:
        return sum(link.transitions for link in self.links)


@dataclass(frozen=True)
class PageGroup:
    page_group: str
    primary_goal_id: str
    visits: int
    primary_goal_rate: float | None
    exit_rate: float | None


@dataclass(frozen=True)
class ReadinessCell:
    stage: str
    stage_order: int
    recency_bucket: str
    bucket_order: float  # smallest days_since_last_seen of the bucket, for ordering
    users: int
    avg_score: float | None


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }


def require_tables(con: duckdb.DuckDBPyConnection, db_path: str) -> None:
    """One line naming every missing table the report needs, and how to build it."""
    missing = [table for table in REQUIRED_TABLES if table not in existing_tables(con)]
    if missing:
        raise CliError(f"{db_path}: missing table {', '.join(missing)}; run 'make build' first")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    try:
        return con.execute(sql, list(params)).fetchall()
    except duckdb.Error as exc:
        raise CliError(f"query failed: {one_line(exc)}; run 'make build' first") from None


def _int(value: object) -> int:
    return int(value) if value is not None else 0  # type: ignore[call-overload]


def _float(value: object) -> float | None:
    return float(value) if value is not None else None  # type: ignore[arg-type]


def read_config(con: duckdb.DuckDBPyConnection) -> ReportConfig:
    """Goals and funnels of the seeds; the main funnel (dim_users.main_funnel_id) first, then by id."""
    goals = {
        goal_id: Goal(goal_id, name or goal_id, kind, micro_type)
        for goal_id, name, kind, micro_type in _rows(
            con, "select goal_id, goal_name, goal_kind, micro_type from config.conversion_goals"
        )
    }
    main = _rows(con, "select min(main_funnel_id) from marts.dim_users")[0][0]
    steps: dict[str, list[str]] = {}
    for funnel_id, goal_id in _rows(
        con, "select funnel_id, goal_id from config.funnel_steps order by funnel_id, step_number"
    ):
        steps.setdefault(funnel_id, []).append(goal_id)
    funnels = tuple(
        Funnel(funnel_id, name or funnel_id, tuple(steps.get(funnel_id, ())))
        for funnel_id, name in _rows(
            con,
            "select funnel_id, funnel_name from config.funnels order by funnel_id <> ?, funnel_id",
            [main or ""],
        )
    )
    return ReportConfig(goals=goals, funnels=funnels)


def read_overview(con: duckdb.DuckDBPyConnection) -> Overview:
    first, last, sessions, converting, revenue = _rows(
        con,
        """
        select min(session_date), max(session_date), sum(sessions), sum(converting_sessions), sum(revenue)
        from marts.mart_kpi_daily
        """,
    )[0]
    users = _rows(con, "select count(*) from marts.dim_users")[0][0]
    return Overview(first, last, _int(sessions), _int(users), _int(converting), _float(revenue) or 0.0)


def read_kpi_days(con: duckdb.DuckDBPyConnection) -> list[KpiDay]:
    return [
        KpiDay(day, _int(sessions), _float(rate), _float(revenue) or 0.0)
        for day, sessions, rate, revenue in _rows(
            con,
            """
            select session_date, sessions, session_conversion_rate, revenue
            from marts.mart_kpi_daily order by session_date
            """,
        )
    ]


def read_alerts(con: duckdb.DuckDBPyConnection, last_date: dt.date | None) -> list[Alert]:
    """Every alert, open ones first. Open = still running at the end of the data: its last flagged
    period (a day, or a week starting at alert_end) includes the last day with sessions."""
    alerts = []
    for row in _rows(
        con,
        """
        select alert_id, funnel_id, step_number, goal_id, segment_type, segment_value, alert_period,
               alert_start, alert_end, alert_type, severity, rate, baseline_rate, relative_change,
               sessions_lost, related_segments
        from marts.mart_funnel_alerts
        order by alert_end desc, case severity when 'critical' then 1 when 'high' then 2 else 3 end,
                 funnel_id, step_number, segment_type, segment_value
        """,
    ):
        (
            alert_id,
            funnel_id,
            step,
            goal_id,
            seg_type,
            seg_value,
            period,
            start,
            end,
            kind,
            severity,
            rate,
            baseline,
            change,
            lost,
            related,
        ) = row
        period_days = 7 if period == "week" else 1
        is_open = last_date is not None and end + dt.timedelta(days=period_days) > last_date
        segment = "all" if seg_type == "all" else f"{seg_type}={seg_value}"
        alerts.append(
            Alert(
                alert_id,
                funnel_id,
                int(step),
                goal_id,
                segment,
                period,
                start,
                end,
                kind,
                severity,
                _float(rate),
                _float(baseline),
                _float(change),
                _int(lost),
                related,
                is_open,
            )
        )
    return sorted(alerts, key=lambda alert: not alert.is_open)


def read_funnel_steps(con: duckdb.DuckDBPyConnection, funnel_id: str) -> tuple[StepCounts, ...]:
    """Sessions reaching each step of the funnel over the whole period (counts summed over slices)."""
    return tuple(
        StepCounts(int(step), goal_id, _int(reached), _int(previous), _int(drop_off))
        for step, goal_id, reached, previous, drop_off in _rows(
            con,
            """
            select step_number, goal_id, sum(sessions_reached), sum(sessions_reached_previous), sum(drop_off)
            from marts.fct_funnel_daily where funnel_id = ?
            group by step_number, goal_id order by step_number
            """,
            [funnel_id],
        )
    )


def read_funnel_segments(
    con: duckdb.DuckDBPyConnection, funnel_id: str, dimension: str
) -> list[SegmentSteps]:
    """The funnel's steps per value of `dimension` (device_category or channel), largest segment first."""
    if dimension not in SEGMENT_DIMENSIONS:
        raise ValueError(f"unknown segment dimension {dimension!r}")
    by_segment: dict[str, list[StepCounts]] = {}
    for segment, step, goal_id, reached, previous, drop_off in _rows(
        con,
        f"""
        select coalesce({dimension}, ?) as segment, step_number, goal_id,
               sum(sessions_reached), sum(sessions_reached_previous), sum(drop_off)
        from marts.fct_funnel_daily where funnel_id = ?
        group by all order by segment, step_number
        """,
        [NOT_SET, funnel_id],
    ):
        by_segment.setdefault(segment, []).append(
            StepCounts(int(step), goal_id, _int(reached), _int(previous), _int(drop_off))
        )
    segments = [
        SegmentSteps(segment, steps[0].previous if steps else 0, tuple(steps))
        for segment, steps in by_segment.items()
    ]
    return sorted(segments, key=lambda s: (-s.sessions, s.segment))


def time_bin_sql(column: str) -> str:
    """A SQL expression giving the TIME_BIN_EDGES_S bin index (0-based) of `column` (seconds)."""
    cases = " ".join(
        f"when {column} < {edge} then {index - 1}" for index, edge in enumerate(TIME_BIN_EDGES_S) if index
    )
    return f"case {cases} else {len(TIME_BIN_EDGES_S) - 1} end"


def time_bin_of(seconds: float) -> int:
    """The TIME_BIN_EDGES_S bin index of a duration in seconds (negative counts as 0)."""
    index = 0
    for position, edge in enumerate(TIME_BIN_EDGES_S):
        if seconds >= edge:
            index = position
    return index


def _time_rows(binned: Sequence[tuple]) -> tuple[TimeRow, ...]:
    """(from_step, to_step, bin index, sessions) rows -> one TimeRow per step pair, in step order."""
    counts: dict[tuple[int, int], list[int]] = {}
    for from_step, to_step, bin_index, sessions in binned:
        row = counts.setdefault((int(from_step), int(to_step)), [0] * len(TIME_BIN_EDGES_S))
        row[int(bin_index)] += _int(sessions)
    # consecutive steps in order, then the whole funnel (step 1 -> last) at the end
    order = sorted(counts, key=lambda pair: (pair[1] - pair[0] > 1, pair))
    return tuple(TimeRow(pair[0], pair[1], tuple(counts[pair])) for pair in order)


def read_time_to_convert(con: duckdb.DuckDBPyConnection, funnel: Funnel) -> TimeDistribution:
    """Sessions by time between consecutive steps (k-1 -> k), and from step 1 to the last step.

    From marts.fct_funnel_time_to_convert when it exists (its bins are re-binned into TIME_BIN_EDGES_S by
    their lower edge), else binned here from fct_funnel_session_steps.seconds_from_previous_step and
    fct_funnel_sessions.seconds_to_complete.
    """
    last_step = len(funnel.step_goal_ids)
    if TIME_TO_CONVERT_TABLE in existing_tables(con):
        table_rows = _rows(
            con,
            f"""
            select from_step, to_step, bin_start_s, sum(sessions)
            from {TIME_TO_CONVERT_TABLE}
            where funnel_id = ? and (to_step = from_step + 1 or (from_step = 1 and to_step = ?))
            group by all
            """,
            [funnel.funnel_id, last_step],
        )
        binned = [(f, t, time_bin_of(float(start or 0)), n) for f, t, start, n in table_rows]
        return TimeDistribution(funnel.funnel_id, TIME_TO_CONVERT_TABLE, _time_rows(binned))
    binned = _rows(
        con,
        f"""
        select step_number - 1, step_number, {time_bin_sql("seconds_from_previous_step")}, count(*)
        from marts.fct_funnel_session_steps
        where funnel_id = ? and step_number > 1 and seconds_from_previous_step is not null
        group by all
        union all
        select 1, total_steps, {time_bin_sql("seconds_to_complete")}, count(*)
        from marts.fct_funnel_sessions
        where funnel_id = ? and completed and total_steps > 2 and seconds_to_complete is not null
        group by all
        """,
        [funnel.funnel_id, funnel.funnel_id],
    )
    return TimeDistribution(funnel.funnel_id, "marts.fct_funnel_session_steps", _time_rows(binned))


def read_goal_impact(con: duckdb.DuckDBPyConnection, grain: str = "session") -> list[GoalImpact]:
    """Per macro goal (most converting first): the micro goals with a sufficient sample, by micro type and
    difference; and how many were left out for a too small sample."""
    rows = _rows(
        con,
        """
        select macro_goal_id, micro_goal_id, micro_type, units_with, units_without, rate_with, rate_without,
               difference, ci_low, ci_high, p_value, coalesce(is_sample_sufficient, false),
               max(macro_with + macro_without) over (partition by macro_goal_id) as macro_units
        from marts.mart_goal_impact
        where grain = ?
        order by macro_units desc, macro_goal_id,
                 case micro_type when 'process_milestone' then 2 else 1 end, difference desc, micro_goal_id
        """,
        [grain],
    )
    impacts: dict[str, tuple[list[ImpactRow], list[int]]] = {}
    for (
        macro,
        micro,
        micro_type,
        n_with,
        n_without,
        rate_with,
        rate_without,
        difference,
        ci_low,
        ci_high,
        p_value,
        sufficient,
        _,
    ) in rows:
        shown, left_out = impacts.setdefault(macro, ([], [0]))
        if not sufficient or difference is None or ci_low is None or ci_high is None:
            left_out[0] += 1
            continue
        shown.append(
            ImpactRow(
                micro,
                micro_type or "",
                _int(n_with),
                _int(n_without),
                float(rate_with),
                float(rate_without),
                float(difference),
                float(ci_low),
                float(ci_high),
                _float(p_value),
            )
        )
    return [GoalImpact(macro, tuple(shown), left[0]) for macro, (shown, left) in impacts.items()]


def read_path_links(con: duckdb.DuckDBPyConnection, max_links: int) -> PathLinks:
    """The `max_links` largest transitions between goals (ties by name), and the totals of all."""
    total_links, total_transitions = _rows(
        con, "select count(*), coalesce(sum(transitions), 0) from marts.mart_path_transitions"
    )[0]
    links = tuple(
        PathLink(from_step, to_step, _int(transitions), float(probability or 0.0))
        for from_step, to_step, transitions, probability in _rows(
            con,
            """
            select from_step, to_step, transitions, probability from marts.mart_path_transitions
            order by transitions desc, from_step, to_step limit ?
            """,
            [max_links],
        )
    )
    return PathLinks(links, _int(total_links), _int(total_transitions))


def read_page_groups(con: duckdb.DuckDBPyConnection) -> list[PageGroup]:
    return [
        PageGroup(group, goal, _int(visits), _float(goal_rate), _float(exit_rate))
        for group, goal, visits, goal_rate, exit_rate in _rows(
            con,
            """
            select page_group, primary_goal_id, visits, primary_goal_completion_rate, exit_rate
            from marts.mart_page_goals order by visits desc, page_group
            """,
        )
    ]


def read_readiness(con: duckdb.DuckDBPyConnection) -> list[ReadinessCell]:
    """Users per readiness stage x recency bucket, stages in readiness order."""
    return [
        ReadinessCell(
            stage, int(order), bucket or NOT_SET, float(bucket_order or 0), _int(users), _float(score)
        )
        for stage, order, bucket, bucket_order, users, score in _rows(
            con,
            """
            select readiness_stage, min(readiness_stage_order), recency_bucket,
                   min(days_since_last_seen), count(*), avg(readiness_score)
            from marts.dim_users
            group by readiness_stage, recency_bucket
            order by 2, 4
            """,
        )
    ]
