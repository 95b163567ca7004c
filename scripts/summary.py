"""Print a readable summary of the built warehouse: load counts, sessions, the main funnel, top micro goals.

Usage:
    .venv/bin/python scripts/summary.py [--db DBPATH] [--funnel FUNNEL_ID]

Reads (read-only) the DuckDB file `--db`, else $MICROCONV_DB, else warehouse/microconv.duckdb, after
`dbt build`. Prints, with rich:
- rows loaded, staged, duplicates removed and rejected, summed over the files of
  marts.mart_load_reconciliation (the model that owns the reconciliation rule);
- sessions, users and the session conversion rate (marts.fct_sessions);
- the main funnel (`--funnel`, default: dim_users.main_funnel_id, i.e. the dbt var main_funnel_id):
  sessions reaching each step, the step rate (of the previous step) and the share of all sessions
  (marts.fct_funnel_daily);
- every other funnel on one line: its mode (ordered / strict / unordered, open), its exclusions,
  the sessions reaching each step, and the sessions excluded (marts.fct_funnel_daily,
  marts.fct_funnel_sessions, staging.stg_config__funnels, staging.stg_config__funnel_exclusions);
- the top 5 micro goals by lift at session grain with a sufficient sample, with the 95% CI of the rate
  difference in percentage points (marts.mart_goal_impact). Process milestones are left out: they are
  the funnel's own steps, so their lift only restates the funnel;
- where the DuckDB file is and an example query.

Exit codes: 0 printed; 2 the database or a needed table is missing (one line on stderr: run the build first).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
from common.cli import CliError, run_cli
from common.constants import EXIT_OK, default_db_path
from common.warehouse import connect, one_line
from rich.console import Console
from rich.table import Table

REQUIRED_TABLES: tuple[str, ...] = (
    "marts.mart_load_reconciliation",
    "staging.stg_config__funnel_steps",
    "staging.stg_config__funnels",
    "staging.stg_config__funnel_exclusions",
    "marts.fct_funnel_sessions",
    "marts.fct_sessions",
    "marts.fct_funnel_daily",
    "marts.mart_goal_impact",
    "marts.dim_users",
)
TOP_MICRO_GOALS = 5
EXAMPLE_QUERY = "select * from marts.mart_kpi_daily order by session_date desc limit 7"


@dataclass(frozen=True)
class LoadCounts:
    loaded: int
    staged: int
    duplicates: int
    rejected: int


@dataclass(frozen=True)
class SessionCounts:
    sessions: int
    users: int
    converting_sessions: int

    @property
    def conversion_rate(self) -> float | None:
        return self.converting_sessions / self.sessions if self.sessions else None


@dataclass(frozen=True)
class FunnelStep:
    step_number: int
    goal_id: str
    sessions_reached: int
    sessions_previous: int
    all_sessions: int

    @property
    def step_rate(self) -> float | None:
        return self.sessions_reached / self.sessions_previous if self.sessions_previous else None

    @property
    def share_of_sessions(self) -> float | None:
        return self.sessions_reached / self.all_sessions if self.all_sessions else None


@dataclass(frozen=True)
class FunnelOverview:
    funnel_id: str
    funnel_mode: str
    funnel_type: str
    exclusions: int
    sessions_per_step: list[int]
    excluded_sessions: int

    @property
    def mode_label(self) -> str:
        label = (
            self.funnel_mode if self.funnel_type == "closed" else f"{self.funnel_mode}, {self.funnel_type}"
        )
        if self.exclusions:
            label += f", {self.exclusions} exclusion" + ("s" if self.exclusions > 1 else "")
        return label


@dataclass(frozen=True)
class GoalImpact:
    micro_goal_id: str
    micro_type: str
    macro_goal_id: str
    units_with: int
    rate_with: float
    rate_without: float
    lift: float
    ci_low: float
    ci_high: float
    p_value: float


@dataclass(frozen=True)
class Summary:
    db_path: Path
    loads: LoadCounts
    sessions: SessionCounts
    funnel_id: str | None
    funnel: list[FunnelStep]
    other_funnels: list[FunnelOverview]
    top_goals: list[GoalImpact]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Print a summary of the built warehouse (run after dbt build)."
    )
    parser.add_argument("--db", help="DuckDB file (default: $MICROCONV_DB or warehouse/microconv.duckdb)")
    parser.add_argument(
        "--funnel", help="funnel_id to show (default: the dbt var main_funnel_id, as stored in dim_users)"
    )
    return parser


def open_warehouse(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the built warehouse read-only; a missing file or table is a CliError telling what to run."""
    if not db_path.is_file():
        raise CliError(f"database {db_path} not found; run `make run` (or load events, then `make build`)")
    con = connect(db_path, read_only=True)
    existing = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    missing = [table for table in REQUIRED_TABLES if table not in existing]
    if missing:
        con.close()
        raise CliError(f"database {db_path} has no {', '.join(missing)}; run `make build` first")
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


