"""The Akash part of the demo: a generated ledger served on loopback, and demo token prices.

`depinlens up` wraps its pipeline run in `akash_demo(...)` and points the Akash chain's REST
variable at the URL it yields; everything loaded from it is labelled source='demo'.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from depinlens.registry import Registry
from harness.akash.ledger import generate_ledger
from harness.akash.server import AkashRestServer

DEMO_CHAIN = "akash-local"

# Rough 2025 price levels, only to make demo charts look like something: NOT market data.
DEMO_PRICE_LEVELS = {"AKT": 1.2, "ACT": 1.0, "ATH": 0.04, "RENDER": 4.0, "RNDR": 4.0, "IO": 1.2, "NOS": 0.8,
                     "GPU": 0.2, "AID": 1.0}


@contextmanager
def akash_demo(registry: Registry, first_day: date, last_day: date, *, seed: int = 7,
               chain: str = DEMO_CHAIN) -> Iterator[str]:
    """Serve N days of plausible Akash leases and staking state on 127.0.0.1; yield the base URL.

    The ledger prices leases in the denoms the registry lists for `chain` (uakt, uact) and
    stakes the first of them. The server stops when the block exits, even on error.

    Set, for the pipeline run inside the block: DEPINLENS_AKASH_CHAINS=akash-local,
    DEPINLENS_REST_AKASH_LOCAL=<the yielded URL>, DEPINLENS_SOURCE=demo.
    """
    spec = registry.chain(chain)
    denoms = tuple(t.address for t in registry.tokens_on(chain)) or ("uakt",)
    ledger = generate_ledger(first_day, last_day, seed=seed, denoms=denoms,
                             chain_id=spec.chain_id_name or chain)
    with AkashRestServer(ledger) as server:
        yield server.url


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
            stable = symbol == "ACT"
            day = first_day
            while day <= last_day:
                if not stable:
                    level *= math.exp(rng.gauss(0, 0.035))
                writer.writerow([symbol, day.isoformat(), f"{level:.6g}", "demo", "depinlens demo simulator",
                                 f"harness/akash/demo.py random walk, seed {seed}; not market data"])
                day += timedelta(days=1)
    return path

