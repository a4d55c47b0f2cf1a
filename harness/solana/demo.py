"""The Solana demo: N days of Render, io.net and Nosana activity on the local ledger, served
over loopback JSON-RPC in mainnet's wire format.

Shapes are plausible, not forecasts: Render mints a daily emission to node operators and
creators burn RENDER to pay for jobs (Burn-Mint Equilibrium); io.net's treasury buys IO
back and burns it; Nosana projects list jobs in GPU markets (price per second, deposit into
the market vault, 10% network fee), nodes run and finish them and are paid from the vault,
and stakers lock NOS. Every block time falls inside the requested days (the Clock sysvar
is set before each transaction); setup (mints, accounts, initial balances) happens the day
before, outside the window. Rows loaded from it must be labelled `source='demo'`.

    with solana_demo(registry, date(2025, 6, 1), date(2025, 6, 30)) as url:
        os.environ["DEPINLENS_RPC_SOLANA_LOCAL"] = url
        ...
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import spl.token.instructions as spl
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from depinlens.registry import Registry
from harness.solana import tokens as spl_tokens
from harness.solana.identities import RENDER_BURN_WALLET_LABEL, local_keypair, local_mint, local_program
from harness.solana.ledger import SolanaLedger
from harness.solana.nosana import LocalJob, LocalMarket, LocalNosana, LocalStake
from harness.solana.server import SolanaRpcServer
from harness.solana.tokens import SentMovement

CHAIN = "solana-local"
DAY = 86_400
# Nosana GPU markets: (label, NOS base units per second, job timeout in seconds)
MARKETS = (("rtx-3090", 80, 4 * 3600), ("rtx-4090", 150, 6 * 3600), ("a100-80gb", 420, 12 * 3600))


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


class RegistryMismatch(RuntimeError):
    """networks.toml's solana-local identifiers differ from the harness's deterministic keys."""


def check_registry(registry: Registry, chain: str = CHAIN) -> dict[str, object]:
    """The registry's local mints and programs, checked against harness/solana/identities.py."""
    tokens = {t.symbol: t for t in registry.tokens_on(chain)}
    programs = {p.name: p for p in registry.programs_on(chain)}
    for symbol in ("RENDER", "IO", "NOS"):
        if symbol not in tokens:
            raise RegistryMismatch(f"networks.toml lists no {symbol} on {chain}; the Solana demo needs it")
        if tokens[symbol].address != str(local_mint(symbol)):
            raise RegistryMismatch(f"networks.toml lists {symbol} on {chain} at {tokens[symbol].address}, but the "
                                   f"harness derives {local_mint(symbol)}")
    for name in ("jobs", "staking"):
        if name not in programs or programs[name].address != str(local_program(name)):
            raise RegistryMismatch(f"networks.toml's nosana {name} program on {chain} must be {local_program(name)}")
    return {"tokens": tokens, "programs": programs}


@dataclass
class SolanaDemoActivity:
    """What the simulator put on the ledger, for summaries and tests."""

    first_day: date
    last_day: date
    movements: list[SentMovement] = field(default_factory=list)
    jobs: list[LocalJob] = field(default_factory=list)
    stakes: list[LocalStake] = field(default_factory=list)
    transactions: int = 0


