"""Cached access to the serving file for the pages; every query comes from warehouse.queries.

Pages call `data.query("network_daily", networks=(...), start=..., end=...)`: one cached
wrapper for every named query, keyed by the query's name, its (hashable) arguments and the
serving version the pointer names, so a new publish invalidates the cache. Connections come
from one ServingReader per serving path, shared by every session of this server: it opens
each new version fresh and closes the previous one once its last query is done, so the
server never keeps an old (or deleted) version open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from depinlens.settings import Settings
from warehouse import ServingReader, queries


def serving_path() -> Path:
    """The serving path this app reads (a pointer to the current published version)."""
    return Settings.from_env().serving_path


def serving_version() -> str | None:
    """The published version file the serving path names now (a cache key), None when nothing is published yet."""
    version = _reader(str(serving_path())).version()
    return str(version) if version is not None else None


@st.cache_resource
def _reader(pointer: str) -> ServingReader:
    """One reader per serving path for the whole server, shared across sessions."""
    return ServingReader(pointer)


@st.cache_data(ttl="10m", show_spinner=False)
def _cached(name: str, version: str | None, arguments: tuple[tuple[str, Any], ...]) -> Any:
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in arguments}
    with _reader(str(serving_path())).cursor() as cursor:
        return getattr(queries, name)(cursor, **kwargs)


def query(name: str, **kwargs: Any) -> Any:
    """Run the named query of warehouse.queries (cached); lists become tuples for hashing."""
    if name not in queries.__all__:
        raise KeyError(f"no query named {name!r} in warehouse.queries")
    arguments = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    return _cached(name, serving_version(), arguments)


def token_flows_daily(networks, start, end, version=None) -> pd.DataFrame:
    """Daily minted / burned / transferred (kept for the token-flows page)."""
    return query("token_flows_daily", networks=list(networks) if networks is not None else None, start=start, end=end)
