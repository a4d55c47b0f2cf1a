"""dbt unit tests, as CI runs them: the real dbt CLI against a temporary DuckDB file.

The daily job leaves unit tests out (pipelines/defs/assets/dbt.py), so this is where they run.
Each runs under run windows before and after every fixture's day: a unit test whose result
depended on the run's days (vars min_day/max_day) instead of pinning its own would fail here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from depinlens.settings import DBT_PROJECT_DIR
from warehouse import connect_warehouse


def _dbt(warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run([str(dbt), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(warehouse.parent / "target")],
                          env=dict(os.environ, DEPINLENS_WAREHOUSE=str(warehouse)), capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def empty_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The raw schema and every model built empty: unit tests read their inputs' column types."""
    warehouse = tmp_path_factory.mktemp("dbt_unit") / "warehouse.duckdb"
    connect_warehouse(str(warehouse)).close()
    done = _dbt(warehouse, "run", "--empty", "--quiet")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return warehouse


@pytest.mark.parametrize("run_day", ["2024-03-05", "2030-01-01"])
def test_every_dbt_unit_test_passes_whatever_the_runs_window(empty_warehouse: Path, run_day: str) -> None:
    window = json.dumps({"min_day": run_day, "max_day": run_day})
    done = _dbt(empty_warehouse, "test", "--select", "test_type:unit", "--vars", window)

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    results = json.loads((empty_warehouse.parent / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert unit_tests and {r["status"] for r in unit_tests} == {"pass"}
    assert len(unit_tests) == len(results)
