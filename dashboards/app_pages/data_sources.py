"""Data and methodology: where every published row came from, how fresh it is, and how metrics are defined."""

from pathlib import Path

import streamlit as st

from dashboards import data
from dashboards.components import SOURCE_LABELS, keep_in_url, no_data, require_published, table
from depinlens.settings import PROJECT_ROOT

st.title("Data and methodology")
require_published()
keep_in_url()  # no filter here, but a reload or a copied link keeps the view the other pages show
published = data.query("published_at")
st.write(f"The marts shown were published {published:%Y-%m-%d %H:%M} UTC.")

st.subheader("Freshness")
freshness = data.query("freshness")
if freshness.empty:
    no_data("published rows")
else:
    table(freshness, "freshness")

st.subheader("Networks and their sources")
table(data.query("network_dim"), "networks")
st.subheader("What is measured on-chain")
st.caption("Per network and metric: measured (and the live accounts it is read through, with what a day costs), "
           "not measured on-chain (the registry's reason, networks.toml `not_measured`) or not applicable. "
           "Pages and reports show — with this reason instead of an empty or zero figure.")
table(data.query("metric_coverage").fillna({"reason": "—", "via": "—", "read_through": "—"}), "metric_coverage")
st.subheader("Token movements by source")
table(data.query("data_sources"), "token_sources")

st.subheader("What the source labels mean")
for label, meaning in SOURCE_LABELS.items():
    st.markdown(f"- **{label}**: {meaning}")
st.markdown("Every raw row keeps its chain, block or slot, block hash, transaction hash or signature, "
            "log or instruction index and fetch time.")

st.subheader("Methodology")
methodology = PROJECT_ROOT / "docs" / "methodology.md"
with st.expander("docs/methodology.md", expanded=False):
    st.markdown(Path(methodology).read_text())
