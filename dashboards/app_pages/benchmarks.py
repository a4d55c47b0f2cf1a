"""Benchmarks: measured throughput per provider key, % of the card's peak, and $ per PFLOP-hour per GPU model."""

import pandas as pd
import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, methodology_link, no_data, provenance_badge, require_published,
                                   sidebar_filters, table)
from warehouse.queries.gpus import compared, compared_text, default_model, model_options


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
filters = sidebar_filters(networks=False, days=False, gpu_models=model_options(cost["gpu_model"]),
                          default_gpu=default_model(cost.dropna(subset=["usd_per_pflop_hour"])),
                          gpu_help="$ per PFLOP-hour is compared one GPU model at a time: a venue's cards of "
                                   "different models are never added into one bar.")
# the page shows runs and the prices their cost is computed from: badge both (demo Akash prices included)
provenance_badge([*results["source"], *cost["source"]])

# ── runs ───────────────────────────────────────────────────────────────────────
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
    st.subheader("History per provider key")
    metric = st.selectbox("Metric", sorted(results["metric"].unique()), key="bench-metric",
                          help="One metric at a time: figures of other units are never drawn on the same axis.")
    history = results[results["metric"] == metric].sort_values("signed_at")
    unit = ", ".join(sorted(history["unit"].dropna().unique()))
    chart(charts.benchmark_history(history, metric, unit),
          history[["signed_at", "tier", "provider", "operator_pubkey", "gpu_model", "metric", "unit", "value"]],
          "benchmark_history")
else:
    st.info("No accepted benchmark runs yet. Providers submit them with `depinlens bench run` and "
            "`depinlens bench submit` (or on the *Submit a benchmark* page); until then the cost of "
            "compute below uses datasheet peaks, an upper bound on speed.")

# ── $ per PFLOP-hour, one model at a time ──────────────────────────────────────
st.subheader("$ per PFLOP-hour")
priced = cost.dropna(subset=["usd_per_pflop_hour"])
if priced.empty or not filters.gpu_model:
    no_data("prices of models with known peaks")
    st.stop()
rows = compared(priced, filters.gpu_model)
if rows.empty:
    no_data(f"$ per PFLOP-hour of {filters.gpu_model}")
    st.stop()
st.caption(f"{filters.gpu_model}: one bar per venue and model, measured (the median of the venue's bound runs) and "
           "datasheet (dense bf16 peak, an upper bound on speed and so a lower bound on cost) side by side. "
           + compared_text(rows, filters.gpu_model))
log = st.toggle("Log scale", value=charts.spans_orders(rows["usd_per_pflop_hour"]), key="pflop-log")
shown = rows[["venue", "venue_kind", "gpu_model", "compared_as", "basis", "usd_per_gpu_hour", "tflops",
              "usd_per_pflop_hour", "usd_per_million_tokens", "price_day", "source"]]
chart(charts.cost_per_pflop(shown, log_x=log), shown, "usd_per_pflop_hour")
table(cost, "cost_per_compute", show=[c for c in ("gpu_model", "venue", "venue_kind", "basis", "usd_per_gpu_hour",
                                                  "tflops", "usd_per_pflop_hour", "usd_per_million_tokens", "runs",
                                                  "price_day", "source", "run_ids") if c in cost])
methodology_link()
