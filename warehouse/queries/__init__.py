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

__all__ = [
    "benchmark_results",
    "claims_vs_evidence",
    "cost_per_compute",
    "data_sources",
    "freshness",
    "gpu_models",
    "gpu_prices",
    "gpu_specs",
    "latest_gpu_price_by_venue",
    "metric_coverage",
    "network_daily",
    "network_dim",
    "network_summary",
    "networks",
    "onchain_references",
    "published_at",
    "token_flows_daily",
]


def _window(networks: list[str] | None, start: date | None, end: date | None) -> list:
    return [networks, networks, start, start, end, end]


def token_flows_daily(
    conn: duckdb.DuckDBPyConnection,
    *,
    networks: list[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Daily minted / burned / transferred per network and token (marts.token_flows_daily)."""
    return conn.execute(_sql.TOKEN_FLOWS_DAILY, _window(networks, start, end)).df()


def data_sources(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Where the published rows came from: source label, network, chain, day span, records."""
    return conn.execute(_sql.DATA_SOURCES).df()


def networks(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Networks present in the published marts."""
    return [row[0] for row in conn.execute(_sql.NETWORKS).fetchall()]


def published_at(conn: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the serving file was last published."""
    return conn.execute(_sql.PUBLISHED_AT).fetchone()[0]


def network_daily(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None,
                  start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Every metric of marts.network_daily for the networks and days chosen."""
    return conn.execute(_sql.NETWORK_DAILY, _window(networks, start, end)).df()


def network_summary(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None,
                    start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """One row per network and source label over the window: totals, average yields and utilization, revenue trend,
    and the days whose job payments were not all priced (`incomplete_days`, `unpriced_denoms`)."""
    return conn.execute(_sql.NETWORK_SUMMARY, _window(networks, start, end)).df()


def metric_coverage(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None) -> pd.DataFrame:
    """Per network and network_daily metric: measured, not measured on-chain or not applicable, the reason,
    the measure a reason comes from (`via`) and the live accounts it is read through (marts.network_metric_coverage)."""
    return conn.execute(_sql.METRIC_COVERAGE, [networks, networks]).df()


def gpu_prices(conn: duckdb.DuckDBPyConnection, *, gpu_model: str | None = None) -> pd.DataFrame:
    """$/GPU-hour per day, venue and model (marts.gpu_prices)."""
    return conn.execute(_sql.GPU_PRICES, [gpu_model, gpu_model]).df()


def latest_gpu_price_by_venue(conn: duckdb.DuckDBPyConnection, *, gpu_models: list[str]) -> pd.DataFrame:
    """The latest $/GPU-hour of each venue for the given models, cheapest first."""
    return conn.execute(_sql.LATEST_GPU_PRICE_BY_VENUE, [gpu_models]).df()


def gpu_models(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """GPU models that have a price."""
    return [row[0] for row in conn.execute(_sql.GPU_MODELS).fetchall()]


def benchmark_results(conn: duckdb.DuckDBPyConnection, *, gpu_model: str | None = None) -> pd.DataFrame:
    """Accepted benchmark measurements, newest first."""
    return conn.execute(_sql.BENCHMARK_RESULTS, [gpu_model, gpu_model]).df()


def cost_per_compute(conn: duckdb.DuckDBPyConnection, *, gpu_model: str | None = None) -> pd.DataFrame:
    """$ per PFLOP-hour and per million tokens per venue and model, cheapest first."""
    return conn.execute(_sql.COST_PER_COMPUTE, [gpu_model, gpu_model]).df()


def claims_vs_evidence(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None) -> pd.DataFrame:
    """Each published claim beside the measured figure and the gap."""
    return conn.execute(_sql.CLAIMS_VS_EVIDENCE, [networks, networks]).df()


def network_dim(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per network: identity, economics, data coverage."""
    return conn.execute(_sql.NETWORKS_DIM).df()


def gpu_specs(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Datasheet peaks per GPU model."""
    return conn.execute(_sql.GPU_SPECS).df()


def freshness(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Latest day and row count of each mart per source label."""
    return conn.execute(_sql.FRESHNESS).df()


def onchain_references(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None,
                       start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Per network, chain and token: the block (slot, height) span and contract behind the window's rows."""
    return conn.execute(_sql.ONCHAIN_REFERENCES, _window(networks, start, end)).df()
