"""Read one UTC day of an EVM chain: its blocks, its logs in chunks, state at its last block.

The caller walks a window day by day (pipelines/defs/assets/evm.py) so each day is stored in
its own transaction; here each function reads one day. A day's blocks come from
`EvmClient.block_range_for_days`; a day whose end is newer than the safe head is read up to
it and marked incomplete, so a later run reads it again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from eth_utils import keccak

from depinlens.registry import Program, Token
from pipelines.chains.errors import DecodeError, RpcRefused, RpcUnavailable
from pipelines.chains.evm._client import TRANSFER_TOPIC, EvmClient
from pipelines.chains.evm._decode import HEX_QUANTITY, decode_transfer_logs
from pipelines.chains.evm._events import decode_staking_logs, load_fragment
from pipelines.chains.evm._wire import LOG_FIELDS, logs_as_dicts
from pipelines.chains.raw_schemas import (
    STAKING_EVENTS_SCHEMA,
    STAKING_SNAPSHOTS_SCHEMA,
    SUPPLY_SNAPSHOTS_SCHEMA,
    TOKEN_TRANSFERS_SCHEMA,
    VAULT_SNAPSHOTS_SCHEMA,
)


@dataclass(frozen=True)
class DayBlocks:
    """The blocks of one UTC day up to the safe head.

    `first`/`last` are None when no block of the day is at or below the safe head; `complete`
    says whether the day's last block is known (a block of the next day is below the safe head).
    """

    day: date
    first: int | None
    last: int | None
    complete: bool
    first_time: int | None = None
    last_time: int | None = None
    next_time: int | None = None

    @property
    def has_blocks(self) -> bool:
        return self.first is not None


def _midnight(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def day_blocks(client: EvmClient, day: date, safe_head: int) -> DayBlocks:
    """Find the blocks of `day` at or below `safe_head` (interpolation search, seeded by what is known)."""
    if safe_head < 0:
        return DayBlocks(day, None, None, False)
    first = client.first_block_at_or_after(_midnight(day), safe_head)
    after = client.first_block_at_or_after(_midnight(day + timedelta(days=1)), safe_head)
    complete = after <= safe_head
    if after <= first:
        return DayBlocks(day, None, None, complete)
    times = client.known_block_times()
    return DayBlocks(day, first, after - 1, complete, times.get(first) or client.block_timestamp(first),
                     client.block_timestamp(after - 1), times.get(after) if complete else None)


LOG_COLUMNS = pa.schema(list(LOG_FIELDS))
Logs = pa.Table | list  # a day's logs: Arrow columns read from the answers' bytes, or the parsed answers


def _joined(parts: Sequence[Logs]) -> Logs:
    """Chunks of logs in order, as one table when every chunk was read into columns, else as parsed logs."""
    if all(isinstance(part, pa.Table) for part in parts):
        return pa.concat_tables(parts) if parts else LOG_COLUMNS.empty_table()
    return [log for part in parts for log in (logs_as_dicts(part) if isinstance(part, pa.Table) else part)]


def _not_removed(logs: Logs) -> tuple[Logs, int]:
    """Logs the node still stands by: `removed: true` marks a log of a block that left the chain."""
    if isinstance(logs, pa.Table):
        removed = pc.fill_null(logs.column("removed"), False)
        count = pc.sum(removed).as_py() or 0
        return (logs.filter(pc.invert(removed)) if count else logs), count
    kept = [log for log in logs if not (isinstance(log, dict) and log.get("removed") is True)]
    return kept, len(logs) - len(kept)


def _stamp(client: EvmClient, logs: Logs) -> Logs:
    """Give every log its block's time as `blockTimestamp`, asking the node once per block the
    logs lack it for (most providers leave it out; newer ones send it)."""
    if isinstance(logs, pa.Table):
        return _stamp_columns(client, logs)
    unstamped = [log for log in logs if isinstance(log, dict) and not isinstance(log.get("blockTimestamp"), str)]
    if not unstamped:
        return logs
    numbers = {int(n, 16) for n in (log.get("blockNumber") for log in unstamped)
               if isinstance(n, str) and re.fullmatch(HEX_QUANTITY, n)}  # bad ones: the decoder names them
    times = client.block_timestamps(numbers)
    for log in unstamped:
        number = log.get("blockNumber")
        if isinstance(number, str) and re.fullmatch(HEX_QUANTITY, number):
            log["blockTimestamp"] = hex(times[int(number, 16)])
    return logs


def _stamp_columns(client: EvmClient, logs: pa.Table) -> pa.Table:
    """`_stamp` on columns: the same blocks asked for, the same text written, one value per block."""
    stamps = logs.column("blockTimestamp").combine_chunks()
    if not stamps.null_count:
        return logs
    numbers = logs.column("blockNumber").combine_chunks()
    wanted = pc.and_(pc.is_null(stamps), pc.fill_null(pc.match_substring_regex(numbers, f"^{HEX_QUANTITY}$"), False))
    if not pc.any(wanted).as_py():
        return logs
    unstamped = numbers.filter(wanted)
    asked = pc.unique(unstamped)  # one text per block (a handful per day)
    times = client.block_timestamps(int(n, 16) for n in asked.to_pylist())
    texts = pa.array([hex(times[int(n, 16)]) for n in asked.to_pylist()], pa.string())
    filled = pc.take(texts, pc.index_in(unstamped, value_set=asked))
    return logs.set_column(logs.schema.get_field_index("blockTimestamp"), "blockTimestamp",
                           pc.replace_with_mask(stamps, wanted, filled))


def _split_on_refusal(client: EvmClient, addresses: list[str], topics: list[str], start: int, end: int) -> Logs:
    """`eth_getLogs` for any of `topics`; halve the range when the node refuses it (a JSON-RPC error or an
    HTTP 4xx such as "range too large" or "more than 10000 results") or times out on it."""
    try:
        return client.get_log_columns(addresses, topics, start, end)
    except (RpcRefused, RpcUnavailable) as exc:
        if start == end or (isinstance(exc, RpcRefused) and exc.is_credentials):
            raise
        middle = (start + end) // 2
        return _joined([_split_on_refusal(client, addresses, topics, start, middle),
                        _split_on_refusal(client, addresses, topics, middle + 1, end)])


@dataclass(frozen=True)
class _Chunk:
    """One chunk's logs as read, and its rows when the worker could decode it on its own."""

    logs: Logs
    rows: pa.Table | None = None


