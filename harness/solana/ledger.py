"""A local Solana ledger: LiteSVM runs real signed transactions, and we keep the history.

LiteSVM is a real Solana runtime in-process (SPL Token, Associated Token Account and
System programs included) but it has no blocks and no history API. This wrapper gives
each transaction its own slot at a chosen unix time (the Clock sysvar is set first, so
programs see that time), and records what an RPC node would serve afterwards: the signed
transaction, its logs and inner instructions, lamport and token balances before and after,
the error if it failed, and the block (slot, blockhash, parent) it landed in.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from solders.account import Account
from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.litesvm import Clock, LiteSVM
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction
from solders.transaction_metadata import TransactionMetadata

from harness.solana._noop_program import noop_program_elf

TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_ACCOUNT_SIZE = 165
MINT_SIZE = 82
SLOTS_PER_SECOND_X2 = 5  # 400 ms slots: 2.5 slots per second
SLOTS_PER_EPOCH = 432_000


class LedgerError(RuntimeError):
    """A harness transaction failed that was meant to succeed (or the reverse)."""


@dataclass(frozen=True)
class TokenBalance:
    """One token account's balance as `preTokenBalances`/`postTokenBalances` list it."""

    account_index: int
    mint: str
    owner: str
    amount: int
    decimals: int
    program_id: str


@dataclass
class TxRecord:
    """Everything a node keeps about one processed transaction."""

    signature: str
    slot: int
    block_time: int
    transaction: Transaction
    meta: TransactionMetadata
    err: object | None
    pre_balances: list[int]
    post_balances: list[int]
    pre_token_balances: list[TokenBalance]
    post_token_balances: list[TokenBalance]

    @property
    def account_keys(self) -> list[Pubkey]:
        return list(self.transaction.message.account_keys)


@dataclass
class Block:
    """A slot with transactions: its hash, its parent, its time."""

    slot: int
    parent_slot: int
    block_height: int
    blockhash: str
    previous_blockhash: str
    block_time: int
    signatures: list[str] = field(default_factory=list)


