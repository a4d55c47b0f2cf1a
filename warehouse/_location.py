"""Which warehouse: the embedded DuckDB file (the default) or a DuckLake whose catalog is in PostgreSQL.

`DEPINLENS_WAREHOUSE` holds either a path (`data/warehouse.duckdb`) or a DuckLake location,
`ducklake:postgres:<libpq DSN>` (e.g. `ducklake:postgres:dbname=lake host=10.0.0.5 user=etl`);
the lake's Parquet files go to `DEPINLENS_LAKE_DATA` (a directory, or `s3://bucket/prefix/`
through DuckDB's httpfs). Every function that opens the warehouse takes that text, so the
CLI, Dagster, dbt's profile and the dashboards pick the backend from one variable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

LAKE_PREFIX = "ducklake:"
LAKE_ALIAS = "lake"  # the catalog name every lake connection (and dbt's profile) attaches it as


@dataclass(frozen=True)
class Lake:
    """A DuckLake: catalog location (`ducklake:postgres:<dsn>`) and where its data files go.

    The catalog records its data path when it is created, so only the process that creates a
    lake needs one: `data_path` is DEPINLENS_LAKE_DATA when set (then it must match the
    catalog's), and `new_data_path` is used when the catalog turns out not to exist yet.
    """

    catalog: str
    data_path: str | None
    new_data_path: str = ""

    def __str__(self) -> str:
        return self.catalog

    def redacted(self) -> str:
        """The catalog location without its password, for messages and logs."""
        return redact_dsn(self.catalog)


def redact_dsn(text: str) -> str:
    """`text` with any libpq `password=...` value replaced by `***`."""
    return re.sub(r"(password\s*=\s*)('[^']*'|\S+)", r"\1***", text)


def is_lake(location: Path | str | Lake) -> bool:
    """Whether `location` names a DuckLake rather than a DuckDB file."""
    return isinstance(location, Lake) or str(location).startswith(LAKE_PREFIX)


def lake_data_path(default: Path | None = None) -> str:
    """Where the lake writes Parquet: DEPINLENS_LAKE_DATA, else `<data dir>/lake/` (always ends in '/')."""
    text = os.environ.get("DEPINLENS_LAKE_DATA") or str(
        default or Path(os.environ.get("DEPINLENS_DATA_DIR", "data")).resolve() / "lake")
    return text if text.endswith("/") else text + "/"


def parse_lake(location: str | Lake) -> Lake:
    """The Lake named by `location`; its data path from DEPINLENS_LAKE_DATA.

    Raises:
        ValueError: not a `ducklake:postgres:` location (other catalogs are not supported here).
    """
    if isinstance(location, Lake):
        return location
    if not location.startswith(f"{LAKE_PREFIX}postgres:"):
        raise ValueError(f"DEPINLENS_WAREHOUSE={location.split(' ')[0]!r}: a lake location is "
                         "'ducklake:postgres:<dsn>', e.g. 'ducklake:postgres:dbname=lake host=127.0.0.1 user=etl'")
    explicit = os.environ.get("DEPINLENS_LAKE_DATA")
    return Lake(catalog=location, data_path=lake_data_path() if explicit else None, new_data_path=lake_data_path())
