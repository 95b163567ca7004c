"""A bad row in the config seeds fails `dbt build` with a message that names it.

Runs dbt on a copy of the project in a temporary folder (its own DuckDB file), with one seed edited.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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
