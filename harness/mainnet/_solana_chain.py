"""Solana activity derived on demand: slots, transaction streams, signatures that carry their coordinates.

A *stream* is one kind of traffic (a mint's transfers, a burn wallet's burns, the Nosana Jobs
program's calls). Its transaction (day, i) sits at a slot given by arithmetic, and its
signature is 64 random-looking bytes that carry (stream, day, i), so `getTransaction`
regenerates the transaction from the signature alone and nothing is ever stored. Within a
slot, transactions are ordered by (stream rank, index): that is the block order paging uses.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Literal

from solders.pubkey import Pubkey
from solders.signature import Signature

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

SYSTEM = "11111111111111111111111111111111"
TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
ASSOCIATED_TOKEN = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
COMPUTE_BUDGET = "ComputeBudget111111111111111111111111111111"
OWNER_POOL = 4_000  # distinct everyday wallets per mint
INSUFFICIENT_FUNDS = 1  # SPL Token's custom error for a transfer or burn above the balance


def pubkey(seed: int, label: str, *numbers: int) -> str:
    """A random-looking address that carries `numbers` (read back with `address_numbers`)."""
    return str(Pubkey.from_bytes(tagged(seed, label, numbers, 32)))


def derived(seed: int, *labels: object) -> str:
    """An address drawn from any labels (not meant to be read back)."""
    return str(Pubkey.from_bytes(digest(seed, "derived", *labels)))


def address_numbers(seed: int, label: str, address: str, count: int) -> tuple[int, ...] | None:
    """The numbers `pubkey(seed, label, ...)` put in `address`, or None."""
    try:
        raw = bytes(Pubkey.from_string(address))
    except ValueError:
        return None
    return untag(seed, label, raw, count)


@lru_cache(maxsize=65_536)
def ata(owner: str, mint: str) -> str:
    """The associated token account of `owner` for `mint` (the real program-derived address)."""
    return str(Pubkey.find_program_address(
        [bytes(Pubkey.from_string(owner)), bytes(Pubkey.from_string(TOKEN)), bytes(Pubkey.from_string(mint))],
        Pubkey.from_string(ASSOCIATED_TOKEN))[0])


@dataclass(frozen=True)
class SlotClock:
    """Slot s is made at genesis + s x 400 ms; blockTime is that, in whole seconds."""

    genesis: int
    slot_ms: int = 400

    def time_of(self, slot: int) -> int:
        return self.genesis + (slot * self.slot_ms) // 1000

    def slot_at(self, unix: int) -> int:
        """The first slot whose blockTime is >= `unix`."""
        return max(0, -(-(unix - self.genesis) * 1000 // self.slot_ms))

    def day_slots(self, day: date) -> tuple[int, int]:
        return self.slot_at(day_start(day)), self.slot_at(day_start(day + timedelta(days=1))) - 1

    def day_of(self, slot: int) -> date:
        return day_of(self.time_of(slot))


# -- what a transaction holds ------------------------------------------------------------------

@dataclass(frozen=True)
class Ix:
    """An instruction: program, accounts in order, data; which accounts sign or are written; its CPIs."""

    program: str
    accounts: tuple[str, ...]
    data: bytes
    writable: frozenset[str] = frozenset()
    signers: frozenset[str] = frozenset()
    inner: tuple[Ix, ...] = ()
    name: str = ""  # what the program logs ("Instruction: TransferChecked")


@dataclass(frozen=True)
class Balance:
    """A token account's balance before and after the transaction."""

    account: str
    mint: str
    owner: str
    decimals: int
    pre: int
    post: int


