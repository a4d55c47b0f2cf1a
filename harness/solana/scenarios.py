"""Small, fully known ledgers for tests: every movement, job and stake is listed.

`two_day_scenario` exercises each SPL movement instruction (mintTo, mintToChecked,
transfer, transferChecked, burn, burnChecked), a transaction with several movements, a
failed transaction, and the Nosana job lifecycle (done, stopped, running) and stake
changes, on two consecutive UTC days, after a setup day that lies outside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from solders.keypair import Keypair

from depinlens.registry import Registry
from harness.solana import tokens as spl_tokens
from harness.solana.demo import check_registry
from harness.solana.identities import local_keypair, local_mint, local_program
from harness.solana.ledger import SolanaLedger, TxRecord
from harness.solana.nosana import LocalJob, LocalNosana, LocalStake
from harness.solana.tokens import ZERO_PUBKEY, SentMovement


def at(day: date, hour: int, minute: int = 0) -> int:
    """Unix time of hour:minute UTC on `day`."""
    return int(datetime.combine(day, time(hour, minute), tzinfo=UTC).timestamp())


@dataclass
class Scenario:
    """The ledger and everything that was put on it."""

    ledger: SolanaLedger
    nosana: LocalNosana
    movements: list[SentMovement] = field(default_factory=list)
    failed: list[TxRecord] = field(default_factory=list)
    jobs: list[LocalJob] = field(default_factory=list)
    stakes: list[LocalStake] = field(default_factory=list)
    holders: dict[str, Keypair] = field(default_factory=dict)


def setup_ledger(registry: Registry, day: date) -> Scenario:
    """Mints, holders with balances and Nosana programs, all on the day before `day`."""
    tokens = check_registry(registry)["tokens"]
    ledger = SolanaLedger(at(day - timedelta(days=1), 0))
    holders = {name: local_keypair(f"scenario/{name}") for name in
               ("authority", "alice", "bob", "carol", "exchange", "treasury", "project", "node", "staker",
                "market", "rewards")}
    for keypair in holders.values():
        ledger.fund(keypair.pubkey())
    authority = holders["authority"]
    ledger.at(at(day - timedelta(days=1), 1))
    for symbol in ("RENDER", "IO", "NOS"):
        spl_tokens.create_mint(ledger, local_keypair(f"mint/{symbol}"), authority, tokens[symbol].decimals)
    nosana = LocalNosana(ledger, local_program("jobs"), local_program("staking"), local_program("rewards"),
                         local_mint("NOS"), holders["rewards"])
    nosana.deploy()
    for name in ("alice", "bob", "carol", "exchange"):
        spl_tokens.open_account(ledger, authority, holders[name].pubkey(), local_mint("RENDER"))
    for name in ("exchange", "treasury"):
        spl_tokens.open_account(ledger, authority, holders[name].pubkey(), local_mint("IO"))
    for name in ("project", "node", "staker", "rewards"):
        spl_tokens.open_account(ledger, authority, holders[name].pubkey(), local_mint("NOS"))
    spl_tokens.mint_to(ledger, local_mint("RENDER"), authority, holders["exchange"].pubkey(), 10**16)
    spl_tokens.mint_to(ledger, local_mint("IO"), authority, holders["exchange"].pubkey(), 10**16)
    for name in ("project", "staker"):
        spl_tokens.mint_to(ledger, local_mint("NOS"), authority, holders[name].pubkey(), 10**13)
    return Scenario(ledger, nosana, holders=holders)


def two_day_scenario(registry: Registry, day_1: date) -> Scenario:
    """Known Render, io.net and Nosana activity on day_1 and the day after."""
    scenario = setup_ledger(registry, day_1)
    ledger, nosana, h, sent = scenario.ledger, scenario.nosana, scenario.holders, scenario.movements.append
    day_2 = day_1 + timedelta(days=1)
    render, io = local_mint("RENDER"), local_mint("IO")
    authority = h["authority"]
    market = nosana.open_market(h["market"], authority, job_price=150, job_timeout=6 * 3600)

    # day 1 -----------------------------------------------------------------------------------
    sent(spl_tokens.mint_to(ledger.at(at(day_1, 0, 0)), render, authority, h["alice"].pubkey(), 25_000 * 10**8))
    sent(spl_tokens.transfer(ledger.at(at(day_1, 1)), render, h["exchange"], h["bob"].pubkey(), 3_000 * 10**8))
    sent(spl_tokens.transfer(ledger.at(at(day_1, 2)), render, h["alice"], h["carol"].pubkey(), 7 * 10**8 + 1,
                             checked=False))
    sent(spl_tokens.burn(ledger.at(at(day_1, 3)), render, h["bob"], 123_456_789, checked=False))
    # one transaction, three movements: a plain transfer, a checked transfer and a burn
    record = ledger.at(at(day_1, 4)).send([
        spl_tokens.transfer_ix(ledger, render, h["alice"].pubkey(), h["bob"].pubkey(), 11, checked=False),
        spl_tokens.transfer_ix(ledger, render, h["alice"].pubkey(), h["carol"].pubkey(), 22),
        spl_tokens.burn_ix(ledger, render, h["alice"].pubkey(), 33),
    ], [h["alice"]])
    for index, (kind, to, amount) in enumerate((("transfer", h["bob"], 11), ("transfer", h["carol"], 22),
                                                ("burn", None, 33))):
        sent(SentMovement(str(render), kind, str(h["alice"].pubkey()), str(to.pubkey()) if to else ZERO_PUBKEY,
                          amount, record.slot, record.block_time, record.signature, index))
    scenario.failed.append(ledger.at(at(day_1, 5)).send(
        [spl_tokens.burn_ix(ledger, render, h["carol"].pubkey(), 10**18)], [h["carol"]], expect_failure=True))
    sent(spl_tokens.transfer(ledger.at(at(day_1, 6)), io, h["exchange"], h["treasury"].pubkey(), 50_000 * 10**8))
    sent(spl_tokens.burn(ledger.at(at(day_1, 7)), io, h["treasury"], 40_000 * 10**8))
    ledger.at(at(day_1, 8))
    job = nosana.list_job(market, h["project"], timeout=market.job_timeout, label="scenario/1")
    ledger.at(at(day_1, 8, 5))
    nosana.start_job(job, h["node"])
    ledger.at(at(day_1, 9, 5))
    nosana.finish_job(job, h["node"], market)
    scenario.jobs.append(job)
    ledger.at(at(day_1, 10))
    scenario.stakes.append(nosana.stake(h["staker"], 50_000 * 10**6, 180 * 86_400))
    ledger.at(at(day_1, 23, 59))
    stopped = nosana.list_job(market, h["project"], timeout=market.job_timeout, label="scenario/2")
    scenario.jobs.append(stopped)

    # day 2 -----------------------------------------------------------------------------------
    sent(spl_tokens.mint_to(ledger.at(at(day_2, 0, 1)), render, authority, h["bob"].pubkey(), 5, checked=False))
    sent(spl_tokens.burn(ledger.at(at(day_2, 1)), render, h["carol"], 2 * 10**8))
    ledger.at(at(day_2, 2))
    nosana.start_job(stopped, h["node"])
    ledger.at(at(day_2, 3))
    nosana.quit_job(stopped, h["node"], market)
    ledger.at(at(day_2, 4))
    running = nosana.list_job(market, h["project"], timeout=market.job_timeout, label="scenario/3")
    ledger.at(at(day_2, 5))
    nosana.start_job(running, h["node"])
    scenario.jobs.append(running)
    ledger.at(at(day_2, 6))
    nosana.topup(scenario.stakes[0], 1_000 * 10**6)
    ledger.at(at(day_2, 20))
    sent(spl_tokens.burn(ledger, io, h["treasury"], 1))
    return scenario
