"""dbt models as Dagster assets (each model an asset, each dbt test an asset check)."""


import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from depinlens.settings import Settings
from pipelines.defs.lineage import WarehouseDbtTranslator
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import dbt_project
from warehouse import check_warehouse


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, partitions_def=daily,
            backfill_policy=single_run, pool="warehouse",
            dagster_dbt_translator=WarehouseDbtTranslator())
def depinlens_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build staging views and marts for the run's window of days (passed as dbt vars)."""
    check_warehouse(Settings.from_env().warehouse_path)  # the file dbt's profile opens; refused if damaged
    first_day, last_day = window_days(context)
    dbt_vars = {"min_day": str(first_day), "max_day": str(last_day)}
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()
