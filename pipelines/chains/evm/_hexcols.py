"""Columns of `eth_getLogs` hex strings -> NumPy arrays and Arrow columns, without a Python object per log.

Every field of a log is a '0x'-prefixed hex string. A column of them is joined once into one
ASCII buffer, `,` after each value, and then checked and converted with NumPy over the whole
buffer. The separator is what makes the checks exact: hex digits and 'x' never contain a
comma, so once the commas sit exactly where n well-formed values would put them (and nowhere
else), every value has been proven to be the right length. The functions here answer None
when any value is malformed; the caller then finds and names the bad log the slow way.

`hex_rows_of` and `hex_quantities_of` do the same for an Arrow string column (the answer read
straight from its bytes, pipelines/chains/evm/_wire.py): there the column's offsets prove each
value's length, and its data buffer is checked in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import numpy as np
import pyarrow as pa

SEPARATOR = ord(",")
HEX_DIGITS = b"0123456789abcdefABCDEF"
NIBBLE = np.zeros(256, dtype=np.uint8)
NOT_HEX = np.ones(256, dtype=bool)
for _i, _c in enumerate("0123456789abcdef"):
    NIBBLE[ord(_c)] = NIBBLE[ord(_c.upper())] = _i
    NOT_HEX[ord(_c)] = NOT_HEX[ord(_c.upper())] = False
# 10^38 as two 64-bit limbs: DECIMAL(38,0) amounts must compare below it.
LIMIT_HI, LIMIT_LO = divmod(10**38, 2**64)
QUANTITY_DIGITS = 15  # up to 2^60: block numbers, log indexes, unix times


def _joined(values: Iterable[object]) -> bytes:
    """The values joined with a separator after each; TypeError if one is not a str."""
    text = ",".join(chain(values, ("",)))  # the empty last value puts a separator after the real last one
    return text.encode()  # non-ASCII text grows here, and fails the hex checks that follow


def hex_rows(values: Iterable[object], n: int, width: int) -> np.ndarray | None:
    """n values of exactly `width` characters, '0x' then hex digits -> an (n, width) uint8 array.

    None if any value has another length, prefix or character. Raises TypeError if a value is
    not a str.
    """
    data = _joined(values)
    if len(data) != n * (width + 1):
        return None
    rows = np.frombuffer(data, dtype=np.uint8).reshape(n, width + 1)
    if (rows[:, 0] != ord("0")).any() or (rows[:, 1] != ord("x")).any() or (rows[:, width] != SEPARATOR).any():
        return None
    # What is not a hex digit must be exactly each row's 'x' and its separator, in that order.
    if data.translate(None, HEX_DIGITS) != b"x," * n:
        return None
    return rows[:, :width]


def hex_quantities(values: Iterable[object], n: int) -> np.ndarray | None:
    """n values of '0x' and 1..15 hex digits (block numbers, log indexes, times) -> uint64.

    None if any value is not such a quantity. Raises TypeError if a value is not a str.
    """
    buffer = np.frombuffer(_joined(values), dtype=np.uint8)
    ends = np.flatnonzero(buffer == SEPARATOR)
    if len(ends) != n:  # a separator inside some value
        return None
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, ends[:-1] + 1
    return _quantities(buffer, starts, ends)


def _string_parts(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray] | None:
    """(characters, offsets from 0) of a string column without nulls; None if it has nulls."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.null_count or not pa.types.is_string(column.type):
        return None
    n = len(column)
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32, count=n + 1, offset=4 * column.offset).astype(np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    chars = np.frombuffer(data_buffer, dtype=np.uint8, count=last - first, offset=first) if last > first \
        else np.zeros(0, dtype=np.uint8)
    return chars, offsets - first


def hex_rows_of(column: pa.Array | pa.ChunkedArray, width: int) -> np.ndarray | None:
    """An Arrow string column of values of exactly `width` characters, '0x' then hex digits -> (n, width) uint8.

    None if any value is null or has another length, prefix or character (what `hex_rows` checks).
    """
    parts = _string_parts(column)
    if parts is None:
        return None
    chars, offsets = parts
    n = len(offsets) - 1
    if len(chars) != n * width or (np.diff(offsets) != width).any():
        return None
    rows = chars.reshape(n, width)
    if (rows[:, 0] != ord("0")).any() or (rows[:, 1] != ord("x")).any():
        return None
    if rows[:, 2:].tobytes().translate(None, HEX_DIGITS):
        return None
    return rows


def hex_quantities_of(column: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """An Arrow string column of '0x' and 1..15 hex digits -> uint64; None if any value is null or not such."""
    parts = _string_parts(column)
    if parts is None:
        return None
    chars, offsets = parts
    if len(offsets) == 1:
        return np.zeros(0, dtype=np.uint64)
    return _quantities(chars, offsets[:-1], offsets[1:])


def _quantities(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """The values at buffer[starts[i]:ends[i]] as hex quantities, or None if any is not one."""
    n = len(starts)
    digits = ends - starts - 2
    if ((digits < 1) | (digits > QUANTITY_DIGITS)).any():
        return None
    if (buffer[starts] != ord("0")).any() or (buffer[starts + 1] != ord("x")).any():
        return None
    # Digit j from the right of every value at once, for as many digits as the longest value has.
    value = np.zeros(n, dtype=np.uint64)
    for j in range(int(digits.max())):
        present = digits > j
        char = buffer[np.where(present, ends - 1 - j, 0)]
        if NOT_HEX[char[present]].any():
            return None
        value |= np.where(present, NIBBLE[char], 0).astype(np.uint64) << np.uint64(4 * j)
    return value


def big_endian_uint64(hex_chars: np.ndarray) -> np.ndarray:
    """(n, 16k) hex characters -> (n, k) uint64: nibbles to bytes, bytes read as big-endian words."""
    nibbles = NIBBLE[hex_chars]
    octets = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    return np.ascontiguousarray(octets).view(">u8").astype(np.uint64).reshape(len(hex_chars), -1)


def fits_decimal38(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Per row: does the 128-bit value (hi, lo) fit DECIMAL(38,0), i.e. is it below 10^38?"""
    return (hi < LIMIT_HI) | ((hi == LIMIT_HI) & (lo < LIMIT_LO))


def lowercase_strings(rows: np.ndarray) -> pa.Array:
    """Checked hex rows (from `hex_rows`) -> an Arrow string column, lowercased.

    Setting bit 0x20 lowercases A-F and leaves digits and 'x' alone, which is all a checked row holds.
    """
    n, width = rows.shape
    chars = rows | np.uint8(0x20)
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars))


def addresses_from_topics(words: np.ndarray) -> pa.Array:
    """(n, 64) hex digits of left-padded address topics -> '0x' + 40-digit lowercase address strings."""
    out = np.empty((len(words), 42), dtype=np.uint8)
    out[:, 0], out[:, 1] = ord("0"), ord("x")
    out[:, 2:] = words[:, 24:]
    return lowercase_strings(out)


def decimal128(hi: np.ndarray, lo: np.ndarray) -> pa.Array:
    """Exact DECIMAL(38,0) column from two's-complement 128-bit limbs (little-endian storage)."""
    storage = np.empty((len(lo), 2), dtype=np.uint64)
    storage[:, 0], storage[:, 1] = lo, hi
    return pa.Array.from_buffers(pa.decimal128(38, 0), len(lo), [None, pa.py_buffer(storage)])
