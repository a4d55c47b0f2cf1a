"""Nosana on the local ledger: markets, jobs and stakes in the programs' own layouts.

Each step is a real signed transaction that calls the local Jobs or Staking program with
Anchor's instruction discriminator, accounts in the IDL's order and borsh arguments, and
moves NOS with SPL Token instructions in the same transaction (deposit into the market
vault, network fee, payment to the node, refund, stake into its vault). The programs at
those addresses are the no-op SBF program (the real binaries are not available offline),
so after each transaction the harness writes the account the program would have written,
with the same `construct` layout the pipeline decodes.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

import spl.token.instructions as spl
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.sysvar import RENT
from spl.token.constants import TOKEN_PROGRAM_ID

from harness.solana.ledger import SolanaLedger, TxRecord
from harness.solana.tokens import ata, transfer_ix
from pipelines.chains.solana._nosana import (
    JOB_ACCOUNT,
    JOB_ACCOUNT_DISCRIMINATOR,
    JOB_ACCOUNT_SIZE,
    JOB_INSTRUCTIONS_BY_NAME,
    MARKET_ACCOUNT,
    MARKET_ACCOUNT_DISCRIMINATOR,
    STAKE_ACCOUNT,
    STAKE_ACCOUNT_DISCRIMINATOR,
    STAKE_INSTRUCTION_ACCOUNTS,
    STAKE_INSTRUCTION_ARGS,
    SYSTEM_PROGRAM,
    instruction_discriminator,
)

SYSTEM_PROGRAM_ID = Pubkey.from_string(SYSTEM_PROGRAM)
XNOS_DIVISOR = 10_512_000  # xNOS = NOS x (1 + duration / 10,512,000 s): 4x at one year


def _ipfs(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def _meta(pubkey: Pubkey, *, writable: bool = False, signer: bool = False) -> AccountMeta:
    return AccountMeta(pubkey, signer, writable)


@dataclass
class LocalJob:
    """What the harness knows about one job it listed (mirrors the JobAccount)."""

    address: Pubkey
    run: Keypair
    market: Pubkey
    project: Keypair
    price: int
    timeout: int
    state: int = 0
    node: Pubkey = SYSTEM_PROGRAM_ID
    time_start: int = 0
    time_end: int = 0
    ipfs_job: bytes = b""
    ipfs_result: bytes = bytes(32)
    listed: TxRecord | None = None
    closed: TxRecord | None = None

    @property
    def deposit(self) -> int:
        return self.price * self.timeout


@dataclass
class LocalMarket:
    """A market account: its keypair (the vault's owner) and job terms."""

    keypair: Keypair
    job_price: int
    job_timeout: int

    @property
    def address(self) -> Pubkey:
        return self.keypair.pubkey()


@dataclass
class LocalStake:
    """A stake account (the PDA of the staker) and its state."""

    address: Pubkey
    vault: Pubkey
    authority: Keypair
    amount: int
    duration: int
    time_unstake: int = 0

    @property
    def xnos(self) -> int:
        return 0 if self.time_unstake else self.amount + self.amount * self.duration // XNOS_DIVISOR


@dataclass
class LocalNosana:
    """Nosana's programs on the local ledger, and every job and stake the harness made."""

    ledger: SolanaLedger
    jobs_program: Pubkey
    staking_program: Pubkey
    rewards_program: Pubkey
    nos_mint: Pubkey
    rewards_vault_owner: Keypair
    jobs: dict[Pubkey, LocalJob] = field(default_factory=dict)
    stakes: dict[Pubkey, LocalStake] = field(default_factory=dict)

    def deploy(self) -> None:
        """Put the (no-op) programs at the Jobs, Staking and Rewards addresses."""
        for program in (self.jobs_program, self.staking_program, self.rewards_program):
            self.ledger.deploy_noop_program(program)

    # -- jobs ------------------------------------------------------------------------------

    def _jobs_ix(self, name: str, args: dict, accounts: list[AccountMeta]) -> Instruction:
        spec = JOB_INSTRUCTIONS_BY_NAME[name]
        data = spec.discriminator + (spec.args.build(args) if spec.args is not None else b"")
        return Instruction(self.jobs_program, data, accounts)

    def _write_job(self, job: LocalJob) -> None:
        self.ledger.write_account(job.address, self.jobs_program, JOB_ACCOUNT.build({
            "discriminator": JOB_ACCOUNT_DISCRIMINATOR, "ipfs_job": job.ipfs_job, "ipfs_result": job.ipfs_result,
            "market": str(job.market), "node": str(job.node), "payer": str(job.project.pubkey()),
            "price": job.price, "project": str(job.project.pubkey()), "state": job.state,
            "time_end": job.time_end, "time_start": job.time_start, "timeout": job.timeout}))

    def open_market(self, keypair: Keypair, authority: Keypair, *, job_price: int, job_timeout: int) -> LocalMarket:
        """Create a market account and its NOS vault (the market's associated token account)."""
        market = LocalMarket(keypair, job_price, job_timeout)
        vault = ata(market.address, self.nos_mint)
        self.ledger.send([
            spl.create_associated_token_account(authority.pubkey(), market.address, self.nos_mint),
            Instruction(self.jobs_program, instruction_discriminator("open") + struct.pack(
                "<qQqB", 86_400, job_price, job_timeout, 4) + bytes(16), [
                _meta(self.nos_mint), _meta(market.address, writable=True, signer=True),
                _meta(vault, writable=True), _meta(authority.pubkey(), writable=True, signer=True),
                _meta(SYSTEM_PROGRAM_ID), _meta(RENT), _meta(SYSTEM_PROGRAM_ID), _meta(TOKEN_PROGRAM_ID)]),
        ], [authority, keypair])
        self.ledger.write_account(market.address, self.jobs_program, MARKET_ACCOUNT.build({
            "discriminator": MARKET_ACCOUNT_DISCRIMINATOR, "authority": str(authority.pubkey()),
            "job_expiration": 86_400, "job_price": job_price, "job_timeout": job_timeout, "job_type": 4,
            "vault": str(vault), "vault_bump": 255, "node_access_key": SYSTEM_PROGRAM, "node_xnos_minimum": 0,
            "queue_type": 2, "queue": []}))
        return market

    def list_job(self, market: LocalMarket, project: Keypair, *, timeout: int, label: str) -> LocalJob:
        """`list`: create the job account, deposit price x timeout into the vault, pay the 10% fee."""
        job_key, run = Keypair.from_seed(_ipfs(f"job/{label}")), Keypair.from_seed(_ipfs(f"run/{label}"))
        job = LocalJob(job_key.pubkey(), run, market.address, project, market.job_price, timeout,
                       ipfs_job=_ipfs(f"ipfs/{label}"))
        fee = job.deposit // 10
        user, vault = ata(project.pubkey(), self.nos_mint), ata(market.address, self.nos_mint)
        rewards_vault = ata(self.rewards_vault_owner.pubkey(), self.nos_mint)
        rent = self.ledger.svm.minimum_balance_for_rent_exemption(JOB_ACCOUNT_SIZE)
        job.listed = self.ledger.send([
            create_account(CreateAccountParams(from_pubkey=project.pubkey(), to_pubkey=job.address, lamports=rent,
                                               space=JOB_ACCOUNT_SIZE, owner=self.jobs_program)),
            self._jobs_ix("list", {"ipfs_job": job.ipfs_job, "timeout": timeout}, [
                _meta(job.address, writable=True, signer=True), _meta(market.address, writable=True),
                _meta(run.pubkey(), writable=True, signer=True), _meta(user, writable=True),
                _meta(vault, writable=True), _meta(project.pubkey(), writable=True, signer=True),
                _meta(self.rewards_vault_owner.pubkey(), writable=True), _meta(rewards_vault, writable=True),
                _meta(project.pubkey(), signer=True), _meta(self.rewards_program), _meta(TOKEN_PROGRAM_ID),
                _meta(SYSTEM_PROGRAM_ID)]),
            transfer_ix(self.ledger, self.nos_mint, project.pubkey(), market.address, job.deposit),
            transfer_ix(self.ledger, self.nos_mint, project.pubkey(), self.rewards_vault_owner.pubkey(), fee),
        ], [project, job_key, run])
        self.jobs[job.address] = job
        self._write_job(job)
        return job

    def start_job(self, job: LocalJob, node: Keypair) -> TxRecord:
        """`work`: a node takes the job; the job records the node and its start time."""
        record = self.ledger.send([self._jobs_ix("work", {}, [
            _meta(job.run.pubkey(), writable=True, signer=True), _meta(job.market, writable=True),
            _meta(node.pubkey(), writable=True, signer=True), _meta(SYSTEM_PROGRAM_ID), _meta(SYSTEM_PROGRAM_ID),
            _meta(SYSTEM_PROGRAM_ID), _meta(node.pubkey(), signer=True), _meta(SYSTEM_PROGRAM_ID)])],
            [node, job.run])
        job.node, job.time_start = node.pubkey(), record.block_time
        self._write_job(job)
        return record

    def finish_job(self, job: LocalJob, node: Keypair, market: LocalMarket) -> TxRecord:
        """`finish`: post the result; the vault pays price x seconds run and refunds the rest."""
        duration = max(1, self.ledger.now - job.time_start)
        payment = min(job.deposit, job.price * duration)
        vault = ata(job.market, self.nos_mint)
        instructions = [
            self._jobs_ix("finish", {"ipfs_result": _ipfs(f"result/{job.address}")}, [
                _meta(job.address, writable=True), _meta(job.run.pubkey(), writable=True), _meta(job.market),
                _meta(vault, writable=True), _meta(ata(job.project.pubkey(), self.nos_mint), writable=True),
                _meta(ata(node.pubkey(), self.nos_mint), writable=True),
                _meta(job.project.pubkey(), writable=True), _meta(job.project.pubkey(), writable=True),
                _meta(node.pubkey(), signer=True), _meta(TOKEN_PROGRAM_ID)]),
            transfer_ix(self.ledger, self.nos_mint, job.market, node.pubkey(), payment),
        ]
        if job.deposit > payment:
            instructions.append(transfer_ix(self.ledger, self.nos_mint, job.market, job.project.pubkey(),
                                            job.deposit - payment))
        job.closed = self.ledger.send(instructions, [node, market.keypair])
        job.state, job.time_end, job.ipfs_result = 1, job.closed.block_time, _ipfs(f"result/{job.address}")
        self._write_job(job)
        return job.closed

    def quit_job(self, job: LocalJob, node: Keypair, market: LocalMarket) -> TxRecord:
        """`quit`: the node gives up; the job stops and the project gets its deposit back."""
        job.closed = self.ledger.send([
            self._jobs_ix("quit", {}, [_meta(job.address, writable=True), _meta(job.run.pubkey(), writable=True),
                                       _meta(job.project.pubkey(), writable=True), _meta(node.pubkey(), signer=True)]),
            transfer_ix(self.ledger, self.nos_mint, job.market, job.project.pubkey(), job.deposit),
        ], [node, market.keypair])
        job.state = 2
        self._write_job(job)
        return job.closed

    # -- staking ---------------------------------------------------------------------------

    def _stake_ix(self, name: str, args: dict, accounts: dict[str, Pubkey], signer: Pubkey) -> Instruction:
        layout = STAKE_INSTRUCTION_ARGS[name]
        data = instruction_discriminator(name) + (layout.build(args) if layout is not None else b"")
        metas = [_meta(accounts[n], writable=n in ("user", "vault", "stake"), signer=accounts[n] == signer)
                 for n in STAKE_INSTRUCTION_ACCOUNTS[name]]
        return Instruction(self.staking_program, data, metas)

    def _write_stake(self, stake: LocalStake) -> None:
        self.ledger.write_account(stake.address, self.staking_program, STAKE_ACCOUNT.build({
            "discriminator": STAKE_ACCOUNT_DISCRIMINATOR, "amount": stake.amount,
            "authority": str(stake.authority.pubkey()), "duration": stake.duration,
            "time_unstake": stake.time_unstake, "vault": str(stake.vault), "vault_bump": 254, "xnos": stake.xnos}))

    def stake(self, staker: Keypair, amount: int, duration: int) -> LocalStake:
        """`stake`: lock `amount` NOS for `duration` seconds in the staker's vault."""
        address, _ = Pubkey.find_program_address([b"stake", bytes(self.nos_mint), bytes(staker.pubkey())],
                                                 self.staking_program)
        stake = LocalStake(address, ata(address, self.nos_mint), staker, amount, duration)
        accounts = {"mint": self.nos_mint, "user": ata(staker.pubkey(), self.nos_mint), "vault": stake.vault,
                    "stake": address, "authority": staker.pubkey(), "systemProgram": SYSTEM_PROGRAM_ID,
                    "tokenProgram": TOKEN_PROGRAM_ID, "rent": RENT}
        self.ledger.send([
            spl.create_associated_token_account(staker.pubkey(), address, self.nos_mint),
            self._stake_ix("stake", {"amount": amount, "duration": duration}, accounts, staker.pubkey()),
            transfer_ix(self.ledger, self.nos_mint, staker.pubkey(), address, amount),
        ], [staker])
        self.stakes[address] = stake
        self._write_stake(stake)
        return stake

    def topup(self, stake: LocalStake, amount: int) -> None:
        """`topup`: add `amount` NOS to an active stake."""
        staker = stake.authority
        accounts = {"user": ata(staker.pubkey(), self.nos_mint), "vault": stake.vault, "stake": stake.address,
                    "authority": staker.pubkey(), "tokenProgram": TOKEN_PROGRAM_ID}
        self.ledger.send([self._stake_ix("topup", {"amount": amount}, accounts, staker.pubkey()),
                          transfer_ix(self.ledger, self.nos_mint, staker.pubkey(), stake.address, amount)], [staker])
        stake.amount += amount
        self._write_stake(stake)

    def unstake(self, stake: LocalStake) -> None:
        """`unstake`: start the unstake period; xNOS drops to zero."""
        staker = stake.authority
        accounts = {"stake": stake.address, "reward": SYSTEM_PROGRAM_ID, "authority": staker.pubkey()}
        record = self.ledger.send([self._stake_ix("unstake", {}, accounts, staker.pubkey())], [staker])
        stake.time_unstake = record.block_time
        self._write_stake(stake)
