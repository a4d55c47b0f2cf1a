"""A generated Akash ledger: blocks, providers, deployments, leases and staking state, from a seed.

The loopback server (server.py) renders it in the exact REST JSON of an Akash node, so the
pipeline reads it through the same code as mainnet. The shape is plausible, not a forecast:
GPU prices per hour near what Akash tenants paid in 2025, priced per block at ~6.17 s
blocks, leases lasting hours to days, a staking pool near half the supply. Nothing here is
on the live path, and everything loaded from it carries source='local' or 'demo'.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, localcontext

SECONDS_PER_BLOCK = 6.174  # same average as the adapter's (akash-network/console)
SECONDS_PER_YEAR = 365.25 * 86_400

# Demo-only USD value of one base unit, to turn a target $/GPU-hour into a price per block.
DEMO_USD_PER_UNIT = {"uakt": Decimal("1.2e-6"), "uact": Decimal("1e-6"),
                     "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1": Decimal("1e-6")}

# (Akash model token, ram, interface, demo $/GPU-hour range)
GPU_CATALOG = {
    "h100": ("80Gi", "sxm", (1.40, 2.60)),
    "h200": ("141Gi", "sxm", (2.20, 3.20)),
    "a100": ("80Gi", "sxm", (0.80, 1.30)),
    "l40s": ("48Gi", "pcie", (0.55, 0.95)),
    "rtxa6000": ("48Gi", "pcie", (0.35, 0.55)),
    "rtx4090": ("24Gi", "pcie", (0.28, 0.50)),
    "rtx3090": ("24Gi", "pcie", (0.14, 0.26)),
}
PROVIDER_GPUS = (  # what each demo provider advertises
    ("h100",), ("h100", "a100"), ("a100",), ("h200",), ("l40s",), ("rtxa6000",), ("rtx4090",),
    ("rtx4090", "rtx3090"), ("rtx3090",),
)

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            checksum ^= generator if (top >> i) & 1 else 0
    return checksum


def bech32_address(payload: bytes, prefix: str = "akash") -> str:
    """A BIP-173 bech32 address (with a valid checksum) for a 20-byte payload."""
    bits, acc, data = 0, 0, []
    for byte in payload:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in prefix] + [0] + [ord(c) & 31 for c in prefix]
    polymod = _polymod(expanded + data + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return prefix + "1" + "".join(_BECH32[d] for d in data + checksum)


@dataclass(frozen=True)
class Timing:
    """Block heights and times: block h is made at genesis + h x 6.174 s, give or take 0.4 s."""

    genesis: datetime
    head: int
    seconds_per_block: float = SECONDS_PER_BLOCK

    def time_of(self, height: int) -> datetime:
        """When block `height` was made."""
        offset = height * self.seconds_per_block + 0.4 * math.sin(height)
        return self.genesis + timedelta(microseconds=round(offset * 1_000_000))

    def height_at(self, moment: datetime) -> int:
        """The first height made at or after `moment`."""
        height = max(1, math.floor((moment - self.genesis).total_seconds() / self.seconds_per_block) - 2)
        while self.time_of(height) < moment:
            height += 1
        return height


# Akash's well-known auditor (../shared/fixtures/akash/getblock_audit_v1_attributes_list.json, PROVENANCE.md)
AUDITOR = "akash1365yvmc4s7awdyj3n2sav7xfx76adc6dnmlx63"


@dataclass(frozen=True)
class Provider:
    """A provider, the GPU models it advertises and the auditor that signed its attributes (None: not audited)."""

    address: str
    name: str
    gpus: tuple[str, ...]
    auditor: str | None = None


@dataclass(frozen=True)
class Group:
    """One group of a deployment: GPUs per replica, replicas, and the models asked for (empty = any)."""

    gseq: int
    gpu_units: int
    count: int
    models: tuple[str, ...]


@dataclass(frozen=True)
class Deployment:
    """A tenant's deployment and its groups."""

    owner: str
    dseq: int
    created_height: int
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Lease:
    """A lease as the chain holds it (prices are per block, exact to 18 places)."""

    owner: str
    dseq: int
    gseq: int
    oseq: int
    provider: str
    state: str
    denom: str
    price: Decimal
    created_height: int
    closed_height: int  # 0 while open
    gpu_model: str | None  # the Akash model the lease really runs on (ground truth for tests)
    gpu_count: int

    @property
    def job_id(self) -> str:
        """owner/dseq/gseq/oseq/provider, as the adapter writes it."""
        return f"{self.owner}/{self.dseq}/{self.gseq}/{self.oseq}/{self.provider}"


@dataclass(frozen=True)
class StakingCurve:
    """Staking state as a smooth function of height (supply grows with inflation)."""

    bond_denom: str
    supply_at_genesis: int
    bonded_ratio: float
    inflation: float
    community_tax: float

    def state(self, height: int) -> dict[str, Decimal | int]:
        """Exact figures at `height`: supply, bonded, not bonded, inflation, annual provisions, tax."""
        years = height * SECONDS_PER_BLOCK / SECONDS_PER_YEAR
        inflation = Decimal(str(round(self.inflation - 0.01 * years, 18))).quantize(Decimal("1e-18"))
        supply = int(self.supply_at_genesis * (1 + float(inflation) * years))
        bonded = int(supply * (self.bonded_ratio + 0.004 * math.sin(height / 20_000)))
        not_bonded = int(supply * 0.012)
        with localcontext(prec=60):
            provisions = (inflation * supply).quantize(Decimal("1e-18"))
        return {"supply": supply, "bonded": bonded, "not_bonded": not_bonded, "inflation": inflation,
                "annual_provisions": provisions,
                "community_tax": Decimal(str(self.community_tax)).quantize(Decimal("1e-18"))}


