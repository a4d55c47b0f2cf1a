"""Nosana on the mainnet-shaped Solana provider: jobs, markets, runs and stakes in the programs' layouts.

Account bytes follow the official Anchor IDLs (nosana-ci/nosana-kit idl/nosana_jobs.json and
nosana_stake.json, in ../shared/fixtures/nosana): an 8-byte discriminator
sha256("account:<Name>")[:8], then the fields in IDL order, borsh-encoded (integers little
endian, publicKey 32 bytes, no padding): JobAccount 233 bytes, StakeAccount 113, RunAccount
113, MarketAccount allocated at 10,211 (its queue is a vec). Instructions are Anchor's:
sha256("global:<name>")[:8] then the borsh arguments, sent with the IDL's account order.

Every job (listed on day d, number j) has a timeline drawn from (d, j): a node enters the
market queue (`work`) and the project's `list` matches it, or the job waits for a node; the
node `finish`es and is paid price x seconds run, or the project `end`s it early.
"""

from __future__ import annotations

import bisect
import hashlib
import struct
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any, Literal

from solders.pubkey import Pubkey

from harness.mainnet._seeded import Spread, between, day_start, digest, log_uniform, unit
from harness.mainnet._solana_chain import SYSTEM, TOKEN, Balance, Ix, Movement, Stream, Tx, ata, derived, pubkey

# field layouts, in the IDLs' order and types
JOB_FIELDS = (("ipfsJob", "bytes32"), ("ipfsResult", "bytes32"), ("market", "publicKey"), ("node", "publicKey"),
              ("payer", "publicKey"), ("price", "u64"), ("project", "publicKey"), ("state", "u8"),
              ("timeEnd", "i64"), ("timeStart", "i64"), ("timeout", "i64"))
RUN_FIELDS = (("job", "publicKey"), ("node", "publicKey"), ("payer", "publicKey"), ("state", "u8"), ("time", "i64"))
MARKET_FIELDS = (("authority", "publicKey"), ("jobExpiration", "i64"), ("jobPrice", "u64"), ("jobTimeout", "i64"),
                 ("jobType", "u8"), ("vault", "publicKey"), ("vaultBump", "u8"), ("nodeAccessKey", "publicKey"),
                 ("nodeXnosMinimum", "u128"), ("queueType", "u8"), ("queue", "vec<publicKey>"))
STAKE_FIELDS = (("amount", "u64"), ("authority", "publicKey"), ("duration", "u64"), ("timeUnstake", "i64"),
                ("vault", "publicKey"), ("vaultBump", "u8"), ("xnos", "u128"))
SETTINGS_FIELDS = (("authority", "publicKey"), ("tokenAccount", "publicKey"))
MARKET_SPACE = 10_211  # the market account's allocation (docs_jobs.md): room for its node queue

JOB_STATE = {"queued": 0, "done": 1, "stopped": 2}  # JobState in the IDL; a running job is queued with a node
SECONDS_PER_YEAR = 31_536_000
NOS_DECIMALS = 6


def discriminator(kind: Literal["account", "global"], name: str) -> bytes:
    """Anchor's 8-byte discriminator of an account ("account:JobAccount") or instruction ("global:list")."""
    return hashlib.sha256(f"{kind}:{name}".encode()).digest()[:8]


def borsh(fields: tuple[tuple[str, str], ...], values: dict[str, Any]) -> bytes:
    """The fields borsh-encoded in order (the subset of types the Nosana IDLs use)."""
    out = bytearray()
    for name, kind in fields:
        value = values[name]
        if kind == "publicKey":
            out += bytes(Pubkey.from_string(value))
        elif kind == "bytes32":
            out += bytes(value).ljust(32, b"\0")
        elif kind == "vec<publicKey>":
            out += struct.pack("<I", len(value)) + b"".join(bytes(Pubkey.from_string(v)) for v in value)
        elif kind == "u128":
            out += value.to_bytes(16, "little")
        else:
            out += struct.pack({"u8": "<B", "u64": "<Q", "i64": "<q"}[kind], value)
    return bytes(out)


def account_bytes(name: str, fields: tuple[tuple[str, str], ...], values: dict[str, Any], space: int = 0) -> bytes:
    data = discriminator("account", name) + borsh(fields, values)
    return data.ljust(space, b"\0") if space else data


