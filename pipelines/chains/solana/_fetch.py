"""Read UTC days of a Solana node through the accounts that carry each signal.

An account's signatures are paged newest first (`getSignaturesForAddress`, 1,000 a page), so a
window is walked from its newest day back: `AccountPager` hands out one day's signatures at a
time, and the caller fetches that day's transactions (`getTransaction`, batched), decodes and
stores them before asking for the previous day. Paging starts just above the window (at a
signature the ledger knows from a later finished day, or the node's head) and stops at the
newest signature stored before it (`until`), so a daily run reads only the new day's pages and a
resumed backfill continues where it stopped. Failed transactions are listed but not fetched.

`HistoryPager` is the same walk through Helius' `getTransactionsForAddress` (a provider-specific,
paid method): each page carries up to 100 full transactions, so a day costs a call per 100
transactions instead of one per transaction. It lists the same signatures for each day (the
window's block times bound it instead of the `before`/`until` signatures, which always lie
outside the days being read) and the records carry their transactions, which
`transactions_of` then hands to the decoder instead of asking `getTransaction`. The price: one
day of an account's transactions is held in memory until that day is decoded.

Token movements read `getTransaction` answers and pages as typed structs of only the fields
the token decoder reads (`_wire.py`: msgspec straight from the answer's bytes; an answer that
does not fit them comes parsed, as before); Nosana's job instructions read parsed JSON.

Limitation (documented, not hidden): a plain SPL `transfer` does not name its mint, so reading
by a mint misses plain transfers whose transaction touches the mint nowhere else. Burns, mints
and checked transfers name it; reading by a wallet sees every transaction of that wallet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pyarrow as pa
from msgspec.structs import replace

from depinlens.registry import Program, Token
from pipelines.chains.errors import ConfigError, DecodeError, MalformedResponse, RpcRefused
from pipelines.chains.raw_schemas import SUPPLY_SNAPSHOTS_SCHEMA, TOKEN_TRANSFERS_SCHEMA
from pipelines.chains.solana._base58 import b58encode
from pipelines.chains.solana._client import MAX_FULL_TRANSACTIONS_PER_PAGE, MAX_SIGNATURES_PER_PAGE, SolanaClient
from pipelines.chains.solana._decode import decode_token_movements, token_transfer_rows
from pipelines.chains.solana._jobs import (
    JOB_EVENTS_SCHEMA,
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
from pipelines.chains.solana._wire import HistoryTransaction

JOB_STATE_OFFSET = 208  # JobAccount: 8 discriminator + 32 ipfs_job + 32 ipfs_result + 4 pubkeys + 8 price
JOB_TIME_END_OFFSET = 209


def window_seconds(first_day: date, last_day: date) -> tuple[int, int]:
    """[start, end) unix seconds of UTC days first_day..last_day."""
    start = int(datetime.combine(first_day, time(), tzinfo=UTC).timestamp())
    end = int(datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC).timestamp())
    return start, end


@dataclass(frozen=True)
class SignatureRecord:
    """One entry of `getSignaturesForAddress`, with its block time resolved (and, read through
    `getTransactionsForAddress`, the successful transaction itself, as `getTransaction` renders it)."""

    signature: str
    slot: int
    block_time: int
    failed: bool
    answer: Any = field(default=None, compare=False, repr=False)  # parsed JSON, or a _wire.HistoryTransaction


class AccountPager:
    """One account's signatures, newest first, handed out one UTC day at a time (newest day first).

    Args:
        before: start paging below this signature (None: at the node's head).
        until: stop paging at this signature (exclusive), the newest already stored.
    """

    def __init__(self, client: SolanaClient, account: str, *, before: str | None = None, until: str | None = None,
                 page_limit: int = MAX_SIGNATURES_PER_PAGE) -> None:
        self.client, self.account, self.until, self.page_limit = client, account, until, page_limit
        self._before = before
        self._buffer: list[SignatureRecord] = []  # newest first, not yet handed out
        self._exhausted = False
        self.pages = 0

    def _pull(self) -> None:
        page = self.client.signatures_for_address(self.account, before=self._before, until=self.until,
                                                  limit=self.page_limit)
        self.pages += 1
        for item in page:
            when = item["blockTime"] if item.get("blockTime") is not None else self.client.block_time(item["slot"])
            self._buffer.append(SignatureRecord(item["signature"], item["slot"], when, item.get("err") is not None))
        if len(page) < self.page_limit:
            self._exhausted = True
        else:
            self._before = page[-1]["signature"]

    def take_day(self, start: int, end: int) -> list[SignatureRecord]:
        """The account's signatures with block time in [start, end), oldest first.

        Signatures newer than `end` are dropped (the caller walks days newest first, so they
        belong to days already handled or outside the window).
        """
        while not self._exhausted and (not self._buffer or self._buffer[-1].block_time >= start):
            self._pull()
        day = []
        while self._buffer and self._buffer[0].block_time >= start:
            record = self._buffer.pop(0)
            if record.block_time < end:
                day.append(record)
        day.reverse()
        return day


class HistoryMethodRefused(ConfigError):
    """The endpoint does not offer the history method the configuration asks for."""


class HistoryPager(AccountPager):
    """An account's transactions in full through Helius' `getTransactionsForAddress`, newest first, handed
    out one UTC day at a time like `AccountPager`'s signatures (each record carrying its transaction).

    Args:
        start, end: [start, end) unix seconds of the days to read (the pending window).
        refusal_hint: what the user should do when the endpoint lacks the method (names the setting).
        typed: read pages into `_wire.HistoryTransaction` structs where they fit (only the fields the
            token decoder reads: for token movements, not for Nosana's job instructions).
    """

    def __init__(self, client: SolanaClient, account: str, *, start: int, end: int,
                 page_limit: int = MAX_FULL_TRANSACTIONS_PER_PAGE,
                 refusal_hint: str = "read through the standard methods instead", typed: bool = False) -> None:
        super().__init__(client, account, page_limit=min(page_limit, MAX_FULL_TRANSACTIONS_PER_PAGE))
        self.start, self.end, self.refusal_hint, self.typed = start, end, refusal_hint, typed
        self._token: str | None = None

    def _pull(self) -> None:
        try:
            page, token = self.client.transactions_for_address(self.account, start=self.start, end=self.end,
                                                               pagination_token=self._token, limit=self.page_limit,
                                                               typed=self.typed)
        except RpcRefused as exc:
            if exc.code == -32601 or (exc.code is not None and 400 <= exc.code < 500):
                why = "JSON-RPC error -32601, method not found" if exc.code == -32601 else f"HTTP {exc.code}"
                raise HistoryMethodRefused(
                    f"{self.client.chain}: the endpoint does not offer getTransactionsForAddress ({why}); it is "
                    f"Helius' own method, on its paid plans (Developer and up); {self.refusal_hint}") from None
            raise
        self.pages += 1
        for entry in page:
            if isinstance(entry, HistoryTransaction):
                self._buffer.append(self._typed_record(entry))
                continue
            when = entry["blockTime"] if entry.get("blockTime") is not None else self.client.block_time(entry["slot"])
            meta = entry.get("meta")
            failed = isinstance(meta, dict) and meta.get("err") is not None
            answer = None if failed else entry if entry.get("blockTime") is not None else {**entry, "blockTime": when}
            self._buffer.append(SignatureRecord(entry["transaction"]["signatures"][0], entry["slot"], when, failed,
                                                answer))
        if token is not None and token == self._token:
            raise MalformedResponse(f"the next page's token is this page's ({token}): paging would never end",
                                    chain=self.client.label, method="getTransactionsForAddress",
                                    detail=f"address {self.account}")
        self._token = token
        self._exhausted = token is None

    def _typed_record(self, entry: HistoryTransaction) -> SignatureRecord:
        """The record of a typed entry, as `_pull` makes it of a parsed one."""
        when = entry.block_time if entry.block_time is not None else self.client.block_time(entry.slot)
        failed = entry.meta.err is not None
        answer = None if failed else entry if entry.block_time is not None else replace(entry, block_time=when)
        return SignatureRecord(entry.transaction.signatures[0], entry.slot, when, failed, answer)


def transactions_of(client: SolanaClient, records: Sequence[SignatureRecord], *, typed: bool = False) -> list[Any]:
    """The transactions of `records`, in order: those the records carry, the others through `getTransaction`
    (with `typed`, read into `_wire.Transaction` structs where an answer fits them: for the token decoder)."""
    missing = [r.signature for r in records if r.answer is None]
    fetched = iter(client.transactions(missing, typed=typed) if missing else ())
    return [r.answer if r.answer is not None else next(fetched) for r in records]


def day_span(day: date) -> tuple[int, int]:
    """[start, end) unix seconds of one UTC day."""
    return window_seconds(day, day)


def successful(records: Iterable[SignatureRecord]) -> list[SignatureRecord]:
    """Distinct successful signatures, in slot order (failed transactions moved nothing)."""
    unique = {r.signature: r for r in records if not r.failed}
    return sorted(unique.values(), key=lambda r: (r.slot, r.signature))


def read_token_movements(client: SolanaClient, records: Sequence[SignatureRecord], tokens: Sequence[Token], *,
                         source: str, batch_size: int = 100) -> pa.Table:
    """raw.token_transfers rows of `tokens` in the transactions of `records` (decoded batch by batch)."""
    ok = successful(records)
    if not ok:
        return TOKEN_TRANSFERS_SCHEMA.empty_table()
    fetched_at = datetime.now(UTC)
    by_mint = {t.address: t for t in tokens}
    parts = []
    for start in range(0, len(ok), batch_size):  # decode a batch at a time: memory stays flat
        answers = transactions_of(client, ok[start:start + batch_size], typed=True)
        try:
            movements = decode_token_movements(answers)
            parts.append(token_transfer_rows(movements, chain=client.chain, source=source, tokens=by_mint,
                                             fetched_at=fetched_at))
        except DecodeError as exc:
            raise DecodeError(f"{client.label} getTransaction: {exc}") from exc
    return pa.concat_tables(parts).sort_by([("block_number", "ascending"), ("tx_hash", "ascending"),
                                            ("log_index", "ascending"), ("inner_index", "ascending")])


def _filters(discriminator: bytes, size: int, *extra: tuple[int, bytes]) -> list[dict]:
    return [{"dataSize": size}, {"memcmp": {"offset": 0, "bytes": b58encode(discriminator)}},
            *({"memcmp": {"offset": offset, "bytes": b58encode(value)}} for offset, value in extra)]


def read_job_day(client: SolanaClient, records: Sequence[SignatureRecord], jobs_program: Program, price_token: Token,
                 day: date, *, source: str) -> tuple[JobRows, int]:
    """raw.jobs rows of the jobs the Jobs program's transactions of `day` touched, and how many
    of those jobs' accounts are closed (their current state cannot be read)."""
    ok = successful(records)
    answers = transactions_of(client, ok)
    where = f"{client.label} Nosana jobs {day}"
    try:
        events = decode_job_instructions(answers, program=jobs_program.address)
        touched = sorted({job for job in events.column("job").to_pylist() if job})
        entries = client.multiple_accounts(touched) if touched else []
        accounts = decode_accounts([e for e in entries if e is not None], program=jobs_program.address, kind="job")
    except DecodeError as exc:
        raise DecodeError(f"{where}: {exc}") from exc
    rows = job_rows(accounts, events, chain=client.chain, source=source, network=jobs_program.network,
                    price_denom=price_token.address, first_day=day, last_day=day)
    return rows, sum(e is None for e in entries)


@dataclass(frozen=True)
class Snapshot:
    """Rows read as of one slot, and that slot's time."""

    rows: pa.Table
    slot: int
    time: datetime
    accounts: int


def read_open_jobs(client: SolanaClient, jobs_program: Program, price_token: Token, *, source: str) -> Snapshot:
    """Every queued or running job (state 0, no end time) of the Jobs program, as of the node's slot."""
    slot, entries = client.program_accounts(jobs_program.address, _filters(
        JOB_ACCOUNT_DISCRIMINATOR, JOB_ACCOUNT_SIZE, (JOB_STATE_OFFSET, b"\x00"), (JOB_TIME_END_OFFSET, bytes(8))))
    try:
        accounts = decode_accounts(entries, program=jobs_program.address, kind="job")
    except DecodeError as exc:
        raise DecodeError(f"{client.label} Nosana open jobs: {exc}") from exc
    at = datetime.fromtimestamp(client.block_time(slot), UTC)
    rows = job_rows(accounts, JOB_EVENTS_SCHEMA.empty_table(), chain=client.chain, source=source, network=jobs_program.network,
                    price_denom=price_token.address, first_day=at.date(), last_day=at.date())
    return Snapshot(rows.rows, slot, at, len(accounts))


def read_stakes(client: SolanaClient, staking_program: Program, staked_token: Token, *, source: str) -> Snapshot:
    """Every StakeAccount of the Staking program, as of the node's slot."""
    slot, entries = client.program_accounts(staking_program.address,
                                            _filters(STAKE_ACCOUNT_DISCRIMINATOR, STAKE_ACCOUNT_SIZE))
    try:
        accounts = decode_accounts(entries, program=staking_program.address, kind="stake")
    except DecodeError as exc:
        raise DecodeError(f"{client.label} Nosana stakes: {exc}") from exc
    stamp = client.block_time(slot)
    rows = stake_rows(accounts, chain=client.chain, source=source, network=staking_program.network,
                      unit=staked_token.address, slot=slot, snapshot_time=stamp)
    return Snapshot(rows, slot, datetime.fromtimestamp(stamp, UTC), len(accounts))


def read_supplies(client: SolanaClient, tokens: Sequence[Token], *, source: str) -> Snapshot:
    """`getTokenSupply` of each mint, as of the node's slot (run right after a day ends)."""
    fetched_at = datetime.now(UTC)
    rows, slots = [], []
    for token in tokens:
        slot, supply, decimals = client.token_supply(token.address)
        if decimals != token.decimals:
            raise DecodeError(f"{client.label} getTokenSupply {token.address}: the chain says {decimals} decimals, "
                              f"the registry says {token.decimals}; fix networks.toml")
        if supply >= 10**38:
            raise DecodeError(f"{client.label} getTokenSupply {token.address}: {supply} does not fit DECIMAL(38,0)")
        at = datetime.fromtimestamp(client.block_time(slot), UTC)
        slots.append((slot, at))
        rows.append({"network": token.network, "chain": client.chain, "source": source, "token_symbol": token.symbol,
                     "token_address": token.address, "decimals": token.decimals, "supply_raw": supply,
                     "block_number": slot, "block_time": at, "snapshot_day": at.date(), "fetched_at": fetched_at})
    slot, at = max(slots) if slots else (0, fetched_at)
    return Snapshot(pa.Table.from_pylist(rows, schema=SUPPLY_SNAPSHOTS_SCHEMA), slot, at, len(rows))


def paging_bounds(anchors: dict[date, tuple[str | None, str | None]], pending: Sequence[date],
                  newest: tuple[date, str] | None = None) -> tuple[str | None, str | None]:
    """(`before`, `until`) for paging an account over the `pending` days.

    Args:
        anchors: finished day -> (its oldest, its newest signature) of the account.
        newest: (day, signature) of the account's cursor: the newest signature ever stored.

    `before` is the oldest signature of the first finished day after the window (None: start
    at the head); `until` the newest signature stored before the window (None: page until the
    window's first day is passed).
    """
    first, last = min(pending), max(pending)
    later = sorted(d for d, (oldest, _) in anchors.items() if d > last and oldest)
    earlier = sorted(d for d, (_, newest_ref) in anchors.items() if d < first and newest_ref)
    before = anchors[later[0]][0] if later else None
    until_day, until = (earlier[-1], anchors[earlier[-1]][1]) if earlier else (None, None)
    if newest is not None and newest[0] < first and (until_day is None or newest[0] > until_day):
        until = newest[1]
    return before, until
