"""`mf query` (MetricFlow, dbt semantic layer) agrees with the marts on a warehouse built by the pipeline."""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from dagster_dbt import DbtProject
from pipeline_warehouse import REPO, VENV_BIN, Pipeline, built_by_dagster

from orchestration.microconv_dagster.project import ensure_manifest, manifest_is_stale

# mf reads target/semantic_manifest.json of the project (dbt's default target path).
DEFAULT_TARGET = DbtProject(project_dir=REPO, profiles_dir=REPO / "profiles", target_path=Path("target"))


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    built = built_by_dagster()
    assert built.materialize.returncode == 0, built.materialize.stderr[-4000:]
    semantic_manifest = DEFAULT_TARGET.project_dir / "target" / "semantic_manifest.json"
    if manifest_is_stale(DEFAULT_TARGET) or not semantic_manifest.exists():
        # The code location's `dbt parse` (target/dagster) is fresh: the semantic manifest does not depend
        # on the warehouse or vars, so it serves mf as a `dbt parse` into target/ would (saves a full parse).
        fresh = ensure_manifest().parent / "semantic_manifest.json"
        semantic_manifest.parent.mkdir(exist_ok=True)
        shutil.copy(fresh, semantic_manifest)
    return built


def mf_query(pipeline: Pipeline, tmp_path: Path, *args: str) -> list[dict[str, str]]:
    """Run `mf query ARGS --csv FILE` from the repo root (the root profiles.yml), rows as dicts."""
    out = tmp_path / "result.csv"
    result = subprocess.run(
        [str(VENV_BIN / "mf"), "query", *args, "--csv", str(out)],
        cwd=REPO,
        env=pipeline.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def mart(pipeline: Pipeline, sql: str) -> list[tuple]:
    with duckdb.connect(str(pipeline.db), read_only=True) as con:
        return con.execute(sql).fetchall()


def day(value: str) -> str:
    return value[:10]


def number(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_sessions_and_macro_conversions_per_day(pipeline: Pipeline, tmp_path: Path) -> None:
    rows = mf_query(
        pipeline, tmp_path, "--metrics", "sessions,macro_conversions", "--group-by", "metric_time__day"
    )
    got = {
        day(row["metric_time__day"]): (int(row["sessions"]), int(row["macro_conversions"] or 0))
        for row in rows
    }
    expected = {
        str(session_date): (sessions, macro)
        for session_date, sessions, macro in mart(
            pipeline, "select session_date, sessions, macro_conversions from marts.mart_kpi_daily"
        )
    }
    assert len(expected) > 20
    assert got == expected


def test_session_conversion_rate_per_channel(pipeline: Pipeline, tmp_path: Path) -> None:
    rows = mf_query(
        pipeline,
        tmp_path,
        "--metrics",
        "session_conversion_rate,sessions,revenue",
        "--group-by",
        "session__channel",
    )
    got = {row["session__channel"]: row for row in rows}
    expected = mart(
        pipeline,
        """
        select channel, count(*), count(case when converted then 1 end)::double / count(*), sum(revenue)
        from marts.fct_sessions group by channel
        """,
    )
    assert set(got) == {channel for channel, *_ in expected}
    for channel, sessions, rate, revenue in expected:
        assert int(got[channel]["sessions"]) == sessions
        assert close(number(got[channel]["session_conversion_rate"]), rate), channel
        assert close(number(got[channel]["revenue"]), revenue), channel


def test_funnel_step_conversion_rate(pipeline: Pipeline, tmp_path: Path) -> None:
    rows = mf_query(
        pipeline,
        tmp_path,
        "--metrics",
        "funnel_step_conversion_rate",
        "--group-by",
        "funnel_step__funnel_id,funnel_step__step_number",
    )
    got = {
        (row["funnel_step__funnel_id"], int(row["funnel_step__step_number"])): number(
            row["funnel_step_conversion_rate"]
        )
        for row in rows
    }
    expected = {
        (funnel_id, step): rate
        for funnel_id, step, rate in mart(
            pipeline,
            """
            select funnel_id, step_number,
                sum(sessions_reached)::double / nullif(sum(sessions_reached_previous), 0)
            from marts.fct_funnel_daily group by funnel_id, step_number
            """,
        )
    }
    assert set(got) == set(expected)
    for key, rate in expected.items():
        assert close(got[key], rate), key


def test_kpi_saved_query_matches_mart_kpi_daily(pipeline: Pipeline, tmp_path: Path) -> None:
    rows = mf_query(pipeline, tmp_path, "--saved-query", "kpi_daily")
    columns = (
        "users",
        "engaged_sessions",
        "micro_conversions",
        "session_conversion_rate",
        "revenue",
        "orders",
        "average_order_value",
    )
    expected = {
        str(row[0]): dict(zip(columns, row[1:], strict=True))
        for row in mart(pipeline, f"select session_date, {', '.join(columns)} from marts.mart_kpi_daily")
    }
    got = {day(row["metric_time__day"]): row for row in rows}
    assert set(got) == set(expected)
    for session_date, values in expected.items():
        for column, value in values.items():
            mf_value = number(got[session_date][column])
            if column in ("micro_conversions", "orders") and mf_value is None:
                mf_value = 0.0  # no row of that measure on that day: mf leaves it empty, the mart says 0
            assert close(mf_value, None if value is None else float(value)), (session_date, column)
