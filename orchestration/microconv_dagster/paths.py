"""Where things are: the repo, the warehouse, the incoming folder (environment variables as in README)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPO_ROOT / "scripts"
PROFILES_DIR = REPO_ROOT / "profiles"

DB_ENV_VAR = "MICROCONV_DB"
DEFAULT_DB = "warehouse/microconv.duckdb"
INCOMING_ENV_VAR = "MICROCONV_INCOMING"
DEFAULT_INCOMING = "data/incoming"

# Extensions scripts/load_events.py reads (common/event_files.py: detect_format); a test keeps them in step.
LOADABLE_SUFFIXES: tuple[str, ...] = (
    ".csv",
    ".csv.gz",
    ".parquet",
    ".jsonl",
    ".jsonl.gz",
    ".ndjson",
    ".ndjson.gz",
)


def from_repo_root(value: str) -> Path:
    """A path from the environment: absolute as is, relative to the repo root (where commands run)."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def warehouse_path() -> Path:
    """The DuckDB file: $MICROCONV_DB, default warehouse/microconv.duckdb."""
    return from_repo_root(os.environ.get(DB_ENV_VAR) or DEFAULT_DB)


def incoming_dir() -> Path:
    """The folder new event files arrive in: $MICROCONV_INCOMING, default data/incoming."""
    return from_repo_root(os.environ.get(INCOMING_ENV_VAR) or DEFAULT_INCOMING)


def is_loadable(path: Path) -> bool:
    """True for a non-hidden file the loader reads (the loader's directory rule, not recursive)."""
    name = path.name.lower()
    return path.is_file() and not name.startswith(".") and name.endswith(LOADABLE_SUFFIXES)


def incoming_files(folder: Path | None = None) -> list[Path]:
    """Loadable files of the incoming folder, in name order (the loader's order); none if it is missing."""
    folder = folder or incoming_dir()
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if is_loadable(path))
