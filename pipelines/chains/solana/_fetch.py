"""Fetch one window of UTC days from a Solana node: page signatures, fetch, decode.

Token movements: every signature that touched a registry mint in the window
(`getSignaturesForAddress`, newest first, paged with `before` until the page reaches
the window's start), minus failed ones, fetched in batches of `getTransaction`
(jsonParsed), with each slot's blockhash from a `getBlock` header.

Limitation (documented, not hidden): paging by mint finds every mint, burn and checked
transfer (those name the mint), but a plain SPL `transfer` does not list the mint
among its accounts; it is found only when its transaction touches the mint otherwise.
Revenue (burns) and emissions (mints) are complete; plain transfers may be partial.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa

from depinlens.registry import Program, Token
from pipelines.chains.errors import DecodeError
from pipelines.chains.solana._base58 import b58encode
from pipelines.chains.solana._client import MAX_SIGNATURES_PER_PAGE, SolanaClient
from pipelines.chains.raw_schemas import TOKEN_TRANSFERS_SCHEMA
from pipelines.chains.solana._decode import decode_token_movements, token_transfer_rows
from pipelines.chains.solana._jobs import (
    JobRows,
    decode_accounts,
    decode_job_instructions,
    job_rows,
    stake_rows,
)
from pipelines.chains.solana._nosana import (
    JOB_ACCOUNT_DISCRIMINATOR,
    JOB_ACCOUNT_SIZE,
    STAKE_ACCOUNT_DISCRIMINATOR,
    STAKE_ACCOUNT_SIZE,
)


def window_seconds(first_day: date, last_day: date) -> tuple[int, int]:
    """[start, end) unix seconds of UTC days first_day..last_day."""
    start = int(datetime.combine(first_day, time(), tzinfo=UTC).timestamp())
    end = int(datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC).timestamp())
    return start, end


def signatures_in_window(client: SolanaClient, address: str, start: int, end: int, *,
                         page_limit: int = MAX_SIGNATURES_PER_PAGE, until: str | None = None) -> list[dict]:
    """Signature records of `address` with block time in [start, end), oldest first.

    Pages newest-first with `before` = the last signature of the previous page, and stops
    at the first page that reaches back before `start` (or at `until`, or the first record).
    """
    found: list[dict] = []
    before: str | None = None
    while True:
        page = client.signatures_for_address(address, before=before, until=until, limit=page_limit)
        reached_start = False
        for record in page:
            when = record["blockTime"] if record.get("blockTime") is not None else client.block_time(record["slot"])
            if when < start:
                reached_start = True
                break
            if when < end:
                found.append({**record, "blockTime": when})
        if reached_start or len(page) < page_limit:
            break
        before = page[-1]["signature"]
    found.reverse()
    return found


@dataclass(frozen=True)
class FetchedTransfers:
    """Decoded raw.token_transfers rows of a window, and what was read to get them."""

    rows: pa.Table
    signatures: int
    failed: int
    first_slot: int | None
    last_slot: int | None


def _successful(records: list[dict]) -> tuple[list[dict], int]:
    ok = [r for r in records if r.get("err") is None]
    return ok, len(records) - len(ok)


def fetch_token_transfers(client: SolanaClient, tokens: list[Token], first_day: date, last_day: date, *,
                          source: str, page_limit: int = MAX_SIGNATURES_PER_PAGE,
                          batch_size: int = 100) -> FetchedTransfers:
    """Every SPL movement of `tokens` (registry mints of one chain) on UTC days first_day..last_day."""
    fetched_at = datetime.now(UTC)
    start, end = window_seconds(first_day, last_day)
    by_signature: dict[str, dict] = {}
    for token in tokens:
        for record in signatures_in_window(client, token.address, start, end, page_limit=page_limit):
            by_signature[record["signature"]] = record
    records, failed = _successful(sorted(by_signature.values(), key=lambda r: (r["slot"], r["signature"])))
    if not records:
        return FetchedTransfers(TOKEN_TRANSFERS_SCHEMA.empty_table(), 0, failed, None, None)
    where = f"{client.chain} getTransaction {first_day}..{last_day} ({client.rpc_url})"
    parts = []
    for start_at in range(0, len(records), batch_size):  # decode batch by batch: memory stays flat
        answers = client.transactions([r["signature"] for r in records[start_at:start_at + batch_size]],
                                      batch_size=batch_size)
        try:
            parts.append(decode_token_movements(answers))
        except DecodeError as exc:
            raise DecodeError(f"{where}: {exc}") from exc
    movements = pa.concat_tables(parts)
    slots = sorted(set(movements["slot"].to_pylist()))
    headers = client.blocks(slots, batch_size=batch_size)
    try:
        rows = token_transfer_rows(movements, chain=client.chain, source=source,
                                   tokens={t.address: t for t in tokens},
                                   block_hashes={s: h["blockhash"] for s, h in headers.items()},
                                   fetched_at=fetched_at)
    except DecodeError as exc:
        raise DecodeError(f"{where}: {exc}") from exc
    return FetchedTransfers(rows, len(records), failed, records[0]["slot"], records[-1]["slot"])


def _discriminator_filters(discriminator: bytes, size: int) -> list[dict]:
    return [{"dataSize": size}, {"memcmp": {"offset": 0, "bytes": b58encode(discriminator)}}]


@dataclass(frozen=True)
class FetchedJobs:
    """raw.jobs rows of a window, the snapshot slot they were read at, and the counts behind them."""

    jobs: JobRows
    slot: int
    instructions: int


def fetch_nosana_jobs(client: SolanaClient, jobs_program: Program, price_token: Token, first_day: date,
                      last_day: date, *, source: str, page_limit: int = MAX_SIGNATURES_PER_PAGE,
                      batch_size: int = 100) -> FetchedJobs:
    """Job accounts of the Jobs program (current state) plus its window's instructions."""
    fetched_at = datetime.now(UTC)
    slot, entries = client.program_accounts(jobs_program.address,
                                            _discriminator_filters(JOB_ACCOUNT_DISCRIMINATOR, JOB_ACCOUNT_SIZE))
    where = f"{client.chain} Nosana jobs {first_day}..{last_day} ({client.rpc_url})"
    try:
        accounts = decode_accounts(entries, program=jobs_program.address, kind="job")
    except DecodeError as exc:
        raise DecodeError(f"{where}: {exc}") from exc
    start, end = window_seconds(first_day, last_day)
    records, _ = _successful(signatures_in_window(client, jobs_program.address, start, end, page_limit=page_limit))
    answers = client.transactions([r["signature"] for r in records], batch_size=batch_size)
    try:
        events = decode_job_instructions(answers, program=jobs_program.address)
    except DecodeError as exc:
        raise DecodeError(f"{where}: {exc}") from exc
    rows = job_rows(accounts, events, chain=client.chain, source=source, network=jobs_program.network,
                    price_denom=price_token.address, first_day=first_day, last_day=last_day, fetched_at=fetched_at)
    return FetchedJobs(rows, slot, events.num_rows)


@dataclass(frozen=True)
class FetchedStakes:
    """Stake-account snapshot rows and the slot and time they were read at."""

    rows: pa.Table
    slot: int
    snapshot_time: int
    accounts: int


def fetch_nosana_stakes(client: SolanaClient, staking_program: Program, staked_token: Token, *,
                        source: str) -> FetchedStakes:
    """Every StakeAccount of the Staking program, as of the node's current slot."""
    fetched_at = datetime.now(UTC)
    slot, entries = client.program_accounts(staking_program.address,
                                            _discriminator_filters(STAKE_ACCOUNT_DISCRIMINATOR, STAKE_ACCOUNT_SIZE))
    try:
        accounts = decode_accounts(entries, program=staking_program.address, kind="stake")
    except DecodeError as exc:
        raise DecodeError(f"{client.chain} Nosana stakes ({client.rpc_url}): {exc}") from exc
    snapshot_time = client.block_time(slot)
    rows = stake_rows(accounts, chain=client.chain, source=source, network=staking_program.network,
                      unit=staked_token.address, slot=slot, snapshot_time=snapshot_time, fetched_at=fetched_at)
    return FetchedStakes(rows, slot, snapshot_time, len(accounts))