class _Schedule:
    """Timed events, run in time order; an event may schedule later ones."""

    def __init__(self, end: int) -> None:
        self.end = end
        self._heap: list[tuple[int, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at(self, when: int, action: Callable[[], None]) -> None:
        if when < self.end:
            heapq.heappush(self._heap, (when, next(self._seq), action))

    def run(self, ledger: SolanaLedger) -> None:
        while self._heap:
            when, _, action = heapq.heappop(self._heap)
            ledger.at(when)
            action()


def build_demo_ledger(registry: Registry, first_day: date, last_day: date, *, seed: int = 7
                      ) -> tuple[SolanaLedger, SolanaDemoActivity]:
    """A ledger with Render, io.net and Nosana activity on UTC days first_day..last_day."""
    ids = check_registry(registry)
    tokens = ids["tokens"]
    rng = random.Random(seed)
    start, end = _day_start(first_day), _day_start(last_day + timedelta(days=1))
    ledger = SolanaLedger(start - DAY)
    activity = SolanaDemoActivity(first_day, last_day)

    def actor(label: str) -> Keypair:
        keypair = local_keypair(f"demo/{seed}/{label}")
        ledger.fund(keypair.pubkey())
        return keypair

    # -- setup, the day before the window --------------------------------------------------
    ledger.at(start - DAY + 60)
    authority = {s: actor(f"authority/{s}") for s in ("RENDER", "IO", "NOS")}
    mint = {s: local_mint(s) for s in ("RENDER", "IO", "NOS")}
    for symbol in ("RENDER", "IO", "NOS"):
        spl_tokens.create_mint(ledger, local_keypair(f"mint/{symbol}"), authority[symbol], tokens[symbol].decimals)
    unit = {s: 10 ** tokens[s].decimals for s in mint}

    operators = [actor(f"render/operator/{i}") for i in range(6)]
    creators = [actor(f"render/creator/{i}") for i in range(8)]
    exchange = actor("exchange")
    burn_wallet = local_keypair(RENDER_BURN_WALLET_LABEL)
    ledger.fund(burn_wallet.pubkey())
    io_treasury = actor("ionet/treasury")
    nodes = [actor(f"nosana/node/{i}") for i in range(8)]
    projects = [actor(f"nosana/project/{i}") for i in range(6)]
    stakers = [actor(f"nosana/staker/{i}") for i in range(12)]
    nosana = LocalNosana(ledger, local_program("jobs"), local_program("staking"), local_program("rewards"),
                         mint["NOS"], actor("nosana/rewards-vault"))
    nosana.deploy()

    def open_accounts(owners: list[Pubkey], symbol: str) -> None:
        payer = authority[symbol]
        for i in range(0, len(owners), 6):
            ledger.send([spl.create_associated_token_account(payer.pubkey(), owner, mint[symbol])
                         for owner in owners[i:i + 6]], [payer])

    open_accounts([k.pubkey() for k in (*operators, *creators, exchange, burn_wallet)], "RENDER")
    open_accounts([exchange.pubkey(), io_treasury.pubkey()], "IO")
    open_accounts([k.pubkey() for k in (*nodes, *projects, *stakers, nosana.rewards_vault_owner)], "NOS")
    spl_tokens.mint_to(ledger, mint["RENDER"], authority["RENDER"], exchange.pubkey(), 50_000_000 * unit["RENDER"])
    spl_tokens.mint_to(ledger, mint["IO"], authority["IO"], exchange.pubkey(), 80_000_000 * unit["IO"])
    for creator in creators:  # creators hold some RENDER before the first day, so they can pay for jobs at once
        spl_tokens.mint_to(ledger, mint["RENDER"], authority["RENDER"], creator.pubkey(), 5_000 * unit["RENDER"])
    for holder in (*projects, *stakers):
        spl_tokens.mint_to(ledger, mint["NOS"], authority["NOS"], holder.pubkey(), 2_000_000 * unit["NOS"])
    markets = [nosana.open_market(actor(f"nosana/market/{label}"), authority["NOS"], job_price=price,
                                  job_timeout=timeout) for label, price, timeout in MARKETS]

    # -- the window --------------------------------------------------------------------------
    schedule = _Schedule(end)
    sent = activity.movements.append

    def render_day(day_start: int, weekday: int) -> None:
        busy = 1.0 if weekday < 5 else 0.7
        emission = int(25_000 * unit["RENDER"] * rng.uniform(0.9, 1.1))
        for operator in rng.sample(operators, 4):
            schedule.at(day_start + rng.randint(0, 3600), lambda o=operator, a=emission // 4: sent(
                spl_tokens.mint_to(ledger, mint["RENDER"], authority["RENDER"], o.pubkey(), a)))
        for _ in range(rng.randint(3, 6)):
            creator = rng.choice(creators)
            amount = rng.randint(200, 3000) * unit["RENDER"]
            schedule.at(day_start + rng.randint(3600, 20_000), lambda c=creator, a=amount: sent(
                spl_tokens.transfer(ledger, mint["RENDER"], exchange, c.pubkey(), a)))
        for _ in range(int(rng.randint(10, 20) * busy)):
            creator = rng.choice(creators)
            schedule.at(day_start + rng.randint(20_000, DAY - 60), lambda c=creator: render_burn(c))

    def render_burn(creator: Keypair) -> None:
        """A creator pays for a job: RENDER to the burn wallet, which burns it (Burn-Mint Equilibrium)."""
        balance = ledger.token_balance(spl_tokens.ata(creator.pubkey(), mint["RENDER"]))
        amount = min(balance, rng.randint(20, 500) * unit["RENDER"])
        if amount:
            sent(spl_tokens.transfer(ledger, mint["RENDER"], creator, burn_wallet.pubkey(), amount))
            sent(spl_tokens.burn(ledger, mint["RENDER"], burn_wallet, amount))

    def ionet_day(day_start: int) -> None:
        for _ in range(rng.randint(2, 4)):
            amount = rng.randint(20_000, 80_000) * unit["IO"]
            schedule.at(day_start + rng.randint(0, 40_000), lambda a=amount: sent(
                spl_tokens.transfer(ledger, mint["IO"], exchange, io_treasury.pubkey(), a)))
        for _ in range(rng.randint(1, 2)):
            schedule.at(day_start + rng.randint(40_000, DAY - 60), ionet_burn)

    def ionet_burn() -> None:
        balance = ledger.token_balance(spl_tokens.ata(io_treasury.pubkey(), mint["IO"]))
        amount = balance * rng.randint(50, 90) // 100
        if amount:
            sent(spl_tokens.burn(ledger, mint["IO"], io_treasury, amount))

    job_labels = itertools.count()

    def nosana_day(day_start: int) -> None:
        for _ in range(rng.randint(10, 25)):
            market = rng.choice(markets)
            schedule.at(day_start + rng.randint(0, DAY - 60), lambda m=market: list_job(m))
        if day_start == start:
            for staker in stakers[:8]:
                schedule.at(day_start + rng.randint(0, DAY // 2), lambda s=staker: stake(s))
        elif rng.random() < 0.5:
            schedule.at(day_start + rng.randint(0, DAY - 60), lambda: stake_change())

    def list_job(market: LocalMarket) -> None:
        job = nosana.list_job(market, rng.choice(projects), timeout=market.job_timeout,
                              label=f"{seed}/{next(job_labels)}")
        activity.jobs.append(job)
        schedule.at(ledger.now + rng.randint(30, 1200), lambda: start_job(job, market))

    def start_job(job: LocalJob, market: LocalMarket) -> None:
        node = rng.choice(nodes)
        nosana.start_job(job, node)
        run = min(int(rng.lognormvariate(7.8, 0.8)), market.job_timeout - 60)  # median ~40 minutes
        outcome = rng.random()
        if outcome < 0.9:
            schedule.at(ledger.now + max(60, run), lambda: nosana.finish_job(job, node, market))
        elif outcome < 0.97:
            schedule.at(ledger.now + max(60, run // 3), lambda: nosana.quit_job(job, node, market))

    def stake(staker: Keypair) -> None:
        amount = rng.randint(5_000, 200_000) * unit["NOS"]
        activity.stakes.append(nosana.stake(staker, amount, rng.randint(14, 365) * DAY))

    def stake_change() -> None:
        staked = {s.authority.pubkey() for s in nosana.stakes.values()}
        fresh = [s for s in stakers if s.pubkey() not in staked]
        active = [s for s in nosana.stakes.values() if not s.time_unstake]
        roll = rng.random()
        if fresh and roll < 0.4:
            stake(rng.choice(fresh))
        elif active and roll < 0.85:
            nosana.topup(rng.choice(active), rng.randint(1_000, 50_000) * unit["NOS"])
        elif active:
            nosana.unstake(rng.choice(active))

    day = first_day
    while day <= last_day:
        day_start = _day_start(day)
        render_day(day_start, day.weekday())
        ionet_day(day_start)
        nosana_day(day_start)
        day += timedelta(days=1)
    schedule.run(ledger)
    activity.transactions = len(ledger.records)
    return ledger, activity


@contextmanager
def solana_demo(registry: Registry, first_day: date, last_day: date, *, seed: int = 7) -> Iterator[str]:
    """Build the demo ledger for first_day..last_day and serve it; yields the RPC URL.

    Point the pipeline at it with DEPINLENS_RPC_SOLANA_LOCAL=<url> and
    DEPINLENS_SOLANA_CHAINS=solana-local (and DEPINLENS_SOURCE=demo). The server stops on exit.
    """
    ledger, _ = build_demo_ledger(registry, first_day, last_day, seed=seed)
    with SolanaRpcServer(ledger) as server:
        yield server.url
