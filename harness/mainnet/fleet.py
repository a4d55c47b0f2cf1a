"""The registry's mainnet networks served by mainnet-shaped providers, and the environment that points
the pipeline at them: what the live tests and benchmarks/live_calls.py run against.

Each provider serves the addresses `networks.toml` names for the real chains (ethereum, solana,
akash), so the pipeline reads them exactly as it would read mainnet, through URLs that carry a
planted API key and within request budgets that match the providers' limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from depinlens.registry import Registry
from harness.mainnet._limits import Limits, Stats
from harness.mainnet.akash import AkashMainnet
from harness.mainnet.evm import EvmMainnet, Token, Vault
from harness.mainnet.solana import MintSpec, SolanaMainnet
from harness.mainnet.volumes import Volumes

PLANTED_KEY = "sk_live_4f9c2e7a1b3d5f60PLANTEDKEY"


@dataclass(frozen=True)
class FleetLimits:
    """The providers' request windows, scaled: public providers count over 10 s; tests shrink the
    window so a 30-day backfill is quick while the shape (per-method and overall caps) stays."""

    window_s: float = 10.0
    evm_per_method: int = 40
    evm_total: int = 100
    solana_per_method: int = 40
    solana_total: int = 100
    akash_per_route: int = 40
    akash_total: int = 100
    headroom: float = 0.9  # the client's budget as a share of the provider's limit
    flaky: float = 0.0  # share of requests answered with a fault (500, dropped connection, truncated JSON)

    def provider(self, family: str) -> Limits:
        per, total = {"evm": (self.evm_per_method, self.evm_total), "solana": (self.solana_per_method,
                                                                                self.solana_total),
                      "akash": (self.akash_per_route, self.akash_total)}[family]
        return Limits(window_s=self.window_s, per_window=total, per_method=per, flaky=self.flaky)

    def budget(self, family: str, *, batch: int) -> str:
        """The DEPINLENS_BUDGET_<CHAIN> that keeps a client inside `provider(family)`."""
        limits = self.provider(family)
        per = max(1, int(limits.per_method * self.headroom))
        total = max(1, int(limits.per_window * self.headroom))
        return f"total={total}/{self.window_s:g}s,method={per}/{self.window_s:g}s,concurrency=4,batch={min(batch, per)}"


@dataclass
class Fleet:
    """Running providers for ethereum, solana and akash, and how to reach them."""

    evm: EvmMainnet
    solana: SolanaMainnet
    akash: AkashMainnet
    limits: FleetLimits
    key: str

    def env(self) -> dict[str, str]:
        """Variables that point a pipeline process at the fleet (live labels, keyed URLs, budgets)."""
        return {
            "DEPINLENS_EVM_CHAINS": "ethereum", "DEPINLENS_SOLANA_CHAINS": "solana", "DEPINLENS_AKASH_CHAINS": "akash",
            "DEPINLENS_RPC_ETHEREUM": f"{self.evm.url}/v2/{self.key}",
            "DEPINLENS_RPC_SOLANA": f"{self.solana.url}/?api-key={self.key}",
            "DEPINLENS_REST_AKASH": f"{self.akash.url}/{self.key}",
            "DEPINLENS_BUDGET_ETHEREUM": self.limits.budget("evm", batch=100),
            "DEPINLENS_BUDGET_SOLANA": self.limits.budget("solana", batch=40),
            "DEPINLENS_BUDGET_AKASH": self.limits.budget("akash", batch=1),
        }

    def stats(self) -> dict[str, Stats]:
        return {"ethereum": self.evm.stats(), "solana": self.solana.stats(), "akash": self.akash.stats()}

    def served_calls(self) -> int:
        return sum(s.served_calls for s in self.stats().values())


def _evm_tokens(registry: Registry, volumes: Volumes) -> tuple[tuple[Token, ...], Vault | None]:
    holders = {p.network: p.address for p in registry.programs_on("ethereum", kind="staking_holder")}
    v = volumes.evm
    tokens = tuple(
        Token(t.address, symbol=t.symbol, decimals=t.decimals, transfers_per_day=v.transfers_per_day,
              mints_per_day=v.mints_per_day, burns_per_day=v.burns_per_day,
              holders=((holders[t.network], 10**8 * 10**t.decimals),) if t.network in holders else (),
              holder_transfers_per_day=v.holder_transfers_per_day if t.network in holders else 0)
        for t in registry.tokens_on("ethereum") if t.verified)
    vaults = registry.programs_on("ethereum", kind="vault")
    vault = None
    if vaults:
        asset = next(t for t in registry.tokens_on("ethereum") if t.network == vaults[0].network)
        vault = Vault(vaults[0].address, asset=asset.address, deposits_per_day=v.vault_deposits_per_day,
                      withdrawals_per_day=v.vault_withdrawals_per_day)
    return tokens, vault


def _solana_mints(registry: Registry) -> tuple[MintSpec, ...]:
    wallets = {g.token: g.account for g in registry.signals_on("solana") if g.token and g.metric == "burns"}
    mints = []
    for token in registry.tokens_on("solana"):
        wallet = wallets.get(token.symbol) if wallets.get(token.symbol) != token.address else None
        read_by_mint = any(g.account == token.address for g in registry.signals_on("solana"))
        mints.append(MintSpec(token.address, decimals=token.decimals, burn_wallet=wallet,
                              initial_supply=500_000_000 * 10**token.decimals,
                              **({} if read_by_mint or wallet else {"signatures_per_day": 0})))
    return tuple(mints)


@contextmanager
def mainnet_fleet(registry: Registry, first_day: date, last_day: date, *, volumes: Volumes,
                  limits: FleetLimits = FleetLimits(), key: str = PLANTED_KEY, seed: int = 7,
                  **provider_options: Any) -> Iterator[Fleet]:
    """Start the three providers for days first_day..last_day; stopped on exit."""
    tokens, vault = _evm_tokens(registry, volumes)
    jobs = registry.programs_on("solana", kind="jobs")
    staking = registry.programs_on("solana", kind="staking")
    nos = next((t for t in registry.tokens_on("solana") if t.network == "nosana"), None)
    with ExitStack() as stack:
        evm = stack.enter_context(EvmMainnet(first_day, last_day, tokens=tokens, vault=vault, seed=seed,
                                             limits=limits.provider("evm"), **provider_options.get("evm", {})))
        solana = stack.enter_context(SolanaMainnet(
            first_day, last_day, mints=_solana_mints(registry), volumes=volumes.solana, seed=seed,
            jobs_program=jobs[0].address if jobs else None, staking_program=staking[0].address if staking else None,
            nos_mint=nos.address if nos else None,
            limits=limits.provider("solana"), **provider_options.get("solana", {})))
        akash = stack.enter_context(AkashMainnet(first_day, last_day, volumes=volumes.akash, seed=seed,
                                                 prefix=f"/{key}", limits=limits.provider("akash"),
                                                 **provider_options.get("akash", {})))
        yield Fleet(evm, solana, akash, limits, key)
