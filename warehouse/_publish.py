"""Publish: copy the marts into a serving file that readers open read-only.

DuckDB lets one process write a file, and a reader cannot open a file another process
holds for writing. Dashboards therefore never open the working warehouse: after each
successful build the marts are copied to a fresh file, which then atomically replaces
the serving file (readers holding the old one keep a consistent snapshot).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


def publish(working: Path | str, serving: Path | str) -> dict[str, int]:
    """Copy every table of the published schemas from `working` to `serving`.

    Returns:
        Row count per published table, keyed `schema.table`.
    """
    working, serving = Path(working), Path(serving)
    serving.parent.mkdir(parents=True, exist_ok=True)
    staging_file = serving.with_name(f".{serving.name}.{os.getpid()}.tmp")
    staging_file.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    conn = duckdb.connect()
    try:
        conn.execute("attach ? as working (read_only)", [str(working)])
        conn.execute("attach ? as serving", [str(staging_file)])
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
    os.replace(staging_file, serving)
    return counts
