"""The publish step: marts copied to the read-only serving file that dashboards open."""


import dagster as dg

from pipelines.defs.assets.dbt import depinlens_dbt_models
from pipelines.defs.partitions import daily, single_run
from pipelines.defs.resources import WarehouseResource
from warehouse import publish


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
    """Every mart copied into the serving file, which then atomically replaces the old one."""
    counts = publish(warehouse.path, warehouse.serving_path)
    return dg.MaterializeResult(metadata={"tables": len(counts), **{k: v for k, v in counts.items()},
                                          "serving_file": dg.MetadataValue.path(warehouse.serving_path)})
