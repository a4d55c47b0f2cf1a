"""Copies a run keeps of the reference tables it replaces: put back when it fails, dropped when it succeeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from depinlens.settings import PROJECT_ROOT
from pipelines.reference import load_gpu_specs, load_network_claims
from pipelines.reference.snapshots import (
    discard_reference_snapshots,
    keep_before_write,
    restore_reference_tables,
    settle_finished_runs,
    settle_reference_tables,
    unsettled_runs,
)
from warehouse import connect_warehouse, insert_rows

SPECS, CLAIMS = "raw.gpu_specs", "raw.network_claims"


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A real warehouse file holding the reviewed GPU specs and claims."""
    conn = connect_warehouse(tmp_path / "warehouse.duckdb")
    insert_rows(conn, SPECS, load_gpu_specs(PROJECT_ROOT / "reference" / "gpu_peak_specs.csv"))
    insert_rows(conn, CLAIMS, load_network_claims(PROJECT_ROOT / "reference" / "network_claims.csv"))
    try:
        yield conn
    finally:
        conn.close()


def _content(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return conn.execute(f"select * from {table} order by all").fetchall()


def _write(conn: duckdb.DuckDBPyConnection, table: str) -> None:
    """What a run's write looks like to the table: every row changed."""
    column = "fp32_tflops" if table == SPECS else "value"
    conn.execute(f"update {table} set {column} = {column} + 1")


def test_a_failed_runs_tables_are_put_back_exactly_and_its_copies_dropped(warehouse) -> None:
    before = _content(warehouse, SPECS), _content(warehouse, CLAIMS)
    assert keep_before_write(warehouse, "run-a", [SPECS, CLAIMS]) == [SPECS, CLAIMS]
    _write(warehouse, SPECS)
    assert keep_before_write(warehouse, "run-a", [SPECS]) == []  # the state before the run is kept, not this one
    _write(warehouse, SPECS)
    _write(warehouse, CLAIMS)
    assert _content(warehouse, SPECS) != before[0]

    assert set(restore_reference_tables(warehouse, "run-a")) == {CLAIMS, SPECS}
    assert (_content(warehouse, SPECS), _content(warehouse, CLAIMS)) == before
    assert unsettled_runs(warehouse) == []
    assert warehouse.execute("select count(*) from information_schema.tables "
                             "where table_schema = 'reference_snapshot' and table_name <> 'kept'").fetchone() == (0,)


def test_a_successful_runs_writes_stand_and_its_copies_are_dropped(warehouse) -> None:
    keep_before_write(warehouse, "run-a", [SPECS])
    _write(warehouse, SPECS)
    after = _content(warehouse, SPECS)
    assert discard_reference_snapshots(warehouse, "run-a") == [SPECS]
    assert _content(warehouse, SPECS) == after and unsettled_runs(warehouse) == []
    assert restore_reference_tables(warehouse, "run-a") == []  # nothing left to put back


def test_settling_by_path_restores_a_failed_run_and_keeps_a_successful_one(tmp_path, warehouse) -> None:
    before = _content(warehouse, CLAIMS)
    keep_before_write(warehouse, "failed", [CLAIMS])
    _write(warehouse, CLAIMS)
    warehouse.close()  # the caller settles once the run has let go of the file

    path = tmp_path / "warehouse.duckdb"
    assert settle_reference_tables(path, "failed", succeeded=False) == [CLAIMS]
    conn = connect_warehouse(path)
    try:
        assert _content(conn, CLAIMS) == before
        keep_before_write(conn, "succeeded", [CLAIMS])
        _write(conn, CLAIMS)
        after = _content(conn, CLAIMS)
    finally:
        conn.close()
    assert settle_reference_tables(path, "succeeded", succeeded=True) == []
    conn = connect_warehouse(path)
    try:
        assert _content(conn, CLAIMS) == after and unsettled_runs(conn) == []
    finally:
        conn.close()


def test_runs_nobody_settled_are_settled_by_how_they_ended_table_by_table(warehouse) -> None:
    """Claims: written by a failed run, then a failed one -> as before both. Specs: a failed run,
    then a successful one -> the successful run's rows. A table a running run copied is left alone."""
    outcomes = {"a": "failed", "b": "failed", "c": "succeeded", "d": None}
    original_claims = _content(warehouse, CLAIMS)
    keep_before_write(warehouse, "a", [CLAIMS, SPECS])
    _write(warehouse, CLAIMS)
    _write(warehouse, SPECS)
    keep_before_write(warehouse, "b", [CLAIMS])
    _write(warehouse, CLAIMS)
    keep_before_write(warehouse, "c", [SPECS])
    _write(warehouse, SPECS)
    specs_after_c = _content(warehouse, SPECS)
    keep_before_write(warehouse, "d", ["raw.token_prices"])

    copied = keep_before_write(warehouse, "e", [CLAIMS], run_outcome=outcomes.get)

    assert copied == [CLAIMS]  # copied for "e" once the settling had put claims back
    assert _content(warehouse, CLAIMS) == original_claims
    assert _content(warehouse, SPECS) == specs_after_c
    assert unsettled_runs(warehouse) == ["d", "e"]
    assert settle_finished_runs(warehouse, outcomes.get, current_run="e") == []
