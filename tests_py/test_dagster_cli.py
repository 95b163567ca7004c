"""`.venv/bin/dagster` (orchestration/dagster_cli.py): the code location of pyproject.toml is the default for
the commands whose Dagster 1.13 implementation ignores [tool.dagster], and nothing else changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orchestration.dagster_cli import configured_module, install, with_default_location  # noqa: E402

MODULE = "orchestration.microconv_dagster.definitions"


def test_the_repo_declares_the_code_location() -> None:
    assert configured_module(REPO / "pyproject.toml") == MODULE


def test_materialize_without_a_location_gets_the_configured_module() -> None:
    argv = ["asset", "materialize", "--select", "*"]
    assert with_default_location(argv, {}, REPO) == ["asset", "materialize", "-m", MODULE, "--select", "*"]


@pytest.mark.parametrize(
    "argv",
    [
        ["asset", "materialize", "-m", "other.module", "--select", "*"],
        ["asset", "materialize", "--module-name=other.module", "--select", "*"],
        ["asset", "materialize", "-f", "defs.py", "--select", "*"],
        ["job", "execute", "-w", "workspace.yaml", "-j", "x"],
        ["definitions", "validate"],
        ["dev", "--port", "3000"],
    ],
)
def test_explicit_locations_and_other_commands_pass_through(argv: list[str]) -> None:
    assert with_default_location(argv, {}, REPO) == argv


def test_a_location_from_the_environment_is_respected() -> None:
    env = {"DAGSTER_CLI_ASSET_MATERIALIZE_MODULE_NAME": "other.module"}
    argv = ["asset", "materialize", "--select", "*"]
    assert with_default_location(argv, env, REPO) == argv


def test_no_pyproject_table_means_no_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n", encoding="utf-8")
    argv = ["asset", "materialize", "--select", "*"]
    assert with_default_location(argv, {}, tmp_path) == argv
    assert configured_module(tmp_path / "missing.toml") is None


def test_installed_launcher_runs_dagster(tmp_path: Path) -> None:
    script = tmp_path / "dagster"
    install(script, REPO)
    assert script.read_text(encoding="utf-8").startswith(f"#!{sys.executable}\n")
    result = subprocess.run(
        [str(script), "--version"], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "dagster" in result.stdout.lower()
