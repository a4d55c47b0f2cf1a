"""What this host says about a process: is it still the one we saw, what did it start, how to stop it.

A pid alone can be reused once its process is gone, so a process is named by its pid and
its start time (clock ticks since boot, from /proc/<pid>/stat). Linux answers from /proc;
where there is none, only `os.kill(pid, 0)` is asked and start times are not compared.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessInfo:
    """One line of /proc/<pid>/stat, the fields this project reads."""

    pid: int
    name: str
    state: str
    ppid: int
    pgid: int
    started: int  # clock ticks since boot

    @property
    def running(self) -> bool:
        """False for a zombie: it has exited and only waits for its parent to collect its status."""
        return self.state not in ("Z", "X")


def process_info(pid: int) -> ProcessInfo | None:
    """The process `pid` as /proc shows it, or None when it is gone (or there is no /proc)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except (OSError, ValueError):
        return None
    # the name sits in parentheses and may itself hold spaces and parentheses
    name = text[text.index("(") + 1:text.rindex(")")]
    fields = text[text.rindex(")") + 2:].split()
    return ProcessInfo(pid=pid, name=name, state=fields[0], ppid=int(fields[1]), pgid=int(fields[2]),
                       started=int(fields[19]))


def process_started(pid: int | None = None) -> int | None:
    """Start time of `pid` (this process by default) in clock ticks since boot; None without /proc."""
    info = process_info(os.getpid() if pid is None else pid)
    return info.started if info else None


def is_running(pid: int, started: int | None = None) -> bool:
    """Whether `pid` runs and, when `started` is known, is the process that started then (not a reuse of its pid)."""
    if PROC.is_dir():
        info = process_info(pid)
        return info is not None and info.running and (started is None or info.started == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def all_processes() -> list[ProcessInfo]:
    """Every process /proc lists (empty without /proc)."""
    if not PROC.is_dir():
        return []
    found = (process_info(int(entry.name)) for entry in PROC.iterdir() if entry.name.isdigit())
    return [info for info in found if info is not None]


def descendants(pid: int | None = None) -> list[ProcessInfo]:
    """Running children of `pid` (this process by default), their children, and so on."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[ProcessInfo]] = {}
    for info in all_processes():
        children.setdefault(info.ppid, []).append(info)
    found: list[ProcessInfo] = []
    queue = [root]
    while queue:
        for child in children.get(queue.pop(), []):
            if child.running:
                found.append(child)
                queue.append(child.pid)
    return found


def group_leftovers(pgid: int, *, started_since: int) -> list[ProcessInfo]:
    """Running members of process group `pgid` that started at or after `started_since`, when its leader is gone.

    A gone leader's group id cannot be handed to a new process while members remain, and the
    start-time bound leaves out anything older than the leader's own start.
    """
    if is_running(pgid):
        return []
    return [info for info in all_processes()
            if info.pgid == pgid and info.running and info.started >= started_since]


def stop_processes(processes: Iterable[ProcessInfo], *, grace_s: float = 3.0) -> list[ProcessInfo]:
    """SIGTERM each process (and SIGCONT, so a stopped one acts on it), then SIGKILL whatever still runs
    `grace_s` later; returns those that were running."""
    targets = [p for p in processes if is_running(p.pid, p.started)]
    for process in targets:
        _signal(process, signal.SIGTERM)
        _signal(process, signal.SIGCONT)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(is_running(p.pid, p.started) for p in targets):
        time.sleep(0.05)
    for process in targets:
        if is_running(process.pid, process.started):
            _signal(process, signal.SIGKILL)
    return targets


def _signal(process: ProcessInfo, signum: int) -> None:
    try:
        os.kill(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
