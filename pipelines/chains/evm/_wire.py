"""`eth_getLogs` answers read from their bytes into Arrow columns, without a Python object per log.

pyarrow's JSON reader (C++, the GIL released) parses the answer against an explicit schema
holding only the fields the decoders read, so a worker thread parses one chunk while the
node serves the next. It reads an answer only when it is plainly `{"result": [log, ...]}`
with every field of the expected JSON type; anything else (an error object, a null result,
a field of another type, a log that is not an object, non-ASCII text, which includes a BOM
and invalid UTF-8) makes it decline, and the answer goes the usual way: orjson, then the
JSON-RPC checks and the per-log decoder, which name the problem exactly as before.

Measured on 100,000 anvil Transfer logs (63 MB of answers, 2 cores): orjson 351 ms, msgspec
into typed structs 181 ms (plus ~140 ms to gather its strings into columns), DuckDB's
`read_json` 712 ms, this reader 113 ms (70 ms on two threads).

One difference from orjson remains, in fields no decoder reads: pyarrow accepts `NaN` and
`Infinity` and nesting deeper than 1,024 levels there, where orjson refuses the whole answer.
Nothing from such a field reaches a row.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.json as pj

_TEXT = pa.string()
LOG_FIELDS = pa.struct([
    ("address", _TEXT), ("topics", pa.list_(_TEXT)), ("data", _TEXT), ("blockHash", _TEXT),
    ("blockNumber", _TEXT), ("blockTimestamp", _TEXT), ("transactionHash", _TEXT), ("logIndex", _TEXT),
    ("removed", pa.bool_()),
])
# `error` typed null: an answer with an error object does not parse, and goes the usual way.
_ANSWER = pa.schema([("result", pa.list_(LOG_FIELDS)), ("error", pa.null())])
_PARSE = pj.ParseOptions(explicit_schema=_ANSWER, unexpected_field_behavior="ignore")
_SMALLEST_BLOCK = 1 << 20


def logs_table(content: bytes) -> pa.Table | None:
    """The logs of an `eth_getLogs` answer as a table with one column per field in LOG_FIELDS.

    Returns None (decline) unless the answer is one JSON object whose `result` is a list of log
    objects with those fields of the expected types (absent fields are null).
    """
    if not content.isascii():
        return None
    options = pj.ReadOptions(block_size=max(len(content) + 1, _SMALLEST_BLOCK), use_threads=False)
    try:
        answer = pj.read_json(pa.BufferReader(content), read_options=options, parse_options=_PARSE)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if answer.num_rows != 1:
        return None
    result = answer.column("result").combine_chunks()
    if result.null_count:
        return None
    logs = result.flatten()
    if logs.null_count:  # a null in place of a log object
        return None
    return pa.Table.from_struct_array(logs)


def logs_as_dicts(logs: pa.Table) -> list[dict]:
    """The logs of a table as the dicts the per-log decoder reads (absent fields as None)."""
    return logs.to_pylist()