def read_load_counts(con: duckdb.DuckDBPyConnection) -> LoadCounts:
    """Totals over the loaded files, as marts.mart_load_reconciliation counts them."""
    row = con.execute(
        """
        select
            coalesce(sum(raw_rows), 0),
            coalesce(sum(staged_events), 0),
            coalesce(sum(duplicates_removed), 0),
            coalesce(sum(rejected_rows), 0)
        from marts.mart_load_reconciliation
        """
    ).fetchone()
    loaded, staged, duplicates, rejected = row if row else (0, 0, 0, 0)
    return LoadCounts(
        loaded=int(loaded), staged=int(staged), duplicates=int(duplicates), rejected=int(rejected)
    )


def read_session_counts(con: duckdb.DuckDBPyConnection) -> SessionCounts:
    row = con.execute(
        """
        select count(*), count(distinct user_key), count(case when converted then 1 end)
        from marts.fct_sessions
        """
    ).fetchone()
    sessions, users, converting = row if row else (0, 0, 0)
    return SessionCounts(sessions=int(sessions), users=int(users), converting_sessions=int(converting))


def resolve_funnel(con: duckdb.DuckDBPyConnection, requested: str | None) -> str | None:
    """The requested funnel (must exist), else dim_users.main_funnel_id, else the first funnel_id."""
    funnels = [
        row[0]
        for row in con.execute(
            "select distinct funnel_id from staging.stg_config__funnel_steps order by funnel_id"
        ).fetchall()
    ]
    if requested is not None:
        if requested not in funnels:
            known = ", ".join(funnels) or "none"
            raise CliError(f"unknown funnel {requested!r} (funnels: {known})")
        return requested
    main = scalar(con, "select min(main_funnel_id) from marts.dim_users")
    if isinstance(main, str) and main in funnels:
        return main
    return funnels[0] if funnels else None


def read_funnel(con: duckdb.DuckDBPyConnection, funnel_id: str, all_sessions: int) -> list[FunnelStep]:
    rows = con.execute(
        """
        select
            step_number,
            goal_id,
            sum(sessions_reached) as sessions_reached,
            sum(sessions_reached_previous) as sessions_previous
        from marts.fct_funnel_daily
        where funnel_id = ?
        group by step_number, goal_id
        order by step_number
        """,
        [funnel_id],
    ).fetchall()
    return [
        FunnelStep(
            step_number=int(step),
            goal_id=str(goal),
            sessions_reached=int(reached or 0),
            sessions_previous=int(previous or 0),
            all_sessions=all_sessions,
        )
        for step, goal, reached, previous in rows
    ]


