"""The demo: N days of simulated activity on the local EVM chain, and demo token prices for every network.

Everything it produces is loaded with `source='demo'`, and every page that shows it
says so. The shape (daily emissions, transfers, burns) is plausible, not a forecast.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from depinlens.registry import Registry
from harness.evm import LocalEvm, SentTransfer

SECONDS_PER_DAY = 86_400

# Rough 2025 price levels, only to make demo charts look like something: NOT market data.
DEMO_PRICE_LEVELS = {"AKT": 1.2, "ACT": 1.0, "ATH": 0.04, "RENDER": 4.0, "RNDR": 4.0, "IO": 1.2, "NOS": 0.8,
                     "GPU": 0.2, "AID": 1.0, "USDai": 1.0}
STABLE_SYMBOLS = frozenset({"ACT", "USDai"})


def day_start(day: date) -> int:
    """Unix time of 00:00 UTC on `day`."""
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def demo_window(days: int, today: date | None = None) -> tuple[date, date]:
    """The last `days` complete UTC days before `today`."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=days), today - timedelta(days=1)


@dataclass
class DemoActivity:
    """What the simulator sent, for summaries and for tests that check the warehouse against it."""

    first_day: date
    last_day: date
    sent: list[SentTransfer] = field(default_factory=list)
    # GPU loans the demo made: {"event", "loan", "block", amounts...} in the order they were mined
    loans: list[dict] = field(default_factory=list)


@dataclass
class LoanBook:
    """The demo's open GPU loans (loan terms hash -> borrower, balance, rate) and redemption requests."""

    active: dict[bytes, dict] = field(default_factory=dict)
    in_liquidation: list[bytes] = field(default_factory=list)
    redeemers: set[str] = field(default_factory=set)
    collateral_ids: int = 0
    defaulted: bool = False


def simulate_evm(evm: LocalEvm, registry: Registry, first_day: date, last_day: date, *,
                 chain: str = "anvil", seed: int = 7, progress=None) -> DemoActivity:
    """Deploy the registry's local tokens and give each a few mints, transfers and burns a day.

    The chain must be fresh (the deployer's nonce decides the token addresses) and its
    genesis must be earlier than `first_day`.

    Args:
        progress: optional callable(advance: int) called once per simulated day.
    """
    rng = random.Random(seed)
    tokens = registry.tokens_on(chain)
    contracts = evm.at(day_start(first_day) + 60).deploy_registry_tokens(tokens)
    token_of_network = {t.network: t for t in tokens}
    programs = registry.programs_on(chain)
    deployed = evm.deploy_registry_programs(programs, token_of_network)
    evm.link_lending(programs, deployed)
    holders = evm.accounts[1:8]
    borrowers = evm.accounts[8:10]  # GPU operators financing their GPUs
    activity = DemoActivity(first_day, last_day)
    book = LoanBook()
    day = first_day
    while day <= last_day:
        actions = _day_of_actions(evm, rng, tokens, contracts, programs, deployed, token_of_network, holders,
                                  activity)
        actions += _day_of_gpu_loans(evm, rng, programs, deployed, contracts, token_of_network, holders, borrowers,
                                     book, activity)
        # spread the day's transactions evenly between 00:10 and 23:50 UTC
        step = (SECONDS_PER_DAY - 1_200) // max(1, len(actions))
        for k, action in enumerate(actions):
            action(day_start(day) + 600 + k * step)
        if progress:
            progress(1)
        day += timedelta(days=1)
    return activity


