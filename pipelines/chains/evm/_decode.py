"""Decode ERC-20 `Transfer` logs from the `eth_getLogs` wire format into an Arrow table.

Column-wise: each field is pulled out once into an Arrow array and sliced or checked
with Arrow compute, instead of building a Python object per log. Amounts stay exact
(DECIMAL(38,0)); a value of 10^38 or more is refused with a `DecodeError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from depinlens.registry import Token
from pipelines.chains.errors import DecodeError

ZERO_ADDRESS = "0x" + "0" * 40
MAX_AMOUNT = 10**38 - 1
HEX_WORD = r"^0x[0-9a-fA-F]{64}$"
ADDRESS_TOPIC = r"^0x0{24}[0-9a-fA-F]{40}$"
HEX_QUANTITY = r"^0x[0-9a-fA-F]{1,16}$"

TOKEN_TRANSFERS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()),
    ("token_symbol", pa.string()), ("token_address", pa.string()), ("decimals", pa.uint8()),
    ("kind", pa.string()), ("from_address", pa.string()), ("to_address", pa.string()),
    ("amount_raw", pa.decimal128(38, 0)),
    ("block_number", pa.int64()), ("block_hash", pa.string()),
    ("block_time", pa.timestamp("us", tz="UTC")), ("block_day", pa.date32()),
    ("tx_hash", pa.string()), ("log_index", pa.int32()), ("fetched_at", pa.timestamp("us", tz="UTC")),
])


def _describe(logs: list, i: int) -> str:
    log = logs[i]
    if isinstance(log, dict):
        return f"log #{i} (tx {str(log.get('transactionHash'))[:66]}, logIndex {log.get('logIndex')!r:.20})"
    return f"log #{i} ({type(log).__name__}, not an object)"


def _column(logs: list, key: str) -> pa.Array:
    """Field `key` of every log as a string array; a missing or non-string field is a DecodeError."""
    try:
        values = [log[key] for log in logs]
        return pa.array(values, type=pa.string())
    except (KeyError, TypeError, pa.ArrowInvalid, pa.ArrowTypeError):
        for i, log in enumerate(logs):
            if not isinstance(log, dict) or not isinstance(log.get(key), str):
                raise DecodeError(f"{_describe(logs, i)}: field {key!r} missing or not a string") from None
        raise


def _require(mask: pa.Array, logs: list, what: str) -> None:
    """Raise naming the first log where `mask` is false."""
    if not pc.all(mask).as_py():
        i = pc.index(mask, False).as_py()
        raise DecodeError(f"{_describe(logs, i)}: {what}")


def _hex_ints(values: pa.Array) -> list[int]:
    return [int(v, 16) for v in values.to_pylist()]


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
    if not all(type(log) is dict for log in logs):
        raise DecodeError(_describe(logs, next(i for i, log in enumerate(logs) if type(log) is not dict)))

    address = pc.utf8_lower(_column(logs, "address"))
    known = pa.array(list(tokens), type=pa.string())
    _require(pc.is_in(address, value_set=known), logs, "contract address is not a registry token on this chain")

    raw_topics = [log.get("topics") for log in logs]
    if not all(type(t) is list for t in raw_topics):
        i = next(i for i, t in enumerate(raw_topics) if type(t) is not list)
        raise DecodeError(f"{_describe(logs, i)}: topics missing or not a list of hex strings")
    try:
        topics = pa.array(raw_topics, type=pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        i = next(i for i, t in enumerate(raw_topics) if not all(isinstance(x, str) for x in t))
        raise DecodeError(f"{_describe(logs, i)}: topics missing or not a list of hex strings") from None
    _require(pc.equal(pc.list_value_length(topics), 3), logs,
             "a Transfer log has 3 topics (signature, from, to); this one does not")
    topic0 = pc.utf8_lower(pc.list_element(topics, 0))
    _require(pc.equal(topic0, "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"), logs,
             "topic0 is not the ERC-20 Transfer signature")
    from_topic, to_topic = pc.list_element(topics, 1), pc.list_element(topics, 2)
    _require(pc.and_(pc.match_substring_regex(from_topic, ADDRESS_TOPIC),
                     pc.match_substring_regex(to_topic, ADDRESS_TOPIC)), logs,
             "from/to topics are not 32-byte left-padded addresses")
    from_address = pc.binary_join_element_wise("0x", pc.utf8_lower(pc.utf8_slice_codeunits(from_topic, 26)), "")
    to_address = pc.binary_join_element_wise("0x", pc.utf8_lower(pc.utf8_slice_codeunits(to_topic, 26)), "")

    data = _column(logs, "data")
    _require(pc.match_substring_regex(data, HEX_WORD), logs, "data is not one 32-byte hex word (uint256 value)")
    amounts = _hex_ints(data)
    for i, value in enumerate(amounts):
        if value > MAX_AMOUNT:
            raise DecodeError(f"{_describe(logs, i)}: amount {value} does not fit DECIMAL(38,0); refusing to round it")

    block_number_hex = _column(logs, "blockNumber")
    log_index_hex = _column(logs, "logIndex")
    for name, column in (("blockNumber", block_number_hex), ("logIndex", log_index_hex)):
        _require(pc.match_substring_regex(column, HEX_QUANTITY), logs, f"{name} is not a hex quantity")
    block_hash = _column(logs, "blockHash")
    tx_hash = _column(logs, "transactionHash")
    for name, column in (("blockHash", block_hash), ("transactionHash", tx_hash)):
        _require(pc.match_substring_regex(column, HEX_WORD), logs, f"{name} is not a 32-byte hex hash")
    block_numbers = _hex_ints(block_number_hex)

    if all(isinstance(log.get("blockTimestamp"), str) for log in logs):
        stamp_column = _column(logs, "blockTimestamp")
        _require(pc.match_substring_regex(stamp_column, HEX_QUANTITY), logs, "blockTimestamp is not a hex quantity")
        seconds = _hex_ints(stamp_column)
    else:
        missing = [n for n in set(block_numbers) if n not in (block_times or {})]
        if missing:
            raise DecodeError(f"no block time for blocks {sorted(missing)[:5]}; pass block_times")
        seconds = [block_times[n] for n in block_numbers]
    block_time = pc.multiply(pa.array(seconds, type=pa.int64()), 1_000_000).cast(pa.timestamp("us", tz="UTC"))

    is_mint = pc.equal(from_address, ZERO_ADDRESS)
    is_burn = pc.and_(pc.equal(to_address, ZERO_ADDRESS), pc.invert(is_mint))
    kind = pc.if_else(is_mint, "mint", pc.if_else(is_burn, "burn", "transfer"))

    token_rows = [tokens[a] for a in address.to_pylist()]
    n = len(logs)
    return pa.table({
        "network": pa.array([t.network for t in token_rows], pa.string()),
        "chain": pa.array([chain] * n, pa.string()),
        "source": pa.array([source] * n, pa.string()),
        "token_symbol": pa.array([t.symbol for t in token_rows], pa.string()),
        "token_address": address,
        "decimals": pa.array([t.decimals for t in token_rows], pa.uint8()),
        "kind": kind,
        "from_address": from_address,
        "to_address": to_address,
        "amount_raw": pa.array(amounts, pa.decimal128(38, 0)),
        "block_number": pa.array(block_numbers, pa.int64()),
        "block_hash": pc.utf8_lower(block_hash),
        "block_time": block_time,
        "block_day": block_time.cast(pa.date32()),
        "tx_hash": pc.utf8_lower(tx_hash),
        "log_index": pa.array(_hex_ints(log_index_hex), pa.int32()),
        "fetched_at": pa.array([fetched_at] * n, pa.timestamp("us", tz="UTC")),
    }, schema=TOKEN_TRANSFERS_SCHEMA)
