"""A bad row in the config seeds fails `dbt build` with a message that names it.

Runs dbt on a copy of the project in a temporary folder (its own DuckDB file), with one seed edited.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"
PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "tests", "profiles")


def _copy_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            shutil.copy(source, project / part)
    return project


def _build_config(project: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MICROCONV_DB": str(project / "config.duckdb"),
        "MICROCONV_TEMP_DIR": str(project / "tmp"),
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [
            str(DBT),
            "build",
            "--profiles-dir",
            "profiles",
            "--select",
            "+stg_config__funnel_steps",
            "+stg_config__funnel_exclusions",
            "--exclude",
            "test_type:unit",
            "--indirect-selection",
            "cautious",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("seed", "find", "replace", "message"),
    [
        (
            "conversion_goals.csv",
            "purchase,Purchase,macro,,purchase",
            "purchase,Purchase,macro,process_milestone,purchase",
            "seeds/conversion_goals.csv: goal purchase: micro_type must be empty for macro goals",
        ),
        (
            "conversion_goals.csv",
            "pageviews_5,More than 5 page views,micro,engagement,,,pageviews,5",
            "pageviews_5,More than 5 page views,micro,engagement,,,page_count,5",
            "seeds/conversion_goals.csv: goal pageviews_5: session_metric must be session_duration_s",
        ),
        (
            "funnel_steps.csv",
            "purchase,6,purchase",
            "purchase,7,purchase",
            "seeds/funnel_steps.csv: funnel purchase step",
        ),
        (
            # Two independent models fail in one build (stg_config__funnels does not read the goals).
            "funnels.csv",
            "review_cart_strict,Review read then add to cart right away,1,strict,closed",
            "review_cart_strict,Review read then add to cart right away,1,strictly,closed",
            "seeds/funnels.csv: funnel review_cart_strict: funnel_mode must be ordered, strict or unordered "
            "(got strictly)",
        ),
        (
            "funnel_exclusions.csv",
            "cart_no_store_check,store_availability,1,3",
            "cart_no_store_check,store_availability,2,4",
            "seeds/funnel_exclusions.csv: funnel cart_no_store_check goal store_availability steps 2-4: "
            "the range must satisfy 1 <= from_step < to_step <= 3",
        ),
        (
            "funnel_steps.csv",
            "cart_no_store_check,2,begin_checkout,24",
            "cart_no_store_check,2,begin_checkout,100",
            "seeds/funnel_steps.csv: funnel cart_no_store_check step 2: max_hours_from_previous (100.0) "
            "is larger than the funnel window conversion_window_hours (72.0)",
        ),
    ],
)
def test_bad_config_row_fails_with_its_name(
    tmp_path: Path, seed: str, find: str, replace: str, message: str
) -> None:
    project = _copy_project(tmp_path)
    seed_path = project / "seeds" / seed
    text = seed_path.read_text()
    assert find in text
    seed_path.write_text(text.replace(find, replace))

    result = _build_config(project)

    assert result.returncode != 0
    assert message in result.stdout


def test_goal_id_and_count_per_errors_name_the_goal(tmp_path: Path) -> None:
    """A goal id that cannot be a column name; an unknown count_per (the optional column added)."""
    project = _copy_project(tmp_path)
    seed_path = project / "seeds" / "conversion_goals.csv"
    lines = seed_path.read_text().splitlines()
    rows = [lines[0] + ",count_per"]
    rows += [line + (",visit" if line.startswith("purchase,") else ",") for line in lines[1:]]
    text = "\n".join(rows).replace("sign_up,Account sign-up,macro", "sign-up,Account sign-up,macro") + "\n"
    seed_path.write_text(text)

    result = _build_config(project)

    assert result.returncode != 0
    # The first bad row raises; which one DuckDB reads first is not fixed, so either message names its goal.
    messages = (
        "seeds/conversion_goals.csv: goal sign-up: goal_id must be usable as a column name",
        "seeds/conversion_goals.csv: goal purchase: count_per must be event or session (got visit)",
    )
    assert any(message in result.stdout for message in messages)


def test_seeds_without_the_optional_columns_build_as_before(tmp_path: Path) -> None:
    """Seeds in the original format: no funnel_mode, funnel_type, max_hours_from_previous, count_per."""
    project = _copy_project(tmp_path)
    seeds = project / "seeds"
    funnels = [line.split(",")[:3] for line in (seeds / "funnels.csv").read_text().splitlines()]
    (seeds / "funnels.csv").write_text("\n".join(",".join(row) for row in funnels) + "\n")
    steps = [line.split(",")[:3] for line in (seeds / "funnel_steps.csv").read_text().splitlines()]
    (seeds / "funnel_steps.csv").write_text("\n".join(",".join(row) for row in steps) + "\n")
    assert "funnel_mode" not in (seeds / "funnels.csv").read_text()
    assert "count_per" not in (seeds / "conversion_goals.csv").read_text()

    result = _build_config(project)

    assert result.returncode == 0, result.stdout
    con = duckdb.connect(str(project / "config.duckdb"), read_only=True)
    try:
        modes = con.execute(
            "select distinct funnel_mode, funnel_type from staging.stg_config__funnels"
        ).fetchall()
        limits = con.execute(
            "select count(*) from staging.stg_config__funnel_steps where max_hours_from_previous is not null"
        ).fetchone()
        count_per = con.execute(
            "select distinct count_per from staging.stg_config__conversion_goals"
        ).fetchall()
    finally:
        con.close()
    assert modes == [("ordered", "closed")]
    assert limits == (0,)
    assert count_per == [("event",)]
