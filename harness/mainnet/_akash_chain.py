"""Akash derived on demand: block heights and times, providers, and a steady population of leases.

Timing: each UTC day d has its own mean block time (6.088 s, as Akash's docs state, give or
take 0.06 s), so seconds-per-block measured from headers differs day to day; heights run on
from day to day without gaps, and block times carry sub-second jitter.

Leases (numbered k, each drawn from (seed, k)): `active_leases` open at the window's start,
created over the two years before it and closing at `closed_per_day` a day (exponential
lifetimes: the population stays near its size as `created_per_day` new ones open each day);
`closed_history` more opened and closed before the window. Nothing is stored but a small
cache of drawn leases.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from harness.akash.ledger import AUDITOR, GPU_CATALOG, bech32_address
from harness.mainnet._seeded import between, day_start, digest, exponential, log_uniform, unit

SECONDS_PER_BLOCK = 6.088  # Akash docs (provider-earnings.md): "6.088 block time"
USDC_IBC = "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1"
UNKNOWN_IBC = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
# demo-only USD value of one base unit, to turn a $/GPU-hour into a price per block
USD_PER_UNIT = {"uakt": Decimal("1.2e-6"), "uact": Decimal("1e-6"), USDC_IBC: Decimal("1e-6"),
                UNKNOWN_IBC: Decimal("1e-6")}
HISTORY_DAYS = 730  # leases open at the window's start were created up to two years before it
_NS = 1_000_000_000


@dataclass(frozen=True)
class Provider:
    """A provider, the GPU models it advertises (none: a CPU-only provider) and its auditor (None: not audited)."""

    address: str
    host: str
    gpus: tuple[str, ...]
    auditor: str | None = None


@dataclass(frozen=True)
class Lease:
    """A lease as the chain holds it (price per block, exact to 18 places)."""

    number: int
    owner: str
    dseq: int
    gseq: int
    oseq: int
    provider: str
    bseq: int
    created_height: int
    closed_height: int  # when it closes (may lie beyond the head: open until then)
    final_state: str  # active, closed or insufficient_funds (the state once closed_height is reached)
    denom: str
    price: Decimal
    gpu_model: str | None
    gpu_count: int

    def state_at(self, height: int) -> str | None:
        """The lease's state at `height` (None before it exists)."""
        if height < self.created_height:
            return None
        if self.closed_height and height >= self.closed_height:
            return self.final_state
        return "active"


