"""Overview: the networks side by side."""

import pandas as pd
import streamlit as st

from dashboards import data
from dashboards.components import (MISSING, column_config, coverage, csv_of, figures, help_for, incomplete_notice,
                                   methodology_link, no_data, one_source, provenance_badge, require_published,
                                   sidebar_filters, total)
from warehouse.queries.gaps import valuation_gaps
from warehouse.queries.gpus import family_of

st.title("Overview")
st.caption("Which network gives the cheapest real compute, who earns real revenue, what stakers really get.")
require_published()

# ── filters ────────────────────────────────────────────────────────────────────
filters = sidebar_filters()

# ── fetch ──────────────────────────────────────────────────────────────────────
window = {"networks": filters.networks, "start": filters.start, "end": filters.end}
(summary,) = one_source(data.query("network_summary", **window))
if summary.empty:
    no_data("network metrics")
    st.stop()
provenance_badge([s for sources in summary["sources"] for s in sources])
# prices of the window: a network's on its latest day in it, a cloud's latest list price by its end
prices = data.query("latest_gpu_price_by_venue", start=filters.start, end=filters.end)
valuation = data.query("valuation", **window)
gaps = coverage(filters.networks)


# ── transform ──────────────────────────────────────────────────────────────────
def cheapest(family: str, venue: str) -> tuple[float | None, str | None]:
    """A venue's cheapest offer of any variant of `family` in the window, and the variant."""
    rows = prices[(prices["venue"] == venue) & (prices["gpu_model"].map(family_of) == family)]
    if rows.empty:
        return None, None
    best = rows.sort_values("usd_per_gpu_hour").iloc[0]
    return float(best["usd_per_gpu_hour"]), str(best["gpu_model"])


variants: list[str] = []
for family in ("H100", "A100"):
    found = [cheapest(family, n) for n in summary["network"]]
    summary[f"{family.lower()}_usd_per_gpu_hour"] = [price for price, _ in found]
    variants += [f"{n}: {model}" for n, (_, model) in zip(summary["network"], found, strict=True) if model]
summary = summary.merge(valuation[["network", "source", "market_cap_usd", "fully_diluted_value_usd", "price_to_fees",
                                   "price_to_sales"]], on=["network", "source"], how="left")
gaps = gaps.with_gaps(valuation_gaps(valuation))
clouds = prices[(prices["venue_kind"] == "cloud") & (prices["gpu_model"].map(family_of) == "H100")]

# ── headline ───────────────────────────────────────────────────────────────────
cols = st.columns(4)
total(cols[0], "Revenue in window", summary, "revenue_usd", gaps)
total(cols[1], "Burns", summary, "burns_usd", gaps)
total(cols[2], "GPU-hours", summary, "gpu_hours", gaps, write=lambda value: f"{value:,.0f}")
if not clouds.empty:
    best = clouds.sort_values("usd_per_gpu_hour").iloc[0]
    cols[3].metric("Cheapest cloud H100", f"${best['usd_per_gpu_hour']:,.2f}/h",
                   help=f"{help_for('usd_per_gpu_hour')} {best['venue']}'s {best['gpu_model']}, list price as of "
                        f"{pd.Timestamp(best['day']):%Y-%m-%d}; the GPU prices page compares each variant.")
incomplete_notice(summary)

# ── table ──────────────────────────────────────────────────────────────────────
st.subheader("Networks side by side")
st.caption(f"{MISSING}: not measured on-chain or not applicable for that network; the notes say why. Market cap is "
           "the primary token's total on-chain supply × its price at the window's last day (circulating supply is "
           "not on-chain); fully diluted value is that price × the maximum supply the token's own docs state "
           "(networks.toml cites each source), — for a token with no cap or none verified; "
           "price ÷ fees and price ÷ sales divide market cap by the window's fees and revenue, annualised.")
shown, helps, raw, numbers = figures(
    summary, gaps, keep_lists=["revenue_trend"],
    show=["network", "revenue_usd", "market_cap_usd", "fully_diluted_value_usd", "price_to_fees", "price_to_sales", "real_yield", "nominal_apy",
          "utilization", "h100_usd_per_gpu_hour", "a100_usd_per_gpu_hour", "revenue_trend", "days"])
config = column_config(shown, helps, numbers)
config["revenue_trend"] = st.column_config.LineChartColumn("Revenue trend", help=helps.get("revenue_trend"))
st.dataframe(shown, hide_index=True, key="overview-table", column_config=config)
if variants:
    st.caption("H100 and A100: each network's cheapest offer of the family in the window (" + "; ".join(variants) +
               "). The GPU prices page sets each variant beside the clouds' same model.")
st.download_button("Download overview.csv", csv_of(raw.drop(columns=["revenue_trend"])), file_name="overview.csv",
                   mime="text/csv", key="csv-overview")
methodology_link()
