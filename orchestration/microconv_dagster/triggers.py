"""The pipeline job, its daily schedule and the sensor that starts it when new files arrive."""

import hashlib
import json
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from .paths import incoming_dir, incoming_files

# One writer at a time on the DuckDB file: runs carry this tag, and .dagster/dagster.yaml limits it to 1.
WAREHOUSE_TAG = {"microconv/warehouse": "duckdb"}
DAILY_CRON = "30 5 * * *"

microconv_pipeline = define_asset_job(
    name="microconv_pipeline",
    selection=AssetSelection.all(),
    description="Load new files from $MICROCONV_INCOMING, `dbt build` (models, seeds, data tests as asset "
    "checks), then the data and funnel checks. Incremental once the models are (the same `dbt build`).",
    tags=WAREHOUSE_TAG,
)

daily_schedule = ScheduleDefinition(
    name="microconv_daily",
    job=microconv_pipeline,
    cron_schedule=DAILY_CRON,
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every day at 05:30 UTC: the whole pipeline (load, dbt build, checks).",
)


def file_signatures(files: list[Path]) -> dict[str, list[float]]:
    """name -> [size, mtime]: a new file, or a file rewritten in place, changes its entry."""
    signatures: dict[str, list[float]] = {}
    for path in files:
        stat = path.stat()
        signatures[path.name] = [stat.st_size, stat.st_mtime]
    return signatures


def new_files(current: dict[str, list[float]], cursor: str | None) -> list[str]:
    """Names whose signature is not in the cursor (the signatures seen at the last run request)."""
    seen: dict[str, list[float]] = json.loads(cursor) if cursor else {}
    return sorted(name for name, signature in current.items() if seen.get(name) != signature)


@sensor(
    name="microconv_new_files",
    job=microconv_pipeline,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Every minute: when a loadable file appears (or changes) in $MICROCONV_INCOMING, run the "
    "pipeline. The loader skips files already loaded (content hash), so a run for nothing new is harmless.",
)
def new_files_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
    folder = incoming_dir()
    current = file_signatures(incoming_files(folder))
    arrived = new_files(current, context.cursor)
    if not arrived:
        return SkipReason(f"no new files in {folder}")
    cursor = json.dumps(current, sort_keys=True)
    context.update_cursor(cursor)
    return RunRequest(
        run_key=hashlib.sha256(cursor.encode()).hexdigest()[:16],
        tags={**WAREHOUSE_TAG, "microconv/new_files": str(len(arrived))},
    )
