"""The DuckDB warehouse: schema, connections, idempotent loads, ingestion progress, publish, and the query layer."""

from warehouse._connect import ServingFileMissing, connect_serving, connect_warehouse, schema_sql
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
)
from warehouse._publish import publish

__all__ = [
    "BlockDay",
    "Cursor",
    "IngestDay",
    "Ledger",
    "Progress",
    "ServingFileMissing",
    "connect_serving",
    "connect_warehouse",
    "forget_chain",
    "forget_marts_source",
    "insert_rows",
    "publish",
    "read_block_days",
    "read_cursor",
    "read_ledger",
    "record_progress",
    "replace_partition",
    "schema_sql",
    "transaction",
]
