"""The pipeline passes the run's window to dbt in the environment, so a window that moves every
day keeps dbt's partial parse (a `--vars` window made dbt re-parse the whole project each run).

Real dbt against a real (empty) DuckDB file: `dbt parse` once, then `dbt compile` of an
incremental mart for two different days, as the pipeline's dbt asset sets them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from depinlens.settings import DBT_PROJECT_DIR
from pipelines.defs.assets.dbt import dbt_window_env
from warehouse import connect_warehouse

MART = "network_daily"  # a first build makes no day after the window's max_day


def _dbt(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DEPINLENS_DBT_")}
    return subprocess.run([str(dbt), "--debug", *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target")],
                          env={**clean, "DEPINLENS_WAREHOUSE": str(tmp_path / "w.duckdb"), **(env or {})},
                          capture_output=True, text=True, timeout=300)


def _compiled(tmp_path: Path) -> str:
    (path,) = (tmp_path / "target" / "compiled").rglob(f"{MART}.sql")
    return path.read_text()


def test_a_window_in_the_environment_reaches_the_sql_and_keeps_dbts_partial_parse(tmp_path: Path) -> None:
    connect_warehouse(tmp_path / "w.duckdb").close()  # the raw schema the sources name
    assert _dbt(tmp_path, "parse").returncode == 0

    compiled = {}
    for day in ("2025-06-01", "2025-07-15"):
        done = _dbt(tmp_path, "compile", "--select", MART, env=dbt_window_env(day, day))
        assert done.returncode == 0, done.stdout[-2000:]
        assert "Partial parsing enabled, no changes found, skipping parsing" in done.stdout
        assert "Unable to do partial parsing" not in done.stdout
        compiled[day] = _compiled(tmp_path)

    assert "date '2025-06-01'" in compiled["2025-06-01"] and "date '2025-07-15'" in compiled["2025-07-15"]
    assert "2025-06-01" not in compiled["2025-07-15"]


def test_a_window_day_that_is_not_a_date_is_refused_by_name(tmp_path: Path) -> None:
    connect_warehouse(tmp_path / "w.duckdb").close()
    done = _dbt(tmp_path, "compile", "--select", MART, env=dbt_window_env("2025-07-15", "yesterday"))

    assert done.returncode != 0
    assert "the window's max_day must be a date (YYYY-MM-DD), got 'yesterday'" in done.stdout