@dataclass(frozen=True)
class Job:
    """One job's whole timeline (slots), drawn from the day it was listed and its number."""

    day: date
    number: int
    address: str
    run: str
    market: int
    node: str
    project: str
    price: int  # NOS base units per second
    timeout: int  # seconds
    flow: Literal["queued-node", "queued-job", "ended"]
    list_slot: int
    work_slot: int
    done_slot: int
    ipfs_job: bytes

    @property
    def start_slot(self) -> int:
        return max(self.list_slot, self.work_slot)

    @property
    def deposit(self) -> int:
        return self.price * self.timeout

    @property
    def steps(self) -> tuple[tuple[int, str], ...]:
        """(slot, instruction) of its transactions, in order."""
        last = "end" if self.flow == "ended" else "finish"
        return tuple(sorted(((self.list_slot, "list"), (self.work_slot, "work"), (self.done_slot, last))))


@dataclass(frozen=True)
class Stake:
    """A StakeAccount's life: staked, maybe unstaked, maybe closed (withdrawn)."""

    number: int
    address: str
    authority: str
    vault: str
    amount: int
    duration: int
    created: int  # unix
    unstaked: int | None
    closed: int | None

    def at(self, unix: int) -> dict[str, Any] | None:
        """The account's fields at `unix`, or None when it does not exist then."""
        if unix < self.created or (self.closed is not None and unix >= self.closed):
            return None
        unstake = self.unstaked if self.unstaked is not None and self.unstaked <= unix else 0
        xnos = 0 if unstake else self.amount + self.amount * 3 * self.duration // SECONDS_PER_YEAR
        return {"amount": self.amount, "authority": self.authority, "duration": self.duration,
                "timeUnstake": unstake, "vault": self.vault, "vaultBump": 255 - self.number % 7, "xnos": xnos}


