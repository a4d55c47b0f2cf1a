"""The DuckDB warehouse: schema, connections, idempotent loads, publish, and the query layer."""

from warehouse._connect import ServingFileMissing, connect_serving, connect_warehouse, schema_sql
from warehouse._load import Cursor, forget_chain, forget_marts_source, replace_partition
from warehouse._publish import publish

__all__ = [
    "Cursor",
    "ServingFileMissing",
    "connect_serving",
    "connect_warehouse",
    "forget_chain",
    "forget_marts_source",
    "publish",
    "replace_partition",
    "schema_sql",
]
