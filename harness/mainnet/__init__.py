"""Mainnet-shaped loopback providers for tests and benchmarks: EVM JSON-RPC, Solana JSON-RPC, Akash REST.

Each serves a chain derived on demand from a seed (nothing is built up front: any record is
regenerated from its coordinates, so a 30-day window costs no memory), answers in the real wire
formats of ../shared/fixtures, enforces the limits public providers enforce (`Limits`: request
windows counting batch calls, 429 + Retry-After, concurrency, batch size, seeded faults), counts
what it served (`Provider.stats()`), and exposes the truth a test computes expected rows from
(`EvmMainnet.transfers`, `SolanaMainnet.movements`, `AkashMainnet.leases_active_on`, ...).

    with SolanaMainnet(first_day, last_day, volumes=TEST_VOLUMES.solana) as rpc:
        ... run the pipeline against f"{rpc.url}/api-key" ...
        assert rpc.stats().window_violations == 0
"""

from harness.mainnet._limits import UNLIMITED, Limits, Stats
from harness.mainnet._server import Provider
from harness.mainnet.akash import PUBLIC_LIMITS as AKASH_PUBLIC_LIMITS
from harness.mainnet.akash import AkashMainnet
from harness.mainnet.evm import PUBLIC_LIMITS as EVM_PUBLIC_LIMITS
from harness.mainnet.evm import EvmMainnet, Token, Vault
from harness.mainnet.solana import PUBLIC_LIMITS as SOLANA_PUBLIC_LIMITS
from harness.mainnet.solana import MintSpec, SolanaMainnet
from harness.mainnet.volumes import MAINNET_VOLUMES, TEST_VOLUMES, AkashVolumes, EvmVolumes, SolanaVolumes, Volumes

__all__ = [
    "AKASH_PUBLIC_LIMITS",
    "EVM_PUBLIC_LIMITS",
    "MAINNET_VOLUMES",
    "SOLANA_PUBLIC_LIMITS",
    "TEST_VOLUMES",
    "UNLIMITED",
    "AkashMainnet",
    "AkashVolumes",
    "EvmMainnet",
    "EvmVolumes",
    "Limits",
    "MintSpec",
    "Provider",
    "SolanaMainnet",
    "SolanaVolumes",
    "Stats",
    "Token",
    "Vault",
    "Volumes",
]
