"""Named, parameterized queries over the serving file, shared by dashboards, reports and tests.

Each function takes an open connection (or cursor) and plain arguments and returns a
pandas DataFrame; none of them writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from warehouse.queries import _sql

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["data_sources", "networks", "published_at", "token_flows_daily"]


def token_flows_daily(
    conn: duckdb.DuckDBPyConnection,
    *,
    networks: list[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Daily minted / burned / transferred per network and token (marts.token_flows_daily)."""
    params = [networks, networks, start, start, end, end]
    return conn.execute(_sql.TOKEN_FLOWS_DAILY, params).df()


def data_sources(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Where the published rows came from: source label, network, chain, day span, records."""
    return conn.execute(_sql.DATA_SOURCES).df()


def networks(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Networks present in the published marts."""
    return [row[0] for row in conn.execute(_sql.NETWORKS).fetchall()]


def published_at(conn: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the serving file was last published."""
    return conn.execute(_sql.PUBLISHED_AT).fetchone()[0]