@dataclass(frozen=True)
class Movement:
    """One SPL token movement a successful transaction made (the truth a warehouse row must match)."""

    signature: str
    slot: int
    block_time: int
    instruction_index: int
    inner_index: int | None  # position inside the instruction's CPIs; None at top level
    kind: Literal["transfer", "mint", "burn"]
    mint: str
    amount: int
    source: str | None  # token account; None for a mint
    destination: str | None  # token account; None for a burn
    from_owner: str | None
    to_owner: str | None
    authority: str

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Tx:
    """Everything `getTransaction` renders, and the movements it made."""

    signatures: tuple[str, ...]
    slot: int
    block_time: int
    payer: str
    instructions: tuple[Ix, ...]
    balances: tuple[Balance, ...]
    failed_at: int | None  # top-level instruction that failed (SPL Token error 1), or None
    version: Literal["legacy", 0]
    movements: tuple[Movement, ...]
    fee: int
    priority: bool = False

    @property
    def signature(self) -> str:
        return self.signatures[0]


# -- SPL Token instruction data ------------------------------------------------------------------

def spl_amount(tag: int, amount: int, decimals: int | None = None) -> bytes:
    """transfer(3)/mintTo(7)/burn(8) carry u64; the Checked forms (12/14/15) add the decimals."""
    data = bytes([tag]) + struct.pack("<Q", amount)
    return data if decimals is None else data + bytes([decimals])


def compute_budget(seed: int, *labels: object) -> tuple[Ix, ...]:
    """setComputeUnitLimit + setComputeUnitPrice, as most mainnet transactions start."""
    units = between(seed, 20_000, 400_000, "cu", *labels)
    price = between(seed, 1_000, 2_000_000, "price", *labels)
    return (Ix(COMPUTE_BUDGET, (), bytes([2]) + struct.pack("<I", units)),
            Ix(COMPUTE_BUDGET, (), bytes([3]) + struct.pack("<Q", price)))


# -- streams -----------------------------------------------------------------------------------

@dataclass(eq=False)
class Stream:
    """Transactions of one kind, `per_day(day)` a day spread over the day's slots.

    Args:
        rank: position in the block among streams sharing a slot; also carried by signatures.
        listed_under: addresses whose `getSignaturesForAddress` lists every transaction of the stream.
    """

    rank: int
    seed: int
    clock: SlotClock
    activity_from: date
    listed_under: frozenset[str] = field(default_factory=frozenset)
    failed_fraction: float = 0.0

    def per_day(self, day: date) -> int:
        raise NotImplementedError

    def count(self, day: date) -> int:
        return self.per_day(day) if day >= self.activity_from else 0

    @lru_cache(maxsize=2048)  # noqa: B019 - bounded; keyed by (stream, day)
    def spread(self, day: date) -> Spread | None:
        n = self.count(day)
        if not n:
            return None
        first, last = self.clock.day_slots(day)
        return Spread(self.seed, ("slot", self.rank, day.toordinal()), first, last - first + 1, n)

    @lru_cache(maxsize=2048)  # noqa: B019
    def shuffle(self, day: date) -> Shuffle:
        return Shuffle(self.seed, ("kind", self.rank, day.toordinal()), self.count(day))

    def slot(self, day: date, i: int) -> int:
        spread = self.spread(day)
        assert spread is not None
        return spread.position(i)

    def first_at(self, day: date, slot: int) -> int:
        """The first index of `day` at or after `slot`."""
        spread = self.spread(day)
        return spread.first_at(slot) if spread is not None else 0

    def signature(self, day: date, i: int, n: int = 0) -> str:
        """The transaction's n-th signature (the first carries (rank, day, i))."""
        if n == 0:
            return str(Signature.from_bytes(tagged(self.seed, "sig", (self.rank, day.toordinal(), i), 64)))
        return str(Signature.from_bytes(digest(self.seed, "cosigner", self.rank, day.toordinal(), i, n, size=64)))

    def failed(self, day: date, i: int) -> bool:
        return unit(self.seed, "failed", self.rank, day.toordinal(), i) < self.failed_fraction

    def version(self, day: date, i: int) -> Literal["legacy", 0]:
        return 0 if unit(self.seed, "v0", self.rank, day.toordinal(), i) < 0.4 else "legacy"

    def error_instruction(self, day: date, i: int) -> int | None:
        """The top-level instruction index a failed transaction failed at (None when it succeeded)."""
        raise NotImplementedError

    def tx(self, day: date, i: int) -> Tx:
        raise NotImplementedError

    def supply_delta(self, mint: str, day: date, upto_slot: int | None) -> int:
        """Tokens of `mint` minted minus burned by successful transactions of `day` (at slots <= upto_slot)."""
        return 0

    def fee(self, day: date, i: int) -> int:
        return 5_000 + between(self.seed, 0, 400, "fee", self.rank, day.toordinal(), i) * 25


