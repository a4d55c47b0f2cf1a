"""Cached access to the serving file for the pages; every query comes from warehouse.queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from depinlens.settings import Settings
from warehouse import ServingFileMissing, connect_serving, queries


def serving_path() -> Path:
    """The published serving file this app reads."""
    return Settings.from_env().serving_path


def serving_version() -> float | None:
    """Modification time of the serving file (a cache key), None when nothing is published yet."""
    path = serving_path()
    return path.stat().st_mtime if path.exists() else None


@st.cache_resource
def _serving(path: str, version: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published version of the file, shared across sessions."""
    return connect_serving(path)


def _cursor() -> duckdb.DuckDBPyConnection:
    version = serving_version()
    if version is None:
        raise ServingFileMissing(
            f"no serving file at {serving_path()}: run `depinlens up` to build and publish the marts"
        )
    return _serving(str(serving_path()), version).cursor()


@st.cache_data(ttl="10m")
def token_flows_daily(networks: tuple[str, ...] | None, start: date | None, end: date | None,
                      version: float | None) -> pd.DataFrame:
    """Daily minted / burned / transferred (cached per filter and published version)."""
    return queries.token_flows_daily(_cursor(), networks=list(networks) if networks is not None else None, start=start, end=end)


@st.cache_data(ttl="10m")
def data_sources(version: float | None) -> pd.DataFrame:
    """Source label, network and chain of every published row group."""
    return queries.data_sources(_cursor())


@st.cache_data(ttl="10m")
def networks(version: float | None) -> list[str]:
    """Networks present in the published marts."""
    return queries.networks(_cursor())


@st.cache_data(ttl="10m")
def published_at(version: float | None):
    """When the serving file was published."""
    return queries.published_at(_cursor())
