"""The data and funnel checks (scripts/check_data.py, scripts/check_funnels.py) as Dagster asset checks.

The scripts exit 0 when healthy, 1 when they found something to look at, 2 on an error (missing
database or table, bad argument). The checks pass on 0, fail with severity WARN on 1 and with
severity ERROR on 2.
"""

import datetime as dt
import json
import os
from collections.abc import Sequence

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from .paths import warehouse_path
from .scripts import run_script

LOAD_RECONCILIATION = AssetKey(["marts", "mart_load_reconciliation"])
FUNNEL_ALERTS = AssetKey(["marts", "mart_funnel_alerts"])
ALERTS_SINCE_ENV_VAR = "MICROCONV_ALERTS_SINCE"


def severity_for(exit_code: int) -> AssetCheckSeverity:
    """WARN for 1 (something to look at), ERROR for 2 or anything else that is not 0."""
    return AssetCheckSeverity.WARN if exit_code == 1 else AssetCheckSeverity.ERROR


def check_result(script: str, args: Sequence[str] = ()) -> AssetCheckResult:
    """Run a check script with --json on the warehouse and turn its exit code into the check's outcome."""
    result = run_script(script, ["--db", str(warehouse_path()), "--json", *args])
    metadata: dict[str, object] = {"exit_code": result.exit_code, "command": " ".join([script, *args])}
    try:
        report = json.loads(result.stdout) if result.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
        metadata["stdout"] = MetadataValue.text(result.stdout)
    if report is not None:
        metadata["report"] = MetadataValue.json(report)
        if isinstance(report, list):
            metadata["alerts"] = len(report)
    if result.stderr.strip():
        metadata["stderr"] = MetadataValue.text(result.stderr.strip())
    return AssetCheckResult(
        passed=result.exit_code == 0,
        severity=severity_for(result.exit_code),
        metadata=metadata,
    )


def alerts_since(value: str | None, today: dt.date | None = None) -> str | None:
    """$MICROCONV_ALERTS_SINCE as check_funnels.py's --since date: a date, a number of days back, or none."""
    if not value:
        return None
    if value.isdigit():
        return ((today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=int(value))).isoformat()
    return dt.date.fromisoformat(value).isoformat()


@asset_check(
    asset=LOAD_RECONCILIATION,
    name="data_check",
    description="scripts/check_data.py: per loaded file raw rows = staged + duplicates removed + rejected, "
    "and the newest load at most 48 h old. Exit 1 -> WARN, exit 2 -> ERROR.",
)
def data_check() -> AssetCheckResult:
    return check_result("check_data.py")


@asset_check(
    asset=FUNNEL_ALERTS,
    name="funnel_alerts_check",
    description="scripts/check_funnels.py: funnel step conversion drops (marts.mart_funnel_alerts); "
    "fails with WARN while there are alerts (still running on or after $MICROCONV_ALERTS_SINCE when set: "
    "a date, or a number of days back), ERROR when the check cannot run.",
)
def funnel_alerts_check() -> AssetCheckResult:
    since = alerts_since(os.environ.get(ALERTS_SINCE_ENV_VAR))
    return check_result("check_funnels.py", ["--since", since] if since else [])