def read_other_funnels(con: duckdb.DuckDBPyConnection, main_funnel: str | None) -> list[FunnelOverview]:
    """Every funnel but the main one: mode, exclusions, sessions per step, excluded sessions."""
    rows = con.execute(
        """
        with per_step as (
            select funnel_id, step_number, sum(sessions_reached) as sessions_reached
            from marts.fct_funnel_daily
            group by funnel_id, step_number
        ),
        excluded as (
            select funnel_id, count(*) as excluded_sessions
            from marts.fct_funnel_sessions
            where is_excluded
            group by funnel_id
        ),
        exclusions as (
            select funnel_id, count(*) as exclusions
            from staging.stg_config__funnel_exclusions
            group by funnel_id
        )
        select
            funnels.funnel_id,
            funnels.funnel_mode,
            funnels.funnel_type,
            coalesce(exclusions.exclusions, 0),
            list(coalesce(per_step.sessions_reached, 0) order by per_step.step_number),
            coalesce(excluded.excluded_sessions, 0)
        from staging.stg_config__funnels as funnels
        left join per_step on funnels.funnel_id = per_step.funnel_id
        left join excluded on funnels.funnel_id = excluded.funnel_id
        left join exclusions on funnels.funnel_id = exclusions.funnel_id
        where funnels.funnel_id is distinct from ?
        group by all
        order by funnels.funnel_id
        """,
        [main_funnel],
    ).fetchall()
    return [
        FunnelOverview(
            funnel_id=str(funnel_id),
            funnel_mode=str(mode),
            funnel_type=str(kind),
            exclusions=int(exclusions),
            sessions_per_step=[int(value) for value in steps],
            excluded_sessions=int(excluded),
        )
        for funnel_id, mode, kind, exclusions, steps, excluded in rows
    ]


def read_top_goals(con: duckdb.DuckDBPyConnection) -> list[GoalImpact]:
    rows = con.execute(
        """
        select
            micro_goal_id, micro_type, macro_goal_id, units_with,
            rate_with, rate_without, lift, ci_low, ci_high, p_value
        from marts.mart_goal_impact
        where
            grain = 'session'
            and is_sample_sufficient
            and lift is not null
            and micro_type <> 'process_milestone'
        order by lift desc, micro_goal_id, macro_goal_id
        limit ?
        """,
        [TOP_MICRO_GOALS],
    ).fetchall()
    return [
        GoalImpact(
            micro_goal_id=str(row[0]),
            micro_type=str(row[1]),
            macro_goal_id=str(row[2]),
            units_with=int(row[3]),
            rate_with=float(row[4]),
            rate_without=float(row[5]),
            lift=float(row[6]),
            ci_low=float(row[7]),
            ci_high=float(row[8]),
            p_value=float(row[9]),
        )
        for row in rows
    ]


def read_summary(db_path: Path, funnel: str | None) -> Summary:
    con = open_warehouse(db_path)
    try:
        sessions = read_session_counts(con)
        funnel_id = resolve_funnel(con, funnel)
        return Summary(
            db_path=db_path,
            loads=read_load_counts(con),
            sessions=sessions,
            funnel_id=funnel_id,
            funnel=read_funnel(con, funnel_id, sessions.sessions) if funnel_id else [],
            other_funnels=read_other_funnels(con, funnel_id),
            top_goals=read_top_goals(con),
        )
    except duckdb.Error as exc:
        raise CliError(f"cannot read {db_path}: {one_line(exc)}; run `make build` first") from None
    finally:
        con.close()


def pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def render_counts(summary: Summary, console: Console) -> None:
    loads = summary.loads
    console.print(
        f"Events: [bold]{loads.loaded:,}[/] loaded, [bold]{loads.staged:,}[/] staged, "
        f"{loads.duplicates:,} duplicates removed, {loads.rejected:,} rejected"
    )
    sessions = summary.sessions
    console.print(
        f"Sessions: [bold]{sessions.sessions:,}[/] ({sessions.users:,} users); "
        f"[bold]{pct(sessions.conversion_rate, 2)}[/] converted "
        f"({sessions.converting_sessions:,} with a macro goal)"
    )


