"""Token flows: what each network's token minted, burned and moved, day by day, one token at a time."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, gaps_caption, methodology_link, no_data, one_source,
                                   provenance_badge, require_published, sidebar_filters, table, total)

st.title("Token flows")
st.caption("Mints come from the zero address, burns go to it; amounts are summed exactly in base units and shown in "
           "each token's own units. Tokens are never added to each other: totals across networks are in USD.")

# ── filters (kept across pages and in the URL) ─────────────────────────────────
require_published()
filters = sidebar_filters()

# ── fetch ──────────────────────────────────────────────────────────────────────
window = {"networks": filters.networks, "start": filters.start, "end": filters.end}
flows, daily = one_source(data.query("token_flows_daily", **window), data.query("network_daily", **window))
if flows.empty and daily.empty:
    no_data("token flows")
    st.stop()
provenance_badge(daily["source"] if not daily.empty else flows["source"])
# a network whose mints or burns the live path cannot read shows "—" with the reason, never 0
gaps = coverage(filters.networks)

# ── headline numbers, in USD (one unit across tokens) ──────────────────────────
cols = st.columns(4)
total(cols[0], "Minted (USD)", daily, "emissions_usd", gaps)
total(cols[1], "Burned (USD)", daily, "burns_usd", gaps)
total(cols[2], "Net issuance (USD)", daily, "net_issuance_usd", gaps)
cols[3].metric("Transfers", f"{int(flows['transfer_count'].sum()):,}")
st.caption("In USD at each day's token price. Akash's AKT is minted by the chain's mint module, which no transfer "
           "records: its emissions are counted here (inflation × supply), not in the per-token flows below.")

if flows.empty:
    st.stop()

# ── per token, in its own units ────────────────────────────────────────────────
st.subheader("Per token")
per_token = (flows.groupby(["network", "token_symbol", "source"], as_index=False)
             [["minted", "burned", "net_issuance", "transferred", "mint_count", "burn_count", "transfer_count"]].sum())
table(per_token, "token_totals", cov=gaps)
gaps_caption(per_token, gaps, ["minted", "burned"], "The table")

tokens = sorted(f"{t} ({n})" for n, t in per_token[["network", "token_symbol"]].drop_duplicates().itertuples(index=False))
picked = st.selectbox("Token", tokens, key="flows-token", help="Charts show one token at a time, in its own units.")
symbol, network = picked.rsplit(" (", 1)[0], picked.rsplit(" (", 1)[1].rstrip(")")
one = gaps.masked(flows[(flows["token_symbol"] == symbol) & (flows["network"] == network)])

st.subheader(f"{symbol}: minted against burned")
chart(charts.issuance_chart(one, symbol), one[["day", "network", "chain", "token_symbol", "minted", "burned",
                                               "net_issuance"]], "issuance")
gaps_caption(one, gaps, ["minted", "burned"], "The chart")
st.subheader(f"{symbol}: transfer volume")
chart(charts.transfer_volume_chart(one, symbol), one[["day", "network", "chain", "token_symbol", "transferred"]],
      "transfers")

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Daily table")
rows = flows[["day", "network", "chain", "token_symbol", "source", "minted", "burned", "transferred",
              "net_issuance", "mint_count", "burn_count", "transfer_count", "minted_raw", "burned_raw",
              "transferred_raw", "first_block", "last_block"]]
table(rows, "token_flows_daily", cov=gaps)
methodology_link()
