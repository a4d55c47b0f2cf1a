"""The DuckDB warehouse: schema, connections, integrity check, idempotent loads, ingestion progress, publish,
and the query layer."""

from warehouse._connect import (
    ServingFileMissing,
    ServingReader,
    WarehouseConnections,
    check_warehouse,
    connect_serving,
    connect_warehouse,
    schema_sql,
    serving_version,
)
from warehouse._integrity import WarehouseCorrupt
from warehouse._lake import LakeUnavailable, install_extensions
from warehouse._location import Lake, is_lake, parse_lake
from warehouse._load import forget_chain, forget_marts_source, insert_rows, replace_partition, transaction
from warehouse._progress import (
    BlockDay,
    Cursor,
    IngestDay,
    Ledger,
    Progress,
    read_block_days,
    read_cursor,
    read_ledger,
    record_progress,
    settle_block_days,
    settle_cursors,
    settle_progress,
)
from warehouse._publish import publish
from warehouse._serving import VERSIONS_KEPT, prune_versions, resolve_serving, versions_dir

__all__ = [
    "Lake",
    "LakeUnavailable",
    "install_extensions",
    "is_lake",
    "parse_lake",
    "serving_version",
    "VERSIONS_KEPT",
    "BlockDay",
    "Cursor",
    "IngestDay",
    "Ledger",
    "Progress",
    "ServingFileMissing",
    "ServingReader",
    "WarehouseConnections",
    "WarehouseCorrupt",
    "check_warehouse",
    "connect_serving",
    "connect_warehouse",
    "forget_chain",
    "forget_marts_source",
    "insert_rows",
    "prune_versions",
    "publish",
    "read_block_days",
    "read_cursor",
    "read_ledger",
    "record_progress",
    "settle_block_days",
    "settle_cursors",
    "settle_progress",
    "replace_partition",
    "resolve_serving",
    "schema_sql",
    "transaction",
    "versions_dir",
]
