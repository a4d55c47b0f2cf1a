"""README's first command path (`depinlens up`) and the CLI's help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb




def test_up_publishes_three_days_of_demo_rows_labelled_demo_for_every_network(demo_data_dir: Path) -> None:
    conn = duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True)
    try:
        days, sources = conn.execute(
            "select count(distinct day), list(distinct source) from marts.token_flows_daily").fetchone()
        networks = {row[0] for row in conn.execute("select distinct network from marts.network_daily").fetchall()}
        daily_sources = {row[0] for row in conn.execute("select distinct source from marts.network_daily").fetchall()}
    finally:
        conn.close()
    assert days == 3 and sources == ["demo"] and daily_sources == {"demo"}
    assert networks == {"aethir", "akash", "gaib", "ionet", "nodeai", "nosana", "render"}


def test_the_cli_help_lists_its_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "depinlens.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    for command in ("up", "run", "serve"):
        assert command in done.stdout
