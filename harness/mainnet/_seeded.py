"""Seeded, stateless randomness: every value is a pure function of (seed, labels...).

The providers hold no generated history. Any record is re-derived from its coordinates
(account, day, index), so a value must never depend on what was asked before or in which
order: a hash of the labels gives that, where a shared `random.Random` would not.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

_TWO_32 = 1 << 32


def digest(seed: int, *labels: object, size: int = 32) -> bytes:
    """`size` bytes that depend only on the seed and the labels (ints, strings, dates, tuples)."""
    return hashlib.blake2b(repr((seed, labels)).encode(), digest_size=size).digest()


def u64(seed: int, *labels: object) -> int:
    """A 64-bit integer drawn from the labels."""
    return int.from_bytes(digest(seed, *labels, size=8), "little")


def unit(seed: int, *labels: object) -> float:
    """A float in [0, 1)."""
    return u64(seed, *labels) / 2**64


def between(seed: int, low: int, high: int, *labels: object) -> int:
    """An integer in [low, high]."""
    return low + u64(seed, *labels) % (high - low + 1)


def log_uniform(seed: int, low: float, high: float, *labels: object) -> float:
    """A float in [low, high) whose logarithm is uniform (durations, amounts: many small, few large)."""
    return math.exp(math.log(low) + unit(seed, *labels) * (math.log(high) - math.log(low)))


def exponential(seed: int, mean: float, *labels: object) -> float:
    """An exponentially distributed float (memoryless lifetimes)."""
    return -mean * math.log(1.0 - unit(seed, *labels))


def day_start(day: date) -> int:
    """Unix time of 00:00 UTC on `day`."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def day_of(unix: float) -> date:
    """The UTC day a Unix time falls on."""
    return datetime.fromtimestamp(unix, UTC).date()


def days(first: date, last: date) -> list[date]:
    """first..last inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Spread:
    """`count` events placed over positions [first, first + width), never decreasing with the index.

    Event i sits at first + floor((i + u_i) * width / count) with u_i in [0, 1) drawn from the
    labels, so events are spread evenly with jitter, several can share a position, and the
    events at or after a position are found by arithmetic (no list is built).
    """

    seed: int
    labels: tuple
    first: int
    width: int
    count: int

    def _jitter(self, i: int) -> int:
        return u64(self.seed, *self.labels, i) >> 32

    def position(self, i: int) -> int:
        """Where event i sits."""
        return self.first + ((i * _TWO_32 + self._jitter(i)) * self.width) // (self.count * _TWO_32)

    def first_at(self, position: int) -> int:
        """The smallest index whose position is >= `position` (`count` when there is none)."""
        if position <= self.first:
            return 0
        if position >= self.first + self.width:
            return self.count
        target = (position - self.first) * self.count * _TWO_32
        i = max(0, target // (_TWO_32 * self.width) - 1)
        while i < self.count and (i * _TWO_32 + self._jitter(i)) * self.width < target:
            i += 1
        return i

    def between(self, low: int, high: int) -> range:
        """Indices of the events at positions low..high inclusive."""
        return range(self.first_at(low), self.first_at(high + 1))


@dataclass(frozen=True)
class Shuffle:
    """A seeded permutation of range(n) and its inverse, by arithmetic (p = a*i + c mod n)."""

    seed: int
    labels: tuple
    n: int

    @cached_property
    def _coefficients(self) -> tuple[int, int]:
        if self.n <= 1:
            return 1, 0
        a = 1 + u64(self.seed, *self.labels, "a") % (self.n - 1)
        while math.gcd(a, self.n) != 1:
            a += 1
        return a, u64(self.seed, *self.labels, "c") % self.n

    def slot(self, i: int) -> int:
        """The shuffled position of index i."""
        a, c = self._coefficients
        return (a * i + c) % self.n if self.n else 0

    def index(self, slot: int) -> int:
        """The index whose shuffled position is `slot`."""
        a, c = self._coefficients
        return (pow(a, -1, self.n) * (slot - c)) % self.n if self.n > 1 else 0


def tagged(seed: int, label: str, numbers: tuple[int, ...], size: int) -> bytes:
    """`size` random-looking bytes that carry `numbers` (each below 2**32), read back by `untag`.

    The numbers are XOR-masked with a hash of the rest, so ids look as random as real hashes,
    signatures and keys, yet a provider can regenerate a record from its id alone.
    """
    header = b"".join(n.to_bytes(4, "little") for n in numbers)
    filler = digest(seed, label, numbers, size=size - len(header))
    if not header:
        return filler
    mask = digest(seed, label, filler, size=len(header))
    return bytes(a ^ b for a, b in zip(header, mask, strict=True)) + filler


def untag(seed: int, label: str, data: bytes, count: int) -> tuple[int, ...] | None:
    """The numbers `tagged` put in `data`, or None when `data` is not one of its ids."""
    width = 4 * count
    if len(data) <= width:
        return None
    header, filler = data[:width], data[width:]
    mask = digest(seed, label, filler, size=width)
    raw = bytes(a ^ b for a, b in zip(header, mask, strict=True))
    numbers = tuple(int.from_bytes(raw[4 * j:4 * j + 4], "little") for j in range(count))
    return numbers if digest(seed, label, numbers, size=len(filler)) == filler else None
