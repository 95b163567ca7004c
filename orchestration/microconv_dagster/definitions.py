"""The Definitions of the `microconv` code location (pyproject.toml [tool.dagster])."""

from __future__ import annotations

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from .checks import data_check, funnel_alerts_check
from .dbt_assets import microconv_dbt_assets
from .load import load_incoming_files
from .project import DBT_EXECUTABLE, microconv_project
from .triggers import daily_schedule, microconv_pipeline, new_files_sensor

defs = Definitions(
    assets=[load_incoming_files, microconv_dbt_assets],
    asset_checks=[data_check, funnel_alerts_check],
    jobs=[microconv_pipeline],
    schedules=[daily_schedule],
    sensors=[new_files_sensor],
    resources={"dbt": DbtCliResource(project_dir=microconv_project, dbt_executable=str(DBT_EXECUTABLE))},
    # One process: DuckDB has one writer, the steps run one after another anyway, and each extra
    # process would load the code location again.
    executor=in_process_executor,
)
