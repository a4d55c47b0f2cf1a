"""README's first command path (`depinlens up`) and the CLI's help."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_up


def test_up_publishes_three_days_of_demo_rows_labelled_demo_for_every_network(demo_data_dir: Path, registry) -> None:
    conn = duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True)
    try:
        days, sources = conn.execute(
            "select count(distinct day), list(distinct source) from marts.token_flows_daily").fetchone()
        networks = {row[0] for row in conn.execute("select distinct network from marts.network_daily").fetchall()}
        daily_sources = {row[0] for row in conn.execute("select distinct source from marts.network_daily").fetchall()}
        daily_days = conn.execute("select count(distinct day) from marts.network_daily").fetchone()[0]
    finally:
        conn.close()
    assert days == 3 and sources == ["demo"] and daily_sources == {"demo"}
    assert daily_days == 3  # no partial day after the window (jobs that ran past midnight stop at it)
    # every network with a stand-in on a local chain (those with nothing on-chain yet have none)
    local = {item.network for chain in registry.chains.values() if chain.local
             for item in (*registry.tokens_on(chain.id), *registry.programs_on(chain.id))}
    assert networks == local and {"aethir", "akash", "gaib", "ionet", "nodeai", "nosana", "render", "usdai"} <= local


def test_running_up_again_replaces_the_previous_demo_in_raw_and_marts_alike(demo_data_dir: Path, tmp_path: Path) -> None:
    """README: re-running `up` replaces the demo. A shorter second demo must leave no day of the
    first one anywhere (the incremental marts only rewrite the days of the new window)."""
    shutil.copytree(demo_data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("dagster_home"))
    stdout = run_up(tmp_path / "data", 1)
    assert "rows of the previous demo" in stdout, stdout[-2000:]
    conn = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    try:
        raw_days = conn.execute("select count(distinct block_day) from raw.token_transfers").fetchone()[0]
    finally:
        conn.close()
    conn = duckdb.connect(str(tmp_path / "data" / "serving.duckdb"), read_only=True)
    try:
        flow_days = conn.execute("select count(distinct day) from marts.token_flows_daily").fetchone()[0]
        network_days = conn.execute("select count(distinct day) from marts.network_daily").fetchone()[0]
    finally:
        conn.close()
    assert (raw_days, flow_days, network_days) == (1, 1, 1)


def test_the_cli_help_lists_its_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "depinlens.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("up", "run", "serve"):
        assert command in done.stdout


@pytest.mark.parametrize(("given", "message"), [
    (["--from", "2025-13-01"], "is not a day; write it as YYYY-MM-DD"),
    (["--from", "2023-06-01"], "not a whole past UTC day in the pipeline's range"),
    (["--from", "2025-06-02", "--to", "2025-06-01"], "is before --from"),
])
def test_run_refuses_a_bad_window_before_touching_anything(given: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "depinlens.cli", "run", *given], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 2 and message in done.stderr
