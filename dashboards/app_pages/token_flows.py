"""Token flows: what each network's token minted, burned and moved, day by day."""

from datetime import timedelta

import streamlit as st

from dashboards import charts, data
from dashboards.components import no_data, provenance_badge
from warehouse import ServingFileMissing

st.title("Token flows")
st.caption("Mints come from the zero address, burns go to it; amounts are summed exactly in base units "
           "and shown in token units.")

# ── data availability ──────────────────────────────────────────────────────────
version = data.serving_version()
try:
    all_networks = data.networks(version)
except ServingFileMissing as exc:
    st.error(str(exc))
    st.stop()

# ── filters ────────────────────────────────────────────────────────────────────
everything = data.token_flows_daily(None, None, None, version)
if everything.empty:
    no_data("token flows")
    st.stop()
first, last = everything["day"].min(), everything["day"].max()
with st.sidebar:
    chosen = st.multiselect("Networks", all_networks, default=all_networks)
    window = st.date_input("Days", value=(max(first, last - timedelta(days=29)), last),
                           min_value=first, max_value=last)
start, end = (window if isinstance(window, tuple) and len(window) == 2 else (first, last))

# ── fetch ──────────────────────────────────────────────────────────────────────
flows = data.token_flows_daily(tuple(chosen), start, end, version)
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
st.plotly_chart(charts.issuance_chart(flows))
st.subheader("Transfer volume")
st.plotly_chart(charts.transfer_volume_chart(flows))

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Daily table")
table = flows[["day", "network", "chain", "token_symbol", "source", "minted", "burned", "transferred",
               "net_issuance", "mint_count", "burn_count", "transfer_count", "minted_raw", "burned_raw",
               "transferred_raw", "first_block", "last_block"]]
st.dataframe(table.astype({"minted_raw": str, "burned_raw": str, "transferred_raw": str}),
             hide_index=True)
st.download_button("Download CSV", table.to_csv(index=False), file_name="token_flows_daily.csv", mime="text/csv")
