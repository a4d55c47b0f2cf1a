"""Fetch one window of days of ERC-20 transfers: block range by time, logs in chunks, decode."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyarrow as pa

from depinlens.registry import Token
from pipelines.chains.errors import DecodeError, RpcRefused, RpcUnavailable
from pipelines.chains.evm._client import TRANSFER_TOPIC, EvmClient
from pipelines.chains.evm._decode import TOKEN_TRANSFERS_SCHEMA, decode_transfer_logs


@dataclass(frozen=True)
class FetchedTransfers:
    """Decoded rows of a window, and the blocks they cover (None when no block fell in it)."""

    rows: pa.Table
    first_block: int | None
    last_block: int | None
    safe_head: int


def _logs_split_on_refusal(client: EvmClient, addresses: list[str], start: int, end: int) -> list[dict]:
    """`eth_getLogs` over [start, end]; halve the range when the node refuses or times out on it."""
    try:
        return client.get_logs(addresses, TRANSFER_TOPIC, start, end)
    except (RpcRefused, RpcUnavailable):
        if start == end:
            raise
        middle = (start + end) // 2
        return (_logs_split_on_refusal(client, addresses, start, middle)
                + _logs_split_on_refusal(client, addresses, middle + 1, end))


def fetch_token_transfers(
    client: EvmClient,
    tokens: list[Token],
    first_day: date,
    last_day: date,
    *,
    source: str,
    confirmations: int = 0,
    chunk_blocks: int = 2_000,
) -> FetchedTransfers:
    """All `Transfer` logs of `tokens` mined on UTC days first_day..last_day, decoded.

    Only blocks at least `confirmations` deep are read, so a window that reaches the
    chain head is read up to the safe head and completed by a later run.
    """
    fetched_at = datetime.now(UTC)
    safe_head = client.block_number() - confirmations
    by_address = {t.address: t for t in tokens}
    if safe_head < 0 or not tokens:
        return FetchedTransfers(TOKEN_TRANSFERS_SCHEMA.empty_table(), None, None, safe_head)
    blocks = client.block_range_for_days(first_day, last_day, safe_head)
    if blocks is None:
        return FetchedTransfers(TOKEN_TRANSFERS_SCHEMA.empty_table(), None, None, safe_head)
    logs: list[dict] = []
    for start in range(blocks[0], blocks[1] + 1, chunk_blocks):
        logs += _logs_split_on_refusal(client, list(by_address), start, min(start + chunk_blocks - 1, blocks[1]))
    try:
        rows = decode_transfer_logs(logs, chain=client.chain, source=source, tokens=by_address,
                                    block_times=None if _all_stamped(logs) else _times(client, logs),
                                    fetched_at=fetched_at)
    except DecodeError as exc:
        raise DecodeError(f"{client.chain} eth_getLogs blocks {blocks[0]}-{blocks[1]} ({client.rpc_url}): {exc}") from exc
    return FetchedTransfers(rows, blocks[0], blocks[1], safe_head)


def _all_stamped(logs: list[dict]) -> bool:
    return all(isinstance(log, dict) and isinstance(log.get("blockTimestamp"), str) for log in logs)


def _times(client: EvmClient, logs: list[dict]) -> dict[int, int]:
    """Block time of every block the logs touch, one request per distinct block."""
    numbers = {int(log["blockNumber"], 16) for log in logs
               if isinstance(log, dict) and isinstance(log.get("blockNumber"), str)
               and log["blockNumber"].startswith("0x")}
    return {n: client.block_timestamp(n) for n in numbers}
