"""The dbt project as Dagster sees it, with a manifest that is generated when missing or stale."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from dagster_dbt import DbtProject

from .paths import PROFILES_DIR, REPO_ROOT

# dbt's anonymous usage stats stay off for every dbt process Dagster starts (dbt_project.yml also says so).
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

# The dbt of this interpreter's environment (.venv/bin/dbt), also when .venv is not activated:
# dagster-dbt's preparer and resource look for `dbt` on PATH.
VENV_BIN = Path(sys.executable).parent
DBT_EXECUTABLE = VENV_BIN / "dbt"
if str(VENV_BIN) not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")])

# Dagster's own manifest, apart from target/ (which `make test` also fills with `--vars '{e2e: true}'`),
# so the asset graph always comes from the default vars.
DAGSTER_TARGET_PATH = Path("target") / "dagster"

# What the manifest is generated from: newer files here make it stale.
PROJECT_INPUTS: tuple[str, ...] = (
    "dbt_project.yml",
    "profiles",
    "models",
    "macros",
    "seeds",
    "tests",
    "analyses",
    "snapshots",
)

microconv_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=PROFILES_DIR,
    target_path=DAGSTER_TARGET_PATH,
)


def _files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (child for child in path.rglob("*") if child.is_file())


def newest_input_mtime(project_dir: Path = REPO_ROOT) -> float:
    """Modification time of the newest file the dbt manifest depends on (0 when there is none)."""
    inputs = _files(project_dir / name for name in PROJECT_INPUTS)
    return max((path.stat().st_mtime for path in inputs), default=0.0)


def manifest_is_stale(project: DbtProject = microconv_project) -> bool:
    """True when the manifest is missing or older than a model, macro, seed, test or config file."""
    manifest = project.manifest_path
    return not manifest.exists() or manifest.stat().st_mtime < newest_input_mtime(project.project_dir)


def ensure_manifest(project: DbtProject = microconv_project) -> Path:
    """Run `dbt parse` (dagster-dbt's preparer, safe when several processes load at once) when needed.

    A fresh clone therefore works without a manual `dbt parse`; `dagster dev` re-parses on every load
    (`prepare_if_dev`), as dagster-dbt does.
    """
    if manifest_is_stale(project):
        project.preparer.prepare(project)
    else:
        project.prepare_if_dev()
    return project.manifest_path
