"""Claims against evidence: what networks say beside what the chain shows, on the claim's own terms."""

import pandas as pd
import streamlit as st

from dashboards import charts, data
from dashboards.components import (MISSING, chart, column_config, csv_of, methodology_link, no_data, provenance_badge,
                                   require_published, sidebar_filters)
from reports import format_value

st.title("Claims against evidence")
st.caption("Published claims (2025 industry articles) are claims, not facts. Each is set only against days inside its "
           "own period, measured the way it is stated: a total over the period (scaled to the period and labelled "
           "when part of it is measured), a level averaged over it. A claim the data cannot cover yet says so.")
require_published()
filters = sidebar_filters(days=False)
claims = data.query("claims_vs_evidence", networks=filters.networks)
if claims.empty:
    no_data("claims")
    st.stop()
# the measured figures and the holdings the basis names come from the networks' on-chain rows
provenance_badge(data.query("network_summary", networks=filters.networks)["source"])


def in_unit(value: object, unit: str, high: object = None) -> str:
    """A claimed or measured figure in the claim's unit: '$128,000,000', '85–95%', '327,000 GPUs'."""
    if value is None or pd.isna(value):
        return MISSING
    if unit == "USD":
        return format_value("usd", value)
    upper = "" if high is None or pd.isna(high) else f"–{float(high):,.0f}"
    if unit == "percent":
        return f"{float(value):,.1f}{upper}%" if not upper else f"{float(value):,.0f}{upper}%"
    return f"{float(value):,.0f}{upper} {unit}"


comparable = claims[claims["comparable"]]
if comparable.empty:
    held = data.query("day_span")
    st.info(f"No claim can be set against the data on its own terms yet: the published days run from {held[0]:%Y-%m-%d} "
            f"to {held[1]:%Y-%m-%d}, and no claim's period is covered. Each row's basis says what it would need.",
            icon=":material/event_busy:")
else:
    st.subheader("Measured ÷ claimed, same period and terms")
    chart(charts.claim_gaps(comparable), comparable[["network", "metric", "period", "claimed_value", "measured_value",
                                                     "gap_ratio", "measurement_basis"]], "claims_gap")

st.subheader("Every claim")
shown = pd.DataFrame({
    "network": claims["network"],
    "claim_text": claims["claim_text"],
    "claimed_value": [in_unit(v, u, h) for v, u, h in zip(claims["claimed_value"], claims["unit"],
                                                           claims["claimed_value_high"], strict=True)],
    "period": claims["period"],
    "measured_value": [in_unit(v, u) for v, u in zip(claims["measured_value"], claims["unit"], strict=True)],
    "measurement_basis": claims["measurement_basis"],  # beside the measured figure: how it was measured, or why —
    "gap_ratio": claims["gap_ratio"].map(lambda v: format_value("pct", v)),
    "evidence_note": claims["evidence_note"].fillna(MISSING),
    "source_name": claims["source_name"],
    "as_of": claims["as_of"].map(lambda v: format_value("date", v)),
})
numbers = ["claimed_value", "measured_value", "gap_ratio"]
st.dataframe(shown, hide_index=True, key="table-claims_vs_evidence", column_config=column_config(shown, {}, numbers))
st.download_button("Download claims_vs_evidence.csv", csv_of(claims[[
    "network", "metric", "claim_text", "claimed_value", "claimed_value_high", "unit", "period", "period_start",
    "period_end", "comparable", "measured_value", "evidence_from", "evidence_to", "evidence_days", "gap_ratio",
    "measurement_basis", "evidence_note", "evidence_sources", "source_name", "source_ref", "as_of"]]),
    file_name="claims_vs_evidence.csv", mime="text/csv", key="csv-claims_vs_evidence")
methodology_link()
