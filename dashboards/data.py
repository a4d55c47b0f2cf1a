"""Cached access to the serving file for the pages; every query comes from warehouse.queries.

Pages call `data.query("network_daily", networks=(...), start=..., end=...)`: one cached
wrapper for every named query, keyed by the query's name, its (hashable) arguments and the
serving file's version, so a new publish invalidates the cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@st.cache_data(ttl="10m", show_spinner=False)
def _cached(name: str, version: float | None, arguments: tuple[tuple[str, Any], ...]) -> Any:
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in arguments}
    return getattr(queries, name)(_cursor(), **kwargs)


def query(name: str, **kwargs: Any) -> Any:
    """Run the named query of warehouse.queries (cached); lists become tuples for hashing."""
    if name not in queries.__all__:
        raise KeyError(f"no query named {name!r} in warehouse.queries")
    arguments = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    return _cached(name, serving_version(), arguments)


def token_flows_daily(networks, start, end, version=None) -> pd.DataFrame:
    """Daily minted / burned / transferred (kept for the token-flows page)."""
    return query("token_flows_daily", networks=list(networks) if networks is not None else None, start=start, end=end)
