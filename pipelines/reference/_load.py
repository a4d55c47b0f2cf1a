"""Replace everything one reference file loaded before, in one transaction.

Reference files are not partitioned by day (a price list, a spec table, a claims file is
read whole), and raw.gpu_specs has no day column at all, so `warehouse.replace_partition`
does not fit: here the partition is the scope alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


def replace_scope(conn: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, *,
                  scope: Mapping[str, str | Sequence[str]]) -> int:
    """Delete the rows of `table` matching `scope`, insert `rows`; commit once, roll back on any failure.

    Args:
        table: qualified table name from warehouse/schema/*.sql (never user text).
        scope: column -> value (or list of values); must not be empty.

    Returns:
        The number of rows inserted.
    """
    if not scope:
        raise ValueError(f"replace_scope on {table} needs a scope; an empty one would delete the whole table")
    clauses, params = [], []
    for column, value in scope.items():
        if isinstance(value, (list, tuple)):
            clauses.append(f"{column} in (select unnest(?))")
            params.append(list(value))
        else:
            clauses.append(f"{column} = ?")
            params.append(value)
    outside = [c for c, v in scope.items() if rows.num_rows and not set(rows.column(c).to_pylist())
               <= set(v if isinstance(v, (list, tuple)) else [v])]
    if outside:
        raise ValueError(f"rows for {table} fall outside the scope being replaced (columns {', '.join(outside)})")
    conn.execute("begin transaction")
    try:
        conn.execute(f"delete from {table} where {' and '.join(clauses)}", params)
        conn.register("_incoming_rows", rows)
        conn.execute(f"insert into {table} by name select * from _incoming_rows")
        conn.unregister("_incoming_rows")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return rows.num_rows
