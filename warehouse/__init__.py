"""The DuckDB warehouse: schema, connections, integrity check, idempotent loads, publish, and the query layer."""

from warehouse._connect import (
    ServingFileMissing,
    ServingReader,
    check_warehouse,
    connect_serving,
    connect_warehouse,
    schema_sql,
)
from warehouse._integrity import WarehouseCorrupt
from warehouse._load import Cursor, forget_chain, forget_marts_source, insert_rows, replace_partition, transaction
from warehouse._publish import publish
from warehouse._serving import VERSIONS_KEPT, prune_versions, resolve_serving, versions_dir

__all__ = [
    "VERSIONS_KEPT",
    "Cursor",
    "ServingFileMissing",
    "ServingReader",
    "WarehouseCorrupt",
    "check_warehouse",
    "connect_serving",
    "connect_warehouse",
    "forget_chain",
    "forget_marts_source",
    "insert_rows",
    "prune_versions",
    "publish",
    "replace_partition",
    "resolve_serving",
    "schema_sql",
    "transaction",
    "versions_dir",
]
