"""bench.py --spark: the same events loaded into Spark (local mode) and built there next to DuckDB's build.

The helpers are tested here in every `make pytest`; the tiny Spark run (2,000 events, about 4 minutes) only in
`make test-spark-full` (MICROCONV_BENCH_SPARK_TEST=1), like the other slow Spark tests. No timing assertions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmark.measure import descendants, rss_kib, tree_rss_kib
from benchmark.options import parse_args
from benchmark.phases import PIPELINE, BenchRun
from benchmark.spark import SPARK_DRIVER_MEMORY, spark_build, spark_env, spark_load
from rich.console import Console

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "bench.py"
CHILD_MIB = 200
# A child that starts a grandchild holding CHILD_MIB MiB, then both wait (as dbt on Spark starts the JVM).
PARENT_OF_A_BIG_CHILD = (
    "import subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', "
    f"'x = b\"1\" * ({CHILD_MIB} * 2**20); import time; time.sleep(30)'])\n"
    "time.sleep(30)\n"
)


def bench_run(tmp_path: Path, *argv: str) -> BenchRun:
    args = parse_args(["--events", "10", "--workdir", str(tmp_path), *argv])
    return BenchRun(args=args, console=Console(), events=10, workdir=tmp_path)


def test_tree_rss_counts_the_children() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT_OF_A_BIG_CHILD])
    try:
        deadline = time.time() + 20
        while time.time() < deadline and (
            len(descendants(parent.pid)) < 2
            or tree_rss_kib(parent.pid) < rss_kib(parent.pid) + CHILD_MIB * 900
        ):
            time.sleep(0.2)
        tree = descendants(parent.pid)
        assert tree[0] == parent.pid and len(tree) == 2
        assert tree_rss_kib(parent.pid) >= rss_kib(parent.pid) + CHILD_MIB * 900  # KiB, most of it resident
    finally:
        for pid in reversed(descendants(parent.pid)):
            os.kill(pid, 9)
        parent.wait()


def test_spark_phases_are_in_the_pipeline_and_skipped_without_the_option(tmp_path: Path) -> None:
    assert PIPELINE.index(spark_load) == 2 and PIPELINE[-1] is spark_build
    run = bench_run(tmp_path)
    spark_load(run)
    spark_build(run)
    assert run.phases == [] and "spark" not in run.report and not (tmp_path / "spark").exists()


def test_spark_environment_is_under_the_work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROCONV_SPARK_DRIVER_MEMORY", raising=False)
    env = spark_env(bench_run(tmp_path, "--spark"))
    assert env["MICROCONV_SPARK_WAREHOUSE"] == str(tmp_path / "spark" / "warehouse")
    assert env["MICROCONV_SPARK_DRIVER_MEMORY"] == SPARK_DRIVER_MEMORY
    assert env["SPARK_CONF_DIR"] == str(REPO / "profiles" / "spark") and env["DO_NOT_TRACK"] == "1"
    monkeypatch.setenv("MICROCONV_SPARK_DRIVER_MEMORY", "3g")  # the user's setting wins
    assert spark_env(bench_run(tmp_path, "--spark"))["MICROCONV_SPARK_DRIVER_MEMORY"] == "3g"


@pytest.mark.skipif(
    os.environ.get("MICROCONV_BENCH_SPARK_TEST") != "1",
    reason="make test-spark-full only (a Spark run, minutes)",
)
def test_tiny_spark_bench(tmp_path: Path) -> None:
    workdir, results = tmp_path / "work", tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCONV_") and k != "BENCH_EVENTS"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--spark", "--events", "2000", "--seed", "3", "--no-tests",
         "--no-reference", "--no-incremental", "--no-anchor-funnels", "--workdir", str(workdir),
         "--results-dir", str(results)],
        cwd=REPO, env=env | {"MICROCONV_SPARK_MASTER": "local[2]"}, capture_output=True, text=True,
        timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr + proc.stdout
    report = json.loads(next(results.glob("*.json")).read_text())
    assert [p["phase"] for p in report["phases"]] == [
        "generate", "load", "spark load", "dbt seed", "dbt run", "spark dbt seed", "spark dbt run"
    ]  # fmt: skip
    spark = report["spark"]
    assert {m["name"] for m in spark["models"]} == {m["name"] for m in report["models"]}
    assert all(m["status"] == "success" for m in spark["models"])
    assert spark["ratio_to_duckdb"] > 0 and spark["settings"]["MICROCONV_SPARK_MASTER"] == "local[2]"
    assert "on the same events" in proc.stdout
    assert not (workdir / "spark").exists() and not (workdir / "data").exists()
