"""One small warehouse built by the Dagster pipeline, shared by the Dagster, MetricFlow and docs tests.

`built_by_dagster()` generates a few thousand events into a temporary incoming folder and runs
`dagster asset materialize --select '*'` on a temporary DuckDB file and Dagster instance, once per
pytest session (the build is the expensive part; the tests only read the result).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DAGSTER_MODULE = "orchestration.microconv_dagster.definitions"
EVENTS = 3000
SEED = 7

if str(REPO) not in sys.path:  # the code location imports as orchestration.microconv_dagster
    sys.path.insert(0, str(REPO))


@dataclass(frozen=True)
class Pipeline:
    """Paths of the temporary build and the environment its commands ran with."""

    root: Path
    db: Path
    incoming: Path
    dagster_home: Path
    env: dict[str, str]
    materialize: subprocess.CompletedProcess[str]


def pipeline_env(root: Path) -> dict[str, str]:
    """Environment pointing the warehouse, the incoming folder and Dagster's instance into ROOT."""
    return {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "MICROCONV_DB": str(root / "microconv.duckdb"),  # same DuckDB catalog name as the default file
        "MICROCONV_INCOMING": str(root / "incoming"),
        "MICROCONV_TEMP_DIR": str(root / "spill"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )


@functools.cache
def built_by_dagster() -> Pipeline:
    root = Path(tempfile.mkdtemp(prefix="microconv-dagster-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    env = pipeline_env(root)
    home = Path(env["DAGSTER_HOME"])
    home.mkdir()
    shutil.copy(REPO / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    generated = run(
        [
            sys.executable,
            "scripts/generate_events.py",
            "--events",
            str(EVENTS),
            "--seed",
            str(SEED),
            "--out",
            env["MICROCONV_INCOMING"],
        ],
        env,
    )
    assert generated.returncode == 0, generated.stderr
    materialize = run(
        [str(VENV_BIN / "dagster"), "asset", "materialize", "-m", DAGSTER_MODULE, "--select", "*"], env
    )
    return Pipeline(
        root=root,
        db=Path(env["MICROCONV_DB"]),
        incoming=Path(env["MICROCONV_INCOMING"]),
        dagster_home=home,
        env=env,
        materialize=materialize,
    )
