"""Runs left unfinished by a process that is gone: found, marked failed, their pool slots freed.

Every warehouse-writing step claims the one slot of the `warehouse` concurrency pool. A run
whose process dies (kill -9, a crash, a closed laptop) stays STARTED in Dagster's storage and
keeps its slot, so every later run would wait for it forever. `launch_tags` records at launch
which process runs a run (pid, its start time, host, process group); `end_stale_runs` finds
unfinished runs of this host whose process is no longer alive, marks them failed, frees their
slots and stops what their process group left running (a dbt build that outlived the CLI would
hold the warehouse file's lock). Runs without these tags (a `dagster dev` launch) or from
another host are never touched: `pool_holders` names them, so the CLI can say what it waits for.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dagster as dg

from depinlens.processes import ProcessInfo, group_leftovers, is_running, process_started, stop_processes

PID_TAG = "depinlens/pid"
PROCESS_STARTED_TAG = "depinlens/process_started"
HOST_TAG = "depinlens/host"
PGID_TAG = "depinlens/pgid"

UNFINISHED = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED,
              dg.DagsterRunStatus.CANCELING]


def launch_tags() -> dict[str, str]:
    """Tags naming this process as the one that runs the run (its process group only when it leads one)."""
    tags = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    started = process_started()
    if started is not None:
        tags[PROCESS_STARTED_TAG] = str(started)
    if os.getpgrp() == os.getpid():
        tags[PGID_TAG] = str(os.getpid())
    return tags


@dataclass(frozen=True)
class Owner:
    """The process a run's tags name."""

    pid: int
    host: str
    started: int | None
    pgid: int | None

    @classmethod
    def of(cls, run: dg.DagsterRun) -> Owner | None:
        """The owner the run's tags name, or None for a run not launched by `run_pipeline`."""
        tags = run.tags
        if PID_TAG not in tags or HOST_TAG not in tags:
            return None
        optional = {k: int(tags[k]) if tags.get(k, "").isdigit() else None for k in (PROCESS_STARTED_TAG, PGID_TAG)}
        return cls(pid=int(tags[PID_TAG]), host=tags[HOST_TAG], started=optional[PROCESS_STARTED_TAG],
                   pgid=optional[PGID_TAG])

    def is_gone(self) -> bool:
        """True only when this host can tell that the process has ended."""
        return self.host == socket.gethostname() and not is_running(self.pid, self.started)


@dataclass(frozen=True)
class EndedRun:
    """A run this module marked failed or released, and what it did about it."""

    run_id: str
    created: datetime | None
    pid: int | None
    pools: list[str] = field(default_factory=list)
    stopped: list[ProcessInfo] = field(default_factory=list)
    was_finished: bool = False

    def message(self) -> str:
        """One plain line for the user: which run, why, and what was freed."""
        short = self.run_id[:8]
        if self.was_finished:
            return f"freed the slot run {short} still held in the {_pools(self.pools)} after it had finished"
        when = f", started {self.created:%Y-%m-%d %H:%M} UTC" if self.created else ""
        line = f"marked run {short} failed: its process (pid {self.pid}{when}) is gone"
        if self.pools:
            line += f"; freed its slot in the {_pools(self.pools)}"
        if self.stopped:
            line += "; stopped what it left running: " + ", ".join(f"{p.name} (pid {p.pid})" for p in self.stopped)
        return line


def _pools(pools: list[str]) -> str:
    return f"{', '.join(pools)} pool{'s' if len(pools) > 1 else ''}"


def end_stale_runs(instance: dg.DagsterInstance) -> list[EndedRun]:
    """Mark failed every unfinished run of this host whose process is gone; free every slot such runs,
    or runs that already finished, still hold. Returns what was done, one entry per run."""
    ended = []
    host_runs = instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED, tags={HOST_TAG: socket.gethostname()}))
    for run in host_runs:
        owner = Owner.of(run)
        if owner is not None and owner.is_gone():
            ended.append(_end_run(instance, run, owner))
    for run_id in set(_slots_by_run(instance)) - {e.run_id for e in ended}:
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            pools = _free_slots(instance, run_id)
            ended.append(EndedRun(run_id=run_id, created=None, pid=None, pools=pools, was_finished=True))
    return ended


def end_run(instance: dg.DagsterInstance, run_id: str, reason: str) -> EndedRun | None:
    """Mark this process's own run failed (if it is still unfinished) and free its slots: the CLI's
    last act when it is stopped before Dagster could wind the run down."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        return None
    if not run.is_finished:
        instance.report_run_failed(run, message=reason)
    return EndedRun(run_id=run_id, created=None, pid=os.getpid(), pools=_free_slots(instance, run_id))


def _end_run(instance: dg.DagsterInstance, run: dg.DagsterRun, owner: Owner) -> EndedRun:
    record = instance.get_run_record_by_id(run.run_id)
    instance.report_run_failed(
        run, message=f"depinlens: the process that ran this run (pid {owner.pid} on {owner.host}) is gone; "
                     f"marked failed by pid {os.getpid()} so later runs can take its pool slots")
    leftovers: list[ProcessInfo] = []
    if owner.pgid == owner.pid and owner.started is not None:
        leftovers = stop_processes(group_leftovers(owner.pgid, started_since=owner.started))
    return EndedRun(run_id=run.run_id, created=record.create_timestamp.astimezone(UTC) if record else None,
                    pid=owner.pid, pools=_free_slots(instance, run.run_id), stopped=leftovers)


def _slots_by_run(instance: dg.DagsterInstance) -> dict[str, set[str]]:
    """Pools in which each run holds a slot or queues a step."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    held: dict[str, set[str]] = {}
    for pool in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(pool)
        for run_id in {s.run_id for s in info.claimed_slots} | {p.run_id for p in info.pending_steps}:
            held.setdefault(run_id, set()).add(pool)
    return held


def _free_slots(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Free the run's claimed and queued slots; the pools it had claimed or queued in."""
    pools = sorted(_slots_by_run(instance).get(run_id, set()))
    if pools:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return pools


@dataclass(frozen=True)
class PoolHolder:
    """An unfinished run that holds a pool slot another run would wait for."""

    run_id: str
    pool: str
    owner: Owner | None

    def message(self) -> str:
        """Whom the CLI waits for and, when it cannot tell that run's process, how to free the slot by hand."""
        short = self.run_id[:8]
        if self.owner is not None and self.owner.host == socket.gethostname():
            return f"waiting for run {short} (pid {self.owner.pid}) to release the {self.pool} pool (Ctrl-C to stop)"
        where = f"on host {self.owner.host}" if self.owner else "not launched by depinlens"
        return (f"waiting for run {self.run_id} ({where}) to release the {self.pool} pool (Ctrl-C to stop); "
                f"if nothing runs it any more, terminate it in the Dagster UI or "
                f"`dagster run delete {self.run_id}` with this DAGSTER_HOME")


def pool_holders(instance: dg.DagsterInstance) -> list[PoolHolder]:
    """Unfinished runs that hold a slot of a pool whose every slot is taken."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    holders = []
    for pool in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(pool)
        claimed = [s for s in info.claimed_slots if s.run_id]
        if info.limit is None or len(claimed) < info.limit:
            continue
        for run_id in sorted({s.run_id for s in claimed}):
            run = instance.get_run_by_id(run_id)
            if run is not None and not run.is_finished:
                holders.append(PoolHolder(run_id=run_id, pool=pool, owner=Owner.of(run)))
    return holders
