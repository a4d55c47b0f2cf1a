"""dbt forked from this process (pipelines/defs/dbt_fork.py) behaves as the `dbt` process it replaces:
its output line by line through the pipe, its exit status, a signal that ends it, and dagster-dbt's
invocation reading it (success, and a failure raised with dbt's own message).

Real dbt commands against the real project and a temporary DuckDB file.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from depinlens.settings import DBT_PROJECT_DIR
from pipelines.defs.dbt_fork import ForkedDbt
from pipelines.defs.dbt_project import dbt_cli_resource
from warehouse import connect_warehouse


@pytest.fixture
def dbt_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """dbt's environment for a temporary warehouse, its target folder beside it."""
    monkeypatch.setenv("DEPINLENS_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    return {**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR)}


def test_a_forked_command_streams_its_output_and_exits_with_dbts_status(dbt_env: dict[str, str]) -> None:
    ok = ForkedDbt(["dbt", "--version"], env=dbt_env, cwd=DBT_PROJECT_DIR)
    output = ok.stdout.read().decode()
    assert ok.wait(timeout=60) == 0 and ok.returncode == 0 and ok.poll() == 0
    assert "Core:" in output and "duckdb" in output

    bad = ForkedDbt(["dbt", "build", "--no-such-flag"], env=dbt_env, cwd=DBT_PROJECT_DIR)
    output = bad.stdout.read().decode()
    assert bad.wait(timeout=60) == 2  # click's usage error, as the console script exits
    assert "No such option" in output and "--no-such-flag" in output


def test_a_signal_ends_the_forked_command_and_wait_reports_it(dbt_env: dict[str, str]) -> None:
    running = ForkedDbt(["dbt", "parse", "--no-partial-parse"], env=dbt_env, cwd=DBT_PROJECT_DIR)
    with pytest.raises(subprocess.TimeoutExpired):
        running.wait(timeout=0.01)
    proc = Path("/proc") / str(running.pid)
    deadline = time.monotonic() + 10
    while (proc / "comm").read_text().strip() != "dbt" and time.monotonic() < deadline:
        time.sleep(0.01)
    # named as a dbt process is: what ps, the CLI's leftover report and its tests look for
    assert (proc / "comm").read_text().strip() == "dbt"
    assert (proc / "cmdline").read_bytes().replace(b"\0", b" ").startswith(b"dbt parse --no-partial-parse")
    running.send_signal(signal.SIGTERM)
    assert running.wait(timeout=60) == -signal.SIGTERM
    running.stdout.close()
    running.send_signal(signal.SIGTERM)  # exited: nothing to signal, no error


def test_dagster_dbts_invocation_reads_a_forked_build_and_raises_dbts_error(
        tmp_path: Path, dbt_env: dict[str, str]) -> None:
    resource = dbt_cli_resource()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        listed = resource.cli(["ls", "--resource-type", "model", "--output", "name"]).wait()
    assert listed.is_successful() and "network_daily" in printed.getvalue()

    with contextlib.redirect_stdout(io.StringIO()), pytest.raises(DagsterDbtCliRuntimeError) as failed:
        resource.cli(["run-operation", "no_such_macro"]).wait()
    assert "no_such_macro" in str(failed.value)

    # the forked dbt holds the warehouse file while it builds; nothing of it is left in this process after
    warehouse = tmp_path / "warehouse.duckdb"
    connect_warehouse(warehouse).close()
    with contextlib.redirect_stdout(io.StringIO()):
        built = resource.cli(["run", "--select", "stg_registry__networks"]).wait()
    assert built.is_successful()
    with contextlib.closing(duckdb.connect(str(warehouse))) as conn:  # read-write: no lock, no stale instance
        assert conn.execute("select count(*) from duckdb_views() where view_name = 'stg_registry__networks'"
                            ).fetchone()[0] == 1
