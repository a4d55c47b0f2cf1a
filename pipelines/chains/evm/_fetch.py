"""Fetch one window of days of ERC-20 transfers: block range by time, logs in chunks, decode."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
from eth_utils import keccak

from depinlens.registry import Program, Token
from pipelines.chains.errors import DecodeError, MalformedResponse, RpcRefused, RpcUnavailable
from pipelines.chains.evm._client import TRANSFER_TOPIC, EvmClient
from pipelines.chains.evm._decode import HEX_QUANTITY, decode_transfer_logs
from pipelines.chains.raw_schemas import STAKING_EVENTS_SCHEMA, TOKEN_TRANSFERS_SCHEMA, VAULT_SNAPSHOTS_SCHEMA
from pipelines.chains.evm._events import decode_staking_logs, load_fragment


@dataclass(frozen=True)
class FetchedWindow:
    """Decoded rows of a window, and the blocks they cover (None when no block fell in it)."""

    rows: pa.Table
    first_block: int | None
    last_block: int | None
    safe_head: int


def fetch_token_transfers(
    client: EvmClient,
    tokens: list[Token],
    first_day: date,
    last_day: date,
    *,
    source: str,
    confirmations: int = 0,
    chunk_blocks: int = 2_000,
) -> FetchedWindow:
    """All `Transfer` logs of `tokens` mined on UTC days first_day..last_day, decoded.

    Only blocks at least `confirmations` deep are read, so a window that reaches the
    chain head is read up to the safe head and completed by a later run.
    """
    by_address = {t.address: t for t in tokens}

    def decode(logs: list[dict], fetched_at: datetime) -> pa.Table:
        return decode_transfer_logs(logs, chain=client.chain, source=source, tokens=by_address,
                                    block_times=None if _all_stamped(logs) else _times(client, logs),
                                    fetched_at=fetched_at)

    return _read_window(client, list(by_address), [TRANSFER_TOPIC], first_day, last_day, confirmations=confirmations,
                        chunk_blocks=chunk_blocks, schema=TOKEN_TRANSFERS_SCHEMA, decode=decode)


def _read_window(client: EvmClient, addresses: list[str], topics: list[str], first_day: date, last_day: date, *,
                 confirmations: int, chunk_blocks: int, schema: pa.Schema,
                 decode: Callable[[list[dict], datetime], pa.Table]) -> FetchedWindow:
    """What every event fetch does: find the days' blocks below the safe head, read their logs in
    chunks, decode them; a decode error names the chain, block range and endpoint."""
    fetched_at = datetime.now(UTC)
    safe_head = client.block_number() - confirmations
    blocks = client.block_range_for_days(first_day, last_day, safe_head) if addresses and safe_head >= 0 else None
    if blocks is None:
        return FetchedWindow(schema.empty_table(), None, None, safe_head)
    logs = _logs_in_window(client, addresses, topics, blocks, chunk_blocks)
    try:
        rows = decode(logs, fetched_at)
    except DecodeError as exc:
        raise DecodeError(f"{client.chain} eth_getLogs blocks {blocks[0]}-{blocks[1]} ({client.rpc_url}): {exc}") from exc
    return FetchedWindow(rows, blocks[0], blocks[1], safe_head)


def _all_stamped(logs: list[dict]) -> bool:
    return all(isinstance(log, dict) and isinstance(log.get("blockTimestamp"), str) for log in logs)


def _times(client: EvmClient, logs: list[dict]) -> dict[int, int]:
    """Block time of every block the logs touch, one request per distinct block."""
    numbers = sorted({int(number, 16) for number in (log.get("blockNumber") for log in logs if isinstance(log, dict))
                      if isinstance(number, str) and re.fullmatch(HEX_QUANTITY, number)})  # bad ones: decode names them
    return dict(zip(numbers, client.map_concurrently(client.block_timestamp, numbers), strict=True))


def _logs_in_window(client: EvmClient, addresses: list[str], topics: list[str], blocks: tuple[int, int],
                    chunk_blocks: int) -> list[dict]:
    """Logs of blocks[0]..blocks[1] in the node's order, read `chunk_blocks` at a time (concurrently)."""
    def chunk(start: int) -> list[dict]:
        return _split_on_refusal(client, addresses, topics, start, min(start + chunk_blocks - 1, blocks[1]))

    chunks = client.map_concurrently(chunk, range(blocks[0], blocks[1] + 1, chunk_blocks))
    return [log for logs in chunks for log in logs]


