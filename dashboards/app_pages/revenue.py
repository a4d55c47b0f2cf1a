"""Revenue and burns: what each network earns, emissions against burns, net issuance."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, gaps_caption, incomplete_notice, methodology_link, no_data,
                                   one_source, provenance_badge, require_published, sidebar_filters, table, total)
from warehouse.queries.gaps import row_markers

st.title("Revenue and burns")
require_published()
filters = sidebar_filters()
(daily,) = one_source(data.query("network_daily", networks=filters.networks, start=filters.start, end=filters.end))
if daily.empty:
    no_data("revenue")
    st.stop()
provenance_badge(daily["source"])
gaps = coverage(filters.networks)

cols = st.columns(3)
total(cols[0], "Revenue", daily, "revenue_usd", gaps)
total(cols[1], "Fees", daily, "fees_usd", gaps)
total(cols[2], "Net issuance", daily, "net_issuance_usd", gaps)
incomplete_notice(daily)

st.subheader("Revenue per day")
# no fillna: a day without a revenue figure (unpriced) is a gap, not $0; a network whose revenue is not
# measured on-chain (Aethir's is off-chain) draws no line, and the caption says why
revenue = gaps.masked(daily[["day", "network", "revenue_usd", "fees_usd"]])
revenue["note"] = row_markers(daily)
chart(charts.metric_lines(revenue, "revenue_usd", "USD", marks="note"), revenue, "revenue_daily")
gaps_caption(daily, gaps, ["revenue_usd"], "The chart")
st.subheader("Emissions against burns")
supply = gaps.masked(daily[["day", "network", "emissions_usd", "burns_usd", "net_issuance_usd"]])
chart(charts.emissions_vs_burns(supply), supply, "emissions_vs_burns")
gaps_caption(daily, gaps, ["emissions_usd", "burns_usd"], "The chart")
st.subheader("Daily table")
table(daily, "revenue_table", cov=gaps,
      show=["day", "network", "source", "fees_usd", "revenue_usd", "supply_side_revenue_usd", "burns_usd",
            "emissions_usd", "net_issuance_usd", "emissions_tokens", "burns_tokens", "token_price_usd", "price_source"])
methodology_link()