def _stands_alone(logs: Logs) -> bool:
    """Whether a chunk needs nothing from the rest of the day to be decoded: read into columns,
    no `removed` log to leave out, every log stamped with its block time."""
    return (isinstance(logs, pa.Table) and not logs.column("blockTimestamp").null_count
            and not pc.any(pc.fill_null(logs.column("removed"), False)).as_py())


def _chunks_of_day(client: EvmClient, addresses: list[str], topics: list[str], blocks: DayBlocks,
                   chunk_blocks: int, decode: Callable[[pa.Table], pa.Table] | None) -> list[_Chunk]:
    """The day's logs in chunks, read concurrently, in the node's order. With `decode`, each worker
    also decodes its chunk when it stands alone, so decoding overlaps the node's answering; a chunk
    that fails to decode is left undecoded, for the whole day's decode to name the bad log."""
    assert blocks.first is not None and blocks.last is not None

    def chunk(start: int) -> _Chunk:
        logs = _split_on_refusal(client, addresses, topics, start, min(start + chunk_blocks - 1, blocks.last))
        if decode is None or not _stands_alone(logs):
            return _Chunk(logs)
        try:
            return _Chunk(logs, decode(logs))
        except DecodeError:
            return _Chunk(logs)

    return client.map_concurrently(chunk, range(blocks.first, blocks.last + 1, chunk_blocks))


def _logs_of_day(client: EvmClient, chunks: Sequence[_Chunk]) -> tuple[Logs, int]:
    """The day's logs in the node's order, minus removed ones, all stamped."""
    logs, removed = _not_removed(_joined([c.logs for c in chunks]))
    return _stamp(client, logs), removed


@dataclass(frozen=True)
class DayRows:
    """What one day's read gave: rows, and how many `removed` logs were left out."""

    rows: pa.Table
    removed_logs: int = 0


