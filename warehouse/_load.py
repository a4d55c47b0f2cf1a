"""Idempotent loads: replace a partition of a raw table in one transaction."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from warehouse._lake import insert_checked, is_lake_connection, retry_on_conflict
from warehouse._progress import Progress, record_progress

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

Scalar = str | int | date


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back (and re-raise) if anything in it fails,
    a kill or Ctrl-C included, so no reader ever sees half a load."""
    conn.execute("begin transaction")
    try:
        yield conn
        conn.execute("commit")
    except BaseException:
        _rollback_if_open(conn)
        raise


def _rollback_if_open(conn: duckdb.DuckDBPyConnection) -> None:
    """Roll back; a DuckLake commit that failed (a write conflict) has already ended its transaction."""
    import duckdb

    try:
        conn.execute("rollback")
    except duckdb.TransactionException as exc:
        if "no transaction is active" not in str(exc):
            raise


# DuckDB's row group: a load of fewer rows is not worth splitting between threads. Measured on
# 2 cores, 100,000 token transfers from Arrow into a DuckDB file: 82 ms on 2 threads, 42 ms on one
# (the commit, 84 ms, the same); at 200,000 rows 0.28 s against 0.25 s; at 1M about even.
ROW_GROUP_ROWS = 122_880


def insert_rows(conn: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Append an Arrow table to `table`, columns matched by name (on a lake, through its CHECK constraints)."""
    conn.register("_incoming_rows", rows)
    try:
        if is_lake_connection(conn):
            insert_checked(conn, table, "_incoming_rows")
        else:
            conn.execute(f"insert into {table} by name select * from _incoming_rows")
    finally:
        conn.unregister("_incoming_rows")


@contextmanager
def _one_thread(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread while the block runs (the setting is the database's; it is put back, so the
    block must end outside any transaction: an aborted one refuses every statement but a rollback)."""
    threads = conn.execute("select current_setting('threads')").fetchone()[0]
    conn.execute("set threads = 1")
    try:
        yield
    finally:
        conn.execute(f"set threads = {int(threads)}")


def replace_partition(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    rows: pa.Table,
    *,
    scope: Mapping[str, Scalar | Sequence[Scalar]],
    day_column: str | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    progress: Progress | None = None,
) -> int:
    """Delete the rows of `table` inside the partition, insert `rows`, record progress; commit once.

    The partition is every row whose `scope` columns match and, when `day_column` is given,
    whose day lies in [first_day, last_day] (reference files, read whole, give no days).
    Re-running with the same input leaves the table identical; a failure anywhere rolls
    back, leaving the warehouse as it was. On a DuckLake, a commit that loses a write conflict
    to another worker is run again (the load is idempotent, so that is safe). Rows outside the partition are refused, so a
    load can never delete what it does not replace.

    Args:
        conn: read-write warehouse connection.
        table: qualified table name from warehouse/schema/*.sql (never user text).
        rows: the partition's new content; its columns are matched by name.
        scope: column -> value (or list of values) that bounds the partition; never empty.
        day_column, first_day, last_day: the days being replaced, if the table has days.
        progress: cursors, finished days and block days to record in the same transaction.

    Returns:
        The number of rows inserted.
    """
    if not scope:
        raise ValueError(f"replacing rows of {table} needs a scope; an empty one would delete the whole table")
    clauses, params = [], []
    for column, value in scope.items():
        allowed = list(value) if isinstance(value, (list, tuple)) else [value]
        clauses.append(f"{column} in (select unnest(?))")
        params.append(allowed)
        if rows.num_rows and not set(rows.column(column).unique().to_pylist()) <= set(allowed):
            raise ValueError(f"rows for {table} fall outside the {column} scope being replaced")
    if day_column is not None:
        clauses.append(f"{day_column} between ? and ?")
        params += [first_day, last_day]
        days = set(rows.column(day_column).unique().to_pylist()) if rows.num_rows else set()
        stray = {d for d in days if d is None or not first_day <= d <= last_day}
        if stray:
            raise ValueError(f"rows for {sorted(map(str, stray))[:3]} fall outside the partition {first_day}..{last_day}")

    small = rows.num_rows <= ROW_GROUP_ROWS and not is_lake_connection(conn)

    def load() -> None:
        with _one_thread(conn) if small else nullcontext(), transaction(conn):
            conn.execute(f"delete from {table} where {' and '.join(clauses)}", params)
            insert_rows(conn, table, rows)
            if progress is not None:
                record_progress(conn, progress)
            _pause_for_crash_tests(conn)

    retry_on_conflict(load)
    return rows.num_rows


def _pause_for_crash_tests(conn: duckdb.DuckDBPyConnection) -> None:
    """Crash tests only (DEPINLENS_PAUSE_IN_LOAD=<seconds>): hold the transaction open, rows inserted and not
    committed, with a `.load_in_progress` file beside the warehouse, so a test can kill the process inside
    a load and prove it did. Unset, this does nothing."""
    seconds = float(os.environ.get("DEPINLENS_PAUSE_IN_LOAD") or 0)
    if seconds <= 0:
        return
    if is_lake_connection(conn):
        marker = Path(os.environ.get("DEPINLENS_DATA_DIR", ".")) / ".load_in_progress"
    else:
        path = conn.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]
        marker = Path(path).with_name(".load_in_progress")
    marker.touch()
    time.sleep(seconds)
    marker.unlink(missing_ok=True)


CHAIN_TABLES = ("raw.token_transfers", "raw.staking_events", "raw.staking_snapshots", "raw.vault_snapshots",
                "raw.jobs", "raw.supply_snapshots", "raw.loan_events", "raw.vault_prices", "raw.ingest_state",
                "raw.ingest_days", "raw.block_days")


def forget_chain(conn: duckdb.DuckDBPyConnection, *, chain: str, source: str) -> int:
    """Drop every raw row and cursor of one chain and source, in one transaction.

    Used when a local chain is started afresh: the new chain shares the chain id of the
    old one but none of its history, so its old rows would be rows of no chain at all.
    """
    with transaction(conn):
        return sum(conn.execute(f"delete from {table} where chain = ? and source = ?", [chain, source]).fetchone()[0]
                   for table in CHAIN_TABLES)


def forget_marts_source(conn: duckdb.DuckDBPyConnection, *, source: str) -> int:
    """Drop every marts row of one source label, in one transaction; the next dbt build remakes them.

    Used with `forget_chain` when the demo is started afresh: the incremental marts rewrite
    only the days of a run's window, so days of an older, longer demo would otherwise stay.
    """
    tables = [name for (name,) in conn.execute(
        "select table_name from information_schema.columns c join information_schema.tables t using "
        "(table_catalog, table_schema, table_name) where table_catalog = current_database() "
        "and table_schema = 'marts' and column_name = 'source' "
        "and table_type = 'BASE TABLE' order by table_name").fetchall()]
    with transaction(conn):
        return sum(conn.execute(f'delete from marts."{name}" where source = ?', [source]).fetchone()[0]
                   for name in tables)
