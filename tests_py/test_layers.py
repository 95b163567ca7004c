"""The dbt project's structure rules, read from the manifest (`dbt parse`), so they stay true.

- Layers flow one way: staging -> intermediate -> marts -> semantic. `source()` and seeds only in staging;
  staging reads nothing downstream; no intermediate model reads a mart; marts never read sources or seeds;
  the semantic layer (MetricFlow's time spine, views for semantic models) reads only marts.
- Marts never go back to event level: event-level models are read by intermediate models made for it.
- Names follow the layer: `stg_`, `int_`, `fct_`/`dim_`/`mart_`, `sem_`.
- One job per model and readable YAML: no model above MAX_MODEL_LINES lines, no YAML above MAX_YAML_LINES.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"

MAX_MODEL_LINES = 250
MAX_YAML_LINES = 800
LAYERS = ("staging", "intermediate", "marts", "semantic")
NAME_PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_", "mart_"),
    "semantic": ("sem_",),
}
# Which layers each layer may read (besides itself for intermediate and marts, and sources/seeds for staging).
ALLOWED_PARENT_LAYERS = {
    "staging": {"staging", "source", "seed"},
    "intermediate": {"staging", "intermediate"},
    "marts": {"staging", "intermediate", "marts"},
    "semantic": {"marts", "semantic"},
}
# Reads across layers that are known and deliberate, each with its reason (keep this short).
LAYER_EXCEPTIONS: set[tuple[str, str]] = set()
# Event-level models: one row per event. Marts read intermediate models made for what they need instead.
EVENT_LEVEL_MODELS = {"int_events__sessionized"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("target")
    env = {**os.environ, "DO_NOT_TRACK": "1", "MICROCONV_DB": str(target / "parse.duckdb")}
    result = subprocess.run(
        [str(DBT), "parse", "--profiles-dir", "profiles", "--target-path", str(target), "--no-partial-parse"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((target / "manifest.json").read_text())


def _layer(node: dict) -> str:
    if node["resource_type"] in ("source", "seed"):
        return node["resource_type"]
    return Path(node["original_file_path"]).parts[1]


def _models(manifest: dict) -> Iterator[dict]:
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["package_name"] == "microconv":
            yield node


def _parents(manifest: dict, node: dict) -> Iterator[dict]:
    for parent_id in node["depends_on"]["nodes"]:
        yield manifest["nodes"].get(parent_id) or manifest["sources"][parent_id]


def test_every_model_is_in_a_layer(manifest: dict) -> None:
    outside = [node["original_file_path"] for node in _models(manifest) if _layer(node) not in LAYERS]
    assert outside == [], f"models outside models/staging|intermediate|marts|semantic: {outside}"


def test_model_names_follow_their_layer(manifest: dict) -> None:
    misnamed = [
        node["original_file_path"]
        for node in _models(manifest)
        if _layer(node) in LAYERS and not node["name"].startswith(NAME_PREFIXES[_layer(node)])
    ]
    assert misnamed == [], f"model names that do not match their layer's prefix: {misnamed}"


def test_layers_flow_one_way(manifest: dict) -> None:
    broken = [
        f"{node['name']} ({_layer(node)}) reads {parent['name']} ({_layer(parent)})"
        for node in _models(manifest)
        if _layer(node) in LAYERS
        for parent in _parents(manifest, node)
        if _layer(parent) not in ALLOWED_PARENT_LAYERS[_layer(node)]
        and (node["name"], parent["name"]) not in LAYER_EXCEPTIONS
    ]
    assert broken == [], "layer rule broken:\n" + "\n".join(broken)


def test_marts_do_not_read_event_level_models(manifest: dict) -> None:
    broken = [
        f"{node['name']} reads {parent['name']}"
        for node in _models(manifest)
        if _layer(node) == "marts"
        for parent in _parents(manifest, node)
        if parent["name"] in EVENT_LEVEL_MODELS
    ]
    assert broken == [], "marts reading event-level models:\n" + "\n".join(broken)


def test_models_are_small(manifest: dict) -> None:
    too_long = {
        node["original_file_path"]: lines
        for node in _models(manifest)
        if (lines := len((REPO / node["original_file_path"]).read_text().splitlines())) > MAX_MODEL_LINES
    }
    assert too_long == {}, f"models above {MAX_MODEL_LINES} lines (split them): {too_long}"


def test_yaml_files_are_small() -> None:
    too_long = {
        str(path.relative_to(REPO)): lines
        for path in (REPO / "models").rglob("*.yml")
        if (lines := len(path.read_text().splitlines())) > MAX_YAML_LINES
    }
    assert too_long == {}, f"YAML files above {MAX_YAML_LINES} lines (split them by folder): {too_long}"


def test_each_folder_has_one_models_yaml() -> None:
    problems = []
    for folder in {path.parent for path in (REPO / "models").rglob("*.sql")}:
        models_yaml = [path.name for path in folder.glob("_*__models.yml")]
        if len(models_yaml) != 1:
            problems.append(f"{folder.relative_to(REPO)}: {models_yaml}")
    assert problems == [], f"folders without exactly one _<dir>__models.yml: {problems}"
