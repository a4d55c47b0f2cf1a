"""Overview: the networks side by side."""

import streamlit as st

from dashboards import data
from dashboards.components import (MISSING, coverage, figures, help_for, incomplete_notice, methodology_link, no_data,
                                   one_source, provenance_badge, require_published, sidebar_filters, total)

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
gaps = coverage(filters.networks)

# ── transform ──────────────────────────────────────────────────────────────────
def cheapest(family: str, venue: str) -> float | None:
    rows = prices[(prices["venue"] == venue) & prices["gpu_model"].str.startswith(family)] if not prices.empty else prices
    return None if rows.empty else float(rows.sort_values("day").groupby("gpu_model").tail(1)["usd_per_gpu_hour"].min())

summary["h100_usd_per_gpu_hour"] = [cheapest("H100", n) for n in summary["network"]]
summary["a100_usd_per_gpu_hour"] = [cheapest("A100", n) for n in summary["network"]]
cloud = prices[prices["venue_kind"] == "cloud"] if not prices.empty else prices

# ── headline ───────────────────────────────────────────────────────────────────
cols = st.columns(4)
total(cols[0], "Revenue in window", summary, "revenue_usd", gaps)
total(cols[1], "Burns", summary, "burns_usd", gaps)
total(cols[2], "GPU-hours", summary, "gpu_hours", gaps, write=lambda value: f"{value:,.0f}")
if not cloud.empty and cloud["gpu_model"].str.startswith("H100").any():
    cols[3].metric("Cheapest cloud H100", f"${cloud[cloud['gpu_model'].str.startswith('H100')]['usd_per_gpu_hour'].min():.2f}/h",
                   help=help_for("usd_per_gpu_hour"))
incomplete_notice(summary)

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Networks side by side")
st.caption(f"{MISSING}: not measured on-chain or not applicable for that network; the notes say why.")
shown, helps, raw, numbers = figures(
    summary, gaps, keep_lists=["revenue_trend"],
    show=["network", "revenue_usd", "real_yield", "nominal_apy", "utilization", "h100_usd_per_gpu_hour",
          "a100_usd_per_gpu_hour", "revenue_trend", "days"])
labels = {"revenue_usd": "revenue (USD)", "real_yield": "real yield", "nominal_apy": "nominal APY",
          "utilization": "utilization", "h100_usd_per_gpu_hour": "H100 $/GPU-h", "a100_usd_per_gpu_hour": "A100 $/GPU-h"}
config = {column: st.column_config.Column(label, help=helps.get(column), alignment="right" if column in numbers else None)
          for column, label in labels.items()}
config["revenue_trend"] = st.column_config.LineChartColumn("revenue trend", help=helps.get("revenue_trend"))
st.dataframe(shown, hide_index=True, key="overview-table", column_config=config)
st.download_button("Download overview.csv", raw.drop(columns=["revenue_trend"]).to_csv(index=False, na_rep=MISSING),
                   file_name="overview.csv", mime="text/csv", key="csv-overview")
methodology_link()
