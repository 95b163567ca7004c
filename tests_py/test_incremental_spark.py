"""Incremental builds on Spark recover from a killed build (`make test-spark-full`; skipped elsewhere).

Runs on the warehouse `make test-spark` leaves ($MICROCONV_SPARK_WAREHOUSE): the generated events loaded in
two batches, the second built incrementally, equal to DuckDB's full build of the same files
($MICROCONV_SPARK_RECOVERY_EXPECTED). Spark has no transaction across statements, so the test puts the
warehouse in each state a kill -9 can leave between two of them:

- every incremental model's watermark back before the second batch: killed after its rows, before its
  watermark (the rows of that batch are in, the state says they are not);
- int_sessions__aggregated renamed to __old_<run> with a __swap_<run> beside it: killed between the two
  renames of a replace (the table is missing);
- a fct_sessions__swap_<run> table (killed after the swap was written) and the folder of a half-written one
  (killed while it was written: Spark refuses to create a table over a folder that is not empty);

then starts the incremental models' `dbt run`, kills it (-9, its process group) when int_conversions__unioned
starts, runs it again, and compares every relation with the DuckDB build: equal, and no __swap / __old table
left.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import kill_when_model_starts
from compare_warehouses import main as compare_main

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
EXPECTED = os.environ.get("MICROCONV_SPARK_RECOVERY_EXPECTED")
KILL_AT_MODEL = "int_conversions__unioned"
BOOKKEEPING = ["intermediate.int_visitors__changed", "intermediate.int_user_keys__changed"]

pytestmark = pytest.mark.skipif(
    not EXPECTED, reason="make test-spark-full only: needs the warehouse make test-spark leaves"
)

# The states a kill -9 leaves, made in one Spark process (the embedded metastore takes one at a time).
KILLED_STATES = """
import sys

sys.path.insert(0, "scripts")
from pathlib import Path

from spark_target.session import spark_session, warehouse_dir

spark = spark_session()
state = "intermediate.microconv_incremental_state"
# The last load before the second batch, whose first file is the late events' fixture.
first_batch = spark.sql(
    "select min(load_id) - 1 from raw.load_log where source_file like '%batch1_late_events%'"
).first()[0]
models = [row[0] for row in spark.sql(f"select distinct model_name from {state}").collect()]
values = ", ".join(f"({first_batch}, '{model}')" for model in models)
spark.sql(f"insert overwrite table {state} partition (model_name) values {values}")
aggregated = "intermediate.int_sessions__aggregated"
spark.sql(f"alter table {aggregated} rename to {aggregated}__old_killed1")
spark.sql(f"create table {aggregated}__swap_killed1 as select * from {aggregated}__old_killed1")
spark.sql("create table marts.fct_sessions__swap_killed2 as select * from marts.fct_sessions limit 10")
half_written = Path(warehouse_dir()) / "marts.db" / "fct_sessions__swap_killed3" / "_temporary" / "0"
half_written.mkdir(parents=True)
(half_written / "part-00000.parquet").write_bytes(b"PAR1")
print(f"watermarks of {len(models)} models back to load {first_batch}")
spark.stop()
"""


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result


def _dbt_run(tmp_path: Path) -> list[str]:
    return [
        str(VENV_BIN / "dbt"),
        "--no-use-colors",
        "--log-path",
        str(tmp_path / "logs"),
        "run",
        "--profiles-dir",
        "profiles",
        "--target",
        "spark",
        "--target-path",
        str(tmp_path / "target"),
        "--select",
        "config.materialized:incremental",
    ]


def test_killed_builds_recover_to_the_full_build(tmp_path: Path) -> None:
    states = _run([sys.executable, "-c", KILLED_STATES])
    assert re.search(r"watermarks of \d+ models", states.stdout), states.stdout
    assert kill_when_model_starts(_dbt_run(tmp_path), KILL_AT_MODEL, delay_s=2) == -signal.SIGKILL
    _run(_dbt_run(tmp_path))
    actual = tmp_path / "recovered_spark.duckdb"
    _run(
        [
            sys.executable,
            "scripts/export_spark.py",
            str(actual),
            "--like",
            str(EXPECTED),
            "--schemas",
            "staging",
            "intermediate",
            "marts",
        ]
    )
    compared = [str(EXPECTED), str(actual), "--schemas", "staging", "intermediate", "marts"]
    ignored = ["--ignore-columns", "_loaded_at", "loaded_at", "--ignore-relations", *BOOKKEEPING]
    assert compare_main([*compared, *ignored]) == 0