class AkashChain:
    """Heights, times, providers and leases over [first_day - history_days, head]."""

    def __init__(self, first_day: date, last_day: date, *, seed: int, active_leases: int, created_per_day: int,
                 closed_per_day: int, providers: int, closed_history: int, history_days: int = 1,
                 first_height: int = 16_000_000, head_margin: int = 100, chain_id: str = "akashnet-2") -> None:
        self.seed, self.chain_id = seed, chain_id
        self.first_day, self.last_day = first_day, last_day
        self.activity_from = first_day - timedelta(days=history_days)
        self.genesis_day = self.activity_from - timedelta(days=HISTORY_DAYS + 10)
        self.first_height = first_height
        self.active_leases, self.created_per_day, self.closed_per_day = active_leases, created_per_day, closed_per_day
        self.closed_history = closed_history
        self.mean_life_days = active_leases / max(1, closed_per_day)
        self._starts = [first_height]  # first height of genesis_day + n
        self._lock = threading.Lock()
        self.providers = [self._provider(p) for p in range(providers)]
        self.tenants = [bech32_address(digest(seed, "tenant", t, size=20)) for t in range(max(50, active_leases // 3))]
        self.head = self.day_heights(last_day)[1] + head_margin

    # -- time -------------------------------------------------------------------------------

    def blocks_on(self, day: date) -> int:
        """How many blocks day `day` has (its mean block time is 6.088 s +- 0.06 s)."""
        spb = SECONDS_PER_BLOCK + 0.12 * (unit(self.seed, "spb", day.toordinal()) - 0.5)
        return round(86_400 / spb)

    def _start(self, n: int) -> int:
        """First height of genesis_day + n days."""
        with self._lock:
            while len(self._starts) <= n:
                self._starts.append(self._starts[-1] + self.blocks_on(self.genesis_day + timedelta(days=len(
                    self._starts) - 1)))
            return self._starts[n]

    def day_heights(self, day: date) -> tuple[int, int]:
        """First and last height of a UTC day."""
        n = (day - self.genesis_day).days
        if n < 0:
            raise ValueError(f"{day} is before this chain's genesis day {self.genesis_day}")
        return self._start(n), self._start(n + 1) - 1

    def day_of(self, height: int) -> date:
        n = max(0, int((height - self.first_height) // (86_400 / SECONDS_PER_BLOCK)) - 1)
        while self._start(n + 1) <= height:
            n += 1
        while n > 0 and self._start(n) > height:
            n -= 1
        return self.genesis_day + timedelta(days=n)

    def time_ns(self, height: int) -> int:
        """Unix time of `height` in nanoseconds."""
        day = self.day_of(height)
        first, last = self.day_heights(day)
        offset = (height - first) + 0.6 * unit(self.seed, "jitter", height)
        return day_start(day) * _NS + int(offset * 86_400 * _NS / (last - first + 1))

    def time_text(self, height: int) -> str:
        """The header's RFC 3339 time with nanoseconds, as CometBFT writes it."""
        ns = self.time_ns(height)
        stamp = datetime.fromtimestamp(ns // _NS, UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ns % _NS:09d}Z"

    def height_at(self, unix: int) -> int:
        """The first height made at or after `unix`."""
        day = datetime.fromtimestamp(unix, UTC).date()
        first, last = self.day_heights(day)
        h = first + max(0, int((unix - day_start(day)) * (last - first + 1) / 86_400) - 1)
        while self.time_ns(h) < unix * _NS:
            h += 1
        while h > first and self.time_ns(h - 1) >= unix * _NS:
            h -= 1
        return h

    def seconds_per_block(self, day: date) -> float:
        """What headers give for a day: (time of the next day's first block - time of its first) / blocks."""
        first, last = self.day_heights(day)
        return (self.time_ns(last + 1) - self.time_ns(first)) / _NS / (last - first + 1)

    # -- providers and leases -------------------------------------------------------------------

    def _provider(self, p: int) -> Provider:
        models = list(GPU_CATALOG)
        if unit(self.seed, "cpu-provider", p) < 0.1:
            gpus: tuple[str, ...] = ()
        else:
            first = models[between(self.seed, 0, len(models) - 1, "gpu", p)]
            second = models[between(self.seed, 0, len(models) - 1, "gpu2", p)]
            gpus = (first,) if unit(self.seed, "two-models", p) < 0.7 or second == first else (first, second)
        address = bech32_address(hashlib.sha256(f"{self.seed}:provider:{p}".encode()).digest()[:20])
        auditor = AUDITOR if unit(self.seed, "audited", p) < 0.6 else None
        return Provider(address, f"https://provider.p{p}.akash-loopback.example:8443", gpus, auditor)

    def lease_count(self, height: int) -> int:
        """How many leases exist by `height` (numbers 0..n-1; new ones are numbered in creation order)."""
        base = self.active_leases + self.closed_history
        if height < self.day_heights(self.activity_from)[0]:
            return base
        days = (self.day_of(height) - self.activity_from).days
        return base + days * self.created_per_day + sum(
            1 for j in range(self.created_per_day) if self._new_height(days, j) <= height)

    def _new_height(self, days: int, j: int) -> int:
        day = self.activity_from + timedelta(days=days)
        first, last = self.day_heights(day)
        return first + ((j * (last - first + 1)) + between(self.seed, 0, last - first, "new-at", days, j)
                        % max(1, (last - first + 1) // self.created_per_day)) // self.created_per_day

    @lru_cache(maxsize=200_000)  # noqa: B019 - bounded; leases are drawn, then reused by every page
    def lease(self, k: int) -> Lease:
        """Lease number k."""
        start = self.day_heights(self.activity_from)[0]
        span = start - self.day_heights(self.activity_from - timedelta(days=HISTORY_DAYS))[0]
        blocks_per_day = 86_400 / SECONDS_PER_BLOCK
        if k < self.active_leases:  # open at the window's start, created over the two years before it
            created = start - 1 - int(unit(self.seed, "age", k) * span)
            closed = start + int(exponential(self.seed, self.mean_life_days, "life", k) * blocks_per_day)
        elif k < self.active_leases + self.closed_history:  # opened and closed before the window
            created = start - 1 - int(unit(self.seed, "age", k) * span)
            life = int(log_uniform(self.seed, 0.05, 120, "life", k) * blocks_per_day)
            closed = created + 1 + min(life, start - created - 2)
        else:
            days, j = divmod(k - self.active_leases - self.closed_history, self.created_per_day)
            created = self._new_height(days, j)
            closed = created + 1 + int(exponential(self.seed, self.mean_life_days, "life", k) * blocks_per_day)
        provider = self.providers[between(self.seed, 0, len(self.providers) - 1, "provider", k)]
        if provider.gpus and unit(self.seed, "cpu-lease", k) >= 0.15:
            model: str | None = provider.gpus[between(self.seed, 0, len(provider.gpus) - 1, "model", k)]
            count = (1, 1, 1, 2, 4, 8)[between(self.seed, 0, 5, "gpus", k)]
            low, high = GPU_CATALOG[model][2]
            usd_per_hour = Decimal(str(round(low + (high - low) * unit(self.seed, "usd", k), 4))) * count
        else:
            model, count = None, 0
            usd_per_hour = Decimal(str(round(0.02 + 0.1 * unit(self.seed, "usd", k), 4)))
        draw = unit(self.seed, "denom", k)
        denom = "uakt" if draw < 0.55 else "uact" if draw < 0.80 else USDC_IBC if draw < 0.99 else UNKNOWN_IBC
        blocks_per_hour = Decimal(3600) / Decimal(str(SECONDS_PER_BLOCK))
        price = (usd_per_hour / USD_PER_UNIT[denom] / blocks_per_hour).quantize(Decimal("1e-18"))
        final = "insufficient_funds" if unit(self.seed, "overdrawn", k) < 0.08 else "closed"
        dseq = created - between(self.seed, 1, 30, "dseq", k)
        return Lease(k, self.tenants[between(self.seed, 0, len(self.tenants) - 1, "owner", k)], dseq,
                     1 + (unit(self.seed, "gseq", k) < 0.1), 1, provider.address, 0, created, closed, final, denom,
                     price, model, count)

    def lease_at(self, k: int, height: int) -> tuple[Lease, str] | None:
        """Lease k and its state at `height`, or None when it does not exist then."""
        lease = self.lease(k)
        state = lease.state_at(height)
        return None if state is None else (lease, state)
