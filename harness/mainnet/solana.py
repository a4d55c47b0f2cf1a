"""A mainnet-shaped Solana JSON-RPC provider on 127.0.0.1, and the truth a test checks a warehouse against.

Answers as an Agave 2.x node behind Solana's public endpoint: getSignaturesForAddress pages
newest first exactly as Agave's blockstore does (`before` and `until` exclusive, an unknown
`before` gives [], an unknown `until` no lower bound, limit 1..1000), getTransaction renders
jsonParsed/json/base64 (null for an unknown signature; -32015 for a version-0 transaction
asked without maxSupportedTransactionVersion), getTokenSupply, getProgramAccounts (dataSize and
memcmp filters, dataSlice, withContext), getMultipleAccounts, getAccountInfo, getBlockTime,
getSlot, getBlockHeight, getHealth, getVersion; and, when built with
`get_transactions_for_address=True` (a provider that offers it, as Helius' paid plans do), Helius'
getTransactionsForAddress (harness/mainnet/_solana_history.py; otherwise -32601 "Method not found",
as standard nodes answer). Limits default to the public endpoint's: 100 requests / 10 s overall,
40 / 10 s per method (getTransactionsForAddress too), 40 connections; 429 with Retry-After and the
endpoint's own message.

Traffic per day (see `volumes.SolanaVolumes`): each mint's transfers, mints and burns; its burn
wallet's burns (some inside a CPI) and incoming transfers, listed under the wallet, its token
account and the mint alike; the Nosana Jobs program's list/work/finish/end transactions; a
seeded share of failed transactions (meta.err set, no token movement).
"""

from __future__ import annotations

import base64
import heapq
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import orjson
from solders.pubkey import Pubkey
from solders.signature import Signature

from harness.mainnet._jsonrpc import JsonRpcProvider, RpcError
from harness.mainnet._limits import Limits, Refusal
from harness.mainnet._nosana import (
    JOB_FIELDS,
    MARKET_FIELDS,
    MARKET_SPACE,
    RUN_FIELDS,
    STAKE_FIELDS,
    JobsStream,
    Stakes,
    account_bytes,
)
from harness.mainnet._seeded import day_start, untag
from harness.mainnet._solana_chain import (
    TOKEN,
    BurnWalletStream,
    MintStream,
    SlotClock,
    Stream,
    address_numbers,
    ata,
    pubkey,
)
from harness.mainnet._solana_history import HistoryQuery, pagination_token, read_query
from harness.mainnet._solana_wire import (
    account_info,
    history_full_entry,
    history_signature_entry,
    signature_info,
    transaction_result,
)
from harness.mainnet.volumes import MAINNET_VOLUMES, SolanaVolumes
from harness.solana._parsed import ui_token_amount
from pipelines.chains.solana._base58 import b58decode

PUBLIC_LIMITS = Limits(window_s=10.0, per_window=100, per_method=40, max_concurrent=40)
MAX_SIGNATURES = 1_000
MAX_MULTIPLE_ACCOUNTS = 100
FINALIZED_LAG = 32  # slots between the confirmed and the finalized head
API_VERSION = "2.2.7"
JOBS_RANK = 1_000
Key = tuple[int, int, int]  # (slot, stream rank, index): block order


@dataclass(frozen=True)
class MintSpec:
    """A tracked SPL mint, and optionally the burn wallet whose burns are its revenue signal.

    Volumes left None come from the provider's `volumes`.
    """

    address: str
    decimals: int = 8
    initial_supply: int = 500_000_000 * 10**8
    signatures_per_day: int | None = None
    burn_wallet: str | None = None
    burns_per_day: int | None = None
    incoming_per_day: int | None = None


