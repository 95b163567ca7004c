"""Tests for scripts/bench.py: a tiny end-to-end run (3,000 events) and its helpers. No timing assertions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmark import reference

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "bench.py"
Run = tuple[subprocess.CompletedProcess[str], dict[str, Any], Path]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """bench.py on 3,000 events, data tests skipped (the phases and the JSON are what is tested)."""
    tmp = tmp_path_factory.mktemp("bench")
    workdir, results = tmp / "work", tmp / "results"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCONV_") and k != "BENCH_EVENTS"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--events", "3000", "--seed", "3", "--no-tests",
         "--source-events", "1000", "--workdir", str(workdir), "--results-dir", str(results)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr + proc.stdout
    files = sorted(results.glob("*.json"))
    assert len(files) == 1, files
    return proc, json.loads(files[0].read_text()), workdir


def test_phases_are_timed(tiny_run: Run) -> None:
    _proc, report, _workdir = tiny_run
    phases = {p["phase"]: p for p in report["phases"]}
    assert list(phases) == [
        "generate", "load", "dbt seed", "dbt run anchor funnels", "dbt run", "reference",
        "generate one more day", "load one more day", "dbt run incremental", "source formats",
    ]  # fmt: skip
    anchors = report["anchor_funnels"]
    assert anchors["funnels"] == ["purchase", "lead"] and anchors["full_run_ratio"] > 0
    assert anchors["full_run_seconds"] == phases["dbt run"]["seconds"]
    assert {m["name"] for m in anchors["models"]} >= {"fct_funnel_sessions", "int_funnel_users__attempts"}
    # The anchor run saw only the anchor funnels; the main run saw every default funnel again (seeds back).
    anchor_rows = {m["name"]: m["rows"] for m in anchors["models"]}
    main_rows = {m["name"]: m["rows"] for m in report["models"]}
    assert anchor_rows["stg_config__funnels"] == 2 < main_rows["stg_config__funnels"]
    day = report["incremental_day"]
    assert day["events"] == 3000 // 56 and day["seconds"] > 0 and day["ratio_to_full_run"] > 0
    assert {m["name"] for m in day["models"]} >= {"stg_events", "fct_sessions"}
    formats = [row["format"] for row in report["source_formats"]]
    assert formats[0] == "canonical csv" and len(formats) == 7
    assert all(row["rows_per_s"] > 0 for row in report["source_formats"])
    for phase in phases.values():
        assert phase["seconds"] > 0
        assert phase["peak_rss_mib"] > 0
    assert phases["load"]["events_per_s"] > 0
    assert report["events"] == 3000
    assert report["raw_rows"] == 3000


def test_every_model_is_timed_and_grouped(tiny_run: Run) -> None:
    _proc, report, _workdir = tiny_run
    models = {m["name"]: m for m in report["models"]}
    models_dir = REPO / "models"
    expected = {p.stem for p in models_dir.rglob("*.sql")}
    assert set(models) == expected
    assert models["stg_events"]["group"] == "staging"
    assert models["int_events__sessionized"]["group"] == "intermediate"
    assert models["fct_sessions"]["group"] == "marts"
    assert models["fct_sessions"]["rows"] > 0
    assert all(m["seconds"] >= 0 for m in models.values())
    assert {g["group"] for g in report["model_groups"]} == {"staging", "intermediate", "marts", "semantic"}
    assert sum(g["models"] for g in report["model_groups"]) == len(models)


def test_reference_matches_the_dbt_marts(tiny_run: Run) -> None:
    """bench/reference.sql reproduces the models it covers: when a model's logic changes, update it too."""
    proc, report, _workdir = tiny_run
    checks = report["reference_checks"]
    assert len(checks) == len(reference.COMPARISONS)
    assert [c["check"] for c in checks if not c["match"]] == []
    assert report["ratio"]["scope"] > 0
    assert set(report["reference_scope"]) <= {m["name"] for m in report["models"]}
    assert "dbt / reference" in proc.stdout


def test_work_folder_is_removed(tiny_run: Run) -> None:
    _proc, _report, workdir = tiny_run
    assert not (workdir / "bench.duckdb").exists()
    assert not (workdir / "bench_anchor_funnels.duckdb").exists()
    assert not (workdir / "data").exists()


def test_reference_statements_split_on_line_end_semicolons() -> None:
    sql = "-- header; not a statement\ncreate table a as\nselect 1;\n\n-- note\ndrop table a;\n"
    assert reference.reference_statements(sql) == [
        "-- header; not a statement\ncreate table a as\nselect 1;",
        "-- note\ndrop table a;",
    ]


def test_reference_scope_reads_the_covers_lines() -> None:
    sql = "-- covers: a, b\n-- other\n--   covers: c\nselect 1;\n"
    assert reference.reference_scope(sql) == ["a", "b", "c"]
    assert "stg_events" in reference.reference_scope(reference.REFERENCE_SQL.read_text())


def test_comparison_query_groups_and_checksums() -> None:
    query = reference.comparison_query("marts.t", ("k",), ("a", "b"))
    assert query.startswith("select k, count(*), sum(hash(")
    assert query.endswith("from marts.t group by k order by k")
    no_checksum = reference.comparison_query("marts.t", ("k",), ())
    assert no_checksum == "select k, count(*) from marts.t group by k order by k"


def test_bad_events_is_a_one_line_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--events", "0", "--workdir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ")
    assert len(proc.stderr.strip().splitlines()) == 1
