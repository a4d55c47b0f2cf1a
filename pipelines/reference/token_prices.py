"""Token prices in USD per day from CSV files -> rows of raw.token_prices.

Format (one header line, then one row per token per day per source):

    token,day,usd,source,source_name,source_ref
    AKT,2025-06-01,1.23,reference,CoinGecko daily close,https://www.coingecko.com/en/coins/akash-network

`token` is the registry symbol (AKT, RENDER, ...); `source` is the provenance label
(`reference` for a reviewed file, `demo` for the demo's generated prices, `local` for a
hand-made test file); `source_name`/`source_ref` say where the figure comes from. `live`
rows come only from the live adapter (live_prices.py), never from a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from depinlens.bounds import TOKEN_PRICE_USD
from pipelines.reference._csv import ReferenceDataError, read_records, refuse_empty

TOKEN_PRICES_SCHEMA = pa.schema([
    ("token", pa.string()), ("day", pa.date32()), ("usd", pa.float64()), ("source", pa.string()),
    ("source_name", pa.string()), ("source_ref", pa.string()), ("fetched_at", pa.timestamp("us", tz="UTC")),
])
COLUMNS = ("token", "day", "usd", "source", "source_name", "source_ref")


def load_token_prices(paths: Iterable[Path | str], *, fetched_at: datetime | None = None) -> pa.Table:
    """Read every file in `paths`; (token, day, source) must be unique across all of them.

    Prices must lie within depinlens.bounds.TOKEN_PRICE_USD, and every file must hold a row.

    Raises:
        ReferenceDataError: naming the file, line and column of the first bad value.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    rows, seen = [], {}
    for path in paths:
        first = len(rows)
        for record in read_records(path, COLUMNS):
            source = record.source()
            if source == "live":
                raise ReferenceDataError(f"{record.where('source')}: 'live' prices come from the live adapter "
                                         "(DEPINLENS_COINGECKO_IDS), not from files; label file rows reference, "
                                         "demo or local")
            row = {"token": record.text("token"), "day": record.day("day"), "usd": record.number("usd", TOKEN_PRICE_USD),
                   "source": source, "source_name": record.text("source_name"),
                   "source_ref": record.text("source_ref"), "fetched_at": fetched_at}
            key = (row["token"], row["day"], row["source"])
            if key in seen:
                raise ReferenceDataError(f"{record.where()}: repeats {key} from {seen[key]}")
            seen[key] = record.where()
            rows.append(row)
        refuse_empty(path, len(rows) - first, "the token prices it replaces")
    return pa.Table.from_pylist(rows, schema=TOKEN_PRICES_SCHEMA)
