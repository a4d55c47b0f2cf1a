"""Open the working warehouse (read-write, schema applied) or the serving copy (read-only)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb


def schema_sql() -> str:
    """The raw layer's DDL (warehouse/schema.sql)."""
    return resources.files("warehouse").joinpath("schema.sql").read_text()


def connect_warehouse(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the working DuckDB file with the raw schema in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path))
    conn.execute("set TimeZone = 'UTC'")
    conn.execute(schema_sql())
    return conn


class ServingFileMissing(FileNotFoundError):
    """No serving file yet: the pipeline has not published."""


def connect_serving(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the published serving file read-only, so readers can never write it."""
    path = Path(path)
    if not path.exists():
        raise ServingFileMissing(
            f"no serving file at {path}: run `depinlens up` (or the Dagster job) to build and publish the marts"
        )
    conn = duckdb.connect(str(path), read_only=True)
    conn.execute("set TimeZone = 'UTC'")
    return conn
