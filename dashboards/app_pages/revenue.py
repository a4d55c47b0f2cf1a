"""Revenue and burns: what each network earns, beside what its token is worth; emissions against burns, net
issuance, and weekly and monthly totals with the change against the period before."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, gaps_caption, incomplete_notice, methodology_link, no_data,
                                   one_source, provenance_badge, require_published, same_source, sidebar_filters,
                                   table, total)
from warehouse.queries.gaps import row_markers, valuation_gaps

st.title("Revenue and burns")
require_published()
filters = sidebar_filters()
window = {"networks": filters.networks, "start": filters.start, "end": filters.end}
(daily,) = one_source(data.query("network_daily", **window))
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

# ── revenue beside what the token is worth ─────────────────────────────────────
st.subheader("Revenue beside market value")
st.caption("Market cap: the primary token's total on-chain supply × its price at the window's last day with both "
           "(circulating supply is not on-chain). Fully diluted value: that price × the maximum supply the token's "
           "own docs state (networks.toml cites each source and the day read); — where the token has no cap "
           "(inflationary) or none is verified, the notes say which. Price ÷ fees and price ÷ sales: market cap ÷ "
           "the window's fees or revenue × 365 ÷ its days.")
valuation = same_source(data.query("valuation", **window), daily)
table(valuation, "valuation", cov=gaps.with_gaps(valuation_gaps(valuation)),
      show=["network", "source", "revenue_usd", "fees_usd", "annualised_revenue_usd", "market_cap_usd",
            "fully_diluted_value_usd", "price_to_fees", "price_to_sales", "token", "supply_tokens",
            "max_supply_tokens", "token_price_usd", "supply_day"])

# ── per day ────────────────────────────────────────────────────────────────────
st.subheader("Revenue per day")
# no fillna: a day without a revenue figure (unpriced) is a gap, not $0; a network whose revenue is not
# measured on-chain (Aethir's is off-chain) draws no line, and the caption says why
revenue = gaps.masked(daily[["day", "network", "source", "revenue_usd", "fees_usd"]])
revenue["note"] = row_markers(daily)
log = st.toggle("Log scale", value=charts.spans_orders(revenue["revenue_usd"]), key="revenue-log",
                help="On by default when the networks' revenue differs by more than two orders of magnitude.")
chart(charts.metric_lines(revenue, "revenue_usd", "Revenue per day (USD)", log_y=log, marks="note"), revenue,
      "revenue_daily")
gaps_caption(daily, gaps, ["revenue_usd"], "The chart")
st.subheader("Emissions against burns")
supply = gaps.masked(daily[["day", "network", "emissions_usd", "burns_usd", "net_issuance_usd"]])
chart(charts.emissions_vs_burns(supply), supply, "emissions_vs_burns")
gaps_caption(daily, gaps, ["emissions_usd", "burns_usd"], "The chart")

# ── weekly and monthly ─────────────────────────────────────────────────────────
st.subheader("Weekly and monthly")
grain = st.radio("Period", ["week", "month"], horizontal=True, key="revenue-grain",
                 format_func={"week": "Weekly (Monday to Sunday)", "month": "Monthly"}.get)
periods = same_source(data.query("network_periods", grain=grain, **window), daily)
st.caption("Change: revenue per day of the period against the period before, per day so a period the window cuts "
           "short still compares; `days` says how many of the period's days the window holds.")
chart(charts.periods_chart(gaps.masked(periods), "revenue_usd_per_day", "Revenue per day (USD)", log_y=log),
      periods[["period_start", "period_end", "network", "source", "days", "revenue_usd", "revenue_usd_per_day"]],
      f"revenue_{grain}ly")
table(periods, f"revenue_{grain}ly_table", cov=gaps,
      show=["period_start", "period_end", "days", "network", "revenue_usd", "revenue_usd_per_day", "revenue_change",
            "fees_usd", "fees_change", "burns_usd", "emissions_usd", "gpu_hours", "jobs_started"])

st.subheader("Daily table")
table(daily, "revenue_table", cov=gaps,
      show=["day", "network", "source", "fees_usd", "revenue_usd", "supply_side_revenue_usd", "burns_usd",
            "emissions_usd", "net_issuance_usd", "emissions_tokens", "burns_tokens", "token_price_usd", "price_source"])
methodology_link()
