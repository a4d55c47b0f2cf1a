"""Benchmarks: measured throughput per provider, % of the card's peak, and $ per PFLOP-hour."""

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboards import data
from dashboards.components import chart, methodology_link, provenance_badge, require_published, table


def leaderboard(runs: pd.DataFrame) -> pd.DataFrame:
    """Median matmul TFLOP/s per key, GPU, precision and engine: each run's best shape, then the median over runs."""
    matmul = runs[runs["metric"] == "matmul_tflops"]
    keys = ["tier", "venue", "provider", "operator_pubkey", "gpu_model", "precision", "engine"]
    per_run = matmul.groupby([*keys, "run_id"], dropna=False, as_index=False).agg(
        value=("value", "max"), pct_of_peak=("pct_of_peak", "max"), signed_at=("signed_at", "max"))
    board = per_run.groupby(keys, dropna=False, as_index=False).agg(
        median_tflops=("value", "median"), runs=("run_id", "nunique"), median_pct_of_peak=("pct_of_peak", "median"),
        last_signed_at=("signed_at", "max"))
    return board.sort_values("median_tflops", ascending=False).reset_index(drop=True)


st.title("Benchmarks")
st.caption("Signed gpu_bench runs that passed verification; quick smoke runs are left out. Bound runs (a provider "
           "identity on chain vouches for the key) come first; self-attested runs are shown apart.")
require_published()
results = data.query("benchmark_results")
if "tier" not in results.columns:  # a file published before tiers existed: nothing in it is bound
    results = results.assign(tier="self-attested")
cost = data.query("cost_per_compute")
# the page shows runs and the prices their cost is computed from: badge both (demo Akash prices included)
provenance_badge([*results["source"], *cost["source"]])
if not results.empty:
    st.subheader("Leaderboard: bound runs, median matmul TFLOP/s per provider key")
    st.caption("Bound: the provider identity signed the operator key and appears in the chain data the pipeline "
               "reads. One figure per run (the best shape of its sweep), then the median over the key's runs.")
    bound = results[results["tier"] == "bound"]
    if bound.empty:
        st.info("No bound runs yet: operators bind their key with `gpu-bench bind` (docs/gpu_bench.md).")
    else:
        table(leaderboard(bound), "benchmark_leaderboard")
    claimed = results[results["tier"] != "bound"]
    if not claimed.empty:
        st.subheader("Self-attested runs (not verified against chain data)")
        st.caption("Signed and verified figures whose key no on-chain provider vouches for: provider and venue are "
                   "as the key holder typed them. Grouped by key; never used in $ per PFLOP-hour.")
        table(leaderboard(claimed), "benchmark_self_attested")
    history = results.sort_values("signed_at")
    chart(px.line(history, x="signed_at", y="value", color="operator_pubkey", line_dash="tier", line_group="metric",
                  markers=True, title="history per operator key"),
          history[["signed_at", "tier", "provider", "operator_pubkey", "metric", "value"]], "benchmark_history")
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