def _balance_before(seed: int, amount: int, *labels: object) -> int:
    """A plausible balance that covers `amount` (or, for a failing transaction, does not)."""
    return amount + between(seed, 0, 10**12, "balance", *labels)


@dataclass(eq=False)
class MintStream(Stream):
    """A mint's own traffic: transferChecked between wallets, mintTo by the mint authority, burns."""

    mint: str = ""
    decimals: int = 6
    signatures_per_day: int = 0
    mint_share: float = 0.01
    burn_share: float = 0.05

    def per_day(self, day: date) -> int:
        return self.signatures_per_day

    @cached_property
    def authority(self) -> str:
        return pubkey(self.seed, "mint-authority", self.rank)

    @cached_property
    def treasury(self) -> str:
        return pubkey(self.seed, "treasury", self.rank)

    def owner(self, pick: int) -> str:
        return pubkey(self.seed, "owner", self.rank, pick % OWNER_POOL)

    def _kind(self, day: date, i: int) -> str:
        n = self.count(day)
        slot = self.shuffle(day).slot(i)
        mints = round(n * self.mint_share)
        if slot < mints:
            return "mint"
        return "burn" if slot < mints + round(n * self.burn_share) else "transfer"

    def failed(self, day: date, i: int) -> bool:
        return super().failed(day, i) and self._kind(day, i) != "mint"  # the authority's mints never fail

    def _amount(self, kind: str, day: date, i: int) -> int:
        low, high = {"mint": (1_000, 100_000), "burn": (1, 5_000), "transfer": (0.01, 50_000)}[kind]
        return max(1, int(log_uniform(self.seed, low, high, "amount", self.rank, day.toordinal(), i)
                          * 10**self.decimals))

    def error_instruction(self, day: date, i: int) -> int | None:
        return 2 + (self._kind(day, i) == "transfer" and self._creates(day, i)) if self.failed(day, i) else None

    def _creates(self, day: date, i: int) -> bool:
        return unit(self.seed, "creates", self.rank, day.toordinal(), i) < 0.3

    def tx(self, day: date, i: int) -> Tx:
        labels = (self.rank, day.toordinal(), i)
        kind, amount, failed = self._kind(day, i), self._amount(self._kind(day, i), day, i), self.failed(day, i)
        slot = self.slot(day, i)
        sig = self.signature(day, i)
        block_time = self.clock.time_of(slot)
        budget = compute_budget(self.seed, *labels)
        checked = unit(self.seed, "checked", *labels) < 0.6
        if kind == "mint":
            signer, target = self.authority, self.treasury
            account = ata(target, self.mint)
            data = spl_amount(14, amount, self.decimals) if checked else spl_amount(7, amount)
            ix = Ix(TOKEN, (self.mint, account, signer), data, frozenset({self.mint, account}), frozenset({signer}),
                    name="MintToChecked" if checked else "MintTo")
            pre = between(self.seed, 0, 10**15, "balance", *labels)
            balances = (Balance(account, self.mint, target, self.decimals, pre, pre if failed else pre + amount),)
            move = Movement(sig, slot, block_time, len(budget), None, "mint", self.mint, amount, None, account,
                            None, target, signer)
            instructions = (*budget, ix)
        elif kind == "burn":
            signer = self.owner(between(self.seed, 0, 10**9, "from", *labels))
            account = ata(signer, self.mint)
            data = spl_amount(15, amount, self.decimals) if checked else spl_amount(8, amount)
            ix = Ix(TOKEN, (account, self.mint, signer), data, frozenset({account, self.mint}), frozenset({signer}),
                    name="BurnChecked" if checked else "Burn")
            pre = amount - 1 if failed else _balance_before(self.seed, amount, *labels)
            balances = (Balance(account, self.mint, signer, self.decimals, pre, pre if failed else pre - amount),)
            move = Movement(sig, slot, block_time, len(budget), None, "burn", self.mint, amount, account, None,
                            signer, None, signer)
            instructions = (*budget, ix)
        else:
            signer = self.owner(between(self.seed, 0, 10**9, "from", *labels))
            target = self.owner(between(self.seed, 0, 10**9, "to", *labels))
            if target == signer:
                target = self.owner(between(self.seed, 0, 10**9, "to", *labels) + 1)
            source, destination = ata(signer, self.mint), ata(target, self.mint)
            transfer = Ix(TOKEN, (source, self.mint, destination, signer), spl_amount(12, amount, self.decimals),
                          frozenset({source, destination}), frozenset({signer}), name="TransferChecked")
            create = (Ix(ASSOCIATED_TOKEN, (signer, destination, target, self.mint, SYSTEM, TOKEN), b"\x01",
                         frozenset({signer, destination}), frozenset({signer}), name="CreateIdempotent"),)
            prefix = (*budget, *(create if self._creates(day, i) else ()))
            pre_src = amount - 1 if failed else _balance_before(self.seed, amount, *labels)
            pre_dst = between(self.seed, 0, 10**13, "dst", *labels)
            balances = (Balance(source, self.mint, signer, self.decimals, pre_src,
                                pre_src if failed else pre_src - amount),
                        Balance(destination, self.mint, target, self.decimals, pre_dst,
                                pre_dst if failed else pre_dst + amount))
            move = Movement(sig, slot, block_time, len(prefix), None, "transfer", self.mint, amount, source,
                            destination, signer, target, signer)
            instructions = (*prefix, transfer)
        return Tx((sig,), slot, block_time, instructions[-1].accounts[-1], instructions, balances,
                  len(instructions) - 1 if failed else None, self.version(day, i), () if failed else (move,),
                  self.fee(day, i))

    def supply_delta(self, mint: str, day: date, upto_slot: int | None) -> int:
        if mint != self.mint or not self.count(day):
            return 0
        n, shuffle, total = self.count(day), self.shuffle(day), 0
        mints = round(n * self.mint_share)
        for kind_slot in range(mints + round(n * self.burn_share)):
            i = shuffle.index(kind_slot)
            if self.failed(day, i) or (upto_slot is not None and self.slot(day, i) > upto_slot):
                continue
            kind = "mint" if kind_slot < mints else "burn"
            total += self._amount(kind, day, i) * (1 if kind == "mint" else -1)
        return total


