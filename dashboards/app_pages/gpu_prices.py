"""GPU prices: $/GPU-hour of one canonical GPU model at every venue that prices it, networks against clouds."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import chart, methodology_link, no_data, provenance_badge, require_published, sidebar_filters, table
from warehouse.queries.gpus import compared, compared_text, default_model, model_options

st.title("GPU prices")
st.caption("Cloud list prices (SkyPilot catalog, per GPU) beside what networks' on-chain leases pay, for one GPU "
           "model: a network's price on its latest day in the window, a cloud's list price as of the window's end.")
require_published()

# ── filters (kept across pages and in the URL) ─────────────────────────────────
models = data.query("gpu_models")
every_model = data.query("latest_gpu_price_by_venue")
filters = sidebar_filters(networks=False, days=False, gpu_models=model_options(models),
                          default_gpu=default_model(every_model),
                          gpu_help="A family (every variant) or one variant; offers whose names leave memory or form "
                                   "factor unstated are compared too, and say so.")
if not filters.gpu_model:
    no_data("GPU prices")
    st.stop()

# ── fetch and compare on the canonical model ───────────────────────────────────
latest = data.query("latest_gpu_price_by_venue", start=filters.start, end=filters.end)
rows = compared(latest, filters.gpu_model)
if rows.empty:
    no_data(f"{filters.gpu_model} prices")
    st.stop()
provenance_badge(rows["source"])
networks_rows = rows[rows["venue_kind"] == "network"]
clouds = rows[rows["venue_kind"] == "cloud"]

cols = st.columns(3)
if not clouds.empty:
    best = clouds.sort_values("usd_per_gpu_hour").iloc[0]
    cols[0].metric("Cheapest cloud", f"${best['usd_per_gpu_hour']:,.2f}/h", help=f"{best['venue']}, {best['gpu_model']}")
    cols[1].metric("Median cloud", f"${clouds['usd_per_gpu_hour'].median():,.2f}/h")
if not networks_rows.empty:
    best = networks_rows.sort_values("usd_per_gpu_hour").iloc[0]
    cols[2].metric("Cheapest network", f"${best['usd_per_gpu_hour']:,.2f}/h", help=f"{best['venue']}, {best['gpu_model']}")
else:
    cols[2].metric("Cheapest network", "—", help="No network's on-chain leases price this model in the window.")

# ── chart and table ────────────────────────────────────────────────────────────
st.subheader(f"{filters.gpu_model}: price per venue")
st.caption(compared_text(rows, filters.gpu_model))
log = st.toggle("Log scale", value=charts.spans_orders(rows["usd_per_gpu_hour"]), key="gpu-prices-log")
shown = rows[["venue", "venue_kind", "gpu_model", "compared_as", "usd_per_gpu_hour", "median_usd_per_gpu_hour",
              "offers", "day", "source", "price_source"]]
chart(charts.price_by_venue(shown, log_x=log), shown, "gpu_price_by_venue")
history = data.query("gpu_prices")
history = history[history["gpu_model"].isin(set(rows["gpu_model"]))
                  & ((history["venue_kind"] == "cloud") | history["day"].dt.date.between(filters.start, filters.end))]
if history["day"].nunique() > 1:
    st.subheader("Over time")
    st.caption("Networks: their price each day. Clouds (dashed): the list price of the catalog's day, carried "
               "to the window's end until the next catalog read.")
    chart(charts.price_history(history, until=filters.end), history[["day", "venue", "venue_kind", "gpu_model", "usd_per_gpu_hour", "source"]],
          "gpu_price_history")
table(shown, "gpu_prices_table")
methodology_link()
