"""Named, parameterized queries over the serving file, shared by dashboards, reports and tests.

Each function takes an open connection (or cursor) and plain arguments and returns a
pandas DataFrame; none of them writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from warehouse.queries import _sql

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = [
    "benchmark_results",
    "claims_vs_evidence",
    "cost_per_compute",
    "data_sources",
    "day_span",
    "freshness",
    "gpu_finance_summary",
    "gpu_financing_daily",
    "gpu_loans",
    "gpu_models",
    "gpu_prices",
    "gpu_specs",
    "latest_gpu_price_by_venue",
    "metric_coverage",
    "network_daily",
    "network_dim",
    "network_periods",
    "network_summary",
    "networks",
    "onchain_references",
    "provider_summary",
    "published_at",
    "token_flows_daily",
    "valuation",
    "vault_yield_daily",
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


def day_span(conn: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """The first and last day of marts.network_daily (None, None when it is empty)."""
    return tuple(conn.execute(_sql.DAY_SPAN).fetchone())  # type: ignore[return-value]


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


def latest_gpu_price_by_venue(conn: duckdb.DuckDBPyConnection, *, gpu_models: list[str] | None = None,
                              start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Each venue's $/GPU-hour for the given models (None: all), cheapest first: a network's on its latest
    day inside the window, a cloud's latest list price on or before the window's end."""
    return conn.execute(_sql.LATEST_GPU_PRICE_BY_VENUE, [gpu_models, gpu_models, end, end, start, start]).df()


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


Grain = Literal["week", "month"]


def network_periods(conn: duckdb.DuckDBPyConnection, *, grain: Grain, networks: list[str] | None = None,
                    start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Weekly or monthly totals per network and source label over the window, with revenue and fees per day
    against the period before (`revenue_change`, `fees_change`); `days` says how much of a period the window holds."""
    if grain not in ("week", "month"):
        raise ValueError(f"grain must be 'week' or 'month', not {grain!r}")
    return conn.execute(_sql.NETWORK_PERIODS, [*_window(networks, start, end), grain, grain, grain]).df()


def provider_summary(conn: duckdb.DuckDBPyConnection, *, network: str, start: date | None = None,
                     end: date | None = None) -> pd.DataFrame:
    """One row per provider of `network` and source label over the window: GPUs by model (average leased at
    once), leases, what tenants paid, what the provider kept, the protocol's take, $/GPU-hour (marts.provider_daily),
    and whether its attributes are audited (`audit_status`, marts.provider_audits; null where never read)."""
    return conn.execute(_sql.PROVIDER_SUMMARY, [network, start, start, end, end]).df()


def valuation(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None, start: date | None = None,
              end: date | None = None) -> pd.DataFrame:
    """Per network and source label: the primary token's supply and market value at the window's last day with
    both (marts.token_supply_daily), fees and revenue over the window and annualised, price-to-fees and
    price-to-sales; the fully diluted value (price × the registry's maximum supply, with its source and as-of
    date) or, in `fully_diluted_value_gap`, why there is none (`gaps.valuation_gaps` turns that into "—")."""
    return conn.execute(_sql.VALUATION, [*_window(networks, start, end), *_window(networks, start, end)]).df()


def gpu_financing_daily(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None,
                        start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """GPU loans per loan router, currency and day: originated, repaid, outstanding, interest, fees, defaults."""
    return conn.execute(_sql.GPU_FINANCING_DAILY, _window(networks, start, end)).df()


def gpu_loans(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None, start: date | None = None,
              end: date | None = None) -> pd.DataFrame:
    """GPU loans originated in the window, one row each: principal, status, and collateral as the loan terms state
    it ("token #id") or "unknown" with the reason."""
    return conn.execute(_sql.GPU_LOANS, _window(networks, start, end)).df()


def vault_yield_daily(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None,
                      start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """GPU-backed yield vaults per day: NAV, share prices, realised yield since start and over 30 days, claimed yield."""
    return conn.execute(_sql.VAULT_YIELD_DAILY, _window(networks, start, end)).df()


def gpu_finance_summary(conn: duckdb.DuckDBPyConnection, *, networks: list[str] | None = None,
                        start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """One row per yield product and source label over the window: realised yield from its share price between the
    window's first and last reading (compounded, annualised) beside the claimed yield, and its network's financing."""
    return conn.execute(_sql.GPU_FINANCE_SUMMARY, _window(networks, start, end) * 2).df()