@dataclass(eq=False)
class JobsStream(Stream):
    """The Jobs program's transactions (list, work, finish, end), listed under the program's address."""

    program: str = ""
    rewards_program: str = ""
    nos_mint: str = ""
    jobs_per_day: int = 0
    markets: int = 4
    nodes: int = 300
    projects: int = 120

    # -- population -------------------------------------------------------------------------

    def market_address(self, m: int) -> str:
        return pubkey(self.seed, "market", m)

    def market(self, m: int) -> dict[str, Any]:
        """A MarketAccount's fields (its terms never change here)."""
        return {"authority": pubkey(self.seed, "market-authority", m), "jobExpiration": 86_400 * 7,
                "jobPrice": between(self.seed, 40, 400, "job-price", m), "jobTimeout": (2 + m % 4) * 3_600,
                "jobType": 4, "vault": self.vault(m), "vaultBump": 250 + m % 5,
                "nodeAccessKey": pubkey(self.seed, "access", m), "nodeXnosMinimum": 10_000 * 10**NOS_DECIMALS,
                "queueType": 1, "queue": [self.node(between(self.seed, 0, 10**9, "queue", m, q))
                                          for q in range(between(self.seed, 0, 12, "queue-length", m))]}

    def vault(self, m: int) -> str:
        return ata(self.market_address(m), self.nos_mint)

    def node(self, pick: int) -> str:
        return pubkey(self.seed, "node", pick % self.nodes)

    @lru_cache(maxsize=1024)  # noqa: B019 - bounded
    def _list_spread(self, day: date) -> Spread:
        first, last = self.clock.day_slots(day)
        return Spread(self.seed, ("job-list", day.toordinal()), first, last - first + 1, self.jobs_per_day)

    def job(self, day: date, j: int) -> Job:
        """Job j listed on `day`."""
        labels = (day.toordinal(), j)
        m = between(self.seed, 0, self.markets - 1, "job-market", *labels)
        terms = self.market(m)
        list_slot = self._list_spread(day).position(j)
        flow_draw = unit(self.seed, "job-flow", *labels)
        flow = "queued-node" if flow_draw < 0.8 else "queued-job" if flow_draw < 0.92 else "ended"
        work_slot = (list_slot + between(self.seed, 5, 1_500, "job-wait", *labels) if flow == "queued-job"
                     else list_slot - between(self.seed, 5, 300, "job-wait", *labels))
        run_s = log_uniform(self.seed, 120, min(terms["jobTimeout"], 12 * 3_600), "job-run", *labels)
        start = max(list_slot, work_slot)
        return Job(day, j, pubkey(self.seed, "job", *labels), pubkey(self.seed, "run", *labels), m,
                   self.node(between(self.seed, 0, 10**9, "job-node", *labels)),
                   pubkey(self.seed, "project", between(self.seed, 0, self.projects - 1, "job-project", *labels)),
                   terms["jobPrice"], terms["jobTimeout"], flow, list_slot, work_slot,
                   start + max(1, int(run_s * 1000) // self.clock.slot_ms),
                   digest(self.seed, "ipfs-job", *labels))

    def job_account(self, job: Job, slot: int) -> dict[str, Any] | None:
        """The JobAccount's fields at `slot` (None before it is listed)."""
        if slot < job.list_slot:
            return None
        started, done = slot >= job.start_slot, slot >= job.done_slot
        return {"ipfsJob": job.ipfs_job,
                "ipfsResult": digest(self.seed, "ipfs-result", job.address) if done and job.flow != "ended"
                else bytes(32),
                "market": self.market_address(job.market), "node": job.node if started else SYSTEM,
                "payer": job.project, "price": job.price, "project": job.project,
                "state": (JOB_STATE["stopped"] if job.flow == "ended" else JOB_STATE["done"]) if done
                else JOB_STATE["queued"],
                "timeEnd": self.clock.time_of(job.done_slot) if done else 0,
                "timeStart": self.clock.time_of(job.start_slot) if started else 0, "timeout": job.timeout}

    def payment(self, job: Job) -> int:
        """NOS the node is paid when the job ends: price x seconds run, within the deposit."""
        seconds = self.clock.time_of(job.done_slot) - self.clock.time_of(job.start_slot)
        return min(job.deposit, job.price * seconds)

    def jobs_listed(self, day: date) -> list[Job]:
        return [self.job(day, j) for j in range(self.jobs_per_day)] if day >= self.activity_from else []

    # -- the stream ---------------------------------------------------------------------------

    def per_day(self, day: date) -> int:
        return len(self.day_events(day))

    def count(self, day: date) -> int:
        return len(self.day_events(day))

    @lru_cache(maxsize=128)  # noqa: B019 - bounded
    def day_events(self, day: date) -> tuple[tuple[int, int, int, str], ...]:
        """(slot, listing day ordinal, job number, instruction) of the day's transactions, in block order."""
        first, last = self.clock.day_slots(day)
        out = []
        for listed in (day - timedelta(days=1), day, day + timedelta(days=1)):
            for job in self.jobs_listed(listed):
                out += [(slot, listed.toordinal(), job.number, step) for slot, step in job.steps
                        if first <= slot <= last]
        return tuple(sorted(out))

    def slot(self, day: date, i: int) -> int:
        return self.day_events(day)[i][0]

    def first_at(self, day: date, slot: int) -> int:
        return bisect.bisect_left(self.day_events(day), (slot,))

    def failed(self, day: date, i: int) -> bool:
        return False

    def error_instruction(self, day: date, i: int) -> int | None:
        return None

    def locate(self, job: Job, step: str) -> tuple[date, int]:
        """(day, index) of a job's transaction, so its signature can be named."""
        slot = dict((s, n) for n, s in job.steps)[step]
        day = self.clock.day_of(slot)
        events = self.day_events(day)
        return day, events.index((slot, job.day.toordinal(), job.number, step))

    def tx(self, day: date, i: int) -> Tx:
        slot, listed, number, step = self.day_events(day)[i]
        job = self.job(date.fromordinal(listed), number)
        sig, block_time = self.signature(day, i), self.clock.time_of(slot)
        market, vault = self.market_address(job.market), self.vault(job.market)
        project_account, node_account = ata(job.project, self.nos_mint), ata(job.node, self.nos_mint)
        program = self.program
        labels = (listed, number, step)
        if step == "work":
            matched = job.flow == "queued-job"  # a job waits: the node's work creates the run
            ix = Ix(program, (job.run, market, job.node, derived(self.seed, "stake-of", job.node),
                              derived(self.seed, "nft", job.node), derived(self.seed, "metadata", job.node), job.node,
                              SYSTEM),
                    discriminator("global", "work"), frozenset({job.run, market, job.node}),
                    frozenset({job.node, job.run}),
                    inner=(_create_account(job.node, job.run, 113, program),) if matched else (), name="Work")
            return self._tx(day, i, (sig, self.signature(day, i, 1)), slot, block_time, job.node, (ix,), (), ())
        if step == "list":
            fee = job.deposit // 10
            rewards_vault = pubkey(self.seed, "rewards-vault")
            reflection = pubkey(self.seed, "rewards-reflection")
            deposit = Ix(TOKEN, (project_account, vault, job.project), b"\x03" + struct.pack("<Q", job.deposit),
                         frozenset({project_account, vault}), frozenset({job.project}), name="Transfer")
            add_fee = Ix(self.rewards_program, (job.project, project_account, reflection, rewards_vault, TOKEN),
                         discriminator("global", "add_fee") + struct.pack("<Q", fee),
                         frozenset({project_account, reflection, rewards_vault}), frozenset({job.project}),
                         inner=(Ix(TOKEN, (project_account, rewards_vault, job.project),
                                   b"\x03" + struct.pack("<Q", fee), frozenset({project_account, rewards_vault}),
                                   frozenset({job.project}), name="Transfer"),), name="AddFee")
            inner = [_create_account(job.project, job.address, 233, program)]
            if job.flow != "queued-job":
                inner.append(_create_account(job.project, job.run, 113, program))
            inner += [deposit, add_fee]
            ix = Ix(program, (job.address, market, job.run, project_account, vault, job.project, reflection,
                              rewards_vault, job.project, self.rewards_program, TOKEN, SYSTEM),
                    discriminator("global", "list") + job.ipfs_job + struct.pack("<q", job.timeout),
                    frozenset({job.address, market, job.run, project_account, vault, job.project, reflection,
                               rewards_vault}), frozenset({job.address, job.run, job.project}),
                    inner=tuple(inner), name="List")
            pre = job.deposit + fee + between(self.seed, 0, 10**11, "balance", *labels)
            vault_pre = between(self.seed, 0, 10**12, "vault", *labels)
            balances = (Balance(project_account, self.nos_mint, job.project, NOS_DECIMALS, pre,
                                pre - job.deposit - fee),
                        Balance(vault, self.nos_mint, market, NOS_DECIMALS, vault_pre, vault_pre + job.deposit))
            moves = (Movement(sig, slot, block_time, 0, len(inner) - 2, "transfer", self.nos_mint, job.deposit,
                              project_account, vault, job.project, market, job.project),
                     Movement(sig, slot, block_time, 0, len(inner), "transfer", self.nos_mint, fee, project_account,
                              rewards_vault, job.project, pubkey(self.seed, "rewards-vault-owner"), job.project))
            return self._tx(day, i, (sig, self.signature(day, i, 1), self.signature(day, i, 2)), slot, block_time,
                            job.project, (ix,), balances, moves)
        # finish (by the node) or end (by the project): pay the node, refund the project
        paid = self.payment(job)
        refund = job.deposit - paid
        pay = Ix(TOKEN, (vault, node_account, market), b"\x03" + struct.pack("<Q", paid),
                 frozenset({vault, node_account}), frozenset(), name="Transfer")
        back = Ix(TOKEN, (vault, project_account, market), b"\x03" + struct.pack("<Q", refund),
                  frozenset({vault, project_account}), frozenset(), name="Transfer")
        if step == "finish":
            signer = job.node
            accounts = (job.address, job.run, market, vault, project_account, node_account, job.project, job.node,
                        job.project, job.node, TOKEN)
            data = discriminator("global", "finish") + digest(self.seed, "ipfs-result", job.address)
        else:
            signer = job.project
            accounts = (job.address, market, job.run, project_account, node_account, vault, job.project,
                        job.project, TOKEN)
            data = discriminator("global", "end")
        ix = Ix(program, accounts, data, frozenset({job.address, job.run, vault, project_account, node_account,
                                                    job.project, job.node}), frozenset({signer}),
                inner=(pay, back), name="Finish" if step == "finish" else "End")
        vault_pre = job.deposit + between(self.seed, 0, 10**12, "vault", *labels)
        node_pre = between(self.seed, 0, 10**11, "node", *labels)
        project_pre = between(self.seed, 0, 10**11, "project", *labels)
        balances = (Balance(vault, self.nos_mint, market, NOS_DECIMALS, vault_pre, vault_pre - job.deposit),
                    Balance(node_account, self.nos_mint, job.node, NOS_DECIMALS, node_pre, node_pre + paid),
                    Balance(project_account, self.nos_mint, job.project, NOS_DECIMALS, project_pre,
                            project_pre + refund))
        moves = (Movement(sig, slot, block_time, 0, 0, "transfer", self.nos_mint, paid, vault, node_account, market,
                          job.node, market),
                 Movement(sig, slot, block_time, 0, 1, "transfer", self.nos_mint, refund, vault, project_account,
                          market, job.project, market))
        return self._tx(day, i, (sig,), slot, block_time, signer, (ix,), balances, moves)

    def _tx(self, day: date, i: int, signatures: tuple[str, ...], slot: int, block_time: int, payer: str,
            instructions: tuple[Ix, ...], balances: tuple[Balance, ...], moves: tuple[Movement, ...]) -> Tx:
        return Tx(signatures, slot, block_time, payer, instructions, balances, None, self.version(day, i), moves,
                  self.fee(day, i) + 5_000 * (len(signatures) - 1))


def _create_account(payer: str, new: str, space: int, owner: str) -> Ix:
    lamports = (space + 128) * 6_960
    return Ix(SYSTEM, (payer, new), struct.pack("<IQQ", 0, lamports, space) + bytes(Pubkey.from_string(owner)),
              frozenset({payer, new}), frozenset({payer, new}), name="CreateAccount")


@dataclass(eq=False)
class Stakes:
    """The Staking program's StakeAccounts: `count` alive at the window's start (staked over the two
    years before it), `per_day` new ones a day after; some unstake, and some of those close."""

    seed: int
    program: str
    nos_mint: str
    activity_from: date
    count: int
    per_day: int

    @cached_property
    def settings(self) -> tuple[str, bytes]:
        address = pubkey(self.seed, "stake-settings")
        return address, account_bytes("SettingsAccount", SETTINGS_FIELDS, {
            "authority": pubkey(self.seed, "stake-admin"), "tokenAccount": pubkey(self.seed, "slash-account")})

    def stake(self, k: int) -> Stake:
        start = day_start(self.activity_from)
        if k < self.count:
            created = start - between(self.seed, 60, 730 * 86_400, "stake-age", k)
        else:
            day = (k - self.count) // max(1, self.per_day)
            created = start + day * 86_400 + between(self.seed, 0, 86_399, "stake-time", k)
        duration = between(self.seed, 14, 365, "stake-days", k) * 86_400
        unstaked = closed = None
        if unit(self.seed, "stake-unstakes", k) < 0.2:
            unstaked = created + int(log_uniform(self.seed, 86_400, 400 * 86_400, "stake-unstake", k))
            if unit(self.seed, "stake-closes", k) < 0.8:
                closed = unstaked + duration
        authority = pubkey(self.seed, "staker", k)
        return Stake(k, pubkey(self.seed, "stake", k), authority, pubkey(self.seed, "stake-vault", k),
                     int(log_uniform(self.seed, 100, 1_000_000, "stake-amount", k)) * 10**NOS_DECIMALS, duration,
                     created, unstaked, closed)

    def born_by(self, unix: int) -> int:
        """How many stakes were created by `unix` (the numbers 0..n-1)."""
        days = (unix - day_start(self.activity_from)) // 86_400 + 1
        return self.count + max(0, days) * self.per_day

    def accounts(self, unix: int) -> list[tuple[Stake, dict[str, Any]]]:
        """Every StakeAccount alive at `unix`, with its fields then."""
        out = []
        for k in range(self.born_by(unix)):
            stake = self.stake(k)
            fields = stake.at(unix)
            if fields is not None:
                out.append((stake, fields))
        return out
