"""Reference tables all or nothing per run: a run keeps what it replaces until the run is settled.

Why: each reference asset (and the registry asset) commits by itself inside a Dagster run whose
other steps may fail later (a chain endpoint down, a dbt test). A run that fails must leave the
reference tables as they were. So before a run first writes a reference table, it copies the
table into the `reference_snapshot` schema of the same warehouse file (one transaction), and
when the run is over it is settled: a failed run's copies are put back in one transaction, a
successful run's are dropped.

Who settles:
* the caller of the run, at once: `settle_reference_tables(warehouse, run_id, succeeded=...)`
  after `execute_in_process` (pipelines/run.py), and for a run it finds dead (stale-run
  handling), with succeeded=False;
* failing that (a process killed, a run launched elsewhere), the next run, before its first
  reference write: `settle_finished_runs` asks Dagster's run storage how each earlier run ended.

Reference tables are written only by their reference asset (pipelines/defs/lineage.py), so a
table is copied and put back whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from warehouse import connect_warehouse, transaction

if TYPE_CHECKING:
    import dagster as dg
    import duckdb

SCHEMA = "reference_snapshot"
CATALOG = f"{SCHEMA}.kept"
REGISTRY_TABLES = ("raw.registry_networks", "raw.registry_contracts", "raw.registry_take_rates",
                   "raw.registry_not_measured", "raw.registry_signals", "raw.registry_max_supplies")
REFERENCE_TABLES = (*REGISTRY_TABLES, "raw.gpu_offers", "raw.gpu_specs", "raw.network_claims", "raw.token_prices")

Outcome = Literal["succeeded", "failed"]
RunOutcome = Callable[[str], "Outcome | None"]  # run id -> how it ended; None while running or unknown


def _ensure_catalog(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(f"create schema if not exists {SCHEMA}")
    conn.execute(f"create table if not exists {CATALOG} (run_id varchar, table_name varchar, snapshot varchar, "
                 "kept_at timestamptz default now())")


def _snapshot_name(table: str, run_id: str) -> str:
    """The quoted name of the copy of `table` kept for `run_id`."""
    name = f"{table.replace('.', '__')}@{run_id}".replace('"', "")
    return f'{SCHEMA}."{name}"'


def keep_before_write(conn: duckdb.DuckDBPyConnection, run_id: str, tables: Iterable[str], *,
                      run_outcome: RunOutcome | None = None) -> list[str]:
    """Copy each of `tables` not yet kept for `run_id`; call it before the run writes them.

    Earlier runs still holding copies are settled first (when `run_outcome` can say how they
    ended), so the copies taken here are of the tables as the last successful run left them.

    Returns:
        The tables copied now (those kept earlier in the same run are not copied again).
    """
    if run_outcome is not None:
        settle_finished_runs(conn, run_outcome, current_run=run_id)
    _ensure_catalog(conn)
    kept = {t for (t,) in conn.execute(f"select table_name from {CATALOG} where run_id = ?", [run_id]).fetchall()}
    copied = [t for t in dict.fromkeys(tables) if t not in kept]
    if copied:
        with transaction(conn):
            for table in copied:
                snapshot = _snapshot_name(table, run_id)
                conn.execute(f"create table {snapshot} as select * from {table}")
                conn.execute(f"insert into {CATALOG} (run_id, table_name, snapshot) values (?, ?, ?)",
                             [run_id, table, snapshot])
    return copied


def _kept(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str]]:
    _ensure_catalog(conn)
    return conn.execute(f"select table_name, snapshot from {CATALOG} where run_id = ? order by table_name",
                        [run_id]).fetchall()


def _put_back(conn: duckdb.DuckDBPyConnection, table: str, snapshot: str) -> None:
    conn.execute(f"delete from {table}")
    conn.execute(f"insert into {table} by name select * from {snapshot}")


def _drop(conn: duckdb.DuckDBPyConnection, run_id: str, snapshots: Iterable[str]) -> None:
    for snapshot in snapshots:
        conn.execute(f"drop table if exists {snapshot}")
    conn.execute(f"delete from {CATALOG} where run_id = ?", [run_id])


def restore_reference_tables(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Put back every table `run_id` replaced, as it was before the run, in one transaction.

    Returns:
        The tables restored (empty when the run wrote none).
    """
    kept = _kept(conn, run_id)
    with transaction(conn):
        for table, snapshot in kept:
            _put_back(conn, table, snapshot)
        _drop(conn, run_id, [s for _, s in kept])
    return [t for t, _ in kept]


def discard_reference_snapshots(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Drop the copies `run_id` kept (the run succeeded: its writes stand)."""
    kept = _kept(conn, run_id)
    with transaction(conn):
        _drop(conn, run_id, [s for _, s in kept])
    return [t for t, _ in kept]


def settle_reference_tables(warehouse: Path | str, run_id: str, *, succeeded: bool) -> list[str]:
    """Settle one finished run: restore what it replaced if it failed, else drop the copies.

    Call it once a run is over (and for a run found dead, with succeeded=False); it opens the
    warehouse for writing, so no run may be writing it at the time.

    Returns:
        The tables restored (always empty for a run that succeeded).
    """
    conn = connect_warehouse(warehouse)
    try:
        if succeeded:
            discard_reference_snapshots(conn, run_id)
            return []
        return restore_reference_tables(conn, run_id)
    finally:
        conn.close()


def unsettled_runs(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Run ids still holding copies, oldest first."""
    _ensure_catalog(conn)
    return [r for (r,) in conn.execute(f"select run_id from {CATALOG} group by run_id order by min(kept_at)").fetchall()]


def settle_finished_runs(conn: duckdb.DuckDBPyConnection, run_outcome: RunOutcome, *,
                         current_run: str | None = None) -> list[str]:
    """Settle the copies of earlier runs that are over, table by table, in one transaction.

    A table takes the copy of the first failed run after the last successful one (the state
    that run found), or keeps its content when the last run to write it succeeded. A table also
    kept by a run still going (or unknown to `run_outcome`) is left alone.

    Returns:
        The tables restored.
    """
    _ensure_catalog(conn)
    rows = conn.execute(f"select run_id, table_name, snapshot from {CATALOG} where run_id is distinct from ? "
                        "order by kept_at, run_id", [current_run]).fetchall()
    outcomes = {run: run_outcome(run) for run in dict.fromkeys(r for r, _, _ in rows)}
    by_table: dict[str, list[tuple[str, str]]] = {}
    for run, table, snapshot in rows:
        by_table.setdefault(table, []).append((run, snapshot))
    restored = []
    with transaction(conn):
        for table, entries in by_table.items():
            if any(outcomes[run] is None for run, _ in entries):
                continue
            successes = [i for i, (run, _) in enumerate(entries) if outcomes[run] == "succeeded"]
            trailing_failures = entries[successes[-1] + 1:] if successes else entries
            if trailing_failures:
                _put_back(conn, table, trailing_failures[0][1])
                restored.append(table)
            for run, snapshot in entries:
                conn.execute(f"drop table if exists {snapshot}")
                conn.execute(f"delete from {CATALOG} where run_id = ? and table_name = ?", [run, table])
    return restored


def run_outcome_from(instance: dg.DagsterInstance) -> RunOutcome:
    """How each run ended according to a Dagster instance's run storage (None: still going, or unknown there)."""
    import dagster as dg

    def outcome(run_id: str) -> Outcome | None:
        run = instance.get_run_by_id(run_id)
        if run is None:
            return None
        if run.status == dg.DagsterRunStatus.SUCCESS:
            return "succeeded"
        if run.status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED):
            return "failed"
        return None

    return outcome
