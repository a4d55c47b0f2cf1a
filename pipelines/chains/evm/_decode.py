"""Decode ERC-20 `Transfer` logs from the `eth_getLogs` wire format into an Arrow table.

Column-wise: each field is pulled out of the answer once into one buffer, checked and turned
into integers with NumPy over the whole column (`_hexcols`), so no Python object is built per
log. Logs read straight from the answer's bytes into Arrow columns (`_wire`) are checked in
place, the same checks on the same characters; if any fails, they are handed to the per-dict
path as dicts, which decides and names the problem exactly as it would have. Only when a check fails does a per-log pass run, to name the first bad log precisely. Amounts stay exact: DECIMAL(38,0) built from the uint256's low 128
bits; a value of 10^38 or more is refused with a `DecodeError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from depinlens.registry import Token
from pipelines.chains.errors import DecodeError
from pipelines.chains.raw_schemas import TOKEN_TRANSFERS_SCHEMA
from pipelines.chains.evm._hexcols import (
    addresses_from_topics,
    big_endian_uint64,
    decimal128,
    fits_decimal38,
    hex_quantities,
    hex_quantities_of,
    hex_rows,
    hex_rows_of,
    lowercase_strings,
)

TRANSFER_SIGNATURE = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
ZERO_ADDRESS = "0x" + "0" * 40
MAX_AMOUNT = 10**38 - 1
# The per-log checker's patterns (whole-string matches); the column-wise path checks the same with NumPy.
HEX_WORD = r"0x[0-9a-fA-F]{64}"
ADDRESS = r"0x[0-9a-fA-F]{40}"
ADDRESS_TOPIC = r"0x0{24}[0-9a-fA-F]{40}"
HEX_QUANTITY = r"0x[0-9a-fA-F]{1,15}"  # up to 2^60: block numbers, log indexes, unix times
LATEST_PLAUSIBLE_TIME = 4_102_444_800  # 2100-01-01: a block time beyond it is a corrupt answer
BLOCK_TIME = TOKEN_TRANSFERS_SCHEMA.field("block_time").type



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
    if not re.fullmatch(ADDRESS, log["address"]):
        return "address is not a 20-byte hex address"
    if log["address"].lower() not in tokens:
        return "contract address is not a registry token on this chain"
    topics = log.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        return "topics missing or not a list of hex strings"
    if len(topics) != 3:
        return "a Transfer log has 3 topics (signature, from, to); this one does not"
    if topics[0].lower() != TRANSFER_SIGNATURE:
        return "topic0 is not the ERC-20 Transfer signature"
    if not (re.fullmatch(ADDRESS_TOPIC, topics[1]) and re.fullmatch(ADDRESS_TOPIC, topics[2])):
        return "from/to topics are not 32-byte left-padded addresses"
    if not re.fullmatch(HEX_WORD, log["data"]):
        return "data is not one 32-byte hex word (uint256 value)"
    if int(log["data"], 16) > MAX_AMOUNT:
        return f"amount {int(log['data'], 16)} does not fit DECIMAL(38,0); refusing to round it"
    for key in ("blockNumber", "logIndex"):
        if not re.fullmatch(HEX_QUANTITY, log[key]):
            return f"{key} is not a hex quantity"
    for key in ("blockHash", "transactionHash"):
        if not re.fullmatch(HEX_WORD, log[key]):
            return f"{key} is not a 32-byte hex hash"
    stamp = log.get("blockTimestamp")
    if stamp is not None and not (isinstance(stamp, str) and re.fullmatch(HEX_QUANTITY, stamp)):
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


def decode_transfer_logs(
    logs: list[dict] | pa.Table,
    *,
    chain: str,
    source: str,
    tokens: Mapping[str, Token],
    block_times: Mapping[int, int] | None = None,
    fetched_at: datetime | None = None,
) -> pa.Table:
    """Turn raw `Transfer` logs into rows of `raw.token_transfers`.

    Args:
        logs: the `result` list of an `eth_getLogs` call, as the node sent it, or those logs read
            straight into Arrow columns (pipelines/chains/evm/_wire.py).
        chain: registry chain id stamped on every row.
        source: provenance label (`live`, `local`, `demo`).
        tokens: lowercase contract address -> registry token (network, symbol, decimals).
        block_times: block number -> unix time, for nodes whose logs lack `blockTimestamp`.
        fetched_at: when the answer was fetched (now by default).

    Raises:
        DecodeError: naming the first log that is malformed, unknown or out of range.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    if isinstance(logs, pa.Table):
        if not logs.num_rows:
            return TOKEN_TRANSFERS_SCHEMA.empty_table()
        fields = _fields_of_columns(logs)
        if fields is None:  # something is off: the per-log path decides, and names it
            return decode_transfer_logs(logs.to_pylist(), chain=chain, source=source, tokens=tokens,
                                        block_times=block_times, fetched_at=fetched_at)
        return _rows(fields, lambda: logs.to_pylist(), chain=chain, source=source, tokens=tokens,
                     block_times=block_times, fetched_at=fetched_at)
    if not isinstance(logs, list):
        raise DecodeError(f"expected a list of logs, got {type(logs).__name__}")
    if not logs:
        return TOKEN_TRANSFERS_SCHEMA.empty_table()
    return _rows(_fields_of_dicts(logs, tokens), lambda: logs, chain=chain, source=source, tokens=tokens,
                 block_times=block_times, fetched_at=fetched_at)


