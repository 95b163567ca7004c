"""Helpers shared by the script tests: run a CLI in-process or as a subprocess, check one-line errors."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from common.cli import run_cli
from common.constants import EXIT_ERROR

REPO = Path(__file__).resolve().parents[1]


def run_in_process(
    main: Callable[[list[str] | None], int], *args: object
) -> subprocess.CompletedProcess[str]:
    """Run a script's main() in this process (fast); same result shape as `run_script`."""
    out, err = io.StringIO(), io.StringIO()
    argv = [str(a) for a in args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_cli(main, argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def run_script(script: Path, *args: object) -> subprocess.CompletedProcess[str]:
    """Run a script as the CLI, in a subprocess from the repo root."""
    return subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """Exit code 2, exactly one `error: ...` line on stderr containing every fragment, no traceback."""
    assert result.returncode == EXIT_ERROR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def kill_when_model_starts(
    args: list[str], model: str, delay_s: float, env: Mapping[str, str] | None = None
) -> int:
    """Run a dbt command and kill -9 its whole process group `delay_s` after it logs START of `model`.

    Returns the exit code (-SIGKILL when the kill happened; the command's own code when it ended first).
    """
    process = subprocess.Popen(
        args,
        cwd=REPO,
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "START" in line and f".{model} " in line:
            time.sleep(delay_s)
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait()
    process.stdout.close()
    return process.returncode
