"""Overview: the networks side by side."""

import streamlit as st

from dashboards import data
from dashboards.components import (help_for, methodology_link, no_data, one_source, provenance_badge, require_published,
                                   sidebar_filters)

st.title("Overview")
st.caption("Which network gives the cheapest real compute, who earns real revenue, what stakers really get.")
require_published()

# ── filters ────────────────────────────────────────────────────────────────────
filters = sidebar_filters()

# ── fetch ──────────────────────────────────────────────────────────────────────
(summary,) = one_source(data.query("network_summary", networks=filters.networks, start=filters.start, end=filters.end))
if summary.empty:
    no_data("network metrics")
    st.stop()
provenance_badge([s for sources in summary["sources"] for s in sources])
prices = data.query("gpu_prices")

# ── transform ──────────────────────────────────────────────────────────────────
def cheapest(family: str, venue: str) -> float | None:
    rows = prices[(prices["venue"] == venue) & prices["gpu_model"].str.startswith(family)] if not prices.empty else prices
    return None if rows.empty else float(rows.sort_values("day").groupby("gpu_model").tail(1)["usd_per_gpu_hour"].min())

summary["h100_usd_per_gpu_hour"] = [cheapest("H100", n) for n in summary["network"]]
summary["a100_usd_per_gpu_hour"] = [cheapest("A100", n) for n in summary["network"]]
cloud = prices[prices["venue_kind"] == "cloud"] if not prices.empty else prices

# ── headline ───────────────────────────────────────────────────────────────────
cols = st.columns(4)
cols[0].metric("Revenue in window", f"${summary['revenue_usd'].sum():,.0f}", help=help_for("revenue_usd"))
cols[1].metric("Burns", f"${summary['burns_usd'].sum():,.0f}", help=help_for("burns_usd"))
cols[2].metric("GPU-hours", f"{summary['gpu_hours'].sum():,.0f}", help=help_for("gpu_hours"))
if not cloud.empty and cloud["gpu_model"].str.startswith("H100").any():
    cols[3].metric("Cheapest cloud H100", f"${cloud[cloud['gpu_model'].str.startswith('H100')]['usd_per_gpu_hour'].min():.2f}/h",
                   help=help_for("usd_per_gpu_hour"))

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Networks side by side")
shown = summary[["network", "revenue_usd", "real_yield", "nominal_apy", "utilization", "h100_usd_per_gpu_hour",
                 "a100_usd_per_gpu_hour", "revenue_trend", "days"]]
st.dataframe(
    shown, hide_index=True, key="overview-table",
    column_config={
        "revenue_usd": st.column_config.NumberColumn("revenue (USD)", format="$%.0f", help=help_for("revenue_usd")),
        "real_yield": st.column_config.NumberColumn("real yield", format="percent", help=help_for("real_yield")),
        "nominal_apy": st.column_config.NumberColumn("nominal APY", format="percent", help=help_for("nominal_apy")),
        "utilization": st.column_config.NumberColumn("utilization", format="percent", help=help_for("utilization")),
        "h100_usd_per_gpu_hour": st.column_config.NumberColumn("H100 $/GPU-h", format="$%.2f"),
        "a100_usd_per_gpu_hour": st.column_config.NumberColumn("A100 $/GPU-h", format="$%.2f"),
        "revenue_trend": st.column_config.LineChartColumn("revenue trend"),
    },
)
st.download_button("Download overview.csv", shown.drop(columns=["revenue_trend"]).to_csv(index=False),
                   file_name="overview.csv", mime="text/csv", key="csv-overview")
methodology_link()
