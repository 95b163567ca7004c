"""The benchmark's Spark phases (bench.py --spark): the same events loaded into Spark (local mode) and built
there with dbt-spark, next to DuckDB's build of them in the same run.

- `spark_load` (after DuckDB's load, before the generated files are deleted): scripts/load_events.py
  --target spark into a fresh Spark warehouse under WORKDIR (WORKDIR/spark/warehouse, its Derby metastore
  beside it);
- `spark_build` (after the DuckDB phases, so the two never share the cores): `dbt seed` and `dbt run
  --full-refresh` on the `spark` target, each model's time from its run_results.json, and the ratio of
  Spark's `dbt run` to DuckDB's.

Spark's settings come from the `spark` target of profiles/profiles.yml and its variables
(MICROCONV_SPARK_MASTER, default local[*] = every core; MICROCONV_SPARK_SHUFFLE_PARTITIONS;
MICROCONV_SPARK_DRIVER_MEMORY, which the benchmark raises to SPARK_DRIVER_MEMORY unless set;
MICROCONV_SPARK_DBT_THREADS); the ones used are recorded in the results. The Spark phases' peak RSS is
that of the whole process tree (dbt's Python process and the JVM it starts).
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from common.constants import REPO_ROOT

from benchmark.dbt_results import group_models, model_timings
from benchmark.measure import (
    DBT,
    PYTHON,
    PhaseResult,
)

if TYPE_CHECKING:  # phases imports this module for its PIPELINE
    from benchmark.phases import BenchRun

# Local mode: the driver is the whole Spark, executors included; the profile's 4g is sized for the test data.
SPARK_DRIVER_MEMORY = "8g"
SPARK_SETTINGS = (
    "MICROCONV_SPARK_MASTER",
    "MICROCONV_SPARK_SHUFFLE_PARTITIONS",
    "MICROCONV_SPARK_DRIVER_MEMORY",
    "MICROCONV_SPARK_DBT_THREADS",
)


def spark_dir(run: BenchRun) -> Path:
    return run.workdir / "spark"


def spark_env(run: BenchRun) -> dict[str, str]:
    """The DuckDB phases' environment plus the Spark warehouse under WORKDIR and the log4j settings."""
    env = dict(run.env, SPARK_CONF_DIR=str(REPO_ROOT / "profiles" / "spark"))
    env["MICROCONV_SPARK_WAREHOUSE"] = str(spark_dir(run) / "warehouse")
    env.setdefault("MICROCONV_SPARK_DRIVER_MEMORY", SPARK_DRIVER_MEMORY)
    return env


def spark_phase(run: BenchRun, name: str, cmd: list[str], per_event: bool = True) -> PhaseResult:
    """One Spark child process as the phase `name`, its peak RSS that of its process tree (with the JVM)."""
    return run.child_phase(name, cmd, per_event, env=spark_env(run), tree=True)


def spark_load(run: BenchRun) -> None:
    """The same files into a fresh Spark warehouse (skipped without --spark); then the files can go."""
    if not run.args.spark:
        return
    shutil.rmtree(spark_dir(run), ignore_errors=True)
    spark_dir(run).mkdir(parents=True)
    cmd = [PYTHON, "scripts/load_events.py", "--target", "spark", "--quiet", str(run.data_dir)]
    spark_phase(run, "spark load", cmd)
    if run.generates and not run.args.keep:
        shutil.rmtree(run.data_dir, ignore_errors=True)


def spark_build(run: BenchRun) -> None:
    """`dbt seed` and `dbt run --full-refresh` on Spark, per-model times, and Spark's run / DuckDB's run."""
    if not run.args.spark:
        return
    target = run.workdir / "target_spark"
    options = ["--profiles-dir", "profiles", "--target", "spark", "--target-path", str(target),
               "--log-path", str(run.logs_dir)]  # fmt: skip
    spark_phase(run, "spark dbt seed", [DBT, "seed", *options], per_event=False)
    try:
        run_cmd = [DBT, "run", "--full-refresh", *options, *run.dbt_select]
        spark_run = spark_phase(run, "spark dbt run", run_cmd)
    finally:
        if (target / "run_results.json").exists() and "spark dbt run" in run.samplers:
            models = model_timings(target, run.samplers["spark dbt run"], {})
            run.report["spark"] = {
                "settings": {name: spark_env(run).get(name, "(profile default)") for name in SPARK_SETTINGS},
                "models": [asdict(model) for model in models],
                "model_groups": group_models(models, run.events),
            }
    duckdb_run = run.phase("dbt run")
    if duckdb_run and duckdb_run.seconds:
        ratio = spark_run.seconds / duckdb_run.seconds
        run.report["spark"] |= {"run_seconds": spark_run.seconds, "duckdb_run_seconds": duckdb_run.seconds,
                                "ratio_to_duckdb": ratio}  # fmt: skip
        run.console.print(
            f"  Spark dbt run {spark_run.seconds:,.1f} s = {ratio:.1f}x DuckDB's {duckdb_run.seconds:,.1f} s "
            f"on the same {run.events:,} events"
        )
