"""Nosana's on-chain layouts: Jobs and Staking program accounts and instructions (Anchor, borsh).

Read from the programs' published IDL (nosana-ci/nosana-programs, docs.nosana.io
"protocols/jobs" and "protocols/staking"). Anchor prefixes every account with
sha256("account:<Name>")[:8] and every instruction with sha256("global:<name>")[:8];
we match on those discriminators and never guess a record's type from its size alone.

The same `construct` structs parse (pipeline) and build (local harness), so the harness
writes exactly the bytes the decoder reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from construct import Adapter, Bytes, BytesInteger, Construct, Int8ul, Int32ul, Int64sl, Int64ul, PrefixedArray, Struct
from solders.pubkey import Pubkey

SYSTEM_PROGRAM = "11111111111111111111111111111111"


def account_discriminator(name: str) -> bytes:
    """Anchor's 8-byte account discriminator: sha256("account:<Name>")[:8]."""
    return hashlib.sha256(f"account:{name}".encode()).digest()[:8]


def instruction_discriminator(name: str) -> bytes:
    """Anchor's 8-byte instruction discriminator: sha256("global:<snake_name>")[:8]."""
    return hashlib.sha256(f"global:{name}".encode()).digest()[:8]


class _PubkeyAdapter(Adapter):
    """32 bytes on chain, base58 text in Python."""

    def _decode(self, obj: bytes, context: Any, path: Any) -> str:
        return str(Pubkey.from_bytes(obj))

    def _encode(self, obj: str, context: Any, path: Any) -> bytes:
        return bytes(Pubkey.from_string(obj))


PUBKEY: Construct = _PubkeyAdapter(Bytes(32))
U128: Construct = BytesInteger(16, swapped=True)

JOB_ACCOUNT_DISCRIMINATOR = account_discriminator("JobAccount")  # [91,16,162,5,45,210,125,65]
STAKE_ACCOUNT_DISCRIMINATOR = account_discriminator("StakeAccount")  # [80,158,67,124,50,189,192,255]
MARKET_ACCOUNT_DISCRIMINATOR = account_discriminator("MarketAccount")

# JobAccount: 8 + 225 = 233 bytes. price is NOS base units per second of running time.
JOB_ACCOUNT = Struct(
    "discriminator" / Bytes(8),
    "ipfs_job" / Bytes(32),
    "ipfs_result" / Bytes(32),
    "market" / PUBKEY,
    "node" / PUBKEY,
    "payer" / PUBKEY,
    "price" / Int64ul,
    "project" / PUBKEY,
    "state" / Int8ul,
    "time_end" / Int64sl,
    "time_start" / Int64sl,
    "timeout" / Int64sl,
)
JOB_ACCOUNT_SIZE = JOB_ACCOUNT.sizeof()

# StakeAccount: 8 + 105 = 113 bytes. xnos = stake weighted by duration (0 once unstaking).
STAKE_ACCOUNT = Struct(
    "discriminator" / Bytes(8),
    "amount" / Int64ul,
    "authority" / PUBKEY,
    "duration" / Int64ul,
    "time_unstake" / Int64sl,
    "vault" / PUBKEY,
    "vault_bump" / Int8ul,
    "xnos" / U128,
)
STAKE_ACCOUNT_SIZE = STAKE_ACCOUNT.sizeof()

# MarketAccount: the queue is a borsh Vec<Pubkey> (u32 length, then the keys).
MARKET_ACCOUNT = Struct(
    "discriminator" / Bytes(8),
    "authority" / PUBKEY,
    "job_expiration" / Int64sl,
    "job_price" / Int64ul,
    "job_timeout" / Int64sl,
    "job_type" / Int8ul,
    "vault" / PUBKEY,
    "vault_bump" / Int8ul,
    "node_access_key" / PUBKEY,
    "node_xnos_minimum" / U128,
    "queue_type" / Int8ul,
    "queue" / PrefixedArray(Int32ul, PUBKEY),
)

# JobState as the program defines it; a queued job with a node and a start time is running.
JOB_STATES = {0: "queued", 1: "done", 2: "stopped"}


@dataclass(frozen=True)
class JobInstruction:
    """A Jobs-program instruction: its argument layout and which account positions name what."""

    name: str
    args: Construct | None
    accounts: dict[str, int]
    closes_job: bool = False

    @property
    def discriminator(self) -> bytes:
        return instruction_discriminator(self.name)


# Account positions follow the IDL's order for each instruction.
JOB_INSTRUCTIONS: tuple[JobInstruction, ...] = (
    JobInstruction("list", Struct("ipfs_job" / Bytes(32), "timeout" / Int64sl),
                   {"job": 0, "market": 1, "run": 2, "user": 3, "vault": 4, "payer": 5, "authority": 8}),
    JobInstruction("assign", Struct("ipfs_job" / Bytes(32), "timeout" / Int64sl),
                   {"job": 0, "market": 1, "run": 2, "node": 3, "user": 4, "vault": 5, "payer": 6, "authority": 9}),
    JobInstruction("work", None, {"run": 0, "market": 1, "payer": 2, "stake": 3, "authority": 6}),
    JobInstruction("claim", None, {"job": 0, "run": 1, "market": 2, "payer": 6, "authority": 7}),
    JobInstruction("extend", Struct("timeout" / Int64sl), {"job": 0, "market": 1, "authority": 6}),
    JobInstruction("finish", Struct("ipfs_result" / Bytes(32)),
                   {"job": 0, "run": 1, "market": 2, "vault": 3, "user": 5, "payer": 6, "project": 7, "authority": 8},
                   closes_job=True),
    JobInstruction("end", None, {"job": 0, "market": 1, "run": 2, "payer": 6, "authority": 7}, closes_job=True),
    JobInstruction("quit", None, {"job": 0, "run": 1, "payer": 2, "authority": 3}, closes_job=True),
    JobInstruction("delist", None, {"job": 0, "market": 1, "payer": 3, "authority": 6}, closes_job=True),
    JobInstruction("recover", None, {"job": 0, "market": 1, "payer": 4, "authority": 5}, closes_job=True),
    JobInstruction("complete", Struct("ipfs_result" / Bytes(32)), {"job": 0, "authority": 1}, closes_job=True),
    JobInstruction("stop", None, {"market": 0, "node": 1, "authority": 2}),
    JobInstruction("clean", None, {"job": 0, "market": 1, "payer": 2}),
)
JOB_INSTRUCTIONS_BY_DISCRIMINATOR = {ix.discriminator: ix for ix in JOB_INSTRUCTIONS}
JOB_INSTRUCTIONS_BY_NAME = {ix.name: ix for ix in JOB_INSTRUCTIONS}

# Staking program instructions the harness sends (account order per the IDL).
STAKE_INSTRUCTION_ARGS = {
    "stake": Struct("amount" / Int64ul, "duration" / U128),
    "unstake": None,
    "topup": Struct("amount" / Int64ul),
}
STAKE_INSTRUCTION_ACCOUNTS = {
    "stake": ("mint", "user", "vault", "stake", "authority", "systemProgram", "tokenProgram", "rent"),
    "unstake": ("stake", "reward", "authority"),
    "topup": ("user", "vault", "stake", "authority", "tokenProgram"),
}


def job_state_name(state: int, node: str, time_start: int, time_end: int) -> str:
    """Readable job state; Nosana keeps a running job `queued` with a node and a start time."""
    if state == 0 and time_start > 0 and time_end == 0 and node != SYSTEM_PROGRAM:
        return "running"
    return JOB_STATES.get(state, f"unknown_{state}")
