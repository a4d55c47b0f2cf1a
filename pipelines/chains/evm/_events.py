"""Staking and vault events, declared per contract by ABI fragments (pipelines/chains/evm/abi/).

A fragment lists each event's signature, which of its inputs are indexed (address topics) and
which are uint256 data words, and how it maps to a `raw.staking_events` record. Decoding is
column-wise per event signature, sharing the Transfer decoder's hex and Arrow helpers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from pathlib import Path

import numpy as np
import pyarrow as pa
from eth_utils import keccak

from depinlens.registry import Program, Token
from pipelines.chains.errors import DecodeError
from pipelines.chains.evm._decode import describe_log
from pipelines.chains.raw_schemas import STAKING_EVENTS_SCHEMA
from pipelines.chains.evm._hexcols import (
    addresses_from_topics,
    big_endian_uint64,
    decimal128,
    fits_decimal38,
    hex_quantities,
    hex_rows,
    lowercase_strings,
)

ABI_DIR = Path(__file__).resolve().parent / "abi"



@dataclass(frozen=True)
class EventSpec:
    """One event of a fragment: where its fields are and what record it becomes."""

    signature: str
    indexed: tuple[str, ...]
    data: tuple[str, ...]
    record: str
    staker: str
    amount: str

    @property
    def topic0(self) -> str:
        """keccak256 of the signature, as the node writes topic 0."""
        return "0x" + keccak(text=self.signature).hex()


@cache
def load_fragment(name: str) -> tuple[EventSpec, ...]:
    """The events of ABI fragment `name` (e.g. `staking_pool`, `erc4626`)."""
    path = ABI_DIR / f"{name}.json"
    if not path.exists():
        raise DecodeError(f"no ABI fragment {name!r} in {ABI_DIR}; the registry names one that does not exist")
    document = json.loads(path.read_text())
    return tuple(EventSpec(e["signature"], tuple(e["indexed"]), tuple(e["data"]), e["record"], e["staker"],
                           e["amount"]) for e in document["events"])


def _group_by_topic0(logs: list) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, log in enumerate(logs):
        topics = log.get("topics") if isinstance(log, dict) else None
        if not isinstance(topics, list) or not topics or not isinstance(topics[0], str):
            raise DecodeError(f"{describe_log(logs, i)}: topics missing or not a list of hex strings")
        groups[topics[0].lower()].append(i)
    return groups


def _decode_group(logs: list, positions: list[int], spec: EventSpec) -> dict[str, pa.Array]:
    """Columns (staker, amount, provenance) of the logs at `positions`, all of event `spec`."""
    group = [logs[i] for i in positions]
    width = 64 * len(spec.data)

    def bad(why: str) -> DecodeError:
        return DecodeError(f"{describe_log(logs, positions[0])} and {len(group) - 1} more {spec.signature} logs: {why}")

    n = len(group)
    try:
        topics = list(map(itemgetter("topics"), group))
        if set(map(len, topics)) != {1 + len(spec.indexed)}:
            for i, t in zip(positions, topics, strict=True):
                if len(t) != 1 + len(spec.indexed):
                    raise DecodeError(f"{describe_log(logs, i)}: {spec.signature} has {1 + len(spec.indexed)} topics")
        data = hex_rows(map(itemgetter("data"), group), n, 2 + width)
        indexed = {name: hex_rows(map(itemgetter(k + 1), topics), n, 66) for k, name in enumerate(spec.indexed)}
        contract = hex_rows(map(itemgetter("address"), group), n, 42)
        block_hash = hex_rows(map(itemgetter("blockHash"), group), n, 66)
        tx_hash = hex_rows(map(itemgetter("transactionHash"), group), n, 66)
        block_numbers, log_indexes, seconds = (hex_quantities(map(itemgetter(k), group), n)
                                               for k in ("blockNumber", "logIndex", "blockTimestamp"))
    except (KeyError, TypeError, IndexError) as exc:
        raise bad(f"a field is missing or not a string ({exc!r})") from None
    if data is None:
        raise bad(f"data is not {len(spec.data)} 32-byte words")
    words = {}
    for k, name in enumerate(spec.data):
        word = data[:, 2 + 64 * k: 66 + 64 * k]
        if (word[:, :32] != ord("0")).any():
            raise bad(f"{name} is not a uint256 below 2^128")
        words[name] = big_endian_uint64(word[:, 32:])
    addresses = {}
    for name, word in indexed.items():
        if word is None or (word[:, 2:26] != ord("0")).any():
            raise bad(f"{name} topic is not a left-padded address")
        addresses[name] = addresses_from_topics(word[:, 2:])
    if block_numbers is None or log_indexes is None or seconds is None:
        raise bad("blockNumber, logIndex or blockTimestamp is not a hex quantity")
    if block_hash is None or tx_hash is None or contract is None:
        raise bad("address, blockHash or transactionHash is not a hex address or 32-byte hash")
    limbs = words[spec.amount]
    if not fits_decimal38(limbs[:, 0], limbs[:, 1]).all():
        raise bad(f"{spec.amount} does not fit DECIMAL(38,0)")
    block_time = pa.array(seconds.astype(np.int64) * 1_000_000, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    return {
        "event": pa.repeat(pa.scalar(spec.record), len(group)),
        "staker": addresses[spec.staker],
        "amount_raw": decimal128(limbs[:, 0], limbs[:, 1]),
        "block_number": pa.array(block_numbers.astype(np.int64)),
        "block_hash": lowercase_strings(block_hash),
        "block_time": block_time,
        "block_day": block_time.cast(pa.date32()),
        "tx_hash": lowercase_strings(tx_hash),
        "log_index": pa.array(log_indexes.astype(np.int32)),
        "contract": lowercase_strings(contract),
    }


def decode_staking_logs(
    logs: list[dict],
    *,
    chain: str,
    source: str,
    programs: Mapping[str, Program],
    tokens: Mapping[str, Token],
    fetched_at: datetime | None = None,
) -> pa.Table:
    """Staking/vault logs of registry programs -> rows of `raw.staking_events`.

    Args:
        programs: lowercase contract address -> program (its `abi` names the fragment).
        tokens: network id -> the token its amounts are denominated in on this chain.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    if not isinstance(logs, list):
        raise DecodeError(f"expected a list of logs, got {type(logs).__name__}")
    parts = []
    for topic0, positions in _group_by_topic0(logs).items():
        first = logs[positions[0]]
        address = str(first.get("address", "")).lower()
        program = programs.get(address)
        if program is None:
            raise DecodeError(f"{describe_log(logs, positions[0])}: contract {address} is not a registry program")
        spec = next((e for e in load_fragment(program.abi or "") if e.topic0 == topic0), None)
        if spec is None:
            raise DecodeError(f"{describe_log(logs, positions[0])}: topic0 {topic0[:18]}… is no event of {program.abi}")
        by_contract: dict[str, list[int]] = defaultdict(list)
        for i in positions:
            by_contract[str(logs[i].get("address", "")).lower()].append(i)
        for contract, members in by_contract.items():
            program = programs.get(contract)
            if program is None:
                raise DecodeError(f"{describe_log(logs, members[0])}: contract {contract} is not a registry program")
            columns = _decode_group(logs, members, spec)
            token = tokens[program.network]
            n = len(members)
            parts.append(pa.table({
                "network": pa.repeat(pa.scalar(program.network), n),
                "chain": pa.repeat(pa.scalar(chain), n),
                "source": pa.repeat(pa.scalar(source), n),
                "token_symbol": pa.repeat(pa.scalar(token.symbol), n),
                "decimals": pa.repeat(pa.scalar(token.decimals, pa.uint8()), n),
                "inner_index": pa.nulls(n, pa.int32()),
                "fetched_at": pa.repeat(pa.scalar(fetched_at, pa.timestamp("us", tz="UTC")), n),
                **columns,
            }).select(STAKING_EVENTS_SCHEMA.names).cast(STAKING_EVENTS_SCHEMA))
    if not parts:
        return STAKING_EVENTS_SCHEMA.empty_table()
    return pa.concat_tables(parts).sort_by([("block_number", "ascending"), ("log_index", "ascending")])
