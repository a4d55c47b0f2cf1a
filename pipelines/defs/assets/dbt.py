"""dbt models as Dagster assets (each model an asset, each dbt data test an asset check).

No `from __future__ import annotations`: Dagster reads the `context` annotation at definition time.
"""

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

# dbt unit tests check the SQL, not the data, and their fixtures do not change with the run's
# days: they run in CI (tests/test_dbt_unit_tests.py), never in a pipeline run.
PRODUCTION_BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def dbt_build_args(first_day: str, last_day: str) -> list[str]:
    """`dbt build` for a window of days: the window as vars, unit tests left out."""
    return ["build", "--vars", json.dumps({"min_day": first_day, "max_day": last_day}), *PRODUCTION_BUILD_EXCLUDES]


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, partitions_def=daily,
            backfill_policy=single_run, pool="warehouse",
            dagster_dbt_translator=WarehouseDbtTranslator())
def depinlens_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Build staging views and marts for the run's window of days (passed as dbt vars)."""
    check_warehouse(Settings.from_env().warehouse_path)  # the file dbt's profile opens; refused if damaged
    first_day, last_day = window_days(context)
    yield from dbt.cli(dbt_build_args(str(first_day), str(last_day)), context=context).stream()
