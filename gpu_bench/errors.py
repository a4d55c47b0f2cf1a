"""Errors the operator sees; each says what to do next.

* BenchError
  + DeviceUnavailable   - the requested device is not there (no silent fallback to the CPU)
  + ModelUnknown        - this GPU cannot be named as a canonical model
  + KeyProblem          - no operator key, or one that cannot be read or replaced
  + InboxError          - a submission could not be delivered
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


class ScheduleError(BenchError):
    """The schedule cannot be written as asked."""
