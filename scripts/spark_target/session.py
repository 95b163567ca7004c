"""A SparkSession with the settings of the dbt profile's `spark` target (profiles/profiles.yml).

The profile is the one place the settings live: its `server_side_parameters` are read here and their
`{{ env_var('NAME', 'default') }}` templates resolved the way dbt resolves them, so the loader, the export
and dbt (method `session`) open the same warehouse folder and the same metastore. Relative paths are
relative to the current directory, as for dbt (run from the repo root).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from common.cli import CliError
from common.constants import REPO_ROOT

PROFILE = REPO_ROOT / "profiles" / "profiles.yml"
_ENV_VAR = re.compile(r"""\{\{\s*env_var\(\s*'([^']+)'\s*(?:,\s*'([^']*)'\s*)?\)\s*(\|\s*int\s*)?\}\}""")


def render(value: object) -> str:
    """`{{ env_var('X', 'd') }}` in a profile value -> $X or 'd'."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name, default)
        if found is None:
            raise CliError(f"{PROFILE}: environment variable {name} is not set")
        return found

    return _ENV_VAR.sub(replace, str(value))


def spark_settings(profile: Path = PROFILE) -> dict[str, str]:
    """The `spark` target's server_side_parameters, rendered."""
    try:
        outputs = yaml.safe_load(profile.read_text())["microconv"]["outputs"]
        parameters: dict[str, Any] = outputs["spark"]["server_side_parameters"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise CliError(f"{profile}: no spark target with server_side_parameters ({exc})") from None
    return {key: render(value) for key, value in parameters.items()}


def warehouse_dir() -> str:
    return spark_settings()["spark.sql.warehouse.dir"]


def spark_session() -> Any:  # pyspark is imported here: DuckDB-only runs never start a JVM
    """The SparkSession (Hive metastore support), quiet (warnings only)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise CliError("pyspark is not installed: run 'make setup'") from None
    builder = SparkSession.builder.appName("microconv").enableHiveSupport()
    for key, value in spark_settings().items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # JVM missing, bad master, metastore locked by another process
        flat = " ".join(str(exc).split())[:300]
        raise CliError(f"cannot start Spark: {flat} (Java 17 needed; one process at a time)") from None
    session.sparkContext.setLogLevel("ERROR")
    return session
