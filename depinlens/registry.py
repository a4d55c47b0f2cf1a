"""The network registry (`networks.toml`): typed, validated, loaded once.

Why a file and not code: identifiers change (bridges, migrations, new contracts) and
analysts review them; a TOML file is diffable and needs no Python to read.
"""

from __future__ import annotations

import difflib
import tomllib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from depinlens.addresses import FAMILIES_CONTEXT_KEY, ChainIdentifier
from depinlens.bounds import BURN_SHARE_OF_FEES, CONFIRMATIONS, TOKEN_DECIMALS
from depinlens.registry_checks import Problem, registry_problems, summary, unknown_tables, validation_problems

ChainFamily = Literal["evm", "solana", "cosmos"]

# What a [networks.<id>.not_measured] entry may name: a network_daily metric column, its stem (the
# name without its unit) or a measure columns are computed from. The coverage mart traces the same
# names (dbt/models/intermediate/registry/int_network_metrics_traced.sql; tests/test_metric_gaps.py
# checks that both lists agree).
METRIC_STEMS = ("fees", "revenue", "supply_side_revenue", "holders_revenue", "emissions", "burns", "net_issuance",
                "staked", "rewards", "revenue_backed_rewards", "nominal_apy", "real_yield", "active_providers",
                "active_jobs", "jobs_started", "gpu_hours", "utilization", "token_price")
METRIC_COLUMNS = ("fees_usd", "revenue_usd", "supply_side_revenue_usd", "holders_revenue_usd", "emissions_tokens",
                  "burns_tokens", "net_issuance_tokens", "emissions_usd", "burns_usd", "net_issuance_usd",
                  "staked_tokens", "staked_usd", "rewards_tokens", "rewards_usd", "revenue_backed_rewards_usd",
                  "nominal_apy", "real_yield", "active_providers", "active_jobs", "jobs_started", "gpu_hours",
                  "utilization", "token_price_usd")
MEASURES = ("jobs", "vault")
METRIC_NAMES = tuple(dict.fromkeys((*METRIC_STEMS, *MEASURES, *METRIC_COLUMNS)))


