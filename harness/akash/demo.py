"""The Akash part of the demo: a generated ledger served on loopback.

`depinlens up` wraps its pipeline run in `akash_demo(...)` and points the Akash chain's REST
variable at the URL it yields; everything loaded from it is labelled source='demo'.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from depinlens.registry import Registry
from harness.akash.ledger import generate_ledger
from harness.akash.server import AkashRestServer

DEMO_CHAIN = "akash-local"


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
