"""Ctrl-C and SIGTERM stop `depinlens` within seconds, with one line, leaving no process and no claim behind.

The signals go to the CLI's pid alone (as `kill` or a service manager sends them), not to its
process group, so the CLI itself must pass them on to what it started (dbt, anvil). "Within
seconds" is checked with a generous bound that only catches a hang: the process must end at
all within STOP_BOUND_S.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from depinlens.processes import ProcessInfo
from depinlens.settings import PROJECT_ROOT
from tests.conftest import SHARED_DIR
from tests.test_cli_runs_harness import (DBT_STEP, PATIENCE_S, Cli, Gate, _no_cli_outlives_its_module, gate,
                                         group_members, marts, still_running)

__all__ = ["gate", "_no_cli_outlives_its_module"]  # fixtures shared with the other CLI-run tests

STOP_BOUND_S = 60.0


@dataclass
class Stopped:
    """A CLI stopped by a signal: its exit code, output, what it had started, and its run (if any)."""

    cli: Cli
    code: int
    children: list[ProcessInfo]
    run_id: str | None = None


@dataclass
class Story:
    waiting: Stopped  # SIGTERM while waiting for the pool slot a live run holds
    mid_dbt: Stopped  # SIGINT during the live run's dbt build
    next_run: Cli
    next_code: int


def _signal(cli: Cli, signum: int, run_id: str | None = None) -> Stopped:
    children = cli.children()
    os.kill(cli.pid, signum)
    return Stopped(cli=cli, code=cli.finish(timeout_s=STOP_BOUND_S), children=children, run_id=run_id)


@pytest.fixture(scope="module")
def story(gate: Gate, tmp_path_factory: pytest.TempPathFactory) -> Story:
    data = tmp_path_factory.mktemp("interrupted")
    gate.hold("eth_getLogs")
    holder = Cli.start(data, gate.url)
    assert gate.arrived.wait(PATIENCE_S), holder.output()[-3000:]
    holding_run = holder.run_id()  # the run whose step waits for the held read, holding the slot

    waiter = Cli.start(data, gate.url)
    waiter.wait_for_output(f"waiting for run {holding_run[:8]}")
    waiting = _signal(waiter, signal.SIGTERM)

    gate.release()
    building_run = holder.wait_until(lambda s: DBT_STEP in s.get("STEP_START", set()))
    holder.wait_for_output("START sql")  # dbt has begun building models
    assert any(child.name == "dbt" for child in holder.children())
    mid_dbt = _signal(holder, signal.SIGINT, building_run)

    next_run = Cli.start(data, gate.url)
    return Story(waiting=waiting, mid_dbt=mid_dbt, next_run=next_run, next_code=next_run.finish())


def test_sigterm_ends_a_run_waiting_for_the_pool_with_one_line(story: Story) -> None:
    output = story.waiting.cli.output()
    assert story.waiting.code == 128 + signal.SIGTERM, output
    assert output.strip().splitlines()[-1] == "depinlens: stopped by SIGTERM", output


def test_sigterm_while_waiting_leaves_no_process_behind(story: Story) -> None:
    assert still_running(story.waiting.children) == []
    assert group_members(story.waiting.cli.pid) == []


def test_ctrl_c_mid_dbt_build_stops_the_cli_and_dbt(story: Story) -> None:
    stopped = story.mid_dbt
    output = stopped.cli.output()
    assert stopped.code == 128 + signal.SIGINT, output[-3000:]
    last = output.strip().splitlines()[-1]
    assert last.startswith(f"depinlens: stopped by SIGINT; run {stopped.run_id[:8]} is marked failed"), last
    assert any(child.name == "dbt" for child in stopped.children)
    assert still_running(stopped.children) == []
    assert group_members(stopped.cli.pid) == []


def test_ctrl_c_leaves_the_run_failed_and_its_pool_slot_free(story: Story) -> None:
    instance = story.mid_dbt.cli.instance()
    assert instance.get_run_by_id(story.mid_dbt.run_id).status == dg.DagsterRunStatus.FAILURE
    claimed = instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
    assert [s for s in claimed if s.run_id == story.mid_dbt.run_id] == []


def test_the_run_after_an_interrupted_one_starts_at_once_and_succeeds(story: Story) -> None:
    output = story.next_run.output()
    assert story.next_code == 0, output[-3000:]
    assert "waiting for run" not in output and "marked run" not in output  # nothing was left to clean up
    assert marts(story.next_run.data_dir / "serving.duckdb")["token_flows_daily"]


def test_sigterm_to_up_stops_its_run_and_its_local_chains(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    env.update(DEPINLENS_DATA_DIR=str(tmp_path), DEPINLENS_SHARED_DIR=str(SHARED_DIR), COLUMNS="250")
    up = Cli.launch(tmp_path, env, "up", "--days", "1", "--no-serve")
    run_id = up.wait_until(lambda s: any(k.startswith("raw__") for k in s.get("STEP_START", set())))
    chains = [child for child in up.children() if child.name == "anvil"]
    assert chains, up.children()
    stopped = _signal(up, signal.SIGTERM, run_id)
    assert stopped.code == 128 + signal.SIGTERM, up.output()[-3000:]
    assert up.output().strip().splitlines()[-1].startswith("depinlens: stopped by SIGTERM")
    assert still_running(stopped.children) == []
    assert group_members(up.pid) == []


# A step waiting for a pool slot that another run holds: Dagster's handler only notes the signal
# and keeps waiting, so the watcher must end the process after its grace period.
_WAITS_FOR_A_HELD_SLOT = """
import threading, time
import dagster as dg
from depinlens.interrupts import stop_on_signals

