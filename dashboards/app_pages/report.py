"""Report: the investor comparison report of the chosen networks and days, as a file to take away.

The bytes come from reports.build_report, the function behind `depinlens report`, so the
download equals the command's output for the same filters.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboards import data
from dashboards.components import methodology_link, no_data, provenance_badge, require_published, sidebar_filters
from reports import FORMATS, build_report, file_name

LABELS = {"pdf": "PDF", "html": "HTML (self-contained)", "xlsx": "Excel workbook (XLSX)", "csv": "CSV files (zip)"}


@st.cache_data(ttl="10m", show_spinner=False, max_entries=16)
def _report(fmt: str, networks: tuple[str, ...], start: date | None, end: date | None,
            version: float | None) -> bytes:
    """The report's bytes, cached per filters and published version of the serving file."""
    return build_report(data.serving_path(), fmt, networks=list(networks), start=start, end=end)


st.title("Report")
st.caption("Networks side by side with charts, methodology, data sources with as-of dates and on-chain "
           "references: the same file as `depinlens report`.")
require_published()
filters = sidebar_filters()
if not filters.networks:
    no_data("networks selected")
    st.stop()
summary = data.query("network_summary", networks=filters.networks, start=filters.start, end=filters.end)
if summary.empty:
    no_data("network metrics")
    st.stop()
provenance_badge([s for sources in summary["sources"] for s in sources])

fmt = st.radio("Format", list(FORMATS), format_func=LABELS.get, horizontal=True, key="report-format")
st.write(f"Networks: **{', '.join(filters.networks)}**; days: **{filters.start} to {filters.end}**.")
command = (f"depinlens report --networks {','.join(filters.networks)} --from {filters.start} --to {filters.end} "
           f"--format {fmt} --out {file_name(fmt, filters.start, filters.end)}")
st.code(command, language="bash")
scope = (fmt, tuple(filters.networks), filters.start, filters.end, data.serving_version())
if st.button("Build the report", key="build-report", type="primary"):
    with st.spinner(f"Building the {LABELS[fmt]}…"):
        st.session_state["report-bytes"] = (scope, _report(*scope))
built = st.session_state.get("report-bytes")
if built and built[0] == scope:  # a report of other filters is never offered
    st.download_button(f"Download {file_name(fmt, filters.start, filters.end)}", built[1],
                       file_name=file_name(fmt, filters.start, filters.end), mime=FORMATS[fmt][1],
                       key="download-report", type="primary")
methodology_link()
