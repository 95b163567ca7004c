"""The load of new event files from $MICROCONV_INCOMING into raw.events and raw.load_log."""

import re
from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from .paths import incoming_dir, incoming_files, warehouse_path
from .scripts import run_script

RAW_EVENTS = AssetKey(["raw", "events"])
RAW_LOAD_LOG = AssetKey(["raw", "load_log"])
TOTAL_LINE = re.compile(r"total: (\d+) files loaded, (\d+) rows .*; (\d+) skipped, (\d+) failed")


def parse_total(stdout: str) -> dict[str, int]:
    """Counts from the loader's total line ({} when it printed none)."""
    match = TOTAL_LINE.search(stdout)
    if match is None:
        return {}
    loaded, rows, skipped, failed = (int(group) for group in match.groups())
    return {"files_loaded": loaded, "rows_loaded": rows, "files_skipped": skipped, "files_failed": failed}


@multi_asset(
    specs=[
        AssetSpec(
            RAW_EVENTS,
            description="Every row of every loaded event file (canonical columns as text plus load "
            "metadata); the dbt source raw.events.",
            group_name="raw",
            kinds={"duckdb", "python"},
        ),
        AssetSpec(
            RAW_LOAD_LOG,
            description="One row per loaded file (content hash, rows); the dbt source raw.load_log.",
            group_name="raw",
            kinds={"duckdb", "python"},
        ),
    ],
    name="load_incoming_files",
    description="Load the event files of $MICROCONV_INCOMING (default data/incoming) with "
    "scripts/load_events.py. Idempotent: a file whose content hash is already in raw.load_log is skipped.",
)
def load_incoming_files(context: AssetExecutionContext) -> Iterator[MaterializeResult]:
    folder = incoming_dir()
    files = incoming_files(folder)
    metadata: dict[str, object] = {
        "incoming_dir": MetadataValue.path(str(folder)),
        "warehouse": MetadataValue.path(str(warehouse_path())),
        "files_in_folder": len(files),
    }
    if not files:
        context.log.info(f"no loadable files in {folder}: nothing to load")
        counts = {"files_loaded": 0, "rows_loaded": 0, "files_skipped": 0, "files_failed": 0}
    else:
        result = run_script("load_events.py", [str(folder), "--db", str(warehouse_path())])
        for line in result.stdout.splitlines():
            context.log.info(line)
        if result.exit_code != 0:
            raise Failure(
                description=f"load_events.py exited {result.exit_code}: {result.stderr.strip()}",
                metadata={
                    "stderr": MetadataValue.text(result.stderr),
                    "stdout": MetadataValue.text(result.stdout),
                },
            )
        counts = parse_total(result.stdout)
    metadata.update(counts)
    yield MaterializeResult(asset_key=RAW_EVENTS, metadata=metadata)
    yield MaterializeResult(asset_key=RAW_LOAD_LOG, metadata=counts)
