"""The Dagster code location: it validates, its assets and checks cover the project, and a full
materialization on generated data loads, builds and checks; the check scripts' exit codes set the
asset checks' severity; the sensor starts a run for new files only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DagsterRunStatus,
    RunRequest,
    SkipReason,
    build_sensor_context,
)
from pipeline_warehouse import REPO, VENV_BIN, Pipeline, built_by_dagster

from orchestration.microconv_dagster import checks, paths
from orchestration.microconv_dagster.definitions import defs
from orchestration.microconv_dagster.project import microconv_project
from orchestration.microconv_dagster.triggers import new_files_sensor

SCRIPT_CHECKS = {
    "data_check": AssetKey(["marts", "mart_load_reconciliation"]),
    "funnel_alerts_check": AssetKey(["marts", "mart_funnel_alerts"]),
}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    built = built_by_dagster()
    output = built.materialize.stdout[-4000:] + built.materialize.stderr[-4000:]
    assert built.materialize.returncode == 0, output
    return built


def _manifest_models() -> set[AssetKey]:
    manifest = json.loads(microconv_project.manifest_path.read_text())
    return {
        AssetKey([node["config"]["schema"], node["name"]])
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed") and node["package_name"] == "microconv"
    }


def test_definitions_validate_from_the_repo_root() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "dagster"), "definitions", "validate"],
        cwd=REPO,
        env={**os.environ, "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Validation successful for code location microconv" in output


def test_every_model_seed_and_raw_table_is_an_asset() -> None:
    graph = defs.resolve_asset_graph()
    expected = _manifest_models() | {AssetKey(["raw", "events"]), AssetKey(["raw", "load_log"])}
    assert set(graph.materializable_asset_keys) == expected
    check_names = {key.name for key in graph.asset_check_keys}
    assert {"data_check", "funnel_alerts_check", "unique_fct_sessions_session_id"} <= check_names
    # dbt models read the loaded tables: the raw assets are upstream of staging.
    assert AssetKey(["raw", "events"]) in graph.get(AssetKey(["staging", "stg_events__unioned"])).parent_keys


def test_schedule_and_sensor_run_the_pipeline_job() -> None:
    schedule = defs.resolve_schedule_def("microconv_daily")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("30 5 * * *", "UTC")
    assert schedule.job_name == "microconv_pipeline"
    assert defs.resolve_sensor_def("microconv_new_files").job_name == "microconv_pipeline"


def test_materialize_all_assets_on_generated_data(pipeline: Pipeline) -> None:
    instance = DagsterInstance.from_config(str(pipeline.dagster_home))
    (run,) = instance.get_runs()
    assert run.status == DagsterRunStatus.SUCCESS
    materialized = {
        record.dagster_event.asset_key
        for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
    }
    assert materialized == set(defs.resolve_asset_graph().materializable_asset_keys)
    evaluations = [
        record.dagster_event.event_specific_data
        for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
    ]
    by_name = {evaluation.check_name: evaluation for evaluation in evaluations}
    failed = [name for name, evaluation in by_name.items() if not evaluation.passed]
    assert failed == []
    for name, asset_key in SCRIPT_CHECKS.items():
        assert by_name[name].asset_key == asset_key
    assert len(by_name) > 100  # the dbt data tests ran as asset checks
    with duckdb.connect(str(pipeline.db), read_only=True) as con:
        (events,) = con.execute("select count(*) from raw.events").fetchone()
        (files,) = con.execute("select count(*) from raw.load_log").fetchone()
    assert events == 3000
    assert files == len(paths.incoming_files(pipeline.incoming))


def _with_env(monkeypatch: pytest.MonkeyPatch, pipeline: Pipeline, db: Path) -> None:
    monkeypatch.setenv("MICROCONV_DB", str(db))
    monkeypatch.setenv("MICROCONV_INCOMING", str(pipeline.incoming))


def test_funnel_alert_makes_the_check_warn(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A few thousand events are too few for the planted incident to reach significance (it needs the
    # demo's 300k), so the alert row the demo produces is planted in a copy of the built warehouse.
    db = tmp_path / "alerting.duckdb"
    shutil.copy(pipeline.db, db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            """
            insert into marts.mart_funnel_alerts by name
            select 'e774accd38204a205313f46e4dc4127e' as alert_id, 'purchase' as funnel_id, 5 as step_number,
                'payment_info' as goal_id, 'device_category' as segment_type, 'mobile' as segment_value,
                'day' as alert_period, date '2026-10-06' as alert_start, date '2026-10-12' as alert_end,
                7 as periods, 5 as flagged_periods, 'step_lost' as alert_type, 'critical' as severity,
                72 as sessions_reached_previous, 1 as sessions_reached, 1 / 72 as rate,
                318 as baseline_sessions_reached_previous, 258 as baseline_sessions_reached,
                258 / 318 as baseline_rate, -0.98 as relative_change, 57 as sessions_lost,
                6e-11 as p_value, 1.8e-7 as q_value, 2904 as tests, 'all' as related_segments
            """
        )
    _with_env(monkeypatch, pipeline, db)
    result = checks.funnel_alerts_check()
    assert (result.passed, result.severity) == (False, AssetCheckSeverity.WARN)
    assert result.metadata["exit_code"].value == 1
    (alert,) = result.metadata["report"].value
    assert (alert["funnel_id"], alert["goal_id"]) == ("purchase", "payment_info")
    assert (alert["segment_type"], alert["segment_value"]) == ("device_category", "mobile")
    assert (alert["alert_start"], alert["alert_end"]) == ("2026-10-06", "2026-10-12")
    # Alerts that ended before $MICROCONV_ALERTS_SINCE do not count.
    monkeypatch.setenv(checks.ALERTS_SINCE_ENV_VAR, "2026-10-13")
    assert checks.funnel_alerts_check().passed


def test_healthy_checks_pass(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    _with_env(monkeypatch, pipeline, pipeline.db)
    for check in (checks.data_check, checks.funnel_alerts_check):
        result = check()
        assert result.passed, result.metadata


def test_broken_warehouse_makes_the_checks_error(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_env(monkeypatch, pipeline, tmp_path / "missing.duckdb")
    for check in (checks.data_check, checks.funnel_alerts_check):
        result = check()
        assert (result.passed, result.severity) == (False, AssetCheckSeverity.ERROR)
        assert result.metadata["exit_code"].value == 2
        assert "error:" in result.metadata["stderr"].value


def test_data_mismatch_makes_the_data_check_warn(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "mismatch.duckdb"
    shutil.copy(pipeline.db, db)
    with duckdb.connect(str(db)) as con:  # a file loaded after the build: the mart does not reconcile it
        con.execute(
            "insert into raw.load_log by name select 999 as load_id, 'late.csv' as source_file, "
            "'late' as content_hash, 'csv' as file_format, 1 as rows, "
            "current_timestamp::timestamp as loaded_at"
        )
    _with_env(monkeypatch, pipeline, db)
    result = checks.data_check()
    assert (result.passed, result.severity) == (False, AssetCheckSeverity.WARN)


@pytest.mark.parametrize(
    ("exit_code", "severity"), [(1, AssetCheckSeverity.WARN), (2, AssetCheckSeverity.ERROR)]
)
def test_severity_follows_exit_code(exit_code: int, severity: AssetCheckSeverity) -> None:
    assert checks.severity_for(exit_code) == severity


def test_alerts_since() -> None:
    import datetime as dt

    assert checks.alerts_since(None) is None
    assert checks.alerts_since("2026-10-01") == "2026-10-01"
    assert checks.alerts_since("2", today=dt.date(2026, 11, 30)) == "2026-11-28"


def test_sensor_requests_a_run_for_new_or_changed_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROCONV_INCOMING", str(tmp_path / "incoming"))
    context = build_sensor_context()
    assert isinstance(new_files_sensor(context), SkipReason)  # folder missing
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "notes.txt").write_text("not an event file")
    assert isinstance(new_files_sensor(context), SkipReason)
    events = tmp_path / "incoming" / "day1.csv"
    events.write_text("event_id,event_name,event_ts,anonymous_id\n1,page_view,2026-10-01T00:00:00Z,a\n")
    first = new_files_sensor(context)
    assert isinstance(first, RunRequest)
    assert first.tags["microconv/new_files"] == "1"
    assert isinstance(new_files_sensor(context), SkipReason)  # cursor: already requested
    events.write_text(events.read_text() + "2,page_view,2026-10-01T00:01:00Z,a\n")
    second = new_files_sensor(context)
    assert isinstance(second, RunRequest)
    assert second.run_key != first.run_key


def test_loadable_suffixes_match_the_loader() -> None:
    from common.event_files import EXTENSIONS

    assert set(paths.LOADABLE_SUFFIXES) == set(EXTENSIONS)
