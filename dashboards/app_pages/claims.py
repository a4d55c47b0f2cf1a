"""Claims against evidence: what networks say beside what the chain shows."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, methodology_link, no_data, provenance_badge, require_published,
                                   sidebar_filters, table)

st.title("Claims against evidence")
st.caption("Published claims (2025 industry articles) are claims, not facts; each sits beside what the data measures.")
require_published()
filters = sidebar_filters(days=False)
claims = data.query("claims_vs_evidence", networks=filters.networks)
if claims.empty:
    no_data("claims")
    st.stop()
provenance_badge([s.strip() for value in claims["evidence_sources"].dropna() for s in value.split(",")])
# a claim whose counterpart is not measured on-chain for that network has no measured figure (the notes say why)
gaps = coverage(filters.networks)
figures = ["measured_value", "gap_ratio"]
measured = gaps.masked(claims, figures, metric_column="measure").dropna(subset=["measured_value"])
if not measured.empty:
    st.subheader("Measured ÷ claimed")
    chart(charts.claim_gaps(measured), measured[["network", "metric", "claimed_value", "measured_value", "gap_ratio"]],
          "claims_gap")
table(claims, "claims_vs_evidence", cov=gaps, metric_column="measure", columns=figures,
      show=["network", "claim_text", "claimed_value", "claimed_value_high", "unit", "period", "measured_value",
            "gap_ratio", "measurement_basis", "evidence_note", "source_name", "as_of"])
methodology_link()
