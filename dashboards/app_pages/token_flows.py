"""Token flows: what each network's token minted, burned and moved, day by day."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, gaps_caption, no_data, one_source, provenance_badge,
                                   require_published, sidebar_filters, table, total)

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
# a network whose mints or burns the live path cannot read shows "—" with the reason, never 0
gaps = coverage(filters.networks)
measured = gaps.masked(flows)

# ── headline numbers ───────────────────────────────────────────────────────────
cols = st.columns(4)
tokens = lambda value: f"{value:,.0f}"  # noqa: E731
total(cols[0], "Minted", flows, "minted", gaps, write=tokens)
total(cols[1], "Burned", flows, "burned", gaps, write=tokens)
total(cols[2], "Net issuance", flows, "net_issuance", gaps, write=tokens)
cols[3].metric("Transfers", f"{int(flows['transfer_count'].sum()):,}")

# ── charts ─────────────────────────────────────────────────────────────────────
st.subheader("Emissions against burns")
chart(charts.issuance_chart(measured), measured[["day", "network", "token_symbol", "minted", "burned", "net_issuance"]],
      "issuance")
gaps_caption(flows, gaps, ["minted", "burned"], "The chart")
st.subheader("Transfer volume")
chart(charts.transfer_volume_chart(flows), flows[["day", "network", "token_symbol", "transferred"]], "transfers")

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Daily table")
daily = flows[["day", "network", "chain", "token_symbol", "source", "minted", "burned", "transferred",
               "net_issuance", "mint_count", "burn_count", "transfer_count", "minted_raw", "burned_raw",
               "transferred_raw", "first_block", "last_block"]]
table(daily.astype({"minted_raw": str, "burned_raw": str, "transferred_raw": str}), "token_flows_daily", cov=gaps)
