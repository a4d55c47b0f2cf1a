"""The data tests of per-day staging models check the days a run rebuilds, and everything without a window.

A daily build tests the rows its window loaded (and the lookback days before them) instead of every
row of history; a build with no window, as a full build, still tests every row. Real dbt against a
real DuckDB file: token transfers on ten days, one of them loaded twice, and the staging model built
with its tests under the window the pipeline's dbt asset sets (pipelines/defs/assets/dbt.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from depinlens.settings import DBT_PROJECT_DIR
from pipelines.defs.assets.dbt import dbt_window_env
from warehouse import connect_warehouse

DAYS = [date(2025, 6, 1) + timedelta(days=i) for i in range(10)]
KEY_TEST = "primary_key_in_window_stg_onchain__token_transfers_transfer_key"


def _warehouse_with_a_transfer_loaded_twice_on(tmp_path: Path, day: date) -> Path:
    """One transfer per day of DAYS, and the one of `day` a second time (the same chain, tx and log)."""
    path = tmp_path / "w.duckdb"
    conn = connect_warehouse(path)
    try:
        rows = [(d, f"0x{i:064x}") for i, d in enumerate(DAYS)] + [(day, f"0x{DAYS.index(day):064x}")]
        for block_day, tx_hash in rows:
            conn.execute("""
                insert into raw.token_transfers by name
                select 'demo-net' as network, 'anvil' as chain, 'local' as source, 'TOK' as token_symbol,
                       '0x' || repeat('1', 40) as token_address, 18 as decimals, 'transfer' as kind,
                       '0x' || repeat('2', 40) as from_address, '0x' || repeat('3', 40) as to_address,
                       10::decimal(38, 0) as amount_raw, 1 as block_number, ?::timestamptz as block_time,
                       ?::date as block_day, ? as tx_hash, 0 as log_index, ?::timestamptz as fetched_at""",
                         [datetime(block_day.year, block_day.month, block_day.day, 12, tzinfo=UTC), block_day,
                          tx_hash, datetime.now(UTC)])
    finally:
        conn.close()
    return path


def _failed_tests(warehouse: Path, window: date | None) -> list[str]:
    """Build the transfers' staging model and its tests for `window` (one day; None: no window) and
    return the names of the tests that failed."""
    dbt = Path(sys.executable).with_name("dbt")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DEPINLENS_DBT_")}
    env = dbt_window_env(str(window), str(window)) if window else {}
    target = warehouse.parent / "target"
    done = subprocess.run([str(dbt), "build", "--select", "stg_onchain__token_transfers", "--exclude-resource-type",
                           "unit_test", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                           "--target-path", str(target)],
                          env={**clean, "DEPINLENS_WAREHOUSE": str(warehouse), **env},
                          capture_output=True, text=True, timeout=300)
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert results, done.stdout[-3000:]
    assert all(r["status"] in ("success", "pass", "fail") for r in results), done.stdout[-3000:]
    failed = [r["unique_id"].split(".")[2] for r in results if r["status"] == "fail"]
    assert (done.returncode != 0) == bool(failed), done.stdout[-3000:]
    return failed


def _is_the_key_test(name: str) -> bool:
    return name.startswith(KEY_TEST)


def test_a_key_loaded_twice_on_the_runs_day_fails_the_daily_build(tmp_path: Path) -> None:
    warehouse = _warehouse_with_a_transfer_loaded_twice_on(tmp_path, DAYS[-1])

    failed = _failed_tests(warehouse, window=DAYS[-1])

    assert [_is_the_key_test(name) for name in failed] == [True], failed


def test_a_key_loaded_twice_in_the_lookback_days_fails_the_daily_build(tmp_path: Path) -> None:
    # the window reaches incremental_lookback_days (3) before the run's day, as the incremental marts do
    warehouse = _warehouse_with_a_transfer_loaded_twice_on(tmp_path, DAYS[-3])

    failed = _failed_tests(warehouse, window=DAYS[-1])

    assert [_is_the_key_test(name) for name in failed] == [True], failed


def test_a_key_loaded_twice_before_the_window_passes_the_daily_build_and_fails_a_full_build(tmp_path: Path) -> None:
    warehouse = _warehouse_with_a_transfer_loaded_twice_on(tmp_path, DAYS[0])

    assert _failed_tests(warehouse, window=DAYS[-1]) == []
    failed = _failed_tests(warehouse, window=None)

    assert [_is_the_key_test(name) for name in failed] == [True], failed
