"""Errors the operator sees; each says what to do next.

* BenchError
  + DeviceUnavailable   - the requested device is not there (no silent fallback to the CPU)
  + ModelUnknown        - this GPU cannot be named as a canonical model
  + KeyProblem          - no operator key, or one that cannot be read or replaced
  + InboxError          - a submission could not be delivered
    - UnreadableEntry   - one inbox entry cannot be read as a submission file (pipeline side)
  + ReferenceUnavailable - a table the verifier needs cannot be loaded: the whole pass stops
  + ScheduleError       - an interval cron/systemd cannot express
"""

from __future__ import annotations


class BenchError(Exception):
    """Base class for every gpu_bench failure the CLI reports."""


class DeviceUnavailable(BenchError):
    """The requested device is not available."""


class ModelUnknown(BenchError):
    """The GPU's name does not map to a model in the reference tables."""


class KeyProblem(BenchError):
    """The operator key is missing, unreadable, or would be overwritten."""


class InboxError(BenchError):
    """The inbox refused or could not take a submission."""


class UnreadableEntry(InboxError):
    """One inbox entry is not a regular file, or reading it failed; the pass records it and goes on."""

    def __init__(self, reason: str, *, path: str, kind: str | None = None) -> None:
        super().__init__(f"{path} {reason}")
        self.path, self.reason = path, reason
        self.kind = kind  # what the entry turned out to be when it is not a regular file ("symlink", "fifo", …)


class ReferenceUnavailable(BenchError):
    """A reference table the verifier needs (the GPU peak table) cannot be loaded.

    Not any one file's fault, so it is never recorded as a file's verdict: the pass stops and
    leaves the warehouse as it was, and the next pass judges the same files once it is fixed.
    """


class ScheduleError(BenchError):
    """The schedule cannot be written as asked."""