def _day_of_actions(evm, rng, tokens, contracts, programs, deployed, token_of_network, holders,
                    activity: DemoActivity) -> list:
    """One day's transactions as callables taking the unix time to mine them at.

    Balances are read when an action runs, so an action never spends what a holder lacks.
    """
    actions = []

    def record(sent: SentTransfer) -> None:
        activity.sent.append(sent)

    for token in tokens:
        contract, unit = contracts[token.address], 10**token.decimals
        for holder in rng.sample(holders, 2):  # daily emission to reward holders
            amount = rng.randint(20_000, 60_000) * unit
            actions.append(lambda t, c=contract, h=holder, a=amount: record(evm.at(t).mint(c, h, a)))
        for _ in range(rng.randint(3, 6)):  # payments between holders
            sender, receiver = rng.sample(holders, 2)
            share = rng.randint(4, 12)

            def pay(t, c=contract, s=sender, r=receiver, k=share):
                balance = c.functions.balanceOf(s).call()
                if balance:
                    record(evm.at(t).transfer(c, s, r, balance // k))
            actions.append(pay)
        burner, share = rng.choice(holders), rng.randint(5, 20)

        def burn(t, c=contract, b=burner, k=share):
            balance = c.functions.balanceOf(b).call()
            if balance:
                record(evm.at(t).burn(c, b, balance // k))
        actions.append(burn)

    for program in programs:
        pool = deployed[program.address]
        token = contracts[token_of_network[program.network].address]
        unit = 10**token_of_network[program.network].decimals
        actions.append(lambda t, c=token, u=unit: record(evm.at(t).mint(c, evm.deployer, 2_000 * u)))
        if program.kind == "staking":
            for holder in rng.sample(holders, 2):
                share = rng.randint(3, 8)

                def stake(t, p=pool, c=token, h=holder, k=share):
                    balance = c.functions.balanceOf(h).call()
                    if balance:
                        evm.at(t).stake(p, c, h, balance // k)
                actions.append(stake)
            if rng.random() < 0.3:
                staker = rng.choice(holders)

                def unstake(t, p=pool, h=staker):
                    staked = p.functions.stakeOf(h).call()
                    if staked:
                        evm.at(t).unstake(p, h, staked // 2)
                actions.append(unstake)
            # rewards sized to the pool: about 8-20% a year of what is staked, split over two holders
            daily_rate = rng.uniform(0.08, 0.20) / 365 / 2
            for holder in holders[:2]:
                def reward(t, p=pool, c=token, h=holder, r=daily_rate):
                    amount = int(p.functions.totalStaked().call() * r)
                    if amount:
                        evm.at(t).pay_reward(p, c, h, amount)
                actions.append(reward)
        elif program.kind == "vault":
            depositor, share = rng.choice(holders), rng.randint(4, 10)

            def deposit(t, p=pool, c=token, h=depositor, k=share):
                balance = c.functions.balanceOf(h).call()
                if balance:
                    evm.at(t).vault_deposit(p, c, h, balance // k)
            actions.append(deposit)
            rate = rng.uniform(0.0002, 0.0006)  # about 15% a year paid in as revenue

            def distribute(t, p=pool, c=token, r=rate):
                held = p.functions.totalAssets().call()
                if held:
                    evm.at(t).vault_distribute(p, c, int(held * r))
            actions.append(distribute)
    return actions


def _day_of_gpu_loans(evm, rng, programs, deployed, contracts, token_of_network, holders, borrowers,
                      book: LoanBook, activity: DemoActivity) -> list:
    """One day of GPU financing for each network with a loan router and a lending vault (USD.AI's shape).

    Lenders deposit 200,000-500,000 USDai a day; loans (two at least open) of 20-40% of the vault's idle assets at 13-17% a year (the rate USD.AI's sources report),
    1% origination fee; daily interest and a 1/30 principal instalment, 0.5% exit fee on the last;
    one default on the second day (then rarely): liquidated, its collateral sold a day later for 90%
    of the balance.
    Holders request redemptions (ERC-7540) that the operator services the next day.
    """
    actions = []
    for router_program in (p for p in programs if p.kind == "loan_router"):
        vault_program = next((p for p in programs if p.network == router_program.network
                              and p.contract == "AsyncRedeemVault"), None)
        if vault_program is None:
            continue
        router, vault = deployed[router_program.address], deployed[vault_program.address]
        token = contracts[token_of_network[router_program.network].address]
        unit = 10**token_of_network[router_program.network].decimals

        def note(event: str, loan: bytes, block: int, **amounts: int) -> None:
            activity.loans.append({"event": event, "loan": "0x" + loan.hex(), "block": block, **amounts})

        lender = rng.choice(holders)  # lenders' stablecoins flow in every day: USDai minted, staked as sUSDai
        inflow = rng.randint(200_000, 500_000) * unit

        def lend(t, v=vault, c=token, h=lender, a=inflow):
            evm.at(t).mint(c, h, a)
            evm.vault_deposit(v, c, h, a)
        actions.append(lend)

        def service_and_claim(t, v=vault):
            pending = v.functions.pendingShares().call()
            if pending:
                evm.at(t).service_redemptions(v, pending)
            for holder in sorted(book.redeemers):
                evm.claim_redemption(v, holder)  # mined right after (anvil keeps counting from t)
            book.redeemers.clear()
        actions.append(service_and_claim)

        for loan_hash in list(book.in_liquidation):
            def settle(t, h=loan_hash, r=router, c=token):
                balance = r.functions.loans(h).call()[5]
                proceeds = int(balance * 0.9)
                fee = proceeds // 50
                evm.at(t).mint(c, evm.deployer, proceeds)  # the collateral's sale
                block = evm.settle_liquidation(r, c, h, proceeds, fee)
                note("collateral_liquidated", h, block, proceeds=proceeds, fee=fee, written_off=balance - (proceeds - fee))
                book.in_liquidation.remove(h)
            actions.append(settle)

        for loan_hash, loan in reversed(list(book.active.items())):
            loan["days"] += 1
            # one default early on (so a short demo shows one), then rarely
            if len(book.active) > 1 and (not book.defaulted or (loan["days"] > 5 and rng.random() < 0.03)):
                book.defaulted = True
                def default(t, h=loan_hash, r=router):
                    block = evm.at(t).liquidate_loan(r, h)
                    note("liquidated", h, block)
                    book.in_liquidation.append(h)
                    del book.active[h]
                actions.append(default)
                continue

            def instalment(t, h=loan_hash, r=router, c=token, v=vault):
                loan = book.active[h]
                interest = loan["balance"] * loan["rate"] // 365 // 10_000
                principal = min(loan["balance"], loan["original"] // 30)
                exit_fee = loan["original"] // 200 if principal == loan["balance"] else 0
                evm.at(t).mint(c, loan["borrower"], interest + exit_fee + principal // 2)  # GPU rental income
                block = evm.repay_loan(r, c, loan["borrower"], h, principal, interest, exit_fee)
                note("repaid", h, block, principal=principal, interest=interest, exit_fee=exit_fee)
                loan["balance"] -= principal
                if loan["balance"] == 0:
                    del book.active[h]
            actions.append(instalment)

        wanted = max(2 - len(book.active), 1 if len(book.active) < 4 and rng.random() < 0.5 else 0)
        for _ in range(wanted):
            borrower, share, rate = rng.choice(borrowers), rng.uniform(0.2, 0.4), rng.randint(1_300, 1_700)

            def originate(t, r=router, v=vault, c=token, b=borrower, k=share, bps=rate):
                idle = c.functions.balanceOf(v.address).call() - v.functions.reserved().call()
                principal = int(idle * k) // unit * unit
                if principal <= 0:
                    return
                gpus = 2 + principal // unit % 7  # the GPUs the loan finances, bundled as its collateral
                ids = list(range(book.collateral_ids + 1, book.collateral_ids + gpus + 1))
                book.collateral_ids += gpus
                fee = principal // 100
                h = evm.at(t).originate_loan(r, v, c, b, principal, fee, ids)
                note("originated", h, evm.w3.eth.block_number, principal=principal, fee=fee)
                book.active[h] = {"borrower": b, "balance": principal, "original": principal, "rate": bps, "days": 0}
            actions.append(originate)

        if rng.random() < 0.4:
            holder = rng.choice(holders)

            def redeem(t, v=vault, h=holder):
                shares = v.functions.balanceOf(h).call() // 3
                if shares:
                    evm.at(t).request_redeem(v, h, shares)
                    book.redeemers.add(h)
            actions.append(redeem)
    return actions


def write_demo_token_prices(path: Path | str, registry: Registry, first_day: date, last_day: date, *,
                            seed: int = 7) -> Path:
    """Write a random-walk USD price per registry token symbol per day, labelled source='demo'.

    The file has the token price importer's format; point DEPINLENS_TOKEN_PRICES_CSV at it.
    """
    rng = random.Random(seed)
    symbols = sorted({t.symbol for network in registry.networks.values() for t in network.tokens})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["token", "day", "usd", "source", "source_name", "source_ref"])
        for symbol in symbols:
            level = DEMO_PRICE_LEVELS.get(symbol, 1.0)
            stable = symbol in STABLE_SYMBOLS
            day = first_day
            while day <= last_day:
                if not stable:
                    level *= math.exp(rng.gauss(0, 0.035))
                writer.writerow([symbol, day.isoformat(), f"{level:.6g}", "demo", "depinlens demo simulator",
                                 f"harness/demo.py random walk, seed {seed}; not market data"])
                day += timedelta(days=1)
    return path
