"""Run the project's scripts (scripts/*.py) the way a shell would, with the same interpreter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from .paths import REPO_ROOT, SCRIPTS_DIR


@dataclass(frozen=True)
class ScriptResult:
    """Exit code and output of one script run."""

    exit_code: int
    stdout: str
    stderr: str


def run_script(name: str, args: Sequence[str] = ()) -> ScriptResult:
    """Run scripts/NAME with ARGS from the repo root (relative $MICROCONV_DB paths mean the same there)."""
    completed = subprocess.run(
        [sys.executable, str(SCRIPTS_DIR / name), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return ScriptResult(completed.returncode, completed.stdout, completed.stderr)
