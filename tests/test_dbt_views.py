"""A build keeps a view the warehouse already holds with the same definition, and builds every other.

Real dbt against a real DuckDB file: one staging view built, built again, then given another
comment (what a changed model or macro looks like to the build: another fingerprint), then
dropped (a fresh or replaced warehouse). A comment on one of the view's columns marks the view
object itself: a view that is re-created loses it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from depinlens.settings import DBT_PROJECT_DIR
from warehouse import connect_warehouse

VIEW = "stg_registry__networks"


def _build_view(warehouse: Path) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "run", "--select", VIEW, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(warehouse.parent / "target")],
                          env={**os.environ, "DEPINLENS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _view(warehouse: Path) -> tuple[str | None, str | None] | None:
    """The view's comment and the comment on its `network` column, or None when there is no such view."""
    conn = duckdb.connect(str(warehouse))
    try:
        return conn.execute("""
            select views.comment, columns.comment from duckdb_views() as views
            join duckdb_columns() as columns
                on columns.schema_name = views.schema_name and columns.table_name = views.view_name
            where views.schema_name = 'staging' and views.view_name = ? and columns.column_name = 'network'""",
                            [VIEW]).fetchone()
    finally:
        conn.close()


def _execute(warehouse: Path, sql: str) -> None:
    conn = duckdb.connect(str(warehouse))
    try:
        conn.execute(sql)
    finally:
        conn.close()


def test_an_unchanged_view_is_kept_and_a_changed_or_missing_one_is_built(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    connect_warehouse(warehouse).close()  # the raw schema the view reads

    _build_view(warehouse)
    built = _view(warehouse)
    _execute(warehouse, f"comment on column staging.{VIEW}.network is 'this very view'")
    _build_view(warehouse)
    kept = _view(warehouse)
    _execute(warehouse, f"comment on view staging.{VIEW} is 'dbt:another definition'")
    _build_view(warehouse)
    rebuilt = _view(warehouse)
    _execute(warehouse, f"drop view staging.{VIEW}")
    _build_view(warehouse)
    restored = _view(warehouse)

    assert built is not None and built[0] is not None and built[0].startswith("dbt:")
    assert kept == (built[0], "this very view")
    assert rebuilt == (built[0], None)
    assert restored == (built[0], None)
