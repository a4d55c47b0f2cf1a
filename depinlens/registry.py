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
        rest = {k: v for k, v in body.items() if k not in ("tokens", "programs")}
        networks[nid] = {"id": nid, **rest, "tokens": tokens, "programs": programs}
    try:
        registry = Registry(chains=chains, networks=networks)
    except ValidationError as exc:
        raise RegistryError(f"networks.toml is invalid:\n{exc}") from exc
    for network in registry.networks.values():
        for item in (*network.tokens, *network.programs):
            if item.chain not in registry.chains:
                label = getattr(item, "symbol", None) or getattr(item, "name", "")
                raise RegistryError(f"{network.id} {label}: unknown chain {item.chain!r}")
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