@dataclass
class AkashLedger:
    """Everything the loopback node serves."""

    chain_id: str
    timing: Timing
    providers: list[Provider] = field(default_factory=list)
    deployments: dict[tuple[str, int], Deployment] = field(default_factory=dict)
    leases: list[Lease] = field(default_factory=list)
    staking: StakingCurve | None = None

    def leases_created_on(self, first_day: date, last_day: date) -> list[Lease]:
        """Leases whose creation block falls on UTC days first_day..last_day."""
        return [lease for lease in self.leases
                if first_day <= self.timing.time_of(lease.created_height).date() <= last_day]

    def leases_active_on(self, first_day: date, last_day: date) -> list[Lease]:
        """Leases created by the end of last_day and not closed before first_day began."""
        return [lease for lease in self.leases
                if self.timing.time_of(lease.created_height).date() <= last_day
                and not (lease.closed_height and self.timing.time_of(lease.closed_height).date() < first_day)]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def generate_ledger(
    first_day: date,
    last_day: date,
    *,
    seed: int = 7,
    denoms: tuple[str, ...] = ("uakt", "uact"),
    chain_id: str = "akashnet-2 (loopback)",
    leases_per_day: tuple[int, int] = (6, 14),
) -> AkashLedger:
    """A ledger whose chain starts a day before `first_day` and whose head is just after `last_day`.

    Args:
        denoms: lease price denoms; the first is also the bond (staking) denom.
        leases_per_day: inclusive range of new leases a day.
    """
    rng = random.Random(seed)
    genesis = _day_start(first_day) - timedelta(days=1)
    provisional = Timing(genesis, head=0)
    head = provisional.height_at(_day_start(last_day + timedelta(days=1))) + 600
    timing = Timing(genesis, head)
    ledger = AkashLedger(chain_id, timing)
    ledger.staking = StakingCurve(bond_denom=denoms[0], supply_at_genesis=rng.randint(240, 260) * 10**12,
                                  bonded_ratio=rng.uniform(0.5, 0.6), inflation=rng.uniform(0.12, 0.14),
                                  community_tax=0.02)
    for i, gpus in enumerate(PROVIDER_GPUS):
        name = f"provider-{i + 1}.{gpus[0]}.demo"
        auditor = AUDITOR if i % 2 == 0 else None  # the demo audits every other provider: the page shows both
        ledger.providers.append(Provider(bech32_address(hashlib.sha256(name.encode()).digest()[:20]), name, gpus,
                                         auditor))
    tenants = [bech32_address(rng.randbytes(20)) for _ in range(40)]
    day = first_day
    while day <= last_day:
        start = timing.height_at(_day_start(day))
        end = timing.height_at(_day_start(day + timedelta(days=1))) - 1
        for _ in range(rng.randint(*leases_per_day)):
            _add_deployment(ledger, rng, rng.choice(tenants), rng.randint(start, end), denoms)
        day += timedelta(days=1)
    ledger.leases.sort(key=lambda lease: (lease.owner, lease.dseq, lease.gseq, lease.oseq))
    return ledger


def _add_deployment(ledger: AkashLedger, rng: random.Random, owner: str, height: int, denoms: tuple[str, ...]) -> None:
    """One deployment of one or two groups, each leased by a provider that has the GPU asked for."""
    while (owner, height) in ledger.deployments:  # dseq is the creation height, unique per owner
        height += 1
    groups, leases = [], []
    for gseq in range(1, 1 + (2 if rng.random() < 0.12 else 1)):
        if rng.random() < 0.1:  # a CPU-only workload
            provider = rng.choice(ledger.providers)
            groups.append(Group(gseq, 0, 1, ()))
            model, gpus, usd_per_hour = None, 0, Decimal(str(round(rng.uniform(0.02, 0.12), 4)))
        else:
            provider = rng.choice(ledger.providers)
            model = rng.choice(provider.gpus)
            units, replicas = rng.choice((1, 1, 1, 2, 4, 8)), 1
            wildcard = rng.random() < 0.3  # "any NVIDIA GPU": the provider decides the model
            groups.append(Group(gseq, units, replicas, () if wildcard else (model,)))
            low, high = GPU_CATALOG[model][2]
            gpus = units * replicas
            usd_per_hour = Decimal(str(round(rng.uniform(low, high), 4))) * gpus
        denom = denoms[0] if rng.random() < 0.7 or len(denoms) == 1 else rng.choice(denoms[1:])
        blocks_per_hour = Decimal(3600) / Decimal(str(SECONDS_PER_BLOCK))
        price = (usd_per_hour / DEMO_USD_PER_UNIT.get(denom, Decimal("1e-6")) / blocks_per_hour).quantize(
            Decimal("1e-18"))
        hours = math.exp(rng.uniform(math.log(0.5), math.log(24 * 12)))
        closed = height + 1 + max(1, int(hours * 3600 / SECONDS_PER_BLOCK))
        if closed > ledger.timing.head:
            closed, state = 0, "active"
        else:
            state = "insufficient_funds" if rng.random() < 0.06 else "closed"
        leases.append(Lease(owner, height, gseq, 1, provider.address, state, denom, price, height + 1, closed,
                            model, gpus))
    ledger.deployments[(owner, height)] = Deployment(owner, height, height, tuple(groups))
    ledger.leases += leases
