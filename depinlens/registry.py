"""The network registry (`networks.toml`): typed, validated, loaded once.

Why a file and not code: identifiers change (bridges, migrations, new contracts) and
analysts review them; a TOML file is diffable and needs no Python to read.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ChainFamily = Literal["evm", "solana", "cosmos"]


class RegistryError(ValueError):
    """The registry file is missing or does not describe a valid set of networks."""


class Chain(BaseModel):
    """One chain the pipeline can read, and how to reach it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    family: ChainFamily
    chain_id: int | None = None
    chain_id_name: str | None = None
    rpc_url_env: str
    confirmations: int = Field(default=0, ge=0)
    local: bool = False
    # What a public endpoint of this chain allows (pipelines.http.Budget syntax, e.g.
    # "total=100/10s,method=40/10s,concurrency=4,batch=100"); DEPINLENS_BUDGET_<CHAIN> overrides it.
    budget: str = ""
    # Whether the endpoint is expected to serve state at old heights (Cosmos x-cosmos-block-height,
    # EVM eth_call at past blocks); DEPINLENS_ARCHIVE_<CHAIN>=1/0 overrides it.
    archive: bool = False

    @property
    def env_suffix(self) -> str:
        """The chain id as it appears in per-chain variable names (DEPINLENS_BUDGET_SOLANA_LOCAL)."""
        return self.id.upper().replace("-", "_")


class Token(BaseModel):
    """A token contract (or mint) of a network on one chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str
    symbol: str
    chain: str
    address: str
    decimals: int = Field(ge=0, le=36)
    verified: bool
    reference: str

    @field_validator("address")
    @classmethod
    def _evm_addresses_are_lowercase_hex(cls, value: str) -> str:
        if value.startswith("0x"):
            if len(value) != 42:
                raise ValueError(f"EVM address {value!r} is not 20 bytes")
            return value.lower()
        return value


class Program(BaseModel):
    """A contract or on-chain program of a network other than its token (staking, jobs, vaults).

    `abi` names an ABI fragment file under pipelines/chains/<family>/abi/ for EVM contracts.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str
    name: str
    kind: str
    chain: str
    address: str
    verified: bool
    reference: str
    abi: str | None = None

    @field_validator("address")
    @classmethod
    def _evm_addresses_are_lowercase_hex(cls, value: str) -> str:
        return Token._evm_addresses_are_lowercase_hex(value)


class Signal(BaseModel):
    """An account read for one metric of a network on one chain, and what a day of it costs.

    Reading the narrowest account that carries a metric keeps a day within a free endpoint's
    budget: Render's burns are read through its burn wallet, not the RENDER mint (whose every
    transfer names it). `token` names the token whose movements the account carries (SPL reads).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str
    metric: str
    chain: str
    account: str
    token: str | None = None
    method: str
    cost: str
    verified: bool
    reference: str


class Network(BaseModel):
    """A DePIN network and what its on-chain records mean."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    revenue_definition: str
    revenue_model: Literal["burn_mint", "buyback_burn", "job_fees", "revenue_share", "vault_yield", "off_chain"]
    burn_share_of_fees: float | None = Field(default=None, gt=0, le=1)
    take_rates: dict[str, float] = Field(default_factory=dict)
    rewards_source: Literal["revenue", "emissions", "emissions_and_fees", "unknown"] | None = None
    tokens: tuple[Token, ...] = ()
    programs: tuple[Program, ...] = ()
    signals: tuple[Signal, ...] = ()
    # metric -> why the live path does not measure it for this network (shown on pages and in reports)
    not_measured: dict[str, str] = Field(default_factory=dict)

    @property
    def primary_token(self) -> str | None:
        """The symbol prices and staked value are expressed in: the network's first listed token."""
        return self.tokens[0].symbol if self.tokens else None


class Registry(BaseModel):
    """Every chain and network the project knows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chains: dict[str, Chain]
    networks: dict[str, Network]

    def tokens_on(self, chain: str) -> list[Token]:
        """All tokens deployed on `chain`, in registry order."""
        return [t for n in self.networks.values() for t in n.tokens if t.chain == chain]

    def programs_on(self, chain: str, kind: str | None = None) -> list[Program]:
        """All programs/contracts on `chain` (of `kind` if given), in registry order."""
        return [p for n in self.networks.values() for p in n.programs
                if p.chain == chain and (kind is None or p.kind == kind)]

    def signals_on(self, chain: str, metric: str | None = None) -> list[Signal]:
        """All signal accounts on `chain` (of `metric` if given), in registry order."""
        return [g for n in self.networks.values() for g in n.signals
                if g.chain == chain and (metric is None or g.metric == metric)]

    def chain(self, chain_id: str) -> Chain:
        """The chain called `chain_id`, or a `RegistryError` listing the known ones."""
        try:
            return self.chains[chain_id]
        except KeyError:
            raise RegistryError(
                f"chain {chain_id!r} is not in the registry; known chains: {', '.join(self.chains)}"
            ) from None


def parse_registry(document: dict) -> Registry:
    """Build a `Registry` from the parsed TOML document (pure, for tests)."""
    chains = {cid: {"id": cid, **body} for cid, body in document.get("chains", {}).items()}
    networks = {}
    for nid, body in document.get("networks", {}).items():
        tokens = [{"network": nid, **t} for t in body.get("tokens", [])]
        programs = [{"network": nid, **p} for p in body.get("programs", [])]
        signals = [{"network": nid, **g} for g in body.get("signals", [])]
        rest = {k: v for k, v in body.items() if k not in ("tokens", "programs", "signals")}
        networks[nid] = {"id": nid, **rest, "tokens": tokens, "programs": programs, "signals": signals}
    try:
        registry = Registry(chains=chains, networks=networks)
    except ValidationError as exc:
        raise RegistryError(f"networks.toml is invalid:\n{exc}") from exc
    for network in registry.networks.values():
        for item in (*network.tokens, *network.programs, *network.signals):
            if item.chain not in registry.chains:
                label = getattr(item, "symbol", None) or getattr(item, "name", None) or getattr(item, "metric", "")
                raise RegistryError(f"{network.id} {label}: unknown chain {item.chain!r}")
        for signal in network.signals:
            if signal.token and not any(t.symbol == signal.token and t.chain == signal.chain for t in network.tokens):
                raise RegistryError(f"{network.id} signal {signal.metric} on {signal.chain}: no {signal.token} token "
                                    f"of {network.id} on that chain")
    return registry


@cache
def load_registry(path: Path) -> Registry:
    """Read and validate the registry at `path` (cached per path)."""
    try:
        document = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise RegistryError(f"registry file {path} not found; set DEPINLENS_REGISTRY") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path} is not valid TOML: {exc}") from exc
    return parse_registry(document)
