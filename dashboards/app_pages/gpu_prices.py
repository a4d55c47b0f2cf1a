"""GPU prices: $/GPU-hour by venue and model, networks against clouds, over time."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import chart, help_for, methodology_link, no_data, provenance_badge, require_published, sidebar_filters, table

st.title("GPU prices")
st.caption("Cloud list prices (SkyPilot catalog, per GPU) beside what networks' on-chain leases pay.")
require_published()
models = data.query("gpu_models")
every_price = data.query("gpu_prices")
# open on the model most venues price, networks included: the comparison people come for
coverage = every_price.groupby("gpu_model").agg(venues=("venue", "nunique"),
                                                networks=("venue_kind", lambda k: (k == "network").sum()))
suggested = coverage.sort_values(["networks", "venues"], ascending=False).index[0] if not coverage.empty else None
filters = sidebar_filters(networks=False, days=False, gpu_models=models, default_gpu=suggested)
if not filters.gpu_model:
    no_data("GPU prices")
    st.stop()
latest = data.query("latest_gpu_price_by_venue", gpu_models=[filters.gpu_model])
if latest.empty:
    no_data(f"{filters.gpu_model} prices")
    st.stop()
provenance_badge(latest["source"])
networks_rows = latest[latest["venue_kind"] == "network"]
clouds = latest[latest["venue_kind"] == "cloud"]
cols = st.columns(3)
if not clouds.empty:
    cols[0].metric("Cheapest cloud", f"${clouds['usd_per_gpu_hour'].min():.2f}/h", help=help_for("usd_per_gpu_hour"))
    cols[1].metric("Median cloud", f"${clouds['usd_per_gpu_hour'].median():.2f}/h")
if not networks_rows.empty:
    cols[2].metric("Cheapest network", f"${networks_rows['usd_per_gpu_hour'].min():.2f}/h")
st.subheader(f"{filters.gpu_model}: latest price per venue")
chart(charts.price_by_venue(latest), latest, "gpu_price_by_venue")
history = every_price[every_price["gpu_model"] == filters.gpu_model]
if history["day"].nunique() > 1:
    st.subheader("Over time")
    chart(charts.price_history(history), history, "gpu_price_history")
table(latest, "gpu_prices_table")
methodology_link()
