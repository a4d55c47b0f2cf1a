"""What every day-by-day ingestion asset shares: the days of the run, a summary of what it read.

The chain assets walk their window one UTC day at a time and store each day in its own
transaction with its progress (warehouse._progress), so a killed run loses at most the day in
flight and a re-run reads only the days not finished (all of them with DEPINLENS_REFRESH=1).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.http import EndpointStats


def days_between(first_day: date, last_day: date) -> list[date]:
    """Every UTC day from first_day to last_day, in order."""
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]


def rows_per_scope(rows: pa.Table, column: str) -> Counter:
    """How many rows each scope value (token, contract, account) has."""
    if rows.num_rows == 0:
        return Counter()
    counts = pc.value_counts(rows.column(column)).to_pylist()
    return Counter({item["values"]: item["counts"] for item in counts})


@dataclass
class ChainSummary:
    """What one asset did on one chain in one run (Dagster metadata and log lines)."""

    rows: int = 0
    days_read: int = 0
    days_skipped: int = 0
    days_incomplete: int = 0
    notes: Counter = field(default_factory=Counter)
    requests: dict[str, Any] = field(default_factory=dict)

    def take_stats(self, stats: EndpointStats) -> None:
        self.requests = stats.as_metadata()

    def as_metadata(self) -> dict[str, Any]:
        return {"rows": self.rows, "days_read": self.days_read, "days_skipped_finished": self.days_skipped,
                "days_incomplete": self.days_incomplete, **dict(self.notes), **self.requests}


def summary_metadata(summaries: dict[str, ChainSummary], **extra: Any) -> dict[str, Any]:
    """Dagster metadata of an asset run over several chains."""
    return {"rows": sum(s.rows for s in summaries.values()),
            "calls": sum(s.requests.get("calls", 0) for s in summaries.values()),
            "per_chain": {chain: s.as_metadata() for chain, s in summaries.items()}, **extra}
