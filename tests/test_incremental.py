"""The incremental marts: a one-window build over newly arrived rows equals a full refresh."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from depinlens.settings import DBT_PROJECT_DIR

MARTS = {"token_flows_daily": "flow_key", "network_daily": "network_day_key"}


def _dbt_build(warehouse: Path, *extra: str) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--select", "marts", "--target-path", str(warehouse.parent / "target"),
                           *extra], env=dict(os.environ, DEPINLENS_WAREHOUSE=str(warehouse)),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _same_to_12_digits(value: object) -> object:
    """Doubles summed in another order differ in the last bit; exact DECIMAL amounts stay exact."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {m: [tuple(map(_same_to_12_digits, row)) for row in
                    conn.execute(f"select * from marts.{m} order by {key}").fetchall()]
                for m, key in MARTS.items()}
    finally:
        conn.close()


def test_an_incremental_build_of_the_new_day_equals_a_full_refresh(demo_data_dir: Path, tmp_path: Path) -> None:
    full, incremental = tmp_path / "full" / "w.duckdb", tmp_path / "incremental" / "w.duckdb"
    for copy in (full, incremental):
        copy.parent.mkdir()
        shutil.copy(demo_data_dir / "warehouse.duckdb", copy)

    conn = duckdb.connect(str(incremental))
    last_day = conn.execute("select max(block_day) from raw.token_transfers").fetchone()[0]
    conn.execute("create table held_back as select * from raw.token_transfers where block_day = ?", [last_day])
    held = conn.execute("delete from raw.token_transfers where block_day = ?", [last_day]).fetchone()[0]
    conn.close()
    assert held > 0
    _dbt_build(incremental, "--full-refresh")  # the marts as they were before the last day arrived

    conn = duckdb.connect(str(incremental))
    conn.execute("insert into raw.token_transfers select * from held_back")
    conn.execute("drop table held_back")
    conn.close()
    window = json.dumps({"min_day": str(last_day), "max_day": str(last_day)})
    _dbt_build(incremental, "--vars", window)
    _dbt_build(full, "--full-refresh")

    built, expected = _marts(incremental), _marts(full)
    assert {m: len(rows) for m, rows in built.items()} == {m: len(rows) for m, rows in expected.items()}
    assert built == expected
