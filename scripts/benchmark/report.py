"""The benchmark's output: rich tables on stdout and the JSON results file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

TOP_MODELS = 10


def _fmt_rate(rate: float | None) -> str:
    return f"{rate:,.0f}" if rate is not None else "-"


def _table(title: str, columns: tuple[str, ...], left: tuple[str, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="left" if column in left else "right")
    return table


def phases_table(report: dict[str, Any]) -> Table:
    table = _table(
        f"microconv benchmark: {report['events']:,} events",
        ("phase", "seconds", "events/s", "peak RSS MiB", "peak spill MiB"),
        ("phase",),
    )
    for phase in report["phases"]:
        table.add_row(
            phase["phase"],
            f"{phase['seconds']:,.1f}",
            _fmt_rate(phase["events_per_s"]),
            f"{phase['peak_rss_mib']:,.0f}",
            f"{phase['peak_spill_mib']:,.0f}",
        )
    return table


def model_groups_table(report: dict[str, Any], engine: str = "") -> Table:
    table = _table(
        f"{engine}dbt run by model group (sum of model execution times)",
        ("group", "models", "seconds", "events/s", "peak RSS MiB", "peak spill MiB"),
        ("group",),
    )
    for group in report["model_groups"]:
        table.add_row(
            group["group"],
            str(group["models"]),
            f"{group['seconds']:,.1f}",
            _fmt_rate(group["events_per_s"]),
            f"{group['peak_rss_mib']:,.0f}",
            f"{group['peak_spill_mib']:,.0f}",
        )
    return table


def top_models_table(models: list[dict[str, Any]]) -> Table:
    table = _table(
        f"top {TOP_MODELS} models by time",
        ("model", "group", "seconds", "share", "rows", "peak RSS MiB", "peak spill MiB"),
        ("model", "group"),
    )
    total = sum(model["seconds"] for model in models) or 1.0
    for model in sorted(models, key=lambda model: model["seconds"], reverse=True)[:TOP_MODELS]:
        table.add_row(
            model["name"],
            model["group"],
            f"{model['seconds']:,.1f}",
            f"{model['seconds'] / total:.0%}",
            f"{model['rows']:,}" if model["rows"] is not None else "-",
            f"{model['peak_rss_mib']:,.0f}",
            f"{model['peak_spill_mib']:,.0f}",
        )
    return table


def reference_checks_table(checks: list[dict[str, Any]]) -> Table:
    table = _table("dbt marts vs reference", ("check", "table", "match"), ("check", "table", "match"))
    for check in checks:
        table.add_row(check["check"], check["table"], "yes" if check["match"] else "[bold red]NO[/]")
    return table


def ratio_line(ratio: dict[str, float]) -> str:
    return (
        f"dbt / reference, same models: {ratio['scope_dbt_seconds']:,.1f} s / "
        f"{ratio['reference_seconds']:,.1f} s = [bold]{ratio['scope']:.2f}x[/] (target <= 2x); "
        f"whole dbt run: {ratio['dbt_run_seconds']:,.1f} s = {ratio['run']:.2f}x"
    )


def print_report(console: Console, report: dict[str, Any]) -> None:
    """Every table the report has data for (also after a failed phase: what was measured until then)."""
    console.print(phases_table(report))
    models: list[dict[str, Any]] = report.get("models", [])
    if models:
        console.print(model_groups_table(report))
        console.print(top_models_table(models))
    checks: list[dict[str, Any]] = report.get("reference_checks", [])
    if checks:
        console.print(reference_checks_table(checks))
    if report.get("ratio"):
        console.print(ratio_line(report["ratio"]))
    spark: dict[str, Any] = report.get("spark", {})
    if spark.get("model_groups"):
        console.print(model_groups_table(spark, engine="Spark: "))
    if spark.get("ratio_to_duckdb"):
        console.print(
            f"Spark dbt run {spark['run_seconds']:,.1f} s / "
            f"DuckDB dbt run {spark['duckdb_run_seconds']:,.1f} s "
            f"= [bold]{spark['ratio_to_duckdb']:.1f}x[/] on the same events"
        )
    console.print(f"results: {report['results_file']}")


def write_results(report: dict[str, Any], results_dir: Path, file_stem: str) -> Path:
    """The report as JSON in RESULTS_DIR/<file_stem>.json; its path is recorded in the report too."""
    results_dir.mkdir(parents=True, exist_ok=True)
    results_file = results_dir / f"{file_stem}.json"
    report["results_file"] = str(results_file)
    results_file.write_text(json.dumps(report, indent=2) + "\n")
    return results_file