def _split_on_refusal(client: EvmClient, addresses: list[str], topics: list[str], start: int, end: int) -> list[dict]:
    """`eth_getLogs` for any of `topics`; halve the range when the node refuses or times out on it."""
    try:
        return client.get_logs(addresses, topics, start, end)
    except (RpcRefused, RpcUnavailable):
        if start == end:
            raise
        middle = (start + end) // 2
        return (_split_on_refusal(client, addresses, topics, start, middle)
                + _split_on_refusal(client, addresses, topics, middle + 1, end))


def fetch_staking_events(
    client: EvmClient,
    programs: list[Program],
    tokens: dict[str, Token],
    first_day: date,
    last_day: date,
    *,
    source: str,
    confirmations: int = 0,
    chunk_blocks: int = 2_000,
) -> FetchedWindow:
    """Events of staking pools and ERC-4626 vaults (per their ABI fragments) on days first..last."""
    with_events = {p.address: p for p in programs if p.abi}
    topics = sorted({spec.topic0 for p in with_events.values() for spec in load_fragment(p.abi)})

    def decode(logs: list[dict], fetched_at: datetime) -> pa.Table:
        return decode_staking_logs(logs, chain=client.chain, source=source, programs=with_events, tokens=tokens,
                                   fetched_at=fetched_at)

    return _read_window(client, list(with_events), topics, first_day, last_day, confirmations=confirmations,
                        chunk_blocks=chunk_blocks, schema=STAKING_EVENTS_SCHEMA, decode=decode)


def _selector(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()[:8]


def fetch_vault_snapshots(
    client: EvmClient,
    vaults: list[Program],
    tokens: dict[str, Token],
    first_day: date,
    last_day: date,
    *,
    source: str,
    confirmations: int = 0,
) -> pa.Table:
    """NAV of each ERC-4626 vault at the last block of every day: totalAssets, totalSupply, convertToAssets(1 share)."""
    fetched_at = datetime.now(UTC)
    safe_head = client.block_number() - confirmations
    rows = []
    day = first_day
    while day <= last_day and safe_head >= 0:
        blocks = client.block_range_for_days(day, day, safe_head)
        if blocks is not None:
            block = blocks[1]
            stamp = client.block_timestamp(block)
            for vault in vaults:
                decimals = tokens[vault.network].decimals
                one_share = hex(10**decimals)[2:].rjust(64, "0")
                reads: dict[str, int] = {}
                for name, data in (("total_assets", _selector("totalAssets()")),
                                   ("total_supply", _selector("totalSupply()")),
                                   ("per_share", _selector("convertToAssets(uint256)") + one_share)):
                    detail = f"{vault.address} {name} at block {block}"
                    answer = client.call("eth_call", [{"to": vault.address, "data": data}, hex(block)], detail=detail)
                    if answer == "0x":  # no contract there yet at this block: no snapshot for the day
                        break
                    if not isinstance(answer, str) or not answer.startswith("0x") or len(answer) != 66:
                        raise MalformedResponse(f"expected one uint256 word, got {str(answer)[:80]!r}",
                                                chain=client.chain, method="eth_call", detail=detail)
                    reads[name] = int(answer, 16)
                    if reads[name] >= 10**38:
                        raise DecodeError(f"{detail}: {reads[name]} does not fit DECIMAL(38,0)")
                if len(reads) < 3:
                    continue
                rows.append({
                    "network": vault.network, "chain": client.chain, "source": source, "vault": vault.address,
                    "asset_decimals": decimals, "total_assets_raw": reads["total_assets"],
                    "total_supply_raw": reads["total_supply"], "assets_per_share_raw": reads["per_share"],
                    "block_number": block, "block_time": datetime.fromtimestamp(stamp, UTC), "block_day": day,
                    "fetched_at": fetched_at,
                })
        day += timedelta(days=1)
    return pa.Table.from_pylist(rows, schema=VAULT_SNAPSHOTS_SCHEMA)
