"""Benchmarks: measured throughput per provider, % of the card's peak, and $ per PFLOP-hour."""

import plotly.express as px
import streamlit as st

from dashboards import data
from dashboards.components import chart, methodology_link, provenance_badge, require_published, table

st.title("Benchmarks")
st.caption("Signed gpu_bench runs that passed verification; quick smoke runs are left out.")
require_published()
results = data.query("benchmark_results")
cost = data.query("cost_per_compute")
# the page shows runs and the prices their cost is computed from: badge both (demo Akash prices included)
provenance_badge([*results["source"], *cost["source"]])
if not results.empty:
    matmul = results[results["metric"] == "matmul_tflops"]
    leaderboard = (matmul.sort_values("value", ascending=False)
                   .groupby(["provider", "gpu_model", "precision", "engine"], as_index=False).first())
    st.subheader("Leaderboard: best matmul TFLOP/s")
    table(leaderboard[["provider", "venue", "gpu_model", "precision", "engine", "value", "pct_of_peak", "signed_at"]],
          "benchmark_leaderboard")
    history = results.sort_values("signed_at")
    chart(px.line(history, x="signed_at", y="value", color="provider", line_group="metric", markers=True,
                  title="history per provider"), history[["signed_at", "provider", "metric", "value"]], "benchmark_history")
else:
    st.info("No accepted benchmark runs yet. Providers submit them with `depinlens bench run` and "
            "`depinlens bench submit` (or on the *Submit a benchmark* page); until then the cost of "
            "compute below uses datasheet peaks, an upper bound.")
st.subheader("$ per PFLOP-hour")
if cost.empty:
    st.info("No prices for models with known peaks yet.")
else:
    ranked = cost.dropna(subset=["usd_per_pflop_hour"]).sort_values("usd_per_pflop_hour").head(25)
    chart(px.bar(ranked, x="usd_per_pflop_hour", y="venue", color="basis", orientation="h", pattern_shape="source",
                 hover_data=["gpu_model", "usd_per_gpu_hour", "source", "price_day"]), ranked, "usd_per_pflop_hour")
    table(cost, "cost_per_compute")
methodology_link()
