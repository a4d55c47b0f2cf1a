"""Leave the staging and intermediate views out of a build when the warehouse already holds them as
the project defines them.

Why: a view holds no data, so a day's new rows never make one stale; only a change of the SQL that
defines it does. Yet each of the 34 views is a node of every build: about 0.4 s of a one-day build
at 10M rows on 2 cores, even where dbt/macros/materializations/view.sql finds the view unchanged
and stops after one look-up, and on a DuckLake (which that macro leaves to dbt's own
materialization) each view is dropped and created again in the lake's catalog.

How: after a build of the whole project with the views succeeds, the warehouse keeps a fingerprint of what a view's
SQL can depend on (`project_fingerprint`: the project's files and the dbt versions) in
`meta.dbt_views`. A later build whose fingerprint matches leaves the view models out
(`VIEWS_KEPT`), keeping every data test, those on views included: they read the view the warehouse
holds; the dbt asset still reports each view to Dagster, noted "view kept". Any edit of the project, a dbt upgrade, a warehouse that has never had a whole build, a
failed build (nothing is recorded) or a build of a selection (neither read nor recorded) builds the
views again. A view's SQL reads no environment variable (tests/test_dbt_views.py checks every view
and the macros it calls): nothing outside these files changes it.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version

import duckdb

from depinlens.settings import DBT_PROJECT_DIR
from warehouse import transaction

VIEWS_KEPT = ["--exclude", "config.materialized:view", "--indirect-selection", "empty"]
"""The build's flags that leave every view model out but keep every test (the default indirect
selection, `eager`, would drop the tests of a left-out model too)."""

FINGERPRINT_TABLE = "meta.dbt_views"
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml")
PROJECT_FOLDERS = ("models", "macros", "dbt_packages")
DBT_PACKAGES = ("dbt-core", "dbt-duckdb")


def project_fingerprint() -> str:
    """sha256 of everything a view's SQL can depend on: the project's files that define models and
    macros (names and contents) and the installed dbt-core and dbt-duckdb versions."""
    digest = hashlib.sha256()
    for package in DBT_PACKAGES:
        digest.update(f"{package}=={version(package)}\n".encode())
    paths = [DBT_PROJECT_DIR / name for name in PROJECT_FILES]
    for folder in PROJECT_FOLDERS:
        paths += sorted((DBT_PROJECT_DIR / folder).rglob("*"))
    for path in paths:
        if path.is_file():
            digest.update(f"{path.relative_to(DBT_PROJECT_DIR).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def views_current(conn: duckdb.DuckDBPyConnection | None, fingerprint: str) -> bool:
    """Whether the last whole build recorded in this warehouse (None: none yet) had this fingerprint."""
    if conn is None:
        return False
    schema, table = FINGERPRINT_TABLE.split(".")
    exists = conn.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                          "and schema_name = ? and table_name = ?", [schema, table]).fetchone()[0]
    if not exists:
        return False
    row = conn.execute(f"select fingerprint from {FINGERPRINT_TABLE}").fetchone()
    return row is not None and row[0] == fingerprint


def record_views(conn: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Record that a build of the whole project with this fingerprint succeeded (one row, replaced)."""
    with transaction(conn):
        conn.execute("create schema if not exists meta")
        conn.execute(f"create table if not exists {FINGERPRINT_TABLE} "
                     "(fingerprint varchar not null, built_at timestamptz not null)")
        conn.execute(f"delete from {FINGERPRINT_TABLE}")
        conn.execute(f"insert into {FINGERPRINT_TABLE} values (?, now())", [fingerprint])