def _read_events(client: EvmClient, addresses: list[str], topics: list[str], blocks: DayBlocks, *,
                 chunk_blocks: int, schema: pa.Schema, decode: Callable[[Logs, datetime], pa.Table],
                 decode_chunks: bool = False) -> DayRows:
    """Read and decode one day; with `decode_chunks` (a decoder whose rows depend on one log
    each) the chunks are decoded as they arrive, and the whole day only when one does not
    stand alone, so errors name logs by their place in the day as always."""
    if not blocks.has_blocks or not addresses:
        return DayRows(schema.empty_table())
    fetched_at = datetime.now(UTC)
    chunks = _chunks_of_day(client, addresses, topics, blocks, chunk_blocks,
                            (lambda logs: decode(logs, fetched_at)) if decode_chunks else None)
    if chunks and all(c.rows is not None for c in chunks):
        return DayRows(pa.concat_tables([c.rows for c in chunks]))
    logs, removed = _logs_of_day(client, chunks)
    try:
        return DayRows(decode(logs, fetched_at), removed)
    except DecodeError as exc:
        raise DecodeError(f"{client.label} eth_getLogs blocks {blocks.first}-{blocks.last}: {exc}") from exc


def read_transfers(client: EvmClient, tokens: Sequence[Token], blocks: DayBlocks, *, source: str,
                   chunk_blocks: int = 2_000) -> DayRows:
    """Every `Transfer` log of `tokens` in the day's blocks, decoded (mints and burns included)."""
    by_address = {t.address: t for t in tokens}
    return _read_events(client, list(by_address), [TRANSFER_TOPIC], blocks, chunk_blocks=chunk_blocks,
                        schema=TOKEN_TRANSFERS_SCHEMA,
                        decode=lambda logs, at: decode_transfer_logs(logs, chain=client.chain, source=source,
                                                                     tokens=by_address, fetched_at=at),
                        decode_chunks=True)


def read_staking_events(client: EvmClient, programs: Sequence[Program], tokens: dict[str, Token], blocks: DayBlocks,
                        *, source: str, chunk_blocks: int = 2_000) -> DayRows:
    """Events of staking pools and ERC-4626 vaults (per their ABI fragments) in the day's blocks."""
    with_events = {p.address: p for p in programs if p.abi}
    topics = sorted({spec.topic0 for p in with_events.values() for spec in load_fragment(p.abi)})
    return _read_events(client, list(with_events), topics, blocks, chunk_blocks=chunk_blocks,
                        schema=STAKING_EVENTS_SCHEMA,
                        decode=lambda logs, at: decode_staking_logs(
                            logs_as_dicts(logs) if isinstance(logs, pa.Table) else logs, chain=client.chain,
                            source=source, programs=with_events, tokens=tokens, fetched_at=at))


def selector(signature: str) -> str:
    """The 4-byte function selector of a signature such as `totalSupply()`, as 0x-hex."""
    return "0x" + keccak(text=signature).hex()[:8]


def _word(value: int) -> str:
    return hex(value)[2:].rjust(64, "0")


def _address_word(address: str) -> str:
    return address.lower().removeprefix("0x").rjust(64, "0")


def _checked(value: int | None, detail: str) -> int | None:
    if value is not None and value >= 10**38:
        raise DecodeError(f"{detail}: {value} does not fit DECIMAL(38,0)")
    return value


def end_of_day(blocks: DayBlocks) -> tuple[int, datetime]:
    """The day's last block and its time: where every day-end read (supply, NAV, balances) is made."""
    assert blocks.last is not None and blocks.last_time is not None
    return blocks.last, datetime.fromtimestamp(blocks.last_time, UTC)


def uint_at(client: EvmClient, address: str, data: str, block: int, *, detail: str) -> int | None:
    """One uint256 `eth_call` at `block`, checked to fit the warehouse's DECIMAL(38,0); None when
    nothing answers there (no contract yet at that block)."""
    return _checked(client.eth_call_uint(address, data, block, detail=detail), detail)


