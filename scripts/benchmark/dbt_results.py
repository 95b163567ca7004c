"""Per-model timings of a `dbt run`: run_results.json for times, manifest.json for groups and
materializations, the run's memory samples for each model's peak, DuckDB for row counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from benchmark.measure import BYTES_PER_MIB, KIB_PER_MIB, Sampler, events_per_second

MODEL_GROUPS: tuple[str, ...] = ("staging", "intermediate", "marts")  # in this order, then the others
OTHER_GROUP = "other"


@dataclass
class ModelTiming:
    name: str
    group: str
    materialized: str
    status: str
    seconds: float
    rows: int | None
    peak_rss_mib: float
    peak_spill_mib: float
    started_at: str | None
    completed_at: str | None


def _epoch(text: str | None) -> float | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def model_group(node: dict[str, Any]) -> str:
    """The model's top folder under models/ (fqn = project, folder, ..., name)."""
    fqn = node.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else OTHER_GROUP


def model_timing(
    result: dict[str, Any], node: dict[str, Any], sampler: Sampler, table_rows: dict[str, int]
) -> ModelTiming:
    """One model's line: execution time, its window's memory peak, its table's rows."""
    steps = {step["name"]: step for step in result.get("timing", [])}
    started = (steps.get("compile") or steps.get("execute") or {}).get("started_at")
    completed = (steps.get("execute") or {}).get("completed_at")
    start_s, end_s = _epoch(started), _epoch(completed)
    rss, spill = sampler.peak_between(start_s, end_s) if start_s and end_s else (0, 0)
    name = result["unique_id"].split(".")[-1]
    return ModelTiming(
        name=name,
        group=model_group(node),
        materialized=node.get("config", {}).get("materialized", "?"),
        status=str(result.get("status")),
        seconds=float(result.get("execution_time") or 0.0),
        rows=table_rows.get(name),
        peak_rss_mib=rss / KIB_PER_MIB,
        peak_spill_mib=spill / BYTES_PER_MIB,
        started_at=started,
        completed_at=completed,
    )


def model_timings(target: Path, sampler: Sampler, table_rows: dict[str, int]) -> list[ModelTiming]:
    """Per-model timings from run_results.json, groups and materializations from manifest.json."""
    results = json.loads((target / "run_results.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    return [
        model_timing(result, manifest["nodes"].get(result["unique_id"], {}), sampler, table_rows)
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    ]


def table_row_counts(db: Path) -> dict[str, int]:
    """Estimated row count of every table (exact after a CTAS), by table name."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select table_name, estimated_size from duckdb_tables()").fetchall()
    return {str(name): int(size) for name, size in rows}


def group_models(models: list[ModelTiming], events: int) -> list[dict[str, Any]]:
    """Per model group: models, summed seconds, events/s, and the highest peaks."""
    groups: list[dict[str, Any]] = []
    names = list(MODEL_GROUPS) + sorted({m.group for m in models} - set(MODEL_GROUPS))
    for name in names:
        members = [m for m in models if m.group == name]
        if not members:
            continue
        seconds = sum(m.seconds for m in members)
        groups.append(
            {
                "group": name,
                "models": len(members),
                "seconds": seconds,
                "events_per_s": events_per_second(events, seconds),
                "peak_rss_mib": max(m.peak_rss_mib for m in members),
                "peak_spill_mib": max(m.peak_spill_mib for m in members),
            }
        )
    return groups
