"""The DuckDB warehouse: schema, connections, idempotent loads, publish, and the query layer."""

from warehouse._connect import ServingFileMissing, connect_serving, connect_warehouse, schema_sql
from warehouse._load import Cursor, forget_chain, forget_marts_source, insert_rows, replace_partition, transaction
from warehouse._publish import publish

__all__ = [
    "Cursor",
    "ServingFileMissing",
    "connect_serving",
    "connect_warehouse",
    "forget_chain",
    "forget_marts_source",
    "insert_rows",
    "publish",
    "replace_partition",
    "schema_sql",
    "transaction",
]