def uints_at(client: EvmClient, address: str, calls: Mapping[str, str], block: int) -> dict[str, int] | None:
    """Several named uint256 calls of one contract at `block`; None as soon as one answers nothing,
    so a contract not yet deployed that day gives no row rather than a partial one."""
    reads: dict[str, int] = {}
    for name, data in calls.items():
        value = uint_at(client, address, data, block, detail=f"{address} {name} at block {block}")
        if value is None:
            return None
        reads[name] = value
    return reads


def read_vault_navs(client: EvmClient, vaults: Sequence[Program], tokens: dict[str, Token], blocks: DayBlocks, *,
                    source: str) -> pa.Table:
    """NAV of each ERC-4626 vault at the day's last block: totalAssets, totalSupply, convertToAssets(1 share)."""
    if not blocks.has_blocks or not blocks.complete or not vaults:
        return VAULT_SNAPSHOTS_SCHEMA.empty_table()
    fetched_at = datetime.now(UTC)
    block, stamp = end_of_day(blocks)
    rows = []
    for vault in vaults:
        decimals = tokens[vault.network].decimals
        reads = uints_at(client, vault.address, {"total_assets": selector("totalAssets()"),
                                                 "total_supply": selector("totalSupply()"),
                                                 "per_share": selector("convertToAssets(uint256)") + _word(10**decimals)},
                         block)
        if reads is None:  # no contract there yet at this block: no snapshot for the day
            continue
        rows.append({"network": vault.network, "chain": client.chain, "source": source, "vault": vault.address,
                     "asset_decimals": decimals, "total_assets_raw": reads["total_assets"],
                     "total_supply_raw": reads["total_supply"], "assets_per_share_raw": reads["per_share"],
                     "block_number": block, "block_time": stamp, "block_day": blocks.day, "fetched_at": fetched_at})
    return pa.Table.from_pylist(rows, schema=VAULT_SNAPSHOTS_SCHEMA)


def read_supplies(client: EvmClient, tokens: Sequence[Token], blocks: DayBlocks, *, source: str) -> pa.Table:
    """`totalSupply()` of each token at the day's last block: the stock that mints and burns must explain."""
    if not blocks.has_blocks or not blocks.complete or not tokens:
        return SUPPLY_SNAPSHOTS_SCHEMA.empty_table()
    fetched_at = datetime.now(UTC)
    block, stamp = end_of_day(blocks)
    rows = []
    for token in tokens:
        detail = f"{token.symbol} {token.address} totalSupply at block {block}"
        supply = uint_at(client, token.address, selector("totalSupply()"), block, detail=detail)
        if supply is None:
            continue
        rows.append({"network": token.network, "chain": client.chain, "source": source, "token_symbol": token.symbol,
                     "token_address": token.address, "decimals": token.decimals, "supply_raw": supply,
                     "block_number": block, "block_time": stamp, "snapshot_day": blocks.day, "fetched_at": fetched_at})
    return pa.Table.from_pylist(rows, schema=SUPPLY_SNAPSHOTS_SCHEMA)


def read_holder_balances(client: EvmClient, holders: Sequence[Program], tokens: dict[str, Token], blocks: DayBlocks,
                         *, source: str) -> pa.Table:
    """The network token held by each staking holder at the day's last block (`balanceOf`): its staked amount."""
    if not blocks.has_blocks or not blocks.complete or not holders:
        return STAKING_SNAPSHOTS_SCHEMA.empty_table()
    fetched_at = datetime.now(UTC)
    block, stamp = end_of_day(blocks)
    rows = []
    for holder in holders:
        token = tokens[holder.network]
        detail = f"{token.symbol} balanceOf({holder.address}) at block {block}"
        balance = uint_at(client, token.address, selector("balanceOf(address)") + _address_word(holder.address),
                          block, detail=detail)
        if balance is None:
            continue
        rows.append({"network": holder.network, "chain": client.chain, "source": source, "account": holder.address,
                     "metric": "staked_balance", "amount_raw": balance, "value": None, "unit": token.address,
                     "block_number": block, "snapshot_time": stamp, "snapshot_day": blocks.day,
                     "fetched_at": fetched_at})
    return pa.Table.from_pylist(rows, schema=STAKING_SNAPSHOTS_SCHEMA)
