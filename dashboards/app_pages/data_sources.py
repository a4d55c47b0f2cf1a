"""Data and sources: where every published row came from, and when it was published."""

import streamlit as st

from dashboards import data
from dashboards.components import SOURCE_LABELS, no_data
from warehouse import ServingFileMissing

st.title("Data and sources")

version = data.serving_version()
try:
    sources = data.data_sources(version)
    published = data.published_at(version)
except ServingFileMissing as exc:
    st.error(str(exc))
    st.stop()

st.write(f"Serving file `{data.serving_path()}`, published {published:%Y-%m-%d %H:%M UTC}.")
if sources.empty:
    no_data("published rows")
    st.stop()
st.dataframe(sources, hide_index=True)

st.subheader("What the source labels mean")
for label, meaning in SOURCE_LABELS.items():
    st.markdown(f"- **{label}**: {meaning}")
st.markdown("Every raw row keeps its chain, block, block hash, transaction hash, log index and fetch time; "
            "the daily table's first and last block point back to them.")
