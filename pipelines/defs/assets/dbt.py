"""dbt models as Dagster assets (each model an asset, each dbt data test an asset check).

No `from __future__ import annotations`: Dagster reads the `context` annotation at definition time.
"""

import os
from collections.abc import Iterator
from graphlib import TopologicalSorter
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt.metadata_set import DbtMetadataSet

from depinlens.settings import Settings, environment_restored
from pipelines.defs.dbt_project import dbt_project
from pipelines.defs.dbt_views import VIEWS_KEPT, project_fingerprint, record_views, views_current
from pipelines.defs.lineage import WarehouseDbtTranslator
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import WarehouseResource
from warehouse import check_warehouse

# dbt unit tests check the SQL, not the data, and their fixtures do not change with the run's
# days: they run in CI (tests/test_dbt_unit_tests.py), never in a pipeline run. dagster-dbt turns
# the JSON events dbt prints into materializations and checks (so no --quiet), and a one-day build
# on 2 cores was fastest with the profile's 2 threads (1, 3 and 4 were slower). Two things no run
# reads are left out, each about 0.35 s of a one-day build at 10M rows: the JSON artifacts
# (manifest.json rewritten twice, run_results.json; Dagster's events carry each node's result,
# and `dbt parse` still writes the manifest Dagster loads) and the debug lines of dbt.log (the
# file keeps warnings and errors; dagster-dbt re-prints dbt's progress lines and errors to the
# step's stdout and names the errors in the failure it raises). What a day does not
# need is cut in the project instead: windowed staging tests (dbt/tests/generic/in_window.sql),
# incremental marts reading only the rebuilt days, views kept when their SQL is unchanged
# (dbt/macros/materializations/view.sql) and one primary_key test per key. And dbt runs in a fork
# of the step's process, which has dbt imported already (pipelines/defs/dbt_fork.py), with the
# view models left out while the warehouse holds them as the project defines them
# (pipelines/defs/dbt_views.py).
PRODUCTION_BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]
RUN_ARTIFACTS_LEFT_OUT = ["--no-write-json", "--log-level-file", "warn"]
DBT_BUILD_ARGS = ["build", *PRODUCTION_BUILD_EXCLUDES, *RUN_ARTIFACTS_LEFT_OUT]


def dbt_window_env(first_day: str, last_day: str) -> dict[str, str]:
    """The run's window for dbt (dbt/macros/window.sql reads it when the build executes).

    Passed as environment variables rather than `--vars`: dbt re-parses the whole project
    whenever the vars differ from its last parse, which for a window that moves every day
    is every run (about 1.4 s of the one-day build at 10M rows); environment variables read
    only at execution keep its partial parse.
    """
    return {"DEPINLENS_DBT_MIN_DAY": first_day, "DEPINLENS_DBT_MAX_DAY": last_day}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """`values` in os.environ while the block runs (the dbt subprocess starts inside it)."""
    with environment_restored(values):
        os.environ.update(values)
        yield


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, partitions_def=daily,
            backfill_policy=single_run, pool="warehouse",
            dagster_dbt_translator=WarehouseDbtTranslator())
def depinlens_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                         warehouse: WarehouseResource) -> Iterator[Any]:
    """Build staging views and marts for the run's window of days (passed in the environment); the views
    only when the project changed since the warehouse's last whole build (pipelines/defs/dbt_views.py)."""
    check_warehouse(Settings.from_env().warehouse_path)  # the file dbt's profile opens; refused if damaged
    first_day, last_day = window_days(context)
    whole, keep_views, fingerprint = not context.is_subset, False, project_fingerprint()
    if whole:
        with warehouse.read_connection() as conn:  # closed again before dbt opens the warehouse
            keep_views = views_current(conn, fingerprint)
    args = [*DBT_BUILD_ARGS, *(VIEWS_KEPT if keep_views else [])]
    with _environment(dbt_window_env(str(first_day), str(last_day))):
        invocation = dbt.cli(args, context=context)  # dbt starts here (pipelines/defs/dbt_fork.py)
    if keep_views:
        yield from _kept_views(context)  # first: Dagster takes a multi-asset's outputs in dependency order
    yield from invocation.stream()  # raises if the build failed: nothing is recorded then
    if whole and not keep_views:
        with warehouse.get_connection() as conn:
            record_views(conn, fingerprint)


def _kept_views(context: dg.AssetExecutionContext) -> Iterator[dg.Output]:
    """An output for each view model the build left out, as dbt reported one it found unchanged before:
    the view is in the warehouse as the project defines it, and reads the tables this run built.
    In dependency order (staging before the intermediate views that read them), as Dagster requires."""
    assets = context.assets_def
    views = {key for key in context.selected_asset_keys
             if DbtMetadataSet.extract(assets.specs_by_key[key].metadata).materialization_type == "view"}
    order = TopologicalSorter({key: {dep.asset_key for dep in assets.specs_by_key[key].deps} & views for key in views})
    for key in order.static_order():
        yield dg.Output(None, output_name=assets.get_output_name_for_asset_key(key),
                        metadata={"dbt": "view kept: its definition is unchanged since the warehouse's last "
                                         "whole build (pipelines/defs/dbt_views.py)"})
