"""The local Akash node: a generated ledger served in the exact Cosmos REST JSON on loopback."""

from harness.akash.ledger import AkashLedger, generate_ledger
from harness.akash.server import AkashRestServer

__all__ = ["AkashLedger", "AkashRestServer", "generate_ledger"]
