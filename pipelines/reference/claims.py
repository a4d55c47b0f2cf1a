"""Published claims (reference/network_claims.csv) -> rows of raw.network_claims.

A claim is what a network or an article asserts, recorded with its source and as-of date so
the marts can set it beside what the data measures; it is never treated as a fact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from depinlens.bounds import claim_bound
from pipelines.reference._csv import ReferenceDataError, read_records, refuse_empty

NETWORK_CLAIMS_SCHEMA = pa.schema([
    ("network", pa.string()), ("metric", pa.string()), ("value", pa.float64()), ("value_high", pa.float64()),
    ("unit", pa.string()), ("period", pa.string()), ("as_of", pa.date32()), ("claim_text", pa.string()),
    ("source_name", pa.string()), ("source_ref", pa.string()), ("source", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
])
COLUMNS = ("network", "metric", "value", "value_high", "unit", "period", "as_of", "claim_text",
           "source_name", "source_ref")


def load_network_claims(path: Path | str, *, fetched_at: datetime | None = None) -> pa.Table:
    """Read the reviewed claims file; (network, metric, period, source_name) must be unique.

    Values lie within the bound for their unit (depinlens.bounds.claim_bound: USD, percent, counts).

    Raises:
        ReferenceDataError: naming the file, line and column of the first bad value.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    rows, seen = [], {}
    for record in read_records(path, COLUMNS):
        bound = claim_bound(record.text("unit"))
        value = record.number("value", bound)
        high = record.number("value_high", bound, required=False)
        if high is not None and high < value:
            raise ReferenceDataError(f"{record.where('value_high')}: {high:g} is below value {value:g}")
        row = {c: record.text(c) for c in ("network", "metric", "unit", "period", "claim_text",
                                           "source_name", "source_ref")}
        key = (row["network"], row["metric"], row["period"], row["source_name"])
        if key in seen:
            raise ReferenceDataError(f"{record.where()}: repeats the claim on line {seen[key]} "
                                     f"(network, metric, period, source_name) = {key}")
        seen[key] = record.line
        rows.append({**row, "value": value, "value_high": high, "as_of": record.day("as_of"),
                     "source": "reference", "fetched_at": fetched_at})
    refuse_empty(path, len(rows), "raw.network_claims")
    return pa.Table.from_pylist(rows, schema=NETWORK_CLAIMS_SCHEMA)