@dataclass(eq=False)
class BurnWalletStream(Stream):
    """A burn wallet's traffic: burns it signs from its token account (some inside a CPI), and
    incoming transfers (createIdempotent of its account + transferChecked), all naming the mint."""

    mint: str = ""
    decimals: int = 6
    wallet: str = ""
    burns_per_day: int = 0
    incoming_per_day: int = 0
    cpi_share: float = 0.25
    router: str = ""  # the program whose CPI burns (a payment router)

    def per_day(self, day: date) -> int:
        return self.burns_per_day + self.incoming_per_day

    @cached_property
    def account(self) -> str:
        return ata(self.wallet, self.mint)

    def _is_burn(self, day: date, i: int) -> bool:
        return self.shuffle(day).slot(i) < self.burns_per_day

    def _amount(self, day: date, i: int) -> int:
        return max(1, int(log_uniform(self.seed, 1, 20_000, "amount", self.rank, day.toordinal(), i)
                          * 10**self.decimals))

    def error_instruction(self, day: date, i: int) -> int | None:
        return (2 if self._is_burn(day, i) else 3) if self.failed(day, i) else None

    def tx(self, day: date, i: int) -> Tx:
        labels = (self.rank, day.toordinal(), i)
        amount, failed, slot = self._amount(day, i), self.failed(day, i), self.slot(day, i)
        sig, block_time = self.signature(day, i), self.clock.time_of(slot)
        budget = compute_budget(self.seed, *labels)
        if self._is_burn(day, i):
            style = unit(self.seed, "style", *labels)
            checked = style < 0.8
            data = spl_amount(15, amount, self.decimals) if checked else spl_amount(8, amount)
            burn = Ix(TOKEN, (self.account, self.mint, self.wallet), data, frozenset({self.account, self.mint}),
                      frozenset({self.wallet}), name="BurnChecked" if checked else "Burn")
            via_cpi = unit(self.seed, "cpi", *labels) < self.cpi_share
            if via_cpi:
                top = Ix(self.router, (self.wallet, self.account, self.mint, TOKEN),
                         digest(self.seed, "route", *labels, size=8) + struct.pack("<Q", amount),
                         frozenset({self.wallet, self.account, self.mint}), frozenset({self.wallet}),
                         inner=(burn,), name="Burn")
            pre = amount - 1 if failed else _balance_before(self.seed, amount, *labels)
            balances = (Balance(self.account, self.mint, self.wallet, self.decimals, pre,
                                pre if failed else pre - amount),)
            move = Movement(sig, slot, block_time, len(budget), 0 if via_cpi else None, "burn", self.mint, amount,
                            self.account, None, self.wallet, None, self.wallet)
            instructions = (*budget, top if via_cpi else burn)
            payer = self.wallet
        else:
            sender = pubkey(self.seed, "payer", self.rank, between(self.seed, 0, 10**9, "from", *labels) % OWNER_POOL)
            source = ata(sender, self.mint)
            create = Ix(ASSOCIATED_TOKEN, (sender, self.account, self.wallet, self.mint, SYSTEM, TOKEN), b"\x01",
                        frozenset({sender, self.account}), frozenset({sender}), name="CreateIdempotent")
            transfer = Ix(TOKEN, (source, self.mint, self.account, sender), spl_amount(12, amount, self.decimals),
                          frozenset({source, self.account}), frozenset({sender}), name="TransferChecked")
            pre_src = amount - 1 if failed else _balance_before(self.seed, amount, *labels)
            pre_dst = between(self.seed, 0, 10**13, "dst", *labels)
            balances = (Balance(source, self.mint, sender, self.decimals, pre_src,
                                pre_src if failed else pre_src - amount),
                        Balance(self.account, self.mint, self.wallet, self.decimals, pre_dst,
                                pre_dst if failed else pre_dst + amount))
            move = Movement(sig, slot, block_time, len(budget) + 1, None, "transfer", self.mint, amount, source,
                            self.account, sender, self.wallet, sender)
            instructions = (*budget, create, transfer)
            payer = sender
        return Tx((sig,), slot, block_time, payer, instructions, balances,
                  len(instructions) - 1 if failed else None, self.version(day, i), () if failed else (move,),
                  self.fee(day, i))

    def supply_delta(self, mint: str, day: date, upto_slot: int | None) -> int:
        if mint != self.mint or not self.count(day):
            return 0
        shuffle, total = self.shuffle(day), 0
        for kind_slot in range(self.burns_per_day):
            i = shuffle.index(kind_slot)
            if self.failed(day, i) or (upto_slot is not None and self.slot(day, i) > upto_slot):
                continue
            total -= self._amount(day, i)
        return total
