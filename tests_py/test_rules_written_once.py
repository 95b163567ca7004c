"""Rules the dbt models own, seen from the scripts: the scripts keep one constant or read the model,
and these tests fail when the constant and the models' YAML drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import check_data
import yaml
from common.constants import REJECT_REASONS
from generator import plant

REPO = Path(__file__).resolve().parents[1]


def models_yaml(path: str) -> dict[str, dict[str, Any]]:
    return {model["name"]: model for model in yaml.safe_load((REPO / path).read_text())["models"]}


def accepted_values(model: dict[str, Any], column: str) -> list[str]:
    (found,) = [c for c in model["columns"] if c["name"] == column]
    tests = found.get("data_tests", found.get("tests", []))
    (values,) = [t["accepted_values"] for t in tests if isinstance(t, dict) and "accepted_values" in t]
    return list(values.get("arguments", values)["values"])


def test_reject_reasons_are_the_staging_models_reasons() -> None:
    staging = models_yaml("models/staging/events/_stg_events__models.yml")
    with_reason = [
        model for model in staging.values() if any(c["name"] == "reject_reason" for c in model["columns"])
    ]
    assert len(with_reason) >= 2
    for model in with_reason:
        assert accepted_values(model, "reject_reason") == list(REJECT_REASONS), model["name"]


def test_generator_plants_every_reject_reason() -> None:
    assert sorted(plant.INVALID_KINDS.values()) == sorted(REJECT_REASONS)
    assert list(plant.INVALID_KINDS.values()) == list(REJECT_REASONS)  # the order the rows are planted in


def test_check_data_reads_the_reconciliation_models_columns() -> None:
    audit = models_yaml("models/marts/audit/_audit__models.yml")
    columns = [c["name"] for c in audit["mart_load_reconciliation"]["columns"]]
    assert list(check_data.MART_COLUMNS) == columns
    assert "is_reconciled" in check_data.RECONCILIATION_SQL
    assert "+" not in check_data.RECONCILIATION_SQL  # the script renames the model's counts, never adds them
