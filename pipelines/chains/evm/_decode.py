"""Decode ERC-20 `Transfer` logs from the `eth_getLogs` wire format into an Arrow table.

Column-wise: each field is pulled out of the answer once into an Arrow array, checked with
Arrow regex kernels, and hex is turned into integers with NumPy over the whole column, so no
Python object is built per log. Only when a check fails does a per-log pass run, to name the
first bad log precisely. Amounts stay exact: DECIMAL(38,0) built from the uint256's low 128
bits; a value of 10^38 or more is refused with a `DecodeError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from depinlens.registry import Token
from pipelines.chains.errors import DecodeError

TRANSFER_SIGNATURE = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
ZERO_ADDRESS = "0x" + "0" * 40
MAX_AMOUNT = 10**38 - 1
# The per-log checker's patterns; the column-wise path checks the same with NumPy.
HEX_WORD = r"^0x[0-9a-fA-F]{64}$"
ADDRESS_TOPIC = r"^0x0{24}[0-9a-fA-F]{40}$"
HEX_QUANTITY = r"^0x[0-9a-fA-F]{1,15}$"  # up to 2^60: block numbers, log indexes, unix times
LATEST_PLAUSIBLE_TIME = 4_102_444_800  # 2100-01-01: a block time beyond it is a corrupt answer

TOKEN_TRANSFERS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()),
    ("token_symbol", pa.string()), ("token_address", pa.string()), ("decimals", pa.uint8()),
    ("kind", pa.string()), ("from_address", pa.string()), ("to_address", pa.string()),
    ("amount_raw", pa.decimal128(38, 0)),
    ("block_number", pa.int64()), ("block_hash", pa.string()),
    ("block_time", pa.timestamp("us", tz="UTC")), ("block_day", pa.date32()),
    ("tx_hash", pa.string()), ("log_index", pa.int32()), ("inner_index", pa.int32()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
])

_HEX_DIGITS = b"0123456789abcdefABCDEF"
_NIBBLE = np.zeros(256, dtype=np.uint8)
_NOT_HEX = np.ones(256, dtype=bool)
for _i, _c in enumerate("0123456789abcdef"):
    _NIBBLE[ord(_c)] = _NIBBLE[ord(_c.upper())] = _i
    _NOT_HEX[ord(_c)] = _NOT_HEX[ord(_c.upper())] = False
# 10^38 as two 64-bit limbs: amounts must compare below it.
_LIMIT_HI, _LIMIT_LO = divmod(10**38, 2**64)


def describe_log(logs: list, i: int) -> str:
    """How errors name log `i`: its position, transaction hash and log index."""
    log = logs[i]
    if isinstance(log, dict):
        return f"log #{i} (tx {str(log.get('transactionHash'))[:66]}, logIndex {log.get('logIndex')!r:.20})"
    return f"log #{i} ({type(log).__name__}, not an object)"


def check_log(log: object, tokens: Mapping[str, Token]) -> str | None:
    """What is wrong with one log, in words, or None if it decodes (the precise, per-log path)."""
    if not isinstance(log, dict):
        return "not a JSON object"
    for key in ("address", "data", "blockNumber", "blockHash", "transactionHash", "logIndex"):
        if not isinstance(log.get(key), str):
            return f"field {key!r} missing or not a string"
    if log["address"].lower() not in tokens:
        return "contract address is not a registry token on this chain"
    topics = log.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return "topics missing or not a list of hex strings"
    if len(topics) != 3:
        return "a Transfer log has 3 topics (signature, from, to); this one does not"
    if topics[0].lower() != TRANSFER_SIGNATURE:
        return "topic0 is not the ERC-20 Transfer signature"
    if not (re.match(ADDRESS_TOPIC, topics[1]) and re.match(ADDRESS_TOPIC, topics[2])):
        return "from/to topics are not 32-byte left-padded addresses"
    if not re.match(HEX_WORD, log["data"]):
        return "data is not one 32-byte hex word (uint256 value)"
    if int(log["data"], 16) > MAX_AMOUNT:
        return f"amount {int(log['data'], 16)} does not fit DECIMAL(38,0); refusing to round it"
    for key in ("blockNumber", "logIndex"):
        if not re.match(HEX_QUANTITY, log[key]):
            return f"{key} is not a hex quantity"
    for key in ("blockHash", "transactionHash"):
        if not re.match(HEX_WORD, log[key]):
            return f"{key} is not a 32-byte hex hash"
    stamp = log.get("blockTimestamp")
    if stamp is not None and not (isinstance(stamp, str) and re.match(HEX_QUANTITY, stamp)):
        return "blockTimestamp is not a hex quantity"
    if isinstance(stamp, str) and int(stamp, 16) >= LATEST_PLAUSIBLE_TIME:
        return f"blockTimestamp {int(stamp, 16)} is after the year 2100"
    return None



def _raise_for_first_bad_log(logs: list, tokens: Mapping[str, Token], cause: BaseException | None = None) -> None:
    for i, log in enumerate(logs):
        problem = check_log(log, tokens)
        if problem:
            raise DecodeError(f"{describe_log(logs, i)}: {problem}") from cause
    raise DecodeError(f"logs could not be decoded ({cause!r})") from cause


def _addresses_from_topics(words: np.ndarray) -> pa.Array:
    """(n, 64) lowercase hex digits of left-padded address topics -> '0x' + 40-digit address strings."""
    out = np.empty((len(words), 42), dtype=np.uint8)
    out[:, 0], out[:, 1] = ord("0"), ord("x")
    out[:, 2:] = words[:, 24:]
    offsets = np.arange(0, 42 * (len(words) + 1), 42, dtype=np.int32)
    return pa.StringArray.from_buffers(len(words), pa.py_buffer(offsets), pa.py_buffer(out.tobytes()))


def _fixed_width_chars(values: pa.Array, width: int) -> np.ndarray | None:
    """The characters of a string column whose every value is `width` long, as an (n, width) array."""
    if pc.any(pc.not_equal(pc.binary_length(values), width)).as_py():
        return None
    values = pa.concat_arrays([values]) if values.offset else values
    start = int(np.frombuffer(values.buffers()[1], dtype=np.int32, count=1)[0])
    return np.frombuffer(values.buffers()[2], dtype=np.uint8, count=len(values) * width, offset=start).reshape(-1, width)


def _hex_words(values: pa.Array) -> np.ndarray | None:
    """The 64 hex digits of each '0x' + 64-hex-digit value, as an (n, 64) array; None if any is not."""
    chars = _fixed_width_chars(values, 66)
    if chars is None or (chars[:, 0] != ord("0")).any() or (chars[:, 1] != ord("x")).any():
        return None
    # Every row has its 'x' at offset 1; deleting the hex digits must leave exactly those n x's.
    if chars.tobytes().translate(None, _HEX_DIGITS) != b"x" * len(chars):
        return None
    return chars[:, 2:]


def _hex_quantities(values: pa.Array) -> np.ndarray | None:
    """'0x' + 1..15 hex digits per value -> uint64; None if any value is not such a quantity."""
    length = pc.binary_length(values)
    if not pc.all(pc.and_(pc.starts_with(values, "0x"), pc.and_(pc.greater(length, 2), pc.less(length, 18)))).as_py():
        return None
    chars = _fixed_width_chars(pc.utf8_lpad(pc.utf8_slice_codeunits(values, 2), width=16, padding="0"), 16)
    if chars is None or _NOT_HEX[chars].any():
        return None
    return _big_endian_uint64(chars)[:, 0]


def _big_endian_uint64(hex_chars: np.ndarray) -> np.ndarray:
    """(n, 16k) hex characters -> (n, k) uint64: nibbles to bytes, bytes read as big-endian words."""
    nibbles = _NIBBLE[hex_chars]
    octets = (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
    return np.ascontiguousarray(octets).view(">u8").astype(np.uint64).reshape(len(hex_chars), -1)


def _string_column(values: list, *, lower: bool = False) -> pa.Array:
    """A list of str -> Arrow string array by one join (TypeError if any value is not a str).

    Building the buffers ourselves is several times faster than pa.array() on a list of
    str; non-ASCII input (never valid in these hex fields) takes Arrow's own path.
    `lower` lowercases in the same pass (hex hashes and addresses are compared lowercase).
    """
    joined = "".join(values)
    if lower:
        joined = joined.lower()
        values = [v.lower() for v in values] if not joined.isascii() else values
    data = joined.encode()
    if len(data) != len(joined):
        return pa.array(values, pa.string())
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, values), dtype=np.int32, count=len(values)), out=offsets[1:])
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(data))


def _decimal128(hi: np.ndarray, lo: np.ndarray) -> pa.Array:
    """Exact DECIMAL(38,0) column from two's-complement 128-bit limbs (little-endian storage)."""
    storage = np.empty((len(lo), 2), dtype=np.uint64)
    storage[:, 0], storage[:, 1] = lo, hi
    return pa.Array.from_buffers(pa.decimal128(38, 0), len(lo), [None, pa.py_buffer(storage.tobytes())])


