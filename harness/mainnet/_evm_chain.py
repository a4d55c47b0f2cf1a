"""An EVM chain derived on demand: block times, ERC-20 and ERC-4626 logs, supplies and balances.

Nothing is stored. Block n is made at genesis + n x spacing (plus jitter for Arbitrum-like
chains); each token's logs of a day are `Spread` over that day's blocks, so the logs of any
block range come from arithmetic plus one hash per log; supplies and balances are sums of
the day's mints/burns/holder transfers (found through a `Shuffle`, not by scanning), cached
per finished day. `reorg()` re-draws the logs of the newest blocks; `advance()` moves the head.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from eth_utils import keccak

from harness.mainnet._seeded import (
    Shuffle,
    Spread,
    between,
    day_of,
    day_start,
    digest,
    log_uniform,
    tagged,
    unit,
    untag,
)

ZERO_ADDRESS = "0x" + "00" * 20
TRANSFER_TOPIC = "0x" + keccak(text="Transfer(address,address,uint256)").hex()
DEPOSIT_TOPIC = "0x" + keccak(text="Deposit(address,address,uint256,uint256)").hex()
WITHDRAW_TOPIC = "0x" + keccak(text="Withdraw(address,address,address,uint256,uint256)").hex()
HOLDER_POOL = 4_000  # distinct everyday counterparties per token


@dataclass(frozen=True)
class Token:
    """An ERC-20 and its daily activity.

    Args:
        holders: (address, balance at genesis) of accounts whose `balanceOf` is served (e.g. a
            staking contract); `holder_transfers_per_day` of the transfers go into or out of them.
    """

    address: str
    symbol: str = "TKN"
    decimals: int = 18
    initial_supply: int = 10**9 * 10**18
    transfers_per_day: int = 0
    mints_per_day: int = 0
    burns_per_day: int = 0
    holders: tuple[tuple[str, int], ...] = ()
    holder_transfers_per_day: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", self.address.lower())
        object.__setattr__(self, "holders", tuple((a.lower(), b) for a, b in self.holders))
        if self.holder_transfers_per_day and not self.holders:
            raise ValueError(f"token {self.address}: holder_transfers_per_day needs at least one holder")

    @property
    def logs_per_day(self) -> int:
        return self.transfers_per_day + self.mints_per_day + self.burns_per_day


@dataclass(frozen=True)
class Vault:
    """An ERC-4626 vault: shares priced by a NAV (assets per 10**decimals shares) that grows every day."""

    address: str
    asset: str
    decimals: int = 18
    initial_shares: int = 10**8 * 10**18
    initial_price: int = 10**18
    deposits_per_day: int = 0
    withdrawals_per_day: int = 0
    apy: tuple[float, float] = (0.04, 0.12)

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", self.address.lower())
        object.__setattr__(self, "asset", self.asset.lower())

    @property
    def logs_per_day(self) -> int:
        return self.deposits_per_day + self.withdrawals_per_day


@dataclass(frozen=True, slots=True)
class Event:
    """One log as the chain holds it (amounts in base units; `shares` for vault events)."""

    emitter: str
    block: int
    log_index: int
    tx_index: int  # one transaction per log of ours (logs of other contracts come first)
    tx_hash: str
    kind: str  # transfer, mint, burn, deposit, withdraw
    sender: str  # from (Transfer) / sender (Deposit, Withdraw)
    receiver: str  # to (Transfer) / owner (Deposit) / receiver (Withdraw)
    owner: str  # Withdraw's owner; "" otherwise
    amount: int  # value (Transfer) / assets (vault)
    shares: int  # vault only
    removed: bool = False
    block_hash: str = ""

    @property
    def topics(self) -> list[str]:
        if self.kind in ("transfer", "mint", "burn"):
            return [TRANSFER_TOPIC, _word(self.sender), _word(self.receiver)]
        if self.kind == "deposit":
            return [DEPOSIT_TOPIC, _word(self.sender), _word(self.receiver)]
        return [WITHDRAW_TOPIC, _word(self.sender), _word(self.receiver), _word(self.owner)]

    @property
    def data(self) -> str:
        if self.kind in ("deposit", "withdraw"):
            return "0x" + f"{self.amount:064x}" + f"{self.shares:064x}"
        return "0x" + f"{self.amount:064x}"


def _word(address: str) -> str:
    return "0x" + "0" * 24 + address[2:]


@dataclass(eq=False)
class EvmChain:
    """Blocks and logs of one chain over [first_day - history_days, head]."""

    first_day: date
    last_day: date
    tokens: tuple[Token, ...]
    vault: Vault | None = None
    seed: int = 0
    chain_id: int = 1
    block_time: float = 12.0
    jitter: bool = False  # Arbitrum-like: irregular spacing, several blocks a second share a timestamp
    genesis_time: int | None = None
    history_days: int = 1
    head_margin: int = 64
    removed_fraction: float = 0.0
    head: int = field(init=False)

    def __post_init__(self) -> None:
        if self.genesis_time is None:
            self.genesis_time = day_start(self.first_day - timedelta(days=365))
        self._spacing_us = round(self.block_time * 1_000_000)
        self.activity_from = self.first_day - timedelta(days=self.history_days)
        self.emitters: list[Token | Vault] = [*self.tokens, *([self.vault] if self.vault else [])]
        self.by_address = {e.address: n for n, e in enumerate(self.emitters)}
        self._forks: list[int] = []
        self._lock = threading.Lock()
        self._day_sums: dict[tuple, int] = {}
        self._prices: dict[date, int] = {}
        self.head = self.day_blocks(self.last_day)[1] + self.head_margin

    # -- time ----------------------------------------------------------------------------------

    def timestamp(self, block: int) -> int:
        """Unix time of `block`."""
        offset = block * self._spacing_us
        if self.jitter:
            offset += (digest(self.seed, "jitter", block, size=4)[0] * self._spacing_us) // 256
        return self.genesis_time + offset // 1_000_000

    def block_at(self, unix: int) -> int:
        """The first block made at or after `unix`."""
        n = max(0, ((unix - self.genesis_time) * 1_000_000) // self._spacing_us - 1)
        while self.timestamp(n) < unix:
            n += 1
        while n > 0 and self.timestamp(n - 1) >= unix:
            n -= 1
        return n

    def day_blocks(self, day: date) -> tuple[int, int]:
        """First and last block of a UTC day."""
        return self.block_at(day_start(day)), self.block_at(day_start(day + timedelta(days=1))) - 1

    def day_of_block(self, block: int) -> date:
        return day_of(self.timestamp(block))

    def epoch(self, block: int) -> int:
        """How many reorgs rewrote `block` (0 on the original chain)."""
        return bisect_right(self._forks, block)

    def block_hash(self, block: int) -> str:
        return "0x" + tagged(self.seed, "block", (block, self.epoch(block)), 32).hex()

    def block_of_hash(self, block_hash: str) -> int | None:
        """The canonical block with this hash, or None (unknown, or a block a reorg replaced)."""
        try:
            raw = bytes.fromhex(block_hash.removeprefix("0x"))
        except ValueError:
            return None
        found = untag(self.seed, "block", raw, 2) if len(raw) == 32 else None
        if found is None or found[0] > self.head or self.epoch(found[0]) != found[1]:
            return None
        return found[0]

    # -- moving the head -------------------------------------------------------------------------

    def advance(self, blocks: int) -> int:
        """Make `blocks` new blocks (their logs appear); returns the new head."""
        with self._lock:
            self.head += blocks
            return self.head

    def reorg(self, depth: int) -> None:
        """Replace the newest `depth` blocks: new hashes, new transactions and amounts, same log counts."""
        with self._lock:
            self._forks.append(self.head - depth + 1)
            self._forks.sort()
            self._day_sums.clear()

    # -- where logs are --------------------------------------------------------------------------

    def _count(self, emitter: Token | Vault, day: date) -> int:
        return emitter.logs_per_day if day >= self.activity_from else 0

    @lru_cache(maxsize=4096)  # noqa: B019 - bounded, keyed by (self, emitter, day)
    def _spread(self, n: int, day: date) -> Spread | None:
        count = self._count(self.emitters[n], day)
        if not count:
            return None
        first, last = self.day_blocks(day)
        return Spread(self.seed, ("log", n, day.toordinal()), first, last - first + 1, count)

    @lru_cache(maxsize=4096)  # noqa: B019
    def _shuffle(self, n: int, day: date) -> Shuffle:
        return Shuffle(self.seed, ("kind", n, day.toordinal()), self._count(self.emitters[n], day))

    def _other_logs(self, block: int) -> int:
        """Logs of other contracts ahead of ours in `block` (so log indexes look like mainnet's)."""
        return digest(self.seed, "others", block, size=1)[0] % 120

    def events(self, low: int, high: int, emitters: set[int] | None = None) -> list[Event]:
        """Every log in blocks low..high (clamped to the head) in chain order, removed copies included.

        A removed copy (a log of a block a reorg dropped, `removed: true`) comes right before the
        canonical log with the same block number and log index.
        """
        high = min(high, self.head)
        if low > high:
            return []
        located: list[tuple[int, int, int]] = []  # (block, emitter, index)
        day = self.day_of_block(low)
        while day_start(day) <= self.timestamp(high):
            if day >= self.activity_from:
                first, last = self.day_blocks(day)
                lo, hi = max(low, first), min(high, last)
                for n in range(len(self.emitters)):
                    spread = self._spread(n, day)
                    if spread is not None:
                        for i in spread.between(lo, hi):
                            located.append((spread.position(i), n, i))
            day += timedelta(days=1)
        located.sort()
        out: list[Event] = []
        block, seq = -1, 0
        for position, n, i in located:
            if position != block:
                block, seq = position, self._other_logs(position)
            if emitters is None or n in emitters:
                event = self._event(n, self.day_of_block(position), i, position, seq)
                if self.removed_fraction and unit(self.seed, "removed", n, position, i) < self.removed_fraction:
                    out.append(self._removed_copy(event))
                out.append(event)
            seq += 1
        return out

    # -- one log -------------------------------------------------------------------------------

    def _address(self, n: int, pick: int) -> str:
        return "0x" + digest(self.seed, "holder", n, pick % HOLDER_POOL, size=20).hex()

    def _units(self, decimals: int, low: float, high: float, *labels: object) -> int:
        micro = int(log_uniform(self.seed, low * 1e6, high * 1e6, *labels))
        return max(1, micro * 10**decimals // 1_000_000)

    def _event(self, n: int, day: date, i: int, block: int, log_index: int) -> Event:
        emitter = self.emitters[n]
        epoch = self.epoch(block)
        key = (n, day.toordinal(), i, epoch)
        tx_hash = "0x" + digest(self.seed, "tx", *key).hex()
        slot = self._shuffle(n, day).slot(i)
        common = {"emitter": emitter.address, "block": block, "log_index": log_index, "tx_index": log_index,
                  "tx_hash": tx_hash, "block_hash": self.block_hash(block)}
        if isinstance(emitter, Vault):
            return self._vault_event(emitter, day, slot, key, common)
        a, b = self._address(n, between(self.seed, 0, 10**9, "from", *key)), self._address(
            n, between(self.seed, 0, 10**9, "to", *key))
        mints, burns, holder = emitter.mints_per_day, emitter.burns_per_day, emitter.holder_transfers_per_day
        dec = emitter.decimals
        if slot < mints:
            return Event(kind="mint", sender=ZERO_ADDRESS, receiver=b, owner="", shares=0,
                         amount=self._units(dec, 100, 50_000, "amount", *key), **common)
        if slot < mints + burns:
            return Event(kind="burn", sender=a, receiver=ZERO_ADDRESS, owner="", shares=0,
                         amount=self._units(dec, 1, 10_000, "amount", *key), **common)
        if slot < mints + burns + holder:
            holder_address = emitter.holders[between(self.seed, 0, 10**9, "which", *key) % len(emitter.holders)][0]
            inward = (slot - mints - burns) % 2 == 0
            sender, receiver = (a, holder_address) if inward else (holder_address, b)
            return Event(kind="transfer", sender=sender, receiver=receiver, owner="", shares=0,
                         amount=self._units(dec, 1, 5_000, "amount", *key), **common)
        return Event(kind="transfer", sender=a, receiver=b, owner="", shares=0,
                     amount=self._units(dec, 0.01, 100_000, "amount", *key), **common)

    def _vault_event(self, vault: Vault, day: date, slot: int, key: tuple, common: dict) -> Event:
        price = self.price(day)
        sender = self._address(len(self.emitters), between(self.seed, 0, 10**9, "from", *key))
        assets = self._units(vault.decimals, 10, 100_000, "amount", *key)
        one = 10**vault.decimals
        if slot < vault.deposits_per_day:
            return Event(kind="deposit", sender=sender, receiver=sender, owner="", amount=assets,
                         shares=assets * one // price, **common)
        return Event(kind="withdraw", sender=sender, receiver=sender, owner=sender, amount=assets,
                     shares=-(-assets * one // price), **common)

    def _removed_copy(self, event: Event) -> Event:
        """The same log slot as a block a reorg dropped held it: another transaction and amount."""
        ghost = digest(self.seed, "ghost", event.tx_hash)
        return Event(emitter=event.emitter, block=event.block, log_index=event.log_index, tx_index=event.tx_index,
                     tx_hash="0x" + ghost.hex(), kind=event.kind, sender=event.sender, receiver=event.receiver,
                     owner=event.owner, amount=event.amount + 1 + ghost[0], shares=event.shares, removed=True,
                     block_hash="0x" + digest(self.seed, "orphan", event.block).hex())

    # -- stocks from flows ------------------------------------------------------------------------

    def _day_events(self, n: int, day: date, slots: range, upto: int | None) -> list[Event]:
        """The events of emitter n on `day` whose kind slot is in `slots`, at blocks <= upto."""
        spread, shuffle = self._spread(n, day), self._shuffle(n, day)
        if spread is None:
            return []
        out = []
        for slot in slots:
            i = shuffle.index(slot)
            block = spread.position(i)
            if upto is None or block <= upto:
                out.append(self._event(n, day, i, block, 0))
        return out

    def _sum(self, what: str, n: int, day: date, upto: int | None, weigh) -> int:
        """Σ weigh(event) over a day's events of one kind set (whole finished days are cached)."""
        key = (what, n, day)
        if upto is None and key in self._day_sums:
            return self._day_sums[key]
        emitter = self.emitters[n]
        if isinstance(emitter, Vault):
            slots = range(emitter.logs_per_day)
        elif what == "supply":
            slots = range(emitter.mints_per_day + emitter.burns_per_day)
        else:
            start = emitter.mints_per_day + emitter.burns_per_day
            slots = range(start, start + emitter.holder_transfers_per_day)
        total = sum(weigh(event) for event in self._day_events(n, day, slots, upto))
        if upto is None:
            self._day_sums[key] = total
        return total

    def _stock(self, what: str, n: int, block: int, start: int, weigh) -> int:
        if block > self.head:
            raise ValueError(f"block {block} is beyond the head {self.head}")
        total, day, last = start, self.activity_from, self.day_of_block(block)
        while day < last:
            total += self._sum(what, n, day, None, weigh)
            day += timedelta(days=1)
        if last >= self.activity_from:
            total += self._sum(what, n, last, block, weigh)
        return total

    def supply(self, token: str, block: int) -> int:
        """totalSupply() at `block`: initial + mints - burns up to and including it."""
        n = self.by_address[token.lower()]
        emitter = self.emitters[n]
        if isinstance(emitter, Vault):
            return self.vault_shares(block)
        return self._stock("supply", n, block, emitter.initial_supply,
                           lambda e: e.amount if e.kind == "mint" else -e.amount if e.kind == "burn" else 0)

    def balance(self, token: str, holder: str, block: int) -> int | None:
        """balanceOf(holder) at `block` for a configured holder (None for anyone else)."""
        n = self.by_address[token.lower()]
        emitter = self.emitters[n]
        holder = holder.lower()
        start = dict(getattr(emitter, "holders", ())).get(holder)
        if start is None:
            return None
        return self._stock(f"holder:{holder}", n, block, start,
                           lambda e: e.amount * ((e.receiver == holder) - (e.sender == holder)))

    def vault_shares(self, block: int) -> int:
        """The vault's totalSupply() at `block`."""
        assert self.vault is not None
        n = len(self.emitters) - 1
        return self._stock("shares", n, block, self.vault.initial_shares,
                           lambda e: e.shares if e.kind == "deposit" else -e.shares)

    def price(self, day: date) -> int:
        """The vault's NAV on `day`: assets per 10**decimals shares, set at 00:00 UTC."""
        assert self.vault is not None
        if day <= self.activity_from:
            return self.vault.initial_price
        with self._lock:
            cached = self._prices.get(day)
        if cached is not None:
            return cached
        previous = self.price(day - timedelta(days=1))
        low, high = self.vault.apy
        apy_ppm = int((low + (high - low) * unit(self.seed, "apy", day.toordinal())) * 1_000_000)
        value = previous + previous * apy_ppm // (365 * 1_000_000)
        with self._lock:
            self._prices[day] = value
        return value
