"""`.venv/bin/dagster`, with the code location of `pyproject.toml` as the default for every command.

Dagster 1.13 reads `[tool.dagster]` for `dagster dev` and `dagster definitions validate`, but not for
`dagster asset materialize` (and a few other commands), which then stop with a usage error. `make setup`
installs this module as `.venv/bin/dagster`: when a command is given no code location (`-f`, `-m`,
`--package-name`, `--autoload-defs-module-name`, `-w`, or their DAGSTER_CLI_* environment variables), it adds
`-m <module_name>` from the `[tool.dagster]` table of the `pyproject.toml` in the working directory, for the
commands that accept it. Everything else is passed through unchanged to Dagster's own CLI.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

# Commands that take a python pointer (-m) and do not read [tool.dagster] themselves in Dagster 1.13
# (`dagster dev`, `definitions validate`, `job list` and `job print` do).
POINTER_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("asset", "materialize"),
    ("asset", "list"),
    ("job", "execute"),
)
POINTER_FLAGS: frozenset[str] = frozenset(
    {
        "-f", "--python-file",
        "-m", "--module-name",
        "--package-name",
        "--autoload-defs-module-name",
        "-w", "--workspace",
        "-d", "--working-directory",
        "--grpc-port", "--grpc-socket", "--grpc-host",
    }
)  # fmt: skip
POINTER_ENV_SUFFIXES: tuple[str, ...] = ("_PYTHON_FILE", "_MODULE_NAME", "_PACKAGE_NAME", "_WORKSPACE")


def configured_module(pyproject: Path) -> str | None:
    """`module_name` of the `[tool.dagster]` table, or None (no file, no table, unreadable)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    module = data.get("tool", {}).get("dagster", {}).get("module_name")
    return module if isinstance(module, str) and module else None


def with_default_location(argv: Sequence[str], environ: dict[str, str], cwd: Path) -> list[str]:
    """The arguments for Dagster's CLI: `argv` plus `-m <module>` when the command needs a code location
    and none is given."""
    args = list(argv)
    command = next((c for c in POINTER_COMMANDS if tuple(args[: len(c)]) == c), None)
    if command is None:
        return args
    given = any(arg.split("=", 1)[0] in POINTER_FLAGS for arg in args[len(command) :])
    env_prefix = "DAGSTER_CLI_" + "_".join(part.upper().replace("-", "_") for part in command)
    from_env = any(environ.get(env_prefix + suffix) for suffix in POINTER_ENV_SUFFIXES)
    module = configured_module(cwd / "pyproject.toml")
    if given or from_env or module is None:
        return args
    return [*command, "-m", module, *args[len(command) :]]


def main() -> int:
    from dagster._cli import main as dagster_main

    sys.argv = [sys.argv[0], *with_default_location(sys.argv[1:], dict(os.environ), Path.cwd())]
    return dagster_main()


def install(script: Path, repo: Path) -> None:
    """Write `script` (`.venv/bin/dagster`) as a launcher of this module, replacing pip's console script."""
    script.write_text(
        f"#!{Path(sys.executable)}\n"
        "# Written by `make setup` (orchestration/dagster_cli.py): Dagster's CLI, with the code location of\n"
        "# pyproject.toml's [tool.dagster] as the default for `dagster asset materialize`.\n"
        "import sys\n"
        f"sys.path.insert(0, {str(repo)!r})\n"
        "from orchestration.dagster_cli import main\n"
        "sys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)


if __name__ == "__main__":
    sys.exit(main())
