"""GPU finance on EVM chains: loan router events and a lending vault's own valuation.

Loan router logs are decoded per the events of the `loan_router` ABI fragment (USD.AI loan router
v1's signatures, taken from its Solidity interface) into `raw.loan_events`, one row per log with
its provenance. They are few (a handful of loans a day), so each log is decoded on its own, with
plain integer arithmetic on the hex words: no ABI library, so the tests can check it against
one. Vaults with ERC-7540 redemptions (sUSDai) are also read for `nav()`, `depositSharePrice()`
and `redemptionSharePrice()` at each day's last block (`raw.vault_prices`). An origination's
collateral is in its `borrow()` calldata, not in any event: _collateral.py reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import pyarrow as pa
from eth_utils import keccak

from depinlens.registry import Program, Token
from pipelines.chains.errors import DecodeError
from pipelines.chains.evm._client import EvmClient
from pipelines.chains.evm._collateral import read_collateral
from pipelines.chains.evm._decode import describe_log
from pipelines.chains.evm._events import ABI_DIR
from pipelines.chains.evm._fetch import DayBlocks, DayRows, _read_events, end_of_day, selector, uints_at
from pipelines.chains.evm._wire import logs_as_dicts
from pipelines.chains.raw_schemas import LOAN_EVENTS_SCHEMA, VAULT_PRICES_SCHEMA

LOAN_ROUTER_FRAGMENT = "loan_router"
PRICE_READS = ("nav", "depositSharePrice", "redemptionSharePrice")
_WORD = re.compile(r"0x[0-9a-fA-F]{64}")
_MAX_DECIMAL38 = 10**38


@dataclass(frozen=True)
class LoanInput:
    """One input of a loan router event: its name, Solidity type, whether indexed, the column it fills."""

    name: str
    type: str
    indexed: bool
    column: str


@dataclass(frozen=True)
class LoanEvent:
    """One loan router event of the fragment."""

    name: str
    record: str
    inputs: tuple[LoanInput, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(i.type for i in self.inputs)})"

    @property
    def topic0(self) -> str:
        """keccak256 of the signature, as the node writes topic 0."""
        return "0x" + keccak(text=self.signature).hex()


@cache
def loan_router_events() -> dict[str, LoanEvent]:
    """topic0 -> event, from pipelines/chains/evm/abi/loan_router.json."""
    document = json.loads((ABI_DIR / f"{LOAN_ROUTER_FRAGMENT}.json").read_text())
    events = [LoanEvent(e["name"], e["record"], tuple(LoanInput(*i) for i in e["inputs"])) for e in document["events"]]
    return {e.topic0: e for e in events}


def _value(word: str, kind: str) -> object:
    """A 32-byte word (64 hex digits, no 0x) as the Python value of Solidity type `kind`, or ValueError."""
    number = int(word, 16)
    if kind == "bytes32":
        return "0x" + word.lower()
    if kind == "address":
        if number >> 160:
            raise ValueError("is not a left-padded address")
        return "0x" + word[24:].lower()
    if kind == "bool":
        if number > 1:
            raise ValueError("is not a bool (0 or 1)")
        return bool(number)
    if kind == "uint8":
        if number > 255:
            raise ValueError("is not a uint8")
        return number
    if kind == "uint256":
        if number >= _MAX_DECIMAL38:
            raise ValueError("does not fit DECIMAL(38,0)")
        return number
    raise ValueError(f"has type {kind}, which the loan decoder does not read")


def _decode_log(logs: list, i: int, routers: Mapping[str, Program]) -> dict:
    """The raw.loan_events row of log `i` (without chain, source and fetched_at)."""
    log = logs[i]
    if not isinstance(log, dict):
        raise DecodeError(f"{describe_log(logs, i)}: not a JSON object")
    topics, data, address = log.get("topics"), log.get("data"), str(log.get("address", "")).lower()
    if not isinstance(topics, list) or not topics or not all(isinstance(t, str) and _WORD.fullmatch(t) for t in topics):
        raise DecodeError(f"{describe_log(logs, i)}: topics missing or not 32-byte hex words")
    event = loan_router_events().get(topics[0].lower())
    if event is None:
        raise DecodeError(f"{describe_log(logs, i)}: topic0 {topics[0][:18]}… is no loan router event")
    router = routers.get(address)
    if router is None:
        raise DecodeError(f"{describe_log(logs, i)}: contract {address} is not a registry loan router")
    indexed = [x for x in event.inputs if x.indexed]
    plain = [x for x in event.inputs if not x.indexed]
    if len(topics) != 1 + len(indexed):
        raise DecodeError(f"{describe_log(logs, i)}: {event.signature} has {1 + len(indexed)} topics, not {len(topics)}")
    if not isinstance(data, str) or not re.fullmatch(rf"0x[0-9a-fA-F]{{{64 * len(plain)}}}", data):
        raise DecodeError(f"{describe_log(logs, i)}: {event.signature} data is not {len(plain)} 32-byte words")
    row: dict[str, object] = {"network": router.network, "contract": address, "event": event.record}
    words = [(x, t[2:]) for x, t in zip(indexed, topics[1:], strict=True)]
    words += [(x, data[2 + 64 * k: 66 + 64 * k]) for k, x in enumerate(plain)]
    for field, word in words:
        try:
            row[field.column] = _value(word, field.type)
        except ValueError as exc:
            raise DecodeError(f"{describe_log(logs, i)}: {event.name}.{field.name} {exc}") from None
    try:
        seconds = int(log["blockTimestamp"], 16)
        block_time = datetime.fromtimestamp(seconds, UTC)
        row.update(block_number=int(log["blockNumber"], 16), block_hash=str(log["blockHash"]).lower(),
                   block_time=block_time, block_day=block_time.date(), tx_hash=str(log["transactionHash"]).lower(),
                   log_index=int(log["logIndex"], 16))
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"{describe_log(logs, i)}: blockNumber, blockHash, blockTimestamp, transactionHash or "
                          f"logIndex missing or malformed ({exc!r})") from None
    return row


def decode_loan_logs(logs: list[dict], *, chain: str, source: str, routers: Mapping[str, Program],
                     fetched_at: datetime | None = None) -> pa.Table:
    """Loan router logs -> rows of `raw.loan_events`, in block and log order.

    Args:
        routers: lowercase contract address -> the registry loan router it is.

    Raises:
        DecodeError: naming the log (block, tx, index) and what is wrong with it; nothing is returned.
    """
    if not isinstance(logs, list):
        raise DecodeError(f"expected a list of logs, got {type(logs).__name__}")
    fetched_at = fetched_at or datetime.now(UTC)
    rows = [{"chain": chain, "source": source, "fetched_at": fetched_at, **_decode_log(logs, i, routers)}
            for i in range(len(logs))]
    rows.sort(key=lambda r: (r["block_number"], r["log_index"]))
    return pa.Table.from_pylist(rows, schema=LOAN_EVENTS_SCHEMA)


def read_loan_events(client: EvmClient, routers: Sequence[Program], blocks: DayBlocks, *, source: str,
                     chunk_blocks: int = 2_000) -> DayRows:
    """Every loan router event of `routers` in the day's blocks, decoded; originations with their collateral."""
    by_address = {r.address: r for r in routers}
    day = _read_events(client, list(by_address), sorted(loan_router_events()), blocks, chunk_blocks=chunk_blocks,
                       schema=LOAN_EVENTS_SCHEMA,
                       decode=lambda logs, at: decode_loan_logs(
                           logs_as_dicts(logs) if isinstance(logs, pa.Table) else logs, chain=client.chain,
                           source=source, routers=by_address, fetched_at=at))
    return DayRows(read_collateral(client, day.rows), day.removed_logs)


def read_vault_prices(client: EvmClient, vaults: Sequence[Program], tokens: dict[str, Token], blocks: DayBlocks, *,
                      source: str) -> pa.Table:
    """nav(), depositSharePrice() and redemptionSharePrice() of each vault at the day's last block."""
    if not blocks.has_blocks or not blocks.complete or not vaults:
        return VAULT_PRICES_SCHEMA.empty_table()
    fetched_at = datetime.now(UTC)
    block, stamp = end_of_day(blocks)
    rows = []
    for vault in vaults:
        reads = uints_at(client, vault.address, {name: selector(f"{name}()") for name in PRICE_READS}, block)
        if reads is None:  # no contract there yet at this block: no prices for the day
            continue
        rows.append({"network": vault.network, "chain": client.chain, "source": source, "vault": vault.address,
                     "asset_decimals": tokens[vault.network].decimals, "nav_raw": reads["nav"],
                     "deposit_share_price_raw": reads["depositSharePrice"],
                     "redemption_share_price_raw": reads["redemptionSharePrice"], "block_number": block,
                     "block_time": stamp, "block_day": blocks.day, "fetched_at": fetched_at})
    return pa.Table.from_pylist(rows, schema=VAULT_PRICES_SCHEMA)
