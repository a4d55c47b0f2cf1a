"""The incremental marts: a build of one window equals a full refresh of the same warehouse.

Real DuckDB files, real `dbt build`s: each test changes the raw layer of a copy of the demo
warehouse, builds it incrementally for a window, and compares every table in `marts` with a
`--full-refresh` build of another copy of the same raw rows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from depinlens.settings import DBT_PROJECT_DIR


def _dbt_build(warehouse: Path, *extra: str) -> None:
    dbt = Path(sys.executable).with_name("dbt")
    done = subprocess.run([str(dbt), "build", "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--select", "marts", "--exclude-resource-type", "unit_test",
                           "--target-path", str(warehouse.parent / "target"), *extra],
                          env=dict(os.environ, DEPINLENS_WAREHOUSE=str(warehouse)),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _window(first: date, last: date, **more: object) -> tuple[str, str]:
    return "--vars", json.dumps({"min_day": str(first), "max_day": str(last), **more})


def _same_to_12_digits(value: object) -> object:
    """Doubles summed in another order differ in the last bit; exact DECIMAL amounts stay exact."""
    return float(f"{value:.12g}") if isinstance(value, float) else value


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def _marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table in the marts schema, rows sorted."""
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [t for (t,) in conn.execute("select table_name from information_schema.tables where table_schema = "
                                             "'marts' and table_type = 'BASE TABLE' order by 1").fetchall()]
        return {t: [tuple(map(_same_to_12_digits, row))
                    for row in conn.execute(f'select * from marts."{t}" order by all').fetchall()]
                for t in tables}
    finally:
        conn.close()


def _copies(demo_data_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    # the demo file's own name: its views name their catalog (the file name) in DuckDB 1.5
    incremental, full = tmp_path / "incremental" / "warehouse.duckdb", tmp_path / "full" / "warehouse.duckdb"
    for copy in (incremental, full):
        copy.parent.mkdir()
        shutil.copy(demo_data_dir / "warehouse.duckdb", copy)
    return incremental, full


def _demo_days(warehouse: Path) -> list[date]:
    return [d for (d,) in _query(warehouse, "select distinct block_day from raw.token_transfers "
                                            "where source = 'demo' order by 1")]


def _correct_raw_rows_of(warehouse: Path, day: date) -> dict[str, object]:
    """A correction of `day` as a re-ingest would make it: every raw table gains, loses or changes rows.

    Returns what was done, for the test to check the marts followed.
    """
    conn = duckdb.connect(str(warehouse))
    try:
        conn.execute("begin transaction")
        # deleted: every transfer of one token on that day (a reorg that removes them all)
        dropped = conn.execute("""
            select network, chain, token_address, source from raw.token_transfers
            where block_day = ? and source = 'demo' order by all limit 1""", [day]).fetchone()
        deleted = conn.execute("""delete from raw.token_transfers where block_day = ? and network = ? and chain = ?
                                  and token_address = ? and source = ?""", [day, *dropped]).fetchone()[0]
        # added: a mint of another token nobody had seen
        added = conn.execute("""
            insert into raw.token_transfers
            select * replace ('mint' as kind, 12345 * 10::decimal(38, 0) ** decimals as amount_raw,
                              '0xadded' as tx_hash, 9999 as log_index)
            from raw.token_transfers
            where block_day = ? and source = 'demo' and token_address <> ?
            order by all limit 1""", [day, dropped[2]]).fetchone()[0]
        # changed: stakes, vault NAV, a token price, and a lease gone
        changed = {
            "stakes": conn.execute("""update raw.staking_events set amount_raw = amount_raw * 2
                                      where block_day = ? and source = 'demo'""", [day]).fetchone()[0],
            "vault_reads": conn.execute("""update raw.vault_snapshots
                                           set assets_per_share_raw = (assets_per_share_raw * 1.02)::decimal(38, 0)
                                           where block_day = ? and source = 'demo'""", [day]).fetchone()[0],
            "prices": conn.execute("""update raw.token_prices set usd = usd * 1.5
                                      where day = ? and source = 'demo'""", [day]).fetchone()[0],
            "leases": conn.execute("""delete from raw.jobs where source = 'demo' and job_id = (
                                        select min(job_id) from raw.jobs where source = 'demo'
                                        and started_at < ?::date + 1 and coalesce(ended_at, fetched_at) > ?::date)""",
                                   [day, day]).fetchone()[0],
        }
        conn.execute("commit")
    finally:
        conn.close()
    return {"dropped_flow": dropped, "deleted": deleted, "added": added, **changed}


def test_rebuilding_a_corrected_day_equals_a_full_refresh(demo_data_dir: Path, tmp_path: Path) -> None:
    incremental, full = _copies(demo_data_dir, tmp_path)
    days = _demo_days(incremental)
    first, middle, last = days[0], days[len(days) // 2], days[-1]
    assert first < middle < last
    before = _marts(incremental)

    done = _correct_raw_rows_of(incremental, middle)
    assert all(done[k] for k in ("deleted", "added", "stakes", "vault_reads", "prices", "leases")), done
    shutil.copy(incremental, full)
    # the middle day alone, without lookback: the days before it stay, the days after it follow it
    _dbt_build(incremental, *_window(middle, middle, incremental_lookback_days=0))
    _dbt_build(full, "--full-refresh", *_window(first, last))

    built, expected = _marts(incremental), _marts(full)
    network, chain, token, source = done["dropped_flow"]
    flow_rows = "select count(*) from marts.token_flows_daily where day = ? and network = ? and chain = ? " \
                "and token_address = ? and source = ?"
    assert _query(demo_data_dir / "warehouse.duckdb", flow_rows, [middle, network, chain, token, source]) == [(1,)]
    assert _query(incremental, flow_rows, [middle, network, chain, token, source]) == [(0,)]
    after_middle = "select * from marts.network_daily where day > ? order by all"
    assert _query(incremental, after_middle, [middle]) != _query(demo_data_dir / "warehouse.duckdb", after_middle,
                                                                  [middle])
    assert built != before
    assert {m: len(rows) for m, rows in built.items()} == {m: len(rows) for m, rows in expected.items()}
    assert built == expected


def test_an_incremental_build_of_the_new_day_equals_a_full_refresh(demo_data_dir: Path, tmp_path: Path) -> None:
    incremental, full = _copies(demo_data_dir, tmp_path)
    days = _demo_days(incremental)
    first, last = days[0], days[-1]

    conn = duckdb.connect(str(incremental))
    conn.execute("create table held_back as select * from raw.token_transfers where block_day = ?", [last])
    held = conn.execute("delete from raw.token_transfers where block_day = ?", [last]).fetchone()[0]
    conn.close()
    assert held > 0
    _dbt_build(incremental, "--full-refresh", *_window(first, last))  # the marts before the last day arrived

    conn = duckdb.connect(str(incremental))
    conn.execute("insert into raw.token_transfers select * from held_back")
    conn.execute("drop table held_back")
    conn.close()
    _dbt_build(incremental, *_window(last, last))
    _dbt_build(full, "--full-refresh", *_window(first, last))

    built, expected = _marts(incremental), _marts(full)
    assert {m: len(rows) for m, rows in built.items()} == {m: len(rows) for m, rows in expected.items()}
    assert built == expected
