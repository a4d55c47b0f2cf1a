"""Staking and yield: what stakers are paid (nominal) against what revenue pays (real)."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, gaps_caption, methodology_link, no_data, one_source,
                                   provenance_badge, require_published, sidebar_filters, table)

st.title("Staking and yield")
st.caption("Nominal APY counts every reward; real yield only rewards paid out of revenue.")
require_published()
filters = sidebar_filters()
summary, daily = one_source(data.query("network_summary", networks=filters.networks, start=filters.start, end=filters.end),
                            data.query("network_daily", networks=filters.networks, start=filters.start, end=filters.end))
gaps = coverage(filters.networks)
# a yield not measured on-chain is left out, never drawn as 0 %
yields_known = gaps.masked(summary).dropna(subset=["nominal_apy", "real_yield"], how="all")
if yields_known.empty:
    no_data("staking data")
    gaps_caption(summary, gaps, ["nominal_apy", "real_yield"], "This page")
    st.stop()
provenance_badge([s for sources in yields_known["sources"] for s in sources])
yields = yields_known[["network", "nominal_apy", "real_yield"]]
chart(charts.nominal_vs_real(yields), yields, "nominal_vs_real")
gaps_caption(summary, gaps, ["nominal_apy", "real_yield"], "The chart")
staked = gaps.masked(daily).dropna(subset=["staked_usd"])
if not staked.empty:
    st.subheader("Staked value")
    log = st.toggle("Log scale", value=charts.spans_orders(staked["staked_usd"]), key="staked-log",
                    help="On by default when the networks' staked value differs by more than two orders of magnitude.")
    chart(charts.metric_lines(staked, "staked_usd", "Staked value (USD)", log_y=log),
          staked[["day", "network", "staked_usd"]], "staked_value")
    gaps_caption(daily, gaps, ["staked_usd"], "The chart")
    table(staked, "staking_table", cov=gaps,
          show=["day", "network", "staked_usd", "staked_tokens", "rewards_usd", "revenue_backed_rewards_usd",
                "nominal_apy", "real_yield"])
methodology_link()