class SolanaLedger:
    """LiteSVM plus the block and transaction history an RPC node would serve.

    Args:
        start_time: unix time of the first block; transactions are sent at or after it.
        first_slot: slot of the genesis block (mainnet-like numbers by default).
    """

    def __init__(self, start_time: int, *, first_slot: int = 300_000_000) -> None:
        self.svm = LiteSVM()
        self.start_time = start_time
        self.first_slot = first_slot
        genesis_hash = str(self.svm.latest_blockhash())
        self.blocks: list[Block] = [Block(first_slot, first_slot - 1, first_slot - first_slot // 8, genesis_hash,
                                          str(Hash.default()),
                                          start_time)]
        self.block_by_slot: dict[int, Block] = {first_slot: self.blocks[0]}
        self.records: list[TxRecord] = []
        self.by_signature: dict[str, TxRecord] = {}
        self.by_address: dict[str, list[TxRecord]] = {}
        self._now = start_time
        self._decimals: dict[Pubkey, int] = {}
        self.lock = threading.RLock()  # the RPC server reads while the harness may still send

    # -- time and funding ------------------------------------------------------------------

    @property
    def now(self) -> int:
        """Unix time the next transaction will be sent at."""
        return self._now

    @property
    def head(self) -> Block:
        """The newest block."""
        return self.blocks[-1]

    def at(self, unix_time: int) -> SolanaLedger:
        """Send the next transaction at `unix_time` (never earlier than the last block)."""
        self._now = max(int(unix_time), self.head.block_time)
        return self

    def fund(self, address: Pubkey, lamports: int = 10**12) -> None:
        """Give `address` lamports for fees and rent (setup, not part of the recorded history)."""
        account = self.svm.get_account(address)
        balance = account.lamports if account else 0
        self.svm.set_account(address, Account(balance + lamports, account.data if account else b"",
                                              account.owner if account else Pubkey.default(), False, 0))

    # -- programs and raw accounts ---------------------------------------------------------

    def deploy_noop_program(self, program_id: Pubkey) -> None:
        """Deploy the accept-everything SBF program at `program_id` (see _noop_program)."""
        self.svm.add_program(program_id, noop_program_elf())

    def write_account(self, address: Pubkey, owner: Pubkey, data: bytes) -> None:
        """Write a program-owned account's data (what the program itself would have written)."""
        existing = self.svm.get_account(address)
        lamports = max(existing.lamports if existing else 0, self.svm.minimum_balance_for_rent_exemption(len(data)))
        self.svm.set_account(address, Account(lamports, bytes(data), owner, False, 0))

    def account(self, address: Pubkey) -> Account | None:
        return self.svm.get_account(address)

    def program_accounts(self, program_id: Pubkey) -> list[tuple[Pubkey, Account]]:
        """Every account owned by `program_id`, ordered by address."""
        return sorted(self.svm.get_program_accounts(program_id), key=lambda pair: bytes(pair[0]))

    # -- sending ---------------------------------------------------------------------------

    def send(self, instructions: Sequence[Instruction], signers: Sequence[Keypair], *,
             expect_failure: bool = False) -> TxRecord:
        """Sign with `signers` (the first pays the fee), run in a new slot at `now`, record it.

        Raises:
            LedgerError: the transaction failed (or succeeded when `expect_failure`).
        """
        with self.lock:
            return self._send(instructions, signers, expect_failure=expect_failure)

    def _send(self, instructions: Sequence[Instruction], signers: Sequence[Keypair], *,
              expect_failure: bool) -> TxRecord:
        slot = max(self.head.slot + 1, self.first_slot + (self._now - self.start_time) * SLOTS_PER_SECOND_X2 // 2)
        self.svm.set_clock(Clock(slot, self.start_time, slot // SLOTS_PER_EPOCH, slot // SLOTS_PER_EPOCH + 1,
                                 self._now))
        previous_hash = self.svm.latest_blockhash()
        tx = Transaction(list(signers), Message(list(instructions), signers[0].pubkey()), previous_hash)
        keys = list(tx.message.account_keys)
        pre_balances, pre_tokens = self._balances(keys)
        result = self.svm.send_transaction(tx)
        failed = not isinstance(result, TransactionMetadata)
        meta, err = (result.meta(), result.err()) if failed else (result, None)
        if failed != expect_failure:
            detail = "\n".join(meta.logs())
            raise LedgerError(f"transaction {'succeeded' if not failed else f'failed ({err})'} "
                              f"at {self._now} but expect_failure={expect_failure}:\n{detail}")
        post_balances, post_tokens = self._balances(keys)
        self.svm.expire_blockhash()
        block = Block(slot, self.head.slot, self.head.block_height + 1, str(self.svm.latest_blockhash()),
                      str(previous_hash), self._now)
        record = TxRecord(str(tx.signatures[0]), slot, self._now, tx, meta, err, pre_balances, post_balances,
                          pre_tokens, post_tokens)
        block.signatures.append(record.signature)
        self.blocks.append(block)
        self.block_by_slot[slot] = block
        self.records.append(record)
        self.by_signature[record.signature] = record
        for key in dict.fromkeys(str(k) for k in keys):
            self.by_address.setdefault(key, []).append(record)
        return record

    def _balances(self, keys: list[Pubkey]) -> tuple[list[int], list[TokenBalance]]:
        lamports, tokens = [], []
        for index, key in enumerate(keys):
            account = self.svm.get_account(key)
            lamports.append(account.lamports if account else 0)
            if account and account.owner == TOKEN_PROGRAM and len(account.data) == TOKEN_ACCOUNT_SIZE:
                data = account.data
                mint = Pubkey.from_bytes(data[:32])
                tokens.append(TokenBalance(index, str(mint), str(Pubkey.from_bytes(data[32:64])),
                                           int.from_bytes(data[64:72], "little"), self.decimals(mint),
                                           str(TOKEN_PROGRAM)))
        return lamports, tokens

    def decimals(self, mint: Pubkey) -> int:
        """Decimals of an SPL mint (read once from the mint account)."""
        if mint not in self._decimals:
            account = self.svm.get_account(mint)
            if account is None or len(account.data) < MINT_SIZE:
                raise LedgerError(f"{mint} is not an SPL mint")
            self._decimals[mint] = account.data[44]
        return self._decimals[mint]

    def token_balance(self, token_account: Pubkey) -> int:
        """Base units held by an SPL token account (0 if it does not exist)."""
        account = self.svm.get_account(token_account)
        return int.from_bytes(account.data[64:72], "little") if account else 0
