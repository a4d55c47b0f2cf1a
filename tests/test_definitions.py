"""The Dagster code location loads, wires lineage from chain to serving file, and schedules daily."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg

from depinlens.settings import PROJECT_ROOT


def test_lineage_runs_from_the_chain_asset_through_dbt_to_the_serving_file() -> None:
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    raw = {dg.AssetKey(["raw", "evm_token_transfers"]), dg.AssetKey(["raw", "solana_token_transfers"])}
    staging = dg.AssetKey(["staging", "stg_onchain__token_transfers"])
    mart = dg.AssetKey(["marts", "token_flows_daily"])
    serving = dg.AssetKey(["serving", "marts"])
    assert graph.get(staging).parent_keys == raw
    assert graph.get(mart).parent_keys == {staging}
    assert mart in graph.get(serving).parent_keys
    assert {k.path[1] for k in graph.get(serving).parent_keys} >= {
        "network_daily", "gpu_prices", "benchmark_results", "cost_per_compute", "claims_vs_evidence",
        "dim_network", "dim_gpu_model", "token_flows_daily"}
    assert len(defs.resolve_asset_graph().asset_check_keys) >= 5  # dbt tests became asset checks


def test_the_daily_pipeline_is_scheduled_at_one_utc() -> None:
    from pipelines.definitions import defs

    schedule = defs.resolve_schedule_def("daily_pipeline_schedule")
    assert schedule.cron_schedule == "0 1 * * *"
    assert schedule.job_name == "daily_pipeline"


def test_dagster_validates_the_code_location_named_in_pyproject() -> None:
    done = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipelines.definitions"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "All code locations passed validation" in done.stdout + done.stderr


def test_dagster_dev_loads_the_code_location_without_an_activated_venv(tmp_path) -> None:
    """`dagster dev` sets DAGSTER_IS_DEV_CLI and may run with a PATH that has no `dbt` on it."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(DAGSTER_IS_DEV_CLI="1", PATH="/usr/bin:/bin", DAGSTER_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", "from pipelines.definitions import defs; "
                           "print(len(defs.resolve_asset_graph().get_all_asset_keys()))"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) > 40