def decode_transfer_logs(
    logs: list[dict],
    *,
    chain: str,
    source: str,
    tokens: Mapping[str, Token],
    block_times: Mapping[int, int] | None = None,
    fetched_at: datetime | None = None,
) -> pa.Table:
    """Turn raw `Transfer` logs into rows of `raw.token_transfers`.

    Args:
        logs: the `result` list of an `eth_getLogs` call, as the node sent it.
        chain: registry chain id stamped on every row.
        source: provenance label (`live`, `local`, `demo`).
        tokens: lowercase contract address -> registry token (network, symbol, decimals).
        block_times: block number -> unix time, for nodes whose logs lack `blockTimestamp`.
        fetched_at: when the answer was fetched (now by default).

    Raises:
        DecodeError: naming the first log that is malformed, unknown or out of range.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    if not isinstance(logs, list):
        raise DecodeError(f"expected a list of logs, got {type(logs).__name__}")
    if not logs:
        return TOKEN_TRANSFERS_SCHEMA.empty_table()
    n = len(logs)
    try:
        if not all(type(log) is dict for log in logs):
            raise TypeError("not every log is an object")
        strings = {key: _string_column([log[key] for log in logs], lower=True)
                   for key in ("address", "data", "blockNumber", "blockHash", "transactionHash", "logIndex")}
        topics = [log["topics"] for log in logs]
        if not all(type(t) is list and len(t) == 3 for t in topics):
            raise TypeError("topics")
        signatures = {t[0] for t in topics}  # a handful of distinct values, checked below
        topic = [None] + [_string_column([t[k] for t in topics], lower=True) for k in (1, 2)]
        stamped = all(type(log.get("blockTimestamp")) is str for log in logs)
        if stamped:
            strings["blockTimestamp"] = _string_column([log["blockTimestamp"] for log in logs], lower=True)
    except (KeyError, TypeError, IndexError, pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        _raise_for_first_bad_log(logs, tokens, exc)

    address = strings["address"]
    known = pa.array(list(tokens), pa.string())
    data, from_words, to_words = _hex_words(strings["data"]), _hex_words(topic[1]), _hex_words(topic[2])
    hashes_ok = _hex_words(strings["blockHash"]) is not None and _hex_words(strings["transactionHash"]) is not None
    block_numbers, log_indexes = _hex_quantities(strings["blockNumber"]), _hex_quantities(strings["logIndex"])
    seconds = _hex_quantities(strings["blockTimestamp"]) if stamped else None
    if (data is None or from_words is None or to_words is None or not hashes_ok or block_numbers is None
            or log_indexes is None or (stamped and seconds is None)
            or not pc.all(pc.is_in(address, value_set=known)).as_py()
            or {str(sig).lower() for sig in signatures} != {TRANSFER_SIGNATURE}):
        _raise_for_first_bad_log(logs, tokens)
    # address topics are left-padded: the top 12 bytes (limb 0 and half of limb 1) are zero
    padded = (from_words[:, :24] == ord("0")).all() and (to_words[:, :24] == ord("0")).all()
    # amounts below 10^38 < 2^127 have 32 leading zero digits; only the low 128 bits are decoded
    high_half_zero = (data[:, :32] == ord("0")).all()
    hi, lo = _big_endian_uint64(data[:, 32:]).T if high_half_zero else (None, None)
    if not (padded and high_half_zero) or ((hi > _LIMIT_HI) | ((hi == _LIMIT_HI) & (lo >= _LIMIT_LO))).any():
        _raise_for_first_bad_log(logs, tokens)

    block_numbers = block_numbers.astype(np.int64)
    if stamped:
        seconds = seconds.astype(np.int64)
    else:  # some node omitted blockTimestamp (older nodes do): fall back to fetched block times, per log
        known_times = block_times or {}
        seconds = np.empty(n, dtype=np.int64)
        for i, (log, number) in enumerate(zip(logs, block_numbers.tolist(), strict=True)):
            stamp = log.get("blockTimestamp")
            if type(stamp) is str and re.match(HEX_QUANTITY, stamp):
                seconds[i] = int(stamp, 16)
            elif number in known_times:
                seconds[i] = known_times[number]
            else:
                raise DecodeError(f"{describe_log(logs, i)}: no blockTimestamp and no fetched time for block {number}")
    if (seconds >= LATEST_PLAUSIBLE_TIME).any():
        i = int(np.argmax(seconds >= LATEST_PLAUSIBLE_TIME))
        raise DecodeError(f"{describe_log(logs, i)}: block time {seconds[i]} is after the year 2100")
    block_time = pa.array(seconds * 1_000_000, pa.int64()).cast(pa.timestamp("us", tz="UTC"))

    from_address, to_address = _addresses_from_topics(from_words), _addresses_from_topics(to_words)
    is_mint = pc.equal(from_address, ZERO_ADDRESS)
    is_burn = pc.and_(pc.equal(to_address, ZERO_ADDRESS), pc.invert(is_mint))
    kind = pc.if_else(is_mint, "mint", pc.if_else(is_burn, "burn", "transfer"))

    token_list = list(tokens.values())
    which = pc.index_in(address, value_set=known)
    return pa.table({
        "network": pc.take(pa.array([t.network for t in token_list], pa.string()), which),
        "chain": pa.repeat(pa.scalar(chain, pa.string()), n),
        "source": pa.repeat(pa.scalar(source, pa.string()), n),
        "token_symbol": pc.take(pa.array([t.symbol for t in token_list], pa.string()), which),
        "token_address": address,
        "decimals": pc.take(pa.array([t.decimals for t in token_list], pa.uint8()), which),
        "kind": kind,
        "from_address": from_address,
        "to_address": to_address,
        "amount_raw": _decimal128(hi, lo),
        "block_number": pa.array(block_numbers, pa.int64()),
        "block_hash": strings["blockHash"],
        "block_time": block_time,
        "block_day": block_time.cast(pa.date32()),
        "tx_hash": strings["transactionHash"],
        "log_index": pa.array(log_indexes.astype(np.int32), pa.int32()),
        "inner_index": pa.nulls(n, pa.int32()),
        "fetched_at": pa.repeat(pa.scalar(fetched_at, pa.timestamp("us", tz="UTC")), n),
    }, schema=TOKEN_TRANSFERS_SCHEMA)
