"""Small UI pieces every page shares: the provenance badge and the empty-state message."""

from __future__ import annotations

import pandas as pd
import streamlit as st

SOURCE_LABELS = {
    "demo": "DEMO DATA: simulated activity on a local anvil chain, not real network figures.",
    "local": "Local chain: transactions sent to a local anvil node, not mainnet.",
    "live": "Live: read from mainnet RPC endpoints.",
    "reference": "Reference: published figures, with source and as-of date.",
}


def provenance_badge(sources: pd.Series) -> None:
    """State where the rows on this page came from; demo data gets a warning badge."""
    labels = sorted(set(sources.dropna()))
    if "demo" in labels:
        st.warning("🧪 " + SOURCE_LABELS["demo"], icon="⚠️")
    for label in labels:
        if label != "demo":
            st.info(SOURCE_LABELS.get(label, f"source: {label}"))


def no_data(what: str) -> None:
    """Explain an empty result and what to do about it."""
    st.info(f"No {what} for these filters. Widen the date range or pick other networks; "
            "if nothing is published yet, run `depinlens up`.")
