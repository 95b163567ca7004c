"""`dbt docs generate` works, every column of every mart is described (checked against the catalog of
a built warehouse, so a column missing from the YAML counts), and the Dagster exposure covers the marts."""

from __future__ import annotations

import json
from fnmatch import fnmatch
from pathlib import Path

import pytest
from pipeline_warehouse import VENV_BIN, Pipeline, built_by_dagster, run

MARTS_SCHEMA = "marts"
DAGSTER_EXPOSURE = "exposure.microconv.dagster_microconv_pipeline"


def undocumented_mart_columns(manifest: dict, catalog: dict) -> list[str]:
    """`model.column` for every column of a marts-schema table (catalog) without a YAML description."""
    missing = []
    for unique_id, table in catalog["nodes"].items():
        node = manifest["nodes"].get(unique_id)
        if node is None or node["resource_type"] != "model" or table["metadata"]["schema"] != MARTS_SCHEMA:
            continue
        described = {
            name.lower(): (column.get("description") or "").strip()
            for name, column in node["columns"].items()
        }
        # Columns generated from a seed (mart_session_goals_wide) are described by a pattern in the model's
        # description and listed as `meta.generated_columns`.
        meta = node.get("config", {}).get("meta") or node.get("meta") or {}
        generated = meta.get("generated_columns", [])
        missing += [
            f"{node['name']}.{column}"
            for column in table["columns"]
            if not described.get(column.lower()) and not any(fnmatch(column, p) for p in generated)
        ]
    return sorted(missing)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    pipeline: Pipeline = built_by_dagster()
    assert pipeline.materialize.returncode == 0, pipeline.materialize.stderr[-4000:]
    target = tmp_path_factory.mktemp("docs_target")
    result = run(
        [
            str(VENV_BIN / "dbt"),
            "docs",
            "generate",
            "--profiles-dir",
            "profiles",
            "--target-path",
            str(target),
        ],
        pipeline.env,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    return manifest, catalog, target


def test_docs_generate_writes_the_site(docs: tuple[dict, dict, Path]) -> None:
    _, catalog, target = docs
    assert (target / "index.html").exists()
    assert not catalog.get("errors")


def test_every_mart_column_is_described(docs: tuple[dict, dict, Path]) -> None:
    manifest, catalog, _ = docs
    marts = [table for table in catalog["nodes"].values() if table["metadata"]["schema"] == MARTS_SCHEMA]
    assert len(marts) >= 14
    assert undocumented_mart_columns(manifest, catalog) == []


def test_undocumented_column_is_reported() -> None:
    manifest = {
        "nodes": {
            "model.microconv.m": {
                "resource_type": "model",
                "name": "m",
                "columns": {"a": {"description": "A."}, "b": {"description": "  "}},
            }
        }
    }
    catalog = {
        "nodes": {
            "model.microconv.m": {"metadata": {"schema": "marts"}, "columns": {"a": {}, "b": {}, "c": {}}}
        }
    }
    assert undocumented_mart_columns(manifest, catalog) == ["m.b", "m.c"]
    # A seed-generated column matches a pattern of meta.generated_columns; others still count.
    manifest["nodes"]["model.microconv.m"]["config"] = {"meta": {"generated_columns": ["*__value"]}}
    catalog["nodes"]["model.microconv.m"]["columns"] |= {"purchase__value": {}, "purchase__other": {}}
    assert undocumented_mart_columns(manifest, catalog) == ["m.b", "m.c", "m.purchase__other"]


def test_dagster_exposure_depends_on_every_mart(docs: tuple[dict, dict, Path]) -> None:
    manifest, _, _ = docs
    exposure = manifest["exposures"][DAGSTER_EXPOSURE]
    assert exposure["type"] == "application"
    marts = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")
    }
    assert marts - set(exposure["depends_on"]["nodes"]) == set()
