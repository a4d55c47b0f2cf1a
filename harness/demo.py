"""The demo: N days of simulated activity on the local chain for every registry network.

Everything it produces is loaded with `source='demo'`, and every page that shows it
says so. The shape (daily emissions, transfers, burns) is plausible, not a forecast.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from depinlens.registry import Registry
from harness.evm import LocalEvm, SentTransfer

SECONDS_PER_DAY = 86_400


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
    holders = evm.accounts[1:8]
    activity = DemoActivity(first_day, last_day)
    day = first_day
    while day <= last_day:
        clock = day_start(day) + 600
        for token in tokens:
            contract = contracts[token.address]
            unit = 10**token.decimals
            # daily emission to the reward holders, then payments between them, then burns
            for holder in rng.sample(holders, 3):
                activity.sent.append(evm.at(clock).mint(contract, holder, rng.randint(20_000, 60_000) * unit))
                clock += rng.randint(300, 1800)
            for _ in range(rng.randint(4, 9)):
                sender, receiver = rng.sample(holders, 2)
                balance = contract.functions.balanceOf(sender).call()
                if balance == 0:
                    continue
                amount = rng.randint(1, max(1, balance // 4))
                activity.sent.append(evm.at(clock).transfer(contract, sender, receiver, amount))
                clock += rng.randint(300, 3600)
            burner = rng.choice(holders)
            balance = contract.functions.balanceOf(burner).call()
            if balance:
                activity.sent.append(evm.at(clock).burn(contract, burner, balance // rng.randint(5, 20)))
                clock += rng.randint(300, 1800)
        if progress:
            progress(1)
        day += timedelta(days=1)
    return activity
