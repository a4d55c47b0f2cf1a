"""A damaged warehouse file is refused before anything writes into it, with one line saying what to do,
and the file is left byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from depinlens.settings import PROJECT_ROOT, Settings
from harness.anvil import Anvil
from pipelines.run import run_pipeline
from tests.conftest import DAY_1, evm_only_selection, pipeline_resources
import warehouse._connect
from warehouse import WarehouseConnections, WarehouseCorrupt, check_warehouse, connect_warehouse


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cut_to_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _zero(start: int, length: int) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        with path.open("r+b") as f:
            f.seek(start)
            f.write(b"\0" * length)
    return damage


@pytest.fixture
def damaged(demo_data_dir: Path, settings: Settings) -> Path:
    """A copy of the real demo warehouse, cut to half its size, at the test's warehouse path."""
    shutil.copy(demo_data_dir / "warehouse.duckdb", settings.warehouse_path)
    _cut_to_half(settings.warehouse_path)
    return settings.warehouse_path


def test_a_warehouse_cut_to_half_is_refused_before_anything_is_written(damaged: Path) -> None:
    before = _sha256(damaged)

    with pytest.raises(WarehouseCorrupt) as refused:
        connect_warehouse(damaged)

    message = str(refused.value)
    # cut short: either the blocks in use lie past the end, or DuckDB cannot read the file at all
    assert str(damaged) in message and "nothing was written" in message
    assert "cut short" in message or "DuckDB cannot open it" in message
    assert "depinlens up" in message and "depinlens run --from" in message
    assert "\n" not in message
    assert _sha256(damaged) == before and not damaged.with_name(f"{damaged.name}.wal").exists()


@pytest.mark.parametrize("damage", [_zero(0, 4096), _zero(4096, 8192), lambda p: os.truncate(p, 0)],
                         ids=["main header zeroed", "database headers zeroed", "emptied"])
def test_a_file_duckdb_cannot_open_is_reported_as_damaged_and_left_as_it_was(
        demo_data_dir: Path, tmp_path: Path, damage: Callable[[Path], None]) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_data_dir / "warehouse.duckdb", path)
    damage(path)
    before = _sha256(path)

    for opener in (check_warehouse, connect_warehouse):
        with pytest.raises(WarehouseCorrupt, match="DuckDB cannot open it"):
            opener(path)

    assert _sha256(path) == before


def test_a_healthy_warehouse_passes_and_a_missing_one_is_not_created_by_the_check(demo_data_dir: Path,
                                                                                  tmp_path: Path) -> None:
    healthy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_data_dir / "warehouse.duckdb", healthy)
    check_warehouse(healthy)
    connect_warehouse(healthy).close()

    check_warehouse(tmp_path / "absent.duckdb")
    assert not (tmp_path / "absent.duckdb").exists()


def test_the_check_runs_while_this_process_has_the_warehouse_open_and_leaves_another_writers_lock_to_the_steps(
        demo_data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_data_dir / "warehouse.duckdb", path)
    open_here = connect_warehouse(path)
    try:
        check_warehouse(path)  # shares this process's instance instead of failing on DuckDB's configuration clash
    finally:
        open_here.close()

    writer = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                                                     "print('open', flush=True); sys.stdin.readline()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        check_warehouse(path)  # cannot be opened to check: passes; the writing steps report the lock
    finally:
        writer.communicate("\n", timeout=30)


def test_a_warehouse_duckdb_shrank_after_dropping_a_table_is_not_mistaken_for_damage(tmp_path: Path) -> None:
    """DuckDB cuts free blocks off the end of the file but keeps counting them in its header."""
    path = tmp_path / "warehouse.duckdb"
    for statement in ("create table raw.scratch as select range as i, random() as r from range(1000000)",
                      "delete from raw.scratch where i % 2 = 0",  # rewritten into new blocks at the end
                      "drop table raw.scratch"):
        conn = connect_warehouse(path)
        conn.execute(statement)
        conn.close()
    with duckdb.connect(str(path), read_only=True) as conn:
        counted = conn.execute("select total_blocks * block_size from pragma_database_size()").fetchone()[0]
    assert counted > path.stat().st_size  # the premise: the header counts blocks no longer in the file

    check_warehouse(path)
    connect_warehouse(path).close()


@pytest.mark.parametrize("selection", [
    evm_only_selection(),
    dg.AssetSelection.key_prefixes(["staging"], ["intermediate"], ["marts"])
    | dg.AssetSelection.keys(["serving", "marts"]),
], ids=["ingest, dbt and publish", "dbt and publish alone"])
def test_every_writing_step_of_a_run_refuses_a_damaged_warehouse(damaged: Path, settings: Settings, anvil: Anvil,
                                                                 ephemeral_instance, selection) -> None:
    before = _sha256(damaged)

    result = run_pipeline(DAY_1, DAY_1, resources=pipeline_resources(settings, anvil.url),
                          instance=ephemeral_instance, raise_on_error=False, selection=selection)

    failures = [e for e in result.all_events if e.is_step_failure]
    assert not result.success and failures
    assert not [e for e in result.all_events if e.is_step_success]
    assert {e.step_failure_data.error.cause.cls_name for e in failures} == {"WarehouseCorrupt"}
    assert _sha256(damaged) == before
    assert not settings.serving_path.exists()


@pytest.mark.parametrize("command", [["run", "--from", DAY_1.isoformat()], ["up", "--days", "1", "--no-serve"]],
                         ids=["run", "up"])
def test_depinlens_run_and_up_on_a_damaged_warehouse_say_so_once_and_write_nothing(
        damaged: Path, settings: Settings, anvil: Anvil, command: list[str]) -> None:
    before = _sha256(damaged)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    env.update(DEPINLENS_DATA_DIR=str(settings.data_dir), DEPINLENS_RPC_ANVIL=anvil.url, DEPINLENS_SOLANA_CHAINS="",
               DEPINLENS_AKASH_CHAINS="", DEPINLENS_CLOUD_PRICES="off", COLUMNS="100")

    done = subprocess.run([sys.executable, "-m", "depinlens.cli", *command],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 1
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"warehouse {damaged} is damaged"), lines
    assert _sha256(damaged) == before
    assert sorted(p.name for p in settings.data_dir.iterdir()) == [damaged.name]  # nothing else was started


def test_a_file_this_process_closed_is_checked_again_only_once_something_else_has_touched_it(
        demo_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check costs ~100 ms at 10M rows and a one-day ingestion opens a dozen connections: a file this
    process left, still exactly as it left it (its own writes included), is not checked again."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_data_dir / "warehouse.duckdb", path)
    checked: list[Path] = []
    real_check = warehouse._connect.check_open_warehouse

    def counting_check(conn: duckdb.DuckDBPyConnection, where: Path) -> None:
        checked.append(where)
        real_check(conn, where)

    monkeypatch.setattr(warehouse._connect, "check_open_warehouse", counting_check)
    connections = WarehouseConnections(path)
    for n in range(3):
        conn = connections.connect()
        conn.execute(f"create or replace table main.scratch as select {n} as n")  # this process writes it
        connections.release(conn)
    assert len(checked) == 1

    # another process writes it: checked again
    subprocess.run([sys.executable, "-c", f"import duckdb; c = duckdb.connect({str(path)!r}); "
                                          "c.execute('create or replace table main.scratch as select 9 as n'); c.close()"],
                   check=True, timeout=60)
    connections.release(connections.connect())
    assert len(checked) == 2

    # cut short once this process has closed it: refused (by DuckDB, or by the check)
    _cut_to_half(path)
    with pytest.raises(WarehouseCorrupt):
        connections.connect()