class RegistryError(ValueError):
    """The registry file is missing or does not describe a valid set of networks.

    The message is one line, `file: place: cause`; `problems` holds every problem found.
    """

    def __init__(self, message: str, *, file: object = None, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.file = file
        self.problems = problems

    @classmethod
    def from_problems(cls, file: object, problems: list[Problem]) -> RegistryError:
        """One error for all `problems` of the registry `file`, its message naming the first in full."""
        return cls(summary(file, problems), file=file, problems=tuple(problems))


class Chain(BaseModel):
    """One chain the pipeline can read, and how to reach it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    family: ChainFamily
    chain_id: int | None = None
    chain_id_name: str | None = None
    rpc_url_env: str
    confirmations: int = Field(default=0, ge=CONFIRMATIONS.low, le=CONFIRMATIONS.high)
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


class MaxSupply(BaseModel):
    """A token's maximum supply, whole tokens, as its own docs or contract state it (`tokens`), or why it has
    none (`uncapped`: an inflationary token); either way with the source and the day it was read. A token with
    no entry has no verified cap: no fully diluted value is shown for it, never a guessed one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: Decimal | None = Field(default=None, gt=0)
    uncapped: str | None = None
    source: str = Field(min_length=1)
    as_of: date

    @model_validator(mode="after")
    def _a_cap_or_why_none(self) -> MaxSupply:
        if (self.tokens is None) == (self.uncapped is None or not self.uncapped.strip()):
            raise ValueError("give either `tokens` (the cap, whole tokens) or `uncapped` (why the token has none)")
        return self


class Token(BaseModel):
    """A token contract (or mint) of a network on one chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str
    symbol: str
    chain: str
    address: ChainIdentifier
    decimals: int = Field(ge=TOKEN_DECIMALS.low, le=TOKEN_DECIMALS.high)
    verified: bool
    reference: str
    # a bridged copy of the network's token (Gensyn's AI on Ethereum): its mints and burns are tokens
    # crossing chains, not issuance, and are left out of emissions and burns
    bridged: bool = False
    max_supply: MaxSupply | None = None

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
    address: ChainIdentifier
    verified: bool
    reference: str
    abi: str | None = None
    # on a local chain: the harness contract that stands in for it (harness/contracts/<contract>.vy);
    # without it the harness picks one by `kind` (StakingPool, RewardVault)
    contract: str | None = None

    @field_validator("address")
    @classmethod
    def _evm_addresses_are_lowercase_hex(cls, value: str) -> str:
        return Token._evm_addresses_are_lowercase_hex(value)


class Pending(BaseModel):
    """An identifier the sources name that is not registered: unpublished, or not verifiable yet.

    Why an entry and not silence: a network with nothing on-chain to read still belongs on every
    page, listed with what would be measured once its identifiers are published and why they are
    not registered now. `chain` is free text ("peaq", "off-chain"): the chain may not be one the
    registry can read yet.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str
    name: str
    chain: str
    would_measure: str
    reason: str
    reference: str


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
    burn_share_of_fees: float | None = Field(default=None, gt=BURN_SHARE_OF_FEES.low, le=BURN_SHARE_OF_FEES.high)
    take_rates: dict[str, float] = Field(default_factory=dict)
    rewards_source: Literal["revenue", "emissions", "emissions_and_fees", "unknown"] | None = None
    tokens: tuple[Token, ...] = ()
    programs: tuple[Program, ...] = ()
    signals: tuple[Signal, ...] = ()
    pending: tuple[Pending, ...] = ()
    # metric -> why the live path does not measure it for this network (shown on pages and in reports)
    not_measured: dict[str, str] = Field(default_factory=dict)

    @field_validator("not_measured")
    @classmethod
    def _metrics_are_known(cls, value: dict[str, str]) -> dict[str, str]:
        for metric, reason in value.items():
            if metric not in METRIC_NAMES:
                close = difflib.get_close_matches(metric, METRIC_NAMES, n=1)
                hint = f"a typo of {close[0]!r}? " if close else ""
                raise ValueError(f"unknown metric {metric!r} ({hint}use a network_daily metric or its stem: "
                                 f"{', '.join(METRIC_STEMS + MEASURES)})")
            if not reason.strip():
                raise ValueError(f"metric {metric!r} has no reason; say why the live path cannot measure it")
        return value

    @model_validator(mode="after")
    def _one_max_supply_per_symbol(self) -> Network:
        stated: dict[str, MaxSupply] = {}
        for token in self.tokens:
            if token.max_supply is None:
                continue
            if stated.setdefault(token.symbol, token.max_supply) != token.max_supply:
                raise ValueError(f"token {token.symbol} states two different max_supply entries (chains differ); "
                                 "state it once, on the token's home chain")
        return self

    @property
    def primary_token(self) -> str | None:
        """The symbol prices and staked value are expressed in: the network's first listed token."""
        return self.tokens[0].symbol if self.tokens else None

    @property
    def max_supply(self) -> MaxSupply | None:
        """The primary token's maximum supply (or why it has none), from whichever of its chains states it."""
        return next((t.max_supply for t in self.tokens if t.symbol == self.primary_token and t.max_supply), None)


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

    def verified_identifiers(self, network: str) -> list[Token | Program]:
        """The verified tokens and programs of `network` on real chains: what live ingestion may read."""
        n = self.networks[network]
        return [i for i in (*n.tokens, *n.programs) if i.verified and not self.chains[i.chain].local]

    def identifier_status(self) -> list[dict[str, str]]:
        """One row per network: whether it has verified on-chain identifiers, and if not, why not.

        Pages and reports list every network this way, so a network with nothing on-chain yet is
        shown as such (with the reasons and what would be measured) rather than left out.
        """
        rows = []
        for n in self.networks.values():
            verified = self.verified_identifiers(n.id)
            unverified = [i for i in (*n.tokens, *n.programs) if not i.verified and not self.chains[i.chain].local]
            rows.append({
                "network": n.id, "name": n.name,
                "status": "verified on-chain identifiers" if verified else "no verified on-chain identifiers",
                "identifiers": "; ".join(f"{getattr(i, 'symbol', None) or i.name} on {i.chain}" for i in verified),
                "pending": "; ".join(
                    [f"{p.name} ({p.chain}): {p.reason}; would measure {p.would_measure}" for p in n.pending]
                    + [f"{getattr(i, 'symbol', None) or i.name} on {i.chain} (unverified): {i.reference}"
                       for i in unverified]),
            })
        return rows

    def chain(self, chain_id: str) -> Chain:
        """The chain called `chain_id`, or a `RegistryError` listing the known ones."""
        try:
            return self.chains[chain_id]
        except KeyError:
            raise RegistryError(
                f"chain {chain_id!r} is not in the registry; known chains: {', '.join(self.chains)}"
            ) from None


def parse_registry(document: dict, *, file: object = "networks.toml") -> Registry:
    """Build a `Registry` from the parsed TOML document (pure, for tests), or refuse it.

    Every check runs before anything can use the registry: field types and bounds, identifiers
    per chain family (EVM hex and EIP-55 checksum, Solana base58 of 32 bytes, Cosmos denoms),
    duplicates, unknown chains and take rates (depinlens.registry_checks).

    Args:
        file: the file the document came from, named in every error.

    Raises:
        RegistryError: one line naming the file, the first bad place and its cause.
    """
    shaped = _shaped(document)
    problems = unknown_tables(document)
    try:
        registry = Registry.model_validate(shaped, context={FAMILIES_CONTEXT_KEY: _families(document)})
    except ValidationError as exc:
        raise RegistryError.from_problems(file, problems + validation_problems(exc, shaped, Registry)) from None
    problems += registry_problems(registry)
    if problems:
        raise RegistryError.from_problems(file, problems)
    return registry


def _shaped(document: dict) -> dict:
    """The TOML document in the models' shape: ids and network names copied into their entries.

    Anything not shaped as expected (a table where an array of tables belongs...) is passed on
    as written, for pydantic to refuse with its place.
    """
    chains, networks = document.get("chains", {}), document.get("networks", {})
    if isinstance(chains, dict):
        chains = {cid: {"id": cid, **body} if isinstance(body, dict) else body for cid, body in chains.items()}
    if isinstance(networks, dict):
        networks = {nid: _network(nid, body) if isinstance(body, dict) else body for nid, body in networks.items()}
    return {"chains": chains, "networks": networks}


def _network(nid: str, body: dict) -> dict:
    """One network's table with its id, and its id copied into each token, program and signal."""
    entries = {key: [{"network": nid, **item} if isinstance(item, dict) else item for item in body[key]]
               if isinstance(body.get(key), list) else body.get(key, []) for key in ("tokens", "programs", "signals", "pending")}
    rest = {k: v for k, v in body.items() if k not in entries}
    return {"id": nid, **rest, **entries}


def _families(document: dict) -> dict[str, str]:
    """Chain id -> family as written, so identifier fields know which check applies."""
    chains = document.get("chains")
    return {cid: body.get("family") for cid, body in (chains if isinstance(chains, dict) else {}).items()
            if isinstance(body, dict)}


def load_registry(path: Path | str) -> Registry:
    """Read and validate the registry at `path` (cached per path until the file changes).

    Raises:
        RegistryError: the file is missing, not TOML, or not a valid registry; the one-line
            message names `path` (the file actually used, DEPINLENS_REGISTRY's when set).
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise RegistryError(f"registry file {path} not found; set DEPINLENS_REGISTRY to the registry "
                            "(networks.toml in the project by default)", file=path) from None
    return _load_registry(path, stat.st_mtime_ns, stat.st_size)


@cache
def _load_registry(path: Path, mtime_ns: int, size: int) -> Registry:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}", file=path) from None
    return parse_registry(document, file=path)