@dg.asset(pool="warehouse")
def needs_the_slot() -> None:
    pass

def say_when_queued(storage) -> None:
    while not [p for p in storage.get_concurrency_info("warehouse").pending_steps if p.run_id != "another-run"]:
        time.sleep(0.05)
    print("waiting for the slot", flush=True)

with dg.instance_for_test(overrides={"concurrency": {"pools": {"default_limit": 1}}}) as instance:
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default("warehouse")
    storage.claim_concurrency_slot("warehouse", "another-run", "its-step", 0)
    threading.Thread(target=say_when_queued, args=(storage,), daemon=True).start()
    with stop_on_signals(grace_s=2.0) as watch:
        watch.on_force.append(lambda: "cleanup ran")
        dg.materialize([needs_the_slot], instance=instance)
print("materialize returned", flush=True)
"""


def test_a_run_that_cannot_wind_down_is_ended_after_the_grace_period(tmp_path: Path) -> None:
    log = tmp_path / "waits.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", _WAITS_FOR_A_HELD_SLOT], cwd=PROJECT_ROOT, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    waiting = Cli(data_dir=tmp_path, process=process, log=log)
    waiting.wait_for_output("waiting for the slot")
    stopped = _signal(waiting, signal.SIGINT)
    output = waiting.output()
    assert stopped.code == 128 + signal.SIGINT, output
    assert "depinlens: stopped by SIGINT; the command had not wound down 2 s later, so it ends now; cleanup ran" \
        in output, output
    assert "materialize returned" not in output
    assert group_members(waiting.pid) == []


def test_a_run_not_launched_by_depinlens_that_holds_the_pool_is_named_with_how_to_free_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from depinlens.cli import _instance

    monkeypatch.setenv("DEPINLENS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))  # restored after the test
    instance = _instance()  # the CLI's own instance: its dagster.yaml, pool limit and all
    foreign = instance.add_run(dg.DagsterRun(job_name="daily_pipeline", status=dg.DagsterRunStatus.STARTED))
    instance.event_log_storage.initialize_concurrency_limit_to_default("warehouse")
    instance.event_log_storage.claim_concurrency_slot("warehouse", foreign.run_id, "raw__registry", 0)

    waiter = Cli.start(tmp_path, "http://127.0.0.1:9")
    output = waiter.wait_for_output(f"waiting for run {foreign.run_id} (not launched by depinlens)")
    assert f"`dagster run delete {foreign.run_id}`" in output, output
    stopped = _signal(waiter, signal.SIGTERM)
    assert stopped.code == 128 + signal.SIGTERM
    assert instance.get_run_by_id(foreign.run_id).status == dg.DagsterRunStatus.STARTED  # not ours to judge
