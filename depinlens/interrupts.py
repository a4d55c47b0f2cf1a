"""Ctrl-C and SIGTERM stop a command and everything it started, within seconds.

Dagster swaps in its own SIGINT/SIGTERM handler while a run executes. It raises the interrupt
inside a running step, but while a step waits for a pool slot it only notes it and keeps
waiting, and a step's worker threads or child processes (dbt) can outlive the step. So the CLI
does not rely on whichever handler is installed: `signal.set_wakeup_fd` reports every signal
to a watcher thread. The first SIGINT/SIGTERM gives the command `grace_s` seconds to wind down
through the usual exceptions (`Stopped` outside a run, Dagster's interrupt inside one); after
that, or at a second signal, the watcher runs the registered `on_force` callbacks (the CLI
marks its run failed), stops every child process and ends the process.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from depinlens.processes import descendants, stop_processes

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """The command was asked to stop by a signal (a BaseException, so no `except Exception` swallows it)."""

    def __init__(self, signum: int, *details: str) -> None:
        self.signum = signum
        self.details = list(details)  # what was done about it, for the user
        super().__init__(signal.Signals(signum).name, *details)

    @property
    def signal_name(self) -> str:
        """SIGINT or SIGTERM."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process ended by a signal: 128 + its number."""
        return 128 + self.signum


@dataclass
class StopWatch:
    """What the watcher knows: the first stop signal, and what to do when the command must be forced."""

    grace_s: float
    signum: int | None = None
    on_force: list[Callable[[], str | None]] = field(default_factory=list)
    # the terminal's stderr as it was on entry: Dagster points fd 2 at a log file while a run executes
    stderr_fd: int = 2
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def signal_name(self) -> str:
        """The stop signal's name, or "" before one arrived."""
        return signal.Signals(self.signum).name if self.signum is not None else ""

    def _received(self, signum: int) -> None:
        with self._lock:
            first = self.signum is None
            if first:
                self.signum = signum
        if first:
            timer = threading.Timer(self.grace_s, self._force)
            timer.daemon = True
            timer.start()
        else:
            self._force()

    def _force(self) -> None:
        """End the process now: callbacks, children, exit code 128 + signal."""
        signum = self.signum or signal.SIGTERM
        lines = [f"depinlens: stopped by {signal.Signals(signum).name}; the command had not wound down "
                 f"{self.grace_s:.0f} s later, so it ends now"]
        for callback in self.on_force:
            try:
                said = callback()
            except Exception as exc:  # noqa: BLE001 - the process ends either way; say what failed
                said = f"could not clean up: {type(exc).__name__}: {exc}"
            if said:
                lines.append(said)
        stopped = stop_processes(descendants(), grace_s=2.0)
        if stopped:
            lines.append("stopped " + ", ".join(f"{p.name} (pid {p.pid})" for p in stopped))
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(self.stderr_fd, ("; ".join(lines) + "\n").encode(errors="replace"))
        os._exit(128 + signum)


@contextmanager
def stop_on_signals(grace_s: float = 10.0) -> Iterator[StopWatch]:
    """Within this block SIGINT and SIGTERM raise `Stopped`, and a watcher forces the end `grace_s` later.

    After a stop signal the watcher stays armed past the block, until the process exits: the
    exit itself may wait for threads a step left behind.
    """
    watch = StopWatch(grace_s=grace_s)
    if threading.current_thread() is not threading.main_thread():
        yield watch
        return
    reader, writer = socket.socketpair()
    reader.setblocking(True)
    writer.setblocking(False)

    def raise_stopped(signum: int, _frame: FrameType | None) -> None:
        raise Stopped(signum)

    def watch_signals() -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            for signum in data:
                if signum in STOP_SIGNALS:
                    watch._received(signum)

    watch.stderr_fd = os.dup(2)
    previous = {signum: signal.signal(signum, raise_stopped) for signum in STOP_SIGNALS}
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    threading.Thread(target=watch_signals, name="depinlens-stop-watch", daemon=True).start()
    try:
        yield watch
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if watch.signum is None:
            signal.set_wakeup_fd(previous_fd)
            writer.close()
            reader.close()
            os.close(watch.stderr_fd)
