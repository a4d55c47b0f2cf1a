"""Open the working warehouse (read-write, schema applied) or the serving copy (read-only)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb


def schema_sql() -> str:
    """The raw layer's DDL: every warehouse/schema/*.sql file, in name order."""
    folder = resources.files("warehouse").joinpath("schema")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return "\n".join(f.read_text() for f in files)


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