@dataclass(frozen=True)
class _Fields:
    """A batch of logs as checked character rows and integers (what the row builder needs)."""

    n: int
    signatures: set[str]
    address: np.ndarray | None
    data: np.ndarray | None
    from_words: np.ndarray | None
    to_words: np.ndarray | None
    block_hash: np.ndarray | None
    tx_hash: np.ndarray | None
    block_numbers: np.ndarray | None
    log_indexes: np.ndarray | None
    seconds: np.ndarray | None
    stamped: bool

    @property
    def well_formed(self) -> bool:
        return not (self.address is None or self.data is None or self.from_words is None or self.to_words is None
                    or self.block_hash is None or self.tx_hash is None or self.block_numbers is None
                    or self.log_indexes is None or (self.stamped and self.seconds is None)
                    or {str(signature).lower() for signature in self.signatures} != {TRANSFER_SIGNATURE})


def _fields_of_dicts(logs: list, tokens: Mapping[str, Token]) -> _Fields:
    """Each field pulled out of the log dicts once, joined into one buffer and checked (`_hexcols`)."""
    n = len(logs)
    try:
        if set(map(type, logs)) != {dict}:
            raise TypeError("not every log is an object")
        topics = list(map(itemgetter("topics"), logs))
        if set(map(type, topics)) != {list} or set(map(len, topics)) != {3}:
            raise TypeError("topics are not lists of 3")
        signatures = set(map(itemgetter(0), topics))  # a handful of distinct values, checked below
        address = hex_rows(map(itemgetter("address"), logs), n, 42)
        data = hex_rows(map(itemgetter("data"), logs), n, 66)
        from_words, to_words = (hex_rows(map(itemgetter(k), topics), n, 66) for k in (1, 2))
        block_hash = hex_rows(map(itemgetter("blockHash"), logs), n, 66)
        tx_hash = hex_rows(map(itemgetter("transactionHash"), logs), n, 66)
        block_numbers = hex_quantities(map(itemgetter("blockNumber"), logs), n)
        log_indexes = hex_quantities(map(itemgetter("logIndex"), logs), n)
    except (KeyError, TypeError, IndexError) as exc:
        _raise_for_first_bad_log(logs, tokens, exc)
    try:
        seconds = hex_quantities(map(itemgetter("blockTimestamp"), logs), n)
        stamped = True
    except (KeyError, TypeError):  # some node omitted blockTimestamp (older nodes do)
        seconds, stamped = None, False
    return _Fields(n, signatures, address, data, from_words, to_words, block_hash, tx_hash, block_numbers,
                   log_indexes, seconds, stamped)


def _fields_of_columns(logs: pa.Table) -> _Fields | None:
    """The same from Arrow columns, checked in place; None when any check fails or a log has no
    `blockTimestamp` (the per-log path then decides)."""
    n = logs.num_rows
    topics = logs.column("topics").combine_chunks()
    if topics.null_count or (np.diff(np.asarray(topics.offsets)) != 3).any():
        return None
    words = hex_rows_of(topics.flatten(), 66)
    seconds = hex_quantities_of(logs.column("blockTimestamp"))
    if words is None or seconds is None:
        return None
    words = words.reshape(n, 3, 66)
    signature = np.frombuffer(TRANSFER_SIGNATURE.encode(), dtype=np.uint8)
    if ((words[:, 0] | np.uint8(0x20)) != signature).any():  # topic0, lowercased (digits and 'x' keep their case)
        return None
    fields = _Fields(n, {TRANSFER_SIGNATURE}, hex_rows_of(logs.column("address"), 42),
                     hex_rows_of(logs.column("data"), 66), words[:, 1], words[:, 2],
                     hex_rows_of(logs.column("blockHash"), 66), hex_rows_of(logs.column("transactionHash"), 66),
                     hex_quantities_of(logs.column("blockNumber")), hex_quantities_of(logs.column("logIndex")),
                     seconds, True)
    return fields if fields.well_formed else None


