"""A run killed anywhere never blocks the next one: `depinlens run` killed with SIGKILL at five points of
its run, each time followed by a run that starts at once, says it marked the dead run failed, and
in the end publishes marts equal to those of an uninterrupted run.

One story, told once per module (each run is a real process with a real dbt build): the run
after each kill is the one killed at the next point, and the run after the fifth kill finishes.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from depinlens.processes import ProcessInfo
from tests.test_cli_runs_harness import (DBT_STEP, PATIENCE_S, PUBLISH_STEP, Cli, Gate, _no_cli_outlives_its_module,
                                         gate, marts, still_running)

__all__ = ["gate", "_no_cli_outlives_its_module"]  # fixtures shared with the other CLI-run tests


@dataclass
class Kill:
    """One killed run: where it was, what Dagster said about it right after, and the run that came next."""

    point: str
    run_id: str
    pid: int
    status_after_kill: dg.DagsterRunStatus
    slots_after_kill: int
    children_at_kill: list[ProcessInfo]
    next_output: str = ""
    status_after_next: dg.DagsterRunStatus | None = None
    children_after_next: list[ProcessInfo] | None = None


@dataclass
class Story:
    kills: list[Kill]
    final: Cli
    final_code: int
    reference: Cli
    reference_code: int


def _dbt_models_built(seen: dict[str, set[str]]) -> bool:
    built = seen.get("ASSET_MATERIALIZATION", set())
    return any(key.startswith(('["staging"', '["intermediate"', '["marts"')) for key in built)


def _ingesting(seen: dict[str, set[str]]) -> set[str]:
    """Ingestion steps (raw__*) started and not ended."""
    return {k for k in seen.get("STEP_START", set()) - seen.get("STEP_SUCCESS", set()) if k.startswith("raw__")}


def _slots_held(instance: dg.DagsterInstance, run_id: str) -> int:
    info = instance.event_log_storage.get_concurrency_info("warehouse")
    return len([s for s in info.claimed_slots if s.run_id == run_id])


def _kill(cli: Cli, run_id: str, point: str) -> Kill:
    """SIGKILL the (stopped) CLI and record the state it leaves behind."""
    children = cli.children()
    cli.kill9()
    instance = cli.instance()
    return Kill(point=point, run_id=run_id, pid=cli.pid, status_after_kill=instance.get_run_by_id(run_id).status,
                slots_after_kill=_slots_held(instance, run_id), children_at_kill=children)


@pytest.fixture(scope="module")
def story(gate: Gate, tmp_path_factory: pytest.TempPathFactory) -> Story:
    data = tmp_path_factory.mktemp("killed")
    kills: list[Kill] = []
    # the uninterrupted run reads the same chain past the gate, alongside the killed runs
    reference = Cli.start(tmp_path_factory.mktemp("uninterrupted"), gate.upstream)

    def next_cli() -> Cli:
        cli = Cli.start(data, gate.url)
        cli.run_id()  # it started a run: the dead one's slot did not keep it waiting
        if kills:
            previous = kills[-1]
            previous.next_output = cli.output()
            previous.status_after_next = cli.instance().get_run_by_id(previous.run_id).status
            previous.children_after_next = still_running(previous.children_at_kill)
        return cli

    # 1. ingestion: a chain read held unanswered, its step holding the warehouse slot
    gate.hold("eth_getLogs")
    cli = next_cli()
    assert gate.arrived.wait(PATIENCE_S), cli.output()[-3000:]
    run_id, seen = cli.freeze_when(lambda s: True)
    assert _ingesting(seen), seen
    kills.append(_kill(cli, run_id, "mid-ingestion, a chain read unanswered"))
    gate.release()

    # 2. ingestion again, after a raw table was replaced: one step done, the next one under way
    cli = next_cli()
    cli.wait_until(lambda s: "STEP_START" in s)
    run_id, seen = cli.freeze_when(lambda s: bool(_ingesting(s)) and any(
        k.startswith("raw__") for k in s.get("STEP_SUCCESS", set())))
    kills.append(_kill(cli, run_id, "mid-ingestion, raw tables replaced"))

    # 3. dbt build: some models built, dbt still running
    cli = next_cli()
    mid_dbt = lambda s: _dbt_models_built(s) and DBT_STEP not in s.get("STEP_SUCCESS", set())  # noqa: E731
    cli.wait_until(mid_dbt)
    run_id, _ = cli.freeze_when(mid_dbt)
    dbt = [child for child in cli.children() if child.name == "dbt"]
    assert dbt, cli.children()
    kills.append(_kill(cli, run_id, "mid-dbt build, models built and dbt running"))
    os.kill(dbt[0].pid, signal.SIGSTOP)  # a build that outlasts the next run's start-up, as a longer one would

    # 4. publish: the step started and has not ended
    cli = next_cli()
    cli.wait_for_child_to_end("dbt", "build")
    run_id, _ = cli.freeze_when(lambda s: PUBLISH_STEP in s.get("STEP_START", set()) - s.get("STEP_SUCCESS", set()))
    kills.append(_kill(cli, run_id, "mid-publish"))

    # 5. after publish, before the run recorded its end
    cli = next_cli()
    cli.wait_for_child_to_end("dbt", "build")
    run_id, _ = cli.freeze_when(lambda s: PUBLISH_STEP in s.get("STEP_SUCCESS", set()) and "PIPELINE_SUCCESS" not in s)
    kills.append(_kill(cli, run_id, "after publish, before the run recorded its end"))

    final = next_cli()
    final_code = final.finish()
    return Story(kills=kills, final=final, final_code=final_code, reference=reference,
                 reference_code=reference.finish())


POINTS = range(5)


@pytest.mark.parametrize("point", POINTS)
def test_a_killed_run_is_left_unfinished_until_the_next_run_marks_it_failed(story: Story, point: int) -> None:
    kill = story.kills[point]
    assert kill.status_after_kill == dg.DagsterRunStatus.STARTED, kill.point
    assert f"marked run {kill.run_id[:8]} failed: its process (pid {kill.pid}" in kill.next_output, kill.next_output
    assert kill.status_after_next == dg.DagsterRunStatus.FAILURE, kill.point


@pytest.mark.parametrize("point", POINTS)
def test_the_run_after_a_kill_takes_the_slot_the_dead_run_held_without_waiting(story: Story, point: int) -> None:
    kill = story.kills[point]
    if point < 4:  # killed inside a step: the dead run still held the warehouse slot
        assert kill.slots_after_kill == 1, kill.point
        assert "freed its slot in the warehouse pool" in kill.next_output, kill.next_output
    assert "waiting for run" not in kill.next_output, kill.next_output


def test_a_dbt_build_left_running_by_a_killed_run_is_stopped_by_the_next_run(story: Story) -> None:
    kill = next(k for k in story.kills if k.point.startswith("mid-dbt"))
    dbt = [p for p in kill.children_at_kill if p.name == "dbt"]
    assert dbt and "stopped what it left running:" in kill.next_output, kill.next_output
    assert f"dbt (pid {dbt[0].pid})" in kill.next_output, kill.next_output


@pytest.mark.parametrize("point", POINTS)
def test_nothing_a_killed_run_started_still_runs_once_the_next_run_has_started(story: Story, point: int) -> None:
    kill = story.kills[point]
    assert kill.children_at_kill, "the CLI had started helpers (Dagster's log tails at least)"
    assert kill.children_after_next == [], kill.point


def test_after_five_kills_a_run_publishes_marts_equal_to_an_uninterrupted_run(story: Story) -> None:
    assert story.final_code == 0, story.final.output()[-3000:]
    assert story.reference_code == 0, story.reference.output()[-3000:]
    assert f"marked run {story.kills[-1].run_id[:8]} failed" in story.final.output()
    final = marts(story.final.data_dir / "serving.duckdb")
    reference = marts(story.reference.data_dir / "serving.duckdb")
    assert final.keys() == reference.keys() and "token_flows_daily" in final
    assert final["token_flows_daily"], "the window's transfers reached the marts"
    assert final == reference


def test_a_ranged_run_plans_one_event_per_asset_not_one_per_day(story: Story) -> None:
    instance = story.reference.instance()
    run = instance.get_runs(limit=1)[0]  # the window's run (the newest)
    assert run.tags["dagster/asset_partition_range_start"] != run.tags["dagster/asset_partition_range_end"]
    planned = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    materialized = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    assets = {e.dagster_event.asset_key for e in planned}
    assert len(planned) == len(assets)
    assert len(materialized) > len(assets)  # Dagster still records each day's materialization
