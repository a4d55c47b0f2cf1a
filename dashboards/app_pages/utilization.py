"""Utilization: how busy the GPUs that settle jobs on-chain are."""

import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, coverage, gaps_caption, help_for, methodology_link, no_data, one_source,
                                   provenance_badge, require_published, sidebar_filters, table)

st.title("Utilization")
st.caption("Only networks that settle jobs on-chain (Akash leases, Nosana jobs) can be measured.")
require_published()
filters = sidebar_filters()
(every_day,) = one_source(data.query("network_daily", networks=filters.networks, start=filters.start, end=filters.end))
gaps = coverage(filters.networks)
daily = gaps.masked(every_day)
daily = daily[daily["gpu_hours"] > 0]
if daily.empty:
    no_data("job activity")
    gaps_caption(every_day, gaps, ["utilization"], "This page")
    st.stop()
provenance_badge(daily["source"])
cols = st.columns(3)
cols[0].metric("GPU-hours", f"{daily['gpu_hours'].sum():,.0f}", help=help_for("gpu_hours"))
cols[1].metric("Average utilization", f"{daily['utilization'].mean():.0%}", help=help_for("utilization"))
cols[2].metric("Jobs started", f"{int(daily['jobs_started'].sum()):,}")
busy = daily[["day", "network", "utilization", "gpu_hours", "active_providers", "active_jobs", "jobs_started"]]
chart(charts.metric_lines(busy, "utilization", "Utilization (% of the observed fleet)", percent=True), busy,
      "utilization_daily")
log = st.toggle("Log scale", value=charts.spans_orders(busy["gpu_hours"]), key="gpu-hours-log",
                help="On by default when the networks' GPU-hours differ by more than two orders of magnitude.")
chart(charts.metric_lines(busy, "gpu_hours", "GPU-hours a day", log_y=log), busy[["day", "network", "gpu_hours"]],
      "gpu_hours_daily")
gaps_caption(every_day, gaps, ["utilization"], "This page")
table(busy, "utilization_table", cov=gaps)
methodology_link()