class SolanaMainnet(JsonRpcProvider):
    """Solana mainnet's RPC over days first_day..last_day (plus `history_days` before).

    Args:
        mints: tracked mints; default one 8-decimal mint with a burn wallet (Render-shaped),
            at addresses drawn from the seed. Pass the registry's addresses to serve those.
        volumes: daily figures (`MAINNET_VOLUMES.solana` unless given).
        jobs_program / staking_program / rewards_program / nos_mint: Nosana's addresses
            (default: drawn from the seed; the layouts are the official IDLs' either way).
        head_margin: slots after the last day's last slot the head starts at.
        limits: request windows, concurrency, batch size, flaky mode.
        get_transactions_for_address: also serve Helius' getTransactionsForAddress (a Helius paid
            plan); without it the method is unknown (-32601), as on any standard node.

    Example:
        with SolanaMainnet(date(2025, 6, 1), date(2025, 6, 30), volumes=TEST_VOLUMES.solana) as rpc:
            ... point the pipeline at f"{rpc.url}/api-key" ...
            rpc.movements(rpc.mints[0].burn_wallet, date(2025, 6, 2))  # the truth
    """

    def __init__(self, first_day: date, last_day: date, *, mints: tuple[MintSpec, ...] | None = None,
                 volumes: SolanaVolumes = MAINNET_VOLUMES.solana, seed: int = 0, jobs_program: str | None = None,
                 staking_program: str | None = None, rewards_program: str | None = None,
                 nos_mint: str | None = None, genesis_time: int | None = None, history_days: int = 1,
                 head_margin: int = 150, limits: Limits = PUBLIC_LIMITS,
                 get_transactions_for_address: bool = False, **kwargs: Any) -> None:
        super().__init__(limits, name="solana-mainnet", **kwargs)
        self.seed, self.volumes = seed, volumes
        self.clock = SlotClock(genesis_time if genesis_time is not None
                               else day_start(first_day) - 4 * 365 * 86_400)
        self.activity_from = first_day - timedelta(days=history_days)
        if mints is None:
            mints = (MintSpec(pubkey(seed, "mint", 0), burn_wallet=pubkey(seed, "burn-wallet", 0)),)
        self.mints = mints
        self.jobs_program = jobs_program or pubkey(seed, "jobs-program")
        self.staking_program = staking_program or pubkey(seed, "staking-program")
        self.nos_mint = nos_mint or pubkey(seed, "nos-mint")
        common = {"seed": seed, "clock": self.clock, "activity_from": self.activity_from,
                  "failed_fraction": volumes.failed_fraction}
        self.streams: list[Stream] = []
        for k, spec in enumerate(mints):
            self.streams.append(MintStream(rank=2 * k, listed_under=frozenset({spec.address}), mint=spec.address,
                                           decimals=spec.decimals, signatures_per_day=(
                                               spec.signatures_per_day if spec.signatures_per_day is not None
                                               else volumes.mint_signatures_per_day), **common))
            if spec.burn_wallet:
                wallet_account = ata(spec.burn_wallet, spec.address)
                self.streams.append(BurnWalletStream(
                    rank=2 * k + 1, listed_under=frozenset({spec.burn_wallet, wallet_account, spec.address}),
                    mint=spec.address, decimals=spec.decimals, wallet=spec.burn_wallet,
                    burns_per_day=spec.burns_per_day if spec.burns_per_day is not None else volumes.burns_per_day,
                    incoming_per_day=(spec.incoming_per_day if spec.incoming_per_day is not None
                                      else volumes.incoming_per_day),
                    router=pubkey(seed, "router", k), **common))
        self.jobs = JobsStream(rank=JOBS_RANK, listed_under=frozenset({self.jobs_program}),
                               program=self.jobs_program, rewards_program=rewards_program or pubkey(
                                   seed, "rewards-program"), nos_mint=self.nos_mint,
                               jobs_per_day=max(1, volumes.job_transactions_per_day // 3),
                               **{**common, "failed_fraction": 0.0})
        self.streams.append(self.jobs)
        self.stakes = Stakes(seed, self.staking_program, self.nos_mint, self.activity_from, volumes.stake_accounts,
                             max(1, volumes.stake_accounts // 200))
        self._by_rank = {s.rank: s for s in self.streams}
        self.head = self.clock.day_slots(last_day)[1] + head_margin
        self._supply_days: dict[tuple[str, date], int] = {}
        self.methods = {
            "getSignaturesForAddress": self._get_signatures_for_address,
            "getTransaction": self._get_transaction,
            "getBlockTime": self._get_block_time,
            "getSlot": lambda params: self._top(self._config(params, 0)),
            "getBlockHeight": lambda params: self._top(self._config(params, 0)) * 92 // 100,
            "getHealth": lambda params: "ok",
            "getVersion": lambda params: {"feature-set": 3294202862, "solana-core": API_VERSION},
            "getTokenSupply": self._get_token_supply,
            "getProgramAccounts": self._get_program_accounts,
            "getMultipleAccounts": self._get_multiple_accounts,
            "getAccountInfo": self._get_account_info,
        }
        if get_transactions_for_address:
            self.methods["getTransactionsForAddress"] = self._get_transactions_for_address

    # -- the public endpoint's texts ---------------------------------------------------------

    def _too_many_message(self, refusal: Refusal) -> tuple[int, str]:
        if refusal.scope == "method":
            return 429, "Too many requests for a specific RPC call, contact your app developer or support@rpcpool.com."
        return 429, "Too many requests from your IP, contact your app developer or support@rpcpool.com."

    # -- the head ------------------------------------------------------------------------------

    def advance(self, slots: int) -> int:
        """Make `slots` new slots (their transactions appear); returns the new head."""
        self.head += slots
        return self.head

    def day_slots(self, day: date) -> tuple[int, int]:
        """First and last slot of a UTC day (by blockTime)."""
        return self.clock.day_slots(day)

    def _top(self, config: dict[str, Any]) -> int:
        commitment = config.get("commitment", "finalized")
        if commitment == "processed":
            raise RpcError(-32602, "Method does not support commitment below `confirmed`")
        return self.head - FINALIZED_LAG if commitment in ("finalized", "max", "root") else self.head

    # -- parameters ----------------------------------------------------------------------------

    @staticmethod
    def _config(params: list, position: int) -> dict[str, Any]:
        if len(params) <= position or params[position] is None:
            return {}
        value = params[position]
        if isinstance(value, str):  # the legacy form: the encoding as a bare string
            return {"encoding": value}
        if not isinstance(value, dict):
            raise RpcError(-32602, "Invalid params: expected a configuration object")
        return value

    @staticmethod
    def _address(params: list) -> str:
        if not params or not isinstance(params[0], str):
            raise RpcError(-32602, "Invalid params: expected a base-58 encoded address")
        try:
            return str(Pubkey.from_string(params[0]))
        except ValueError:
            raise RpcError(-32602, "Invalid param: Invalid") from None

    def _locate(self, signature: str) -> tuple[Stream, date, int] | None:
        """(stream, day, index) of a signature this chain made, or None."""
        try:
            raw = bytes(Signature.from_string(signature))
        except ValueError:
            raise RpcError(-32602, "Invalid param: Invalid") from None
        found = untag(self.seed, "sig", raw, 3)
        if found is None:
            return None
        stream = self._by_rank.get(found[0])
        day = date.fromordinal(found[1])
        if stream is None or found[2] >= stream.count(day):
            return None
        return stream, day, found[2]

    # -- getSignaturesForAddress ------------------------------------------------------------------

    def _descending(self, stream: Stream, upper: Key, top: int) -> Iterator[tuple[Key, Stream, date, int]]:
        """The stream's transactions with key < upper and slot <= top, newest first."""
        slot_u, rank_u, index_u = upper
        day = self.clock.day_of(min(slot_u, top))
        first = True
        while day >= self.activity_from - timedelta(days=1):  # a job's `work` may precede the first day
            n = stream.count(day)
            if n:
                if not first:
                    j = n
                elif slot_u > top:
                    j = stream.first_at(day, top + 1)
                elif stream.rank < rank_u:
                    j = stream.first_at(day, slot_u + 1)
                elif stream.rank > rank_u:
                    j = stream.first_at(day, slot_u)
                else:
                    j = index_u
                for i in range(j - 1, -1, -1):
                    yield (stream.slot(day, i), stream.rank, i), stream, day, i
            first = False
            day -= timedelta(days=1)

    def history(self, address: str, *, before: str | None = None, until: str | None = None,
                limit: int = MAX_SIGNATURES, top: int | None = None) -> list[dict[str, Any]]:
        """One page of getSignaturesForAddress, as Agave pages it."""
        top = self.head - FINALIZED_LAG if top is None else top
        streams = [s for s in self.streams if address in s.listed_under]
        upper: Key = (top + 1, -1, -1)
        if before is not None:
            located = self._locate(before)
            if located is None or located[0].slot(located[1], located[2]) > top:
                return []  # Agave returns nothing when `before` is not a transaction it has
            stream, day, i = located
            upper = (stream.slot(day, i), stream.rank, i)
        lower: Key | None = None
        if until is not None:
            located = self._locate(until)
            if located is not None and located[0].slot(located[1], located[2]) <= top:
                stream, day, i = located
                lower = (stream.slot(day, i), stream.rank, i)
        page = []
        merged = heapq.merge(*(self._descending(s, upper, top) for s in streams), key=lambda t: t[0], reverse=True)
        finalized = self.head - FINALIZED_LAG
        for key, stream, day, i in merged:
            if len(page) == limit or (lower is not None and key <= lower):
                break
            failed_at = stream.error_instruction(day, i)
            err = None if failed_at is None else {"InstructionError": [failed_at, {"Custom": 1}]}
            page.append(signature_info(stream.signature(day, i), key[0], self.clock.time_of(key[0]), err,
                                       key[0] <= finalized))
        return page

    def _get_signatures_for_address(self, params: list) -> Any:
        address = self._address(params)
        config = self._config(params, 1)
        limit = config.get("limit")
        limit = MAX_SIGNATURES if limit is None else limit
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_SIGNATURES:
            raise RpcError(-32602, f"Invalid limit; max {MAX_SIGNATURES}")
        for name in ("before", "until"):
            if config.get(name) is not None and not isinstance(config[name], str):
                raise RpcError(-32602, "Invalid param: Invalid")
        return self.history(address, before=config.get("before"), until=config.get("until"), limit=limit,
                            top=self._top(config))

    # -- getTransactionsForAddress (Helius) ----------------------------------------------------

    def _ranked(self) -> list[Stream]:
        return sorted(self.streams, key=lambda s: s.rank)

    def transaction_index(self, key: Key) -> int:
        """Position of a transaction in its block (its `transactionIndex`): the chain's transactions of
        that slot in block order, (stream rank, index)."""
        slot, rank, i = key
        day, position = self.clock.day_of(slot), 0
        for stream in self._ranked():
            if stream.rank > rank or not stream.count(day):
                continue
            at = stream.first_at(day, slot)
            position += (i if stream.rank == rank else stream.first_at(day, slot + 1)) - at
        return position

    def _key_at(self, slot: int, position: int) -> Key:
        """The block-order key of the transaction at `position` in `slot` (past the last: after all of them)."""
        day = self.clock.day_of(slot)
        for stream in self._ranked():
            if not stream.count(day):
                continue
            at = stream.first_at(day, slot)
            n = stream.first_at(day, slot + 1) - at
            if position < n:
                return slot, stream.rank, at + position
            position -= n
        return slot, 1 << 30, position

    def _between(self, stream: Stream, first: int, last: int,
                 descending: bool) -> Iterator[tuple[Key, Stream, date, int]]:
        """The stream's transactions at slots first..last in block order (or reversed)."""
        if first > last:
            return
        low = max(self.clock.day_of(first), self.activity_from - timedelta(days=1))
        high = self.clock.day_of(last)
        span = [low + timedelta(days=n) for n in range((high - low).days + 1)]
        for day in reversed(span) if descending else span:
            if not stream.count(day):
                continue
            begin, end = stream.first_at(day, first), stream.first_at(day, last + 1)
            for i in range(end - 1, begin - 1, -1) if descending else range(begin, end):
                yield (stream.slot(day, i), stream.rank, i), stream, day, i

    @lru_cache(maxsize=4096)  # noqa: B019 - bounded; re-runs ask for the same pages
    def _full_entry(self, rank: int, day: date, i: int, encoding: str, index: int) -> orjson.Fragment:
        result = transaction_result(self._by_rank[rank].tx(day, i), seed=self.seed, encoding=encoding,
                                    with_version=False)
        return orjson.Fragment(orjson.dumps(history_full_entry(result, index)))

    def history_page(self, query: HistoryQuery, top: int) -> dict[str, Any]:
        """One page of getTransactionsForAddress for `query`, up to slot `top`."""
        addresses = {query.address}
        if query.token_accounts != "none":  # the address's token accounts of the tracked mints
            addresses |= {ata(query.address, spec.address) for spec in self.mints}
        streams = [s for s in self.streams if s.listed_under & addresses]
        first, last = query.first_slot, top if query.last_slot is None else min(query.last_slot, top)
        after = None
        if query.after is not None:
            after = self._key_at(*query.after)
            first, last = (first, min(last, after[0])) if query.descending else (max(first, after[0]), last)
        merged = heapq.merge(*(self._between(s, first, last, query.descending) for s in streams),
                             key=lambda t: t[0], reverse=query.descending)
        finalized = self.head - FINALIZED_LAG
        data: list[Any] = []
        last_key: Key | None = None
        for key, stream, day, i in merged:
            if after is not None and (key >= after if query.descending else key <= after):
                continue
            failed_at = stream.error_instruction(day, i)
            if not query.keeps(failed_at is not None):
                continue
            index = self.transaction_index(key)
            if query.details == "full":
                if stream.version(day, i) == 0 and not query.with_version:
                    raise RpcError(-32015, "Transaction version (0) is not supported by the requesting client. "
                                           "Please try the request again with the following configuration "
                                           "parameter: \"maxSupportedTransactionVersion\": 0")
                data.append(self._full_entry(stream.rank, day, i, query.encoding, index))
            else:
                err = None if failed_at is None else {"InstructionError": [failed_at, {"Custom": 1}]}
                data.append(history_signature_entry(stream.signature(day, i), key[0], index,
                                                    self.clock.time_of(key[0]), err, key[0] <= finalized))
            last_key = key
            if len(data) == query.limit:
                break
        more = len(data) == query.limit and last_key is not None
        return {"data": data,
                "paginationToken": pagination_token(last_key[0], self.transaction_index(last_key)) if more else None}

    def _get_transactions_for_address(self, params: list) -> Any:
        address = self._address(params)
        query = read_query(params, address, self.clock.slot_at)
        return self.history_page(query, self._top(self._config(params, 1)))

    # -- getTransaction ------------------------------------------------------------------------

    @lru_cache(maxsize=4096)  # noqa: B019 - bounded; retries and re-runs ask for the same answers
    def _rendered(self, rank: int, day: date, i: int, encoding: str, with_version: bool) -> orjson.Fragment:
        tx = self._by_rank[rank].tx(day, i)
        return orjson.Fragment(orjson.dumps(transaction_result(tx, seed=self.seed, encoding=encoding,
                                                               with_version=with_version)))

    def _get_transaction(self, params: list) -> Any:
        if not params or not isinstance(params[0], str):
            raise RpcError(-32602, "Invalid params: expected a base-58 encoded signature")
        config = self._config(params, 1)
        encoding = config.get("encoding", "json")
        if encoding not in ("jsonParsed", "json", "base64", "base58"):
            raise RpcError(-32602, f"Invalid params: unknown variant `{encoding}`, expected one of `binary`, "
                                   "`base64`, `base58`, `json`, `jsonParsed`.")
        top = self._top(config)
        located = self._locate(params[0])
        if located is None:
            return None
        stream, day, i = located
        if stream.slot(day, i) > top:
            return None
        with_version = config.get("maxSupportedTransactionVersion") is not None
        if stream.version(day, i) == 0 and not with_version:
            raise RpcError(-32015, "Transaction version (0) is not supported by the requesting client. Please try "
                                   "the request again with the following configuration parameter: "
                                   "\"maxSupportedTransactionVersion\": 0")
        return self._rendered(stream.rank, day, i, encoding, with_version)

    def _get_block_time(self, params: list) -> Any:
        if not params or not isinstance(params[0], int) or isinstance(params[0], bool) or params[0] < 0:
            raise RpcError(-32602, "Invalid params: invalid type: expected u64")
        if params[0] > self.head:
            raise RpcError(-32004, f"Block not available for slot {params[0]}")
        return self.clock.time_of(params[0])

    # -- supply --------------------------------------------------------------------------------

    def supply(self, mint: str, slot: int) -> int:
        """The mint's supply at `slot`: initial + mints - burns of successful transactions up to it."""
        spec = next((m for m in self.mints if m.address == mint), None)
        if spec is None:
            raise KeyError(f"{mint} is not a tracked mint")
        total, day, last = spec.initial_supply, self.activity_from, self.clock.day_of(slot)
        while day <= last:
            whole = day < last
            if whole and (mint, day) in self._supply_days:
                total += self._supply_days[(mint, day)]
            else:
                delta = sum(s.supply_delta(mint, day, None if whole else slot) for s in self.streams)
                if whole:
                    self._supply_days[(mint, day)] = delta
                total += delta
            day += timedelta(days=1)
        return total

    def _get_token_supply(self, params: list) -> Any:
        address = self._address(params)
        top = self._top(self._config(params, 1))
        spec = next((m for m in self.mints if m.address == address), None)
        if spec is None:
            raise RpcError(-32602, "Invalid param: not a Token mint")
        value = ui_token_amount(self.supply(address, top), spec.decimals)
        value["uiAmount"] = value["uiAmount"] or 0.0
        return {"context": {"apiVersion": API_VERSION, "slot": top}, "value": value}

    # -- accounts ------------------------------------------------------------------------------

    def _mint_bytes(self, spec: MintSpec, slot: int) -> bytes:
        authority = bytes(Pubkey.from_string(pubkey(self.seed, "mint-authority", 2 * self.mints.index(spec))))
        return (struct.pack("<I", 1) + authority + struct.pack("<QBB", self.supply(spec.address, slot),
                                                              spec.decimals, 1) + struct.pack("<I", 0) + bytes(32))

    def program_accounts(self, program: str, slot: int) -> list[tuple[str, bytes]]:
        """(address, data) of every account `program` owns at `slot` (Jobs and Staking programs)."""
        if program == self.jobs_program:
            out = [(self.jobs.market_address(m), account_bytes("MarketAccount", MARKET_FIELDS, self.jobs.market(m),
                                                                MARKET_SPACE)) for m in range(self.jobs.markets)]
            for job in self._jobs_until(slot):
                fields = self.jobs.job_account(job, slot)
                if fields is None:
                    continue
                out.append((job.address, account_bytes("JobAccount", JOB_FIELDS, fields)))
                if job.start_slot <= slot < job.done_slot:
                    out.append((job.run, self._run_bytes(job)))
            return out
        if program == self.staking_program:
            return [self.stakes.settings] + [(stake.address, account_bytes("StakeAccount", STAKE_FIELDS, fields))
                                             for stake, fields in self.stakes.accounts(self.clock.time_of(slot))]
        return []

    def _run_bytes(self, job) -> bytes:
        return account_bytes("RunAccount", RUN_FIELDS, {"job": job.address, "node": job.node, "payer": job.node,
                                                        "state": 0, "time": self.clock.time_of(job.start_slot)})

    def _jobs_until(self, slot: int):
        day, last = self.activity_from, self.clock.day_of(slot)
        while day <= last:
            yield from self.jobs.jobs_listed(day)
            day += timedelta(days=1)

    def account(self, address: str, slot: int) -> tuple[bytes, str] | None:
        """(data, owner) of an account at `slot`, for the accounts this chain knows."""
        spec = next((m for m in self.mints if m.address == address), None)
        if spec is not None:
            return self._mint_bytes(spec, slot), TOKEN
        if address == self.stakes.settings[0]:
            return self.stakes.settings[1], self.staking_program
        for label in ("job", "run"):
            found = address_numbers(self.seed, label, address, 2)
            if found is not None:
                day, number = date.fromordinal(found[0]), found[1]
                if day < self.activity_from or number >= self.jobs.jobs_per_day:
                    return None
                job = self.jobs.job(day, number)
                if label == "run":
                    return (self._run_bytes(job), self.jobs_program) if job.start_slot <= slot < job.done_slot \
                        else None
                fields = self.jobs.job_account(job, slot)
                return None if fields is None else (account_bytes("JobAccount", JOB_FIELDS, fields), self.jobs_program)
        found = address_numbers(self.seed, "market", address, 1)
        if found is not None and found[0] < self.jobs.markets:
            return account_bytes("MarketAccount", MARKET_FIELDS, self.jobs.market(found[0]),
                                 MARKET_SPACE), self.jobs_program
        found = address_numbers(self.seed, "stake", address, 1)
        if found is not None and found[0] < self.stakes.born_by(self.clock.time_of(slot)):
            stake = self.stakes.stake(found[0])
            fields = stake.at(self.clock.time_of(slot))
            if fields is not None:
                return account_bytes("StakeAccount", STAKE_FIELDS, fields), self.staking_program
        return None

    @staticmethod
    def _slice(config: dict[str, Any]) -> tuple[int, int] | None:
        spec = config.get("dataSlice")
        if spec is None:
            return None
        if not isinstance(spec, dict) or not all(isinstance(spec.get(k), int) for k in ("offset", "length")):
            raise RpcError(-32602, "Invalid params: dataSlice needs integer offset and length")
        return spec["offset"], spec["length"]

    @staticmethod
    def _encoding(config: dict[str, Any], size: int) -> str:
        encoding = config.get("encoding", "base58")
        if encoding not in ("base64", "base58"):
            raise RpcError(-32602, f"Invalid params: this provider serves base64 and base58, not {encoding}")
        if encoding == "base58" and size > 128:
            raise RpcError(-32600, "Encoded binary (base 58) data should be less than 128 bytes, please use "
                                   "Base64 encoding.")
        return encoding

    @staticmethod
    def _filter(spec: Any):
        if isinstance(spec, dict) and isinstance(spec.get("dataSize"), int):
            size = spec["dataSize"]
            return lambda data: len(data) == size
        memcmp = spec.get("memcmp") if isinstance(spec, dict) else None
        if isinstance(memcmp, dict) and isinstance(memcmp.get("offset"), int) and isinstance(memcmp.get("bytes"), str):
            try:
                wanted = (base64.b64decode(memcmp["bytes"], validate=True) if memcmp.get("encoding") == "base64"
                          else b58decode(memcmp["bytes"]))
            except ValueError:
                raise RpcError(-32602, "Invalid params: memcmp bytes are not valid base58/base64") from None
            offset = memcmp["offset"]
            return lambda data: data[offset:offset + len(wanted)] == wanted
        raise RpcError(-32602, "Invalid params: unknown filter")

    def _get_program_accounts(self, params: list) -> Any:
        program = self._address(params)
        config = self._config(params, 1)
        top = self._top(config)
        filters = [self._filter(f) for f in config.get("filters") or []]
        data_slice = self._slice(config)
        entries = []
        for address, data in self.program_accounts(program, top):
            if all(f(data) for f in filters):
                shown = data_slice[1] if data_slice else len(data)
                entries.append({"account": account_info(data, program, self._encoding(config, shown), data_slice),
                                "pubkey": address})
        if config.get("withContext"):
            return {"context": {"apiVersion": API_VERSION, "slot": top}, "value": entries}
        return entries

    def _rendered_account(self, address: str, config: dict[str, Any], top: int) -> dict[str, Any] | None:
        found = self.account(address, top)
        if found is None:
            return None
        data, owner = found
        data_slice = self._slice(config)
        return account_info(data, owner, self._encoding(config, data_slice[1] if data_slice else len(data)),
                            data_slice)

    def _get_multiple_accounts(self, params: list) -> Any:
        if not params or not isinstance(params[0], list):
            raise RpcError(-32602, "Invalid params: expected a list of addresses")
        if len(params[0]) > MAX_MULTIPLE_ACCOUNTS:
            raise RpcError(-32602, f"Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}")
        addresses = [self._address([a]) for a in params[0]]
        config = self._config(params, 1)
        top = self._top(config)
        return {"context": {"apiVersion": API_VERSION, "slot": top},
                "value": [self._rendered_account(a, config, top) for a in addresses]}

    def _get_account_info(self, params: list) -> Any:
        address = self._address(params)
        config = self._config(params, 1)
        top = self._top(config)
        return {"context": {"apiVersion": API_VERSION, "slot": top}, "value": self._rendered_account(address, config,
                                                                                                     top)}

    # -- the truth -----------------------------------------------------------------------------

    def _day_entries(self, address: str, day: date) -> list[tuple[Stream, int]]:
        """(stream, index) of the transactions listed under `address` on a UTC day, up to the head, in block order."""
        first, last = self.clock.day_slots(day)
        last = min(last, self.head)
        keyed = []
        for stream in self.streams:
            if address in stream.listed_under and stream.count(day):
                for i in range(stream.first_at(day, first), stream.first_at(day, last + 1)):
                    keyed.append(((stream.slot(day, i), stream.rank, i), stream, i))
        return [(stream, i) for _, stream, i in sorted(keyed, key=lambda t: t[0])]

    def signatures(self, address: str, day: date) -> list[dict[str, Any]]:
        """Every transaction listed under `address` on a UTC day (oldest first): signature, slot,
        block_time, err."""
        out = []
        for stream, i in self._day_entries(address, day):
            slot = stream.slot(day, i)
            failed_at = stream.error_instruction(day, i)
            out.append({"signature": stream.signature(day, i), "slot": slot, "block_time": self.clock.time_of(slot),
                        "err": None if failed_at is None else {"InstructionError": [failed_at, {"Custom": 1}]}})
        return out

    def failed_signatures(self, address: str, day: date) -> list[str]:
        """Signatures of the day's failed transactions listed under `address`."""
        return [s["signature"] for s in self.signatures(address, day) if s["err"] is not None]

    def movements(self, address: str, day: date) -> list[dict[str, Any]]:
        """The SPL movements of the day's successful transactions listed under `address` (oldest first).

        Each: signature, slot, block_time, instruction_index, inner_index (None at top level), kind
        (transfer, mint, burn), mint, amount, source/destination token accounts, from_owner/to_owner,
        authority. Listed under a mint: its movements; under a burn wallet: its burns and what it received.
        """
        out = []
        for stream, i in self._day_entries(address, day):
            out += [m.as_dict() for m in stream.tx(day, i).movements]
        return out

    def transaction(self, signature: str) -> dict[str, Any] | None:
        """getTransaction's jsonParsed result for a signature (None when unknown)."""
        located = self._locate(signature)
        if located is None:
            return None
        stream, day, i = located
        return transaction_result(stream.tx(day, i), seed=self.seed, encoding="jsonParsed", with_version=True)

    def job_accounts(self, slot: int) -> list[dict[str, Any]]:
        """Every JobAccount at `slot`, as its fields (address added)."""
        out = []
        for job in self._jobs_until(slot):
            fields = self.jobs.job_account(job, slot)
            if fields is not None:
                out.append({"address": job.address, **fields})
        return out

    def stake_accounts(self, slot: int) -> list[dict[str, Any]]:
        """Every StakeAccount at `slot`, as its fields (address added)."""
        return [{"address": stake.address, **fields}
                for stake, fields in self.stakes.accounts(self.clock.time_of(slot))]

    def jobs_on(self, day: date) -> list[dict[str, Any]]:
        """The jobs listed on a UTC day and how each went: address, market, node, project, price,
        timeout, state (final), time_start, time_end, payment, refund, fee, and the signatures of
        its list/work/finish-or-end transactions."""
        out = []
        for job in self.jobs.jobs_listed(day):
            final = self.jobs.job_account(job, job.done_slot)
            signatures = {}
            for _, step in job.steps:
                where, i = self.jobs.locate(job, step)
                signatures[step] = self.jobs.signature(where, i)
            paid = self.jobs.payment(job)
            out.append({"address": job.address, "market": self.jobs.market_address(job.market), "node": job.node,
                        "project": job.project, "price": job.price, "timeout": job.timeout, "state": final["state"],
                        "time_start": final["timeStart"], "time_end": final["timeEnd"], "payment": paid,
                        "refund": job.deposit - paid, "fee": job.deposit // 10, "signatures": signatures,
                        "slots": {step: slot for slot, step in job.steps}})
        return out


__all__ = ["PUBLIC_LIMITS", "MintSpec", "SolanaMainnet"]