def _rows(fields: _Fields, logs: Callable[[], list], *, chain: str, source: str, tokens: Mapping[str, Token],
          block_times: Mapping[int, int] | None, fetched_at: datetime) -> pa.Table:
    """Rows of `raw.token_transfers` from checked fields; `logs()` gives the logs to name a bad one by."""
    n = fields.n
    if not fields.well_formed:
        _raise_for_first_bad_log(logs(), tokens)
    address = lowercase_strings(fields.address)
    known = pa.array(list(tokens), pa.string())
    which = pc.index_in(address, value_set=known)
    if which.null_count:
        _raise_for_first_bad_log(logs(), tokens)
    from_words, to_words, data = fields.from_words, fields.to_words, fields.data
    # address topics are left-padded: their first 24 hex digits are zero
    padded = not (from_words[:, 2:26] != ord("0")).any() and not (to_words[:, 2:26] != ord("0")).any()
    # amounts below 10^38 < 2^127 have 32 leading zero digits; only the low 128 bits are decoded
    high_half_zero = not (data[:, 2:34] != ord("0")).any()
    hi, lo = big_endian_uint64(data[:, 34:]).T if high_half_zero else (None, None)
    if not (padded and high_half_zero) or not fits_decimal38(hi, lo).all():
        _raise_for_first_bad_log(logs(), tokens)

    block_numbers = fields.block_numbers.astype(np.int64)
    if fields.stamped:
        seconds = fields.seconds.astype(np.int64)
    else:  # fall back to fetched block times, per log
        known_times = block_times or {}
        seconds = np.empty(n, dtype=np.int64)
        for i, (log, number) in enumerate(zip(logs(), block_numbers.tolist(), strict=True)):
            stamp = log.get("blockTimestamp")
            if type(stamp) is str and re.fullmatch(HEX_QUANTITY, stamp):
                seconds[i] = int(stamp, 16)
            elif number in known_times:
                seconds[i] = known_times[number]
            else:
                raise DecodeError(f"{describe_log(logs(), i)}: no blockTimestamp and no fetched time for block {number}")
    if (seconds >= LATEST_PLAUSIBLE_TIME).any():
        i = int(np.argmax(seconds >= LATEST_PLAUSIBLE_TIME))
        raise DecodeError(f"{describe_log(logs(), i)}: block time {seconds[i]} is after the year 2100")
    # built from their buffers: microseconds since the epoch, and whole UTC days since it (seconds >= 0)
    block_time = pa.Array.from_buffers(BLOCK_TIME, n, [None, pa.py_buffer(seconds * 1_000_000)])
    block_day = pa.Array.from_buffers(pa.date32(), n, [None, pa.py_buffer((seconds // 86_400).astype(np.int32))])

    from_address, to_address = addresses_from_topics(from_words[:, 2:]), addresses_from_topics(to_words[:, 2:])
    is_mint = pc.equal(from_address, ZERO_ADDRESS)
    is_burn = pc.and_(pc.equal(to_address, ZERO_ADDRESS), pc.invert(is_mint))
    kind = pc.if_else(is_mint, "mint", pc.if_else(is_burn, "burn", "transfer"))

    token_list = list(tokens.values())
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
        "amount_raw": decimal128(hi, lo),
        "block_number": pa.array(block_numbers, pa.int64()),
        "block_hash": lowercase_strings(fields.block_hash),
        "block_time": block_time,
        "block_day": block_day,
        "tx_hash": lowercase_strings(fields.tx_hash),
        "log_index": pa.array(fields.log_indexes.astype(np.int32), pa.int32()),
        "inner_index": pa.nulls(n, pa.int32()),
        "fetched_at": pa.repeat(pa.scalar(fetched_at, pa.timestamp("us", tz="UTC")), n),
    }, schema=TOKEN_TRANSFERS_SCHEMA)
