"""Publish: copy the marts into a new serving version that readers open read-only.

DuckDB lets one process write a file, and a reader cannot open a file another process
holds for writing. Dashboards therefore never open the working warehouse: after each
successful build the marts are copied to a new version file, and the serving path is then
switched to it in one rename (warehouse/_serving.py: why a new name each time, and when old
versions go). Readers holding an older version keep a consistent snapshot.

On a DuckLake (warehouse/_location.py) there is nothing to copy: publishing records the
lake's current snapshot as the published one, and readers attach the lake at that snapshot.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse._lake import connect_lake_plain, publish_snapshot, sql_literal
from warehouse._location import is_lake
from warehouse._serving import VERSIONS_KEPT, new_version_path, prune_versions, switch_pointer

PUBLISHED_SCHEMAS = ("marts",)


def publish(working: Path | str, serving: Path | str, *, keep: int = VERSIONS_KEPT) -> dict[str, int]:
    """Copy every table of the published schemas from `working` into a new version and point `serving` at it.

    For a DuckLake `working` (`ducklake:postgres:...`), pin its current snapshot instead (a pointer
    move, no copy); `serving` and `keep` do not apply, the lake keeps its snapshots.

    Args:
        working: the working warehouse (opened read-only).
        serving: the serving path readers open; a plain file there (an older layout) is replaced by the pointer.
        keep: versions kept on disk, the new one included; older ones go once no other process holds them.

    Returns:
        Row count per published table, keyed `schema.table`.
    """
    if is_lake(working):
        conn = connect_lake_plain(str(working))
        try:
            return publish_snapshot(conn, PUBLISHED_SCHEMAS)[1]
        finally:
            conn.close()
    working, serving = Path(working), Path(serving)
    version = new_version_path(serving)
    version.parent.mkdir(parents=True, exist_ok=True)
    staging_file = version.with_name(f"{version.name}.tmp")
    staging_file.unlink(missing_ok=True)
    try:
        counts = _copy_marts(working, staging_file)
    except BaseException:
        for leftover in (staging_file, staging_file.with_name(f"{staging_file.name}.wal")):
            leftover.unlink(missing_ok=True)
        raise
    os.replace(staging_file, version)
    switch_pointer(serving, version)
    prune_versions(serving, keep=keep)
    return counts


def _copy_marts(working: Path, target: Path) -> dict[str, int]:
    """Copy the published schemas' tables from `working` into a new file `target`; row count per table."""
    counts: dict[str, int] = {}
    conn = duckdb.connect()
    try:
        conn.execute(f"attach {sql_literal(str(working))} as working (read_only)")  # duckdb 1.5 binds no parameter here
        conn.execute(f"attach {sql_literal(str(target))} as serving")
        tables = conn.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_catalog = 'working' and table_schema in (select unnest(?))
              and table_type = 'BASE TABLE'
            order by 1, 2
            """,
            [list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        for schema in PUBLISHED_SCHEMAS:
            conn.execute(f"create schema if not exists serving.{schema}")
        for schema, table in tables:
            conn.execute(f'create table serving.{schema}."{table}" as select * from working.{schema}."{table}"')
            counts[f"{schema}.{table}"] = conn.execute(f'select count(*) from serving.{schema}."{table}"').fetchone()[0]
        conn.execute("create schema if not exists serving.meta")
        conn.execute("create table serving.meta.published as select now() as published_at, ? as working_file", [str(working)])
        conn.execute("detach serving")
        conn.execute("detach working")
    finally:
        conn.close()
    return counts
