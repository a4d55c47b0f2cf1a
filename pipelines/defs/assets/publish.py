"""The publish step: marts copied to a new read-only serving version that dashboards open."""

import dagster as dg

from pipelines.defs.assets.dbt import depinlens_dbt_models
from pipelines.defs.partitions import daily, single_run
from pipelines.defs.resources import WarehouseResource
from warehouse import check_warehouse, publish, resolve_serving


@dg.asset(
    key=["serving", "marts"],
    deps=sorted((key for key in depinlens_dbt_models.keys if key.path[0] == "marts"), key=lambda k: k.path),
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="serving",
    kinds={"duckdb"},
    pool="warehouse",
)
def serving_marts(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every mart copied into a new serving version; the serving path then points at it."""
    check_warehouse(warehouse.path)  # a damaged warehouse is never published over the last good marts
    counts = publish(warehouse.path, warehouse.serving_path)
    return dg.MaterializeResult(metadata={"tables": len(counts), **{k: v for k, v in counts.items()},
                                          "serving_file": dg.MetadataValue.path(warehouse.serving_path),
                                          "serving_version": dg.MetadataValue.path(
                                              str(resolve_serving(warehouse.serving_path)))})
