"""Revenue and burns: what each network earns, emissions against burns, net issuance."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, help_for, methodology_link, no_data, one_source, provenance_badge,
                                   require_published, sidebar_filters, table)

st.title("Revenue and burns")
require_published()
filters = sidebar_filters()
(daily,) = one_source(data.query("network_daily", networks=filters.networks, start=filters.start, end=filters.end))
if daily.empty:
    no_data("revenue")
    st.stop()
provenance_badge(daily["source"])

cols = st.columns(3)
cols[0].metric("Revenue", f"${daily['revenue_usd'].sum():,.0f}", help=help_for("revenue_usd"))
cols[1].metric("Fees", f"${daily['fees_usd'].sum():,.0f}", help=help_for("fees_usd"))
cols[2].metric("Net issuance", f"${daily['net_issuance_usd'].sum():,.0f}", help=help_for("net_issuance_usd"))

st.subheader("Revenue per day")
revenue = daily[["day", "network", "revenue_usd", "fees_usd"]]
# no fillna: a day without a revenue figure (unpriced, or Aethir's off-chain revenue) is a gap, not $0
chart(charts.metric_lines(revenue, "revenue_usd", "USD"), revenue, "revenue_daily")
st.subheader("Emissions against burns")
supply = daily[["day", "network", "emissions_usd", "burns_usd", "net_issuance_usd"]]
chart(charts.emissions_vs_burns(supply), supply, "emissions_vs_burns")
st.subheader("Daily table")
table(daily[["day", "network", "source", "fees_usd", "revenue_usd", "supply_side_revenue_usd", "burns_usd",
             "emissions_usd", "net_issuance_usd", "emissions_tokens", "burns_tokens", "token_price_usd",
             "price_source"]], "revenue_table")
methodology_link()
