"""getTransaction answers read by the compiled scanner (`_spl_scan.c`) straight into SPL movements.

The pipeline asks the JSON-RPC layer for `getTransaction` with `SPL_READER`
(`SolanaClient.transactions(typed=True)`). For each answer's bytes (a single answer, or a batch's
array of answers in whatever order the node sent them) the scanner validates the JSON, reads
only the fields the token decoder reads, applies the decoder's rules and packs each
transaction's movements into one bytes object (`ScannedTransaction`): no Python object per
field or row. `decode_token_movements` assembles a run of them into Arrow columns in one call
(`movements_table`), which pyarrow wraps without copying.

An answer the scanner declines (anything the dict decoder refuses or reads in a way the scanner
does not cover: see the C file's header) is read into `_wire.Transaction` structs instead, or
parsed, exactly as without it; so are all answers where the extension was not built (no C
compiler at install time: `AVAILABLE` is False). Same rows, same errors, slower
(benchmarks/solana_decode.py measures each path).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from pipelines.chains.solana._wire import Transaction
from pipelines.http._jsonrpc import typed_result, typed_results

try:
    from pipelines.chains.solana import _spl_scan
except ImportError:  # built without a C compiler (setup.py marks the extension optional)
    _spl_scan = None

AVAILABLE = _spl_scan is not None

__all__ = ["AVAILABLE", "SPL_READER", "ScannedTransaction", "SplMovementReader", "movements_table"]


class ScannedTransaction:
    """The SPL movements of one getTransaction result, packed by the scanner (none for a failed transaction)."""

    __slots__ = ("packed",)

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def __repr__(self) -> str:
        return f"ScannedTransaction({len(self.packed)} bytes)"


class SplMovementReader:
    """An `AnswerReader` (pipelines/http/_jsonrpc.py) of getTransaction answers (jsonParsed): each
    result as a `ScannedTransaction` where the scanner reads the answer, else as a
    `_wire.Transaction` struct where it fits, else declined (parsed by the JSON-RPC layer)."""

    def read_one(self, content: bytes) -> Any | None:
        if _spl_scan is not None:
            packed = _spl_scan.scan_answer(content)
            if packed is not None:
                return ScannedTransaction(packed)
        return typed_result(content, Transaction)

    def read_batch(self, content: bytes, ids: Sequence[int]) -> list[Any] | None:
        if _spl_scan is not None:
            answers = _spl_scan.scan_batch(content)
            if answers is not None and len(answers) == len(ids):
                by_id = dict(answers)  # as the usual path matches them: by equality, the last of an id kept
                found = [by_id.get(i) for i in ids]
                if None not in found:
                    return [ScannedTransaction(packed) for packed in found]
        return typed_results(content, Transaction, ids)


SPL_READER = SplMovementReader()


def _array(kind: pa.DataType, rows: int, buffers: tuple[bytes | None, bytes | None, bytes]) -> pa.Array:
    validity, offsets, values = buffers
    wrapped = [None if validity is None else pa.py_buffer(validity)]
    if offsets is not None:
        wrapped.append(pa.py_buffer(offsets))
    wrapped.append(pa.py_buffer(values))
    return pa.Array.from_buffers(kind, rows, wrapped)


def movements_table(scanned: list[ScannedTransaction], schema: pa.Schema) -> pa.Table:
    """The movements of `scanned`, in order, as a table in `schema` (SPL_MOVEMENTS_SCHEMA)."""
    if _spl_scan is None:  # a ScannedTransaction comes only from the extension
        raise RuntimeError("the compiled SPL scanner is not built (reinstall with a C compiler: scripts/setup.sh)")
    rows, columns = _spl_scan.assemble([s.packed for s in scanned])
    arrays = [_array(field.type, rows, buffers) for field, buffers in zip(schema, columns, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)
