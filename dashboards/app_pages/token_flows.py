"""Token flows: what each network's token minted, burned and moved, day by day."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import chart, no_data, one_source, provenance_badge, require_published, sidebar_filters, table

st.title("Token flows")
st.caption("Mints come from the zero address, burns go to it; amounts are summed exactly in base units "
           "and shown in token units.")

# ── filters (kept in the URL) ──────────────────────────────────────────────────
require_published()
filters = sidebar_filters()

# ── fetch ──────────────────────────────────────────────────────────────────────
(flows,) = one_source(data.query("token_flows_daily", networks=filters.networks, start=filters.start, end=filters.end))
if flows.empty:
    no_data("token flows")
    st.stop()
provenance_badge(flows["source"])

# ── headline numbers ───────────────────────────────────────────────────────────
cols = st.columns(4)
cols[0].metric("Minted", f"{flows['minted'].sum():,.0f}")
cols[1].metric("Burned", f"{flows['burned'].sum():,.0f}")
cols[2].metric("Net issuance", f"{flows['net_issuance'].sum():,.0f}")
cols[3].metric("Transfers", f"{int(flows['transfer_count'].sum()):,}")

# ── charts ─────────────────────────────────────────────────────────────────────
st.subheader("Emissions against burns")
chart(charts.issuance_chart(flows), flows[["day", "network", "token_symbol", "minted", "burned", "net_issuance"]],
      "issuance")
st.subheader("Transfer volume")
chart(charts.transfer_volume_chart(flows), flows[["day", "network", "token_symbol", "transferred"]], "transfers")

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Daily table")
daily = flows[["day", "network", "chain", "token_symbol", "source", "minted", "burned", "transferred",
               "net_issuance", "mint_count", "burn_count", "transfer_count", "minted_raw", "burned_raw",
               "transferred_raw", "first_block", "last_block"]]
table(daily.astype({"minted_raw": str, "burned_raw": str, "transferred_raw": str}), "token_flows_daily")
