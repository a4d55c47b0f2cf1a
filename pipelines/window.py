"""How many days one pipeline run may cover, and the refusal that names the largest window that works.

Dagster records one materialization per asset and day of a run's window (45 assets here) and
one execution row per asset check and day (83 checks): that is what keeps each day's status
right in `dagster dev`, and what planning per asset (pipelines/run.py) cannot change. Each is
a synced write to the SQLite history. Measured on a 2-core machine: a 92-day run (a quarter)
reached its first step after ~10 s, ended after ~100 s and added 56 MB of history (4,140
materializations, 7,719 check rows); 2024-01-01..2026-11-28 (1,063 days) wrote 88,000 check
rows (200 MB, 27 s) before its first step and, at the same rate per day, would end at ~650 MB
after a quarter of an hour or more. Longer windows run as consecutive runs.
"""

from __future__ import annotations

from datetime import date, timedelta

MAX_WINDOW_DAYS = 92


class WindowTooLong(ValueError):
    """A window longer than one run may cover; the message names the largest one that works."""


def check_window(first_day: date, last_day: date) -> None:
    """Refuse a window of more than MAX_WINDOW_DAYS days, naming the largest window from `first_day` and why."""
    days = (last_day - first_day).days + 1
    if days <= MAX_WINDOW_DAYS:
        return
    largest_last = first_day + timedelta(days=MAX_WINDOW_DAYS - 1)
    next_first = largest_last + timedelta(days=1)
    raise WindowTooLong(
        f"{first_day}..{last_day} is {days} days; one run covers at most {MAX_WINDOW_DAYS} days, so the largest "
        f"window from {first_day} is --from {first_day} --to {largest_last}. Why: Dagster records one "
        f"materialization per asset and day and one execution per asset check and day in its history "
        f"(~0.6 MB and ~1 s a day). Run the rest as further runs, the next from --from {next_first}")