def render_funnel(summary: Summary, console: Console) -> None:
    if summary.funnel_id is None:
        console.print("No funnel configured (seeds/funnels.csv).")
        return
    console.print()
    console.print(f"[bold]Funnel '{summary.funnel_id}'[/] (sessions reaching each step, in order)")
    funnel = Table(box=None, pad_edge=False, header_style="bold")
    funnel.add_column("step", justify="right")
    funnel.add_column("goal")
    funnel.add_column("sessions", justify="right")
    funnel.add_column("step rate", justify="right")
    funnel.add_column("of all sessions", justify="right")
    for step in summary.funnel:
        funnel.add_row(
            str(step.step_number),
            step.goal_id,
            f"{step.sessions_reached:,}",
            pct(step.step_rate),
            pct(step.share_of_sessions, 2),
        )
    console.print(funnel)


def render_other_funnels(summary: Summary, console: Console) -> None:
    if not summary.other_funnels:
        return
    console.print()
    console.print(
        "[bold]Other funnels[/] (sessions reaching each step; unordered: k steps done in any order;"
        " excluded: sessions whose furthest attempt met an exclusion)"
    )
    others = Table(box=None, pad_edge=False, header_style="bold")
    others.add_column("funnel", no_wrap=True)
    others.add_column("mode", no_wrap=True)
    others.add_column("sessions per step", no_wrap=True)
    others.add_column("excluded", justify="right", no_wrap=True)
    for other in summary.other_funnels:
        others.add_row(
            other.funnel_id,
            other.mode_label,
            " > ".join(f"{value:,}" for value in other.sessions_per_step),
            f"{other.excluded_sessions:,}",
        )
    console.print(others)


def render_top_goals(summary: Summary, console: Console) -> None:
    console.print()
    if not summary.top_goals:
        console.print("No micro goal (besides funnel steps) has a sufficient sample for a lift yet.")
        return
    console.print(
        "[bold]Top micro goals by lift[/]: macro conversion rate with vs w/o the micro goal"
        " (session grain, sufficient sample, process milestones left out; association, not causation)"
    )
    goals = Table(box=None, pad_edge=False, header_style="bold")
    goals.add_column("micro->macro goal", no_wrap=True)
    goals.add_column("n", justify="right", no_wrap=True)
    goals.add_column("with", justify="right", no_wrap=True)
    goals.add_column("w/o", justify="right", no_wrap=True)
    goals.add_column("lift", justify="right", no_wrap=True)
    goals.add_column("95% CI (pts)", justify="right", no_wrap=True)
    goals.add_column("p", justify="right", no_wrap=True)
    for goal in summary.top_goals:
        goals.add_row(
            f"{goal.micro_goal_id}->{goal.macro_goal_id}",
            f"{goal.units_with:,}",
            pct(goal.rate_with),
            pct(goal.rate_without),
            f"{goal.lift:+,.0%}",
            f"{goal.ci_low * 100:+.1f}..{goal.ci_high * 100:+.1f}",
            "<.001" if goal.p_value < 0.001 else f"{goal.p_value:.3f}",
        )
    console.print(goals)


def render_where(summary: Summary, console: Console) -> None:
    db = summary.db_path.resolve()
    console.print()
    console.print(f"DuckDB file: [bold]{db}[/]")
    console.print("Example query:")
    console.print(
        f'  .venv/bin/python -c "import duckdb; '
        f"duckdb.connect('{db}', read_only=True).sql('{EXAMPLE_QUERY}').show()\"",
        soft_wrap=True,
        highlight=False,
    )


def render(summary: Summary, console: Console) -> None:
    console.rule("[bold]microconv summary")
    render_counts(summary, console)
    render_funnel(summary, console)
    render_other_funnels(summary, console)
    render_top_goals(summary, console)
    render_where(summary, console)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_path = Path(args.db or default_db_path())
    summary = read_summary(db_path, args.funnel)
    render(summary, Console())
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run_cli(main))
