"""Every dbt model and seed as a Dagster asset, dbt data tests as asset checks (dagster-dbt)."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from .project import ensure_manifest, microconv_project

# `dbt build` of the scheduled runs: models, seeds and data tests. Unit tests (hand-made rows, no
# warehouse data) belong to `make test`, not to every production run.
DBT_EXCLUDE = "test_type:unit"


class MicroconvTranslator(DagsterDbtTranslator):
    """Asset groups follow the project's layers: seeds, staging, intermediate, marts, semantic."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


TRANSLATOR = MicroconvTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=ensure_manifest(),
    project=microconv_project,
    exclude=DBT_EXCLUDE,
    dagster_dbt_translator=TRANSLATOR,
)
def microconv_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the selected models (all of them in a scheduled run), streaming results and tests.

    Once the models are incremental (issue 'Incremental builds'), this same `dbt build` processes only
    what the new loads change.
    """
    yield from dbt.cli(["build"], context=context).stream()
