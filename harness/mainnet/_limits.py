"""What a public provider enforces (request windows, concurrency, batch size, faults) and what it served.

Public endpoints count calls, not HTTP requests: a JSON-RPC batch of n calls uses n slots of
the window (Solana's public RPC, Alchemy and Infura all do), so `SlidingWindow` is fed the
methods of every call in a request and admits or refuses the request as a whole.
"""

from __future__ import annotations

import copy
import math
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from typing import Literal

Fault = Literal["500", "drop", "truncated"]


@dataclass(frozen=True)
class Limits:
    """Limits a provider enforces; None means no limit.

    Args:
        window_s: length of the sliding window the request limits count over, in seconds.
        per_window: calls allowed in any window, all methods together (a batch of n counts n).
        per_method: calls allowed in any window for one method (JSON-RPC method or REST route).
        max_concurrent: requests in flight at once; one more is answered 429 (connections
            busy with a request, as providers count them).
        max_batch: calls allowed in one JSON-RPC batch.
        batch_refusal: how a larger batch is refused: "jsonrpc" (error -32600 "batch too large",
            as geth does) or "http" (413).
        enforce: False serves everything yet still counts `Stats.window_violations`, to audit a
            client against limits it was not refused by.
        flaky: fraction of requests answered with a fault instead of the answer.
        faults: the faults flaky mode draws from: HTTP 500, a dropped connection, truncated JSON.
        seed: seeds which requests flaky mode hits (the same request body gets the same fate on
            the same attempt, whatever the order requests arrive in).
    """

    window_s: float = 10.0
    per_window: int | None = None
    per_method: int | None = None
    max_concurrent: int | None = None
    max_batch: int | None = None
    batch_refusal: Literal["jsonrpc", "http"] = "jsonrpc"
    enforce: bool = True
    flaky: float = 0.0
    faults: tuple[Fault, ...] = ("500", "drop", "truncated")
    seed: int = 0

    def but(self, **changes: object) -> Limits:
        """A copy with some fields changed (`PUBLIC_SOLANA.but(enforce=False)`)."""
        return replace(self, **changes)


UNLIMITED = Limits()


@dataclass
class Stats:
    """What a provider saw and answered; read it through `Provider.stats()` (a consistent copy).

    Attributes:
        requests: HTTP requests received.
        calls: calls answered, per method (a batch of n adds n).
        throttled: requests answered 429.
        refused_calls: calls inside requests answered 429.
        window_violations: calls in requests that exceeded a window limit, plus requests that
            exceeded the concurrency limit (refused, or served anyway when `Limits.enforce` is
            False): 0 proves a client kept to the limits.
        max_window: the most calls admitted within one window, all methods together.
        max_window_by_method: the same per method.
        max_in_flight: the most requests in flight at once.
        bytes_in / bytes_out: request and answer bodies.
        faults: flaky-mode faults sent, per kind.
        statuses: answers per HTTP status.
        errors: per-call error codes sent (JSON-RPC codes, or the REST body's code).
    """

    requests: int = 0
    calls: Counter = field(default_factory=Counter)
    throttled: int = 0
    refused_calls: int = 0
    window_violations: int = 0
    max_window: int = 0
    max_window_by_method: Counter = field(default_factory=Counter)
    max_in_flight: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    faults: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)

    @property
    def served_calls(self) -> int:
        """Calls answered (not refused, not faulted)."""
        return sum(self.calls.values())

    def copy(self) -> Stats:
        return copy.deepcopy(self)


@dataclass(frozen=True)
class Refusal:
    """Why a request does not fit: which limit ("overall", "method" or "concurrency"), and when it would."""

    scope: Literal["overall", "method", "concurrency"]
    method: str | None
    retry_after: int  # whole seconds, at least 1, as the Retry-After header carries it


class SlidingWindow:
    """Call times over the last `window_s` seconds, overall and per method (not thread-safe: the
    provider holds its lock around it)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._all: deque[float] = deque()
        self._by_method: dict[str, deque[float]] = {}

    def _expire(self, now: float) -> None:
        horizon = now - self.limits.window_s
        while self._all and self._all[0] <= horizon:
            self._all.popleft()
        for times in self._by_method.values():
            while times and times[0] <= horizon:
                times.popleft()

    def _wait(self, times: deque[float], extra: int, limit: int, now: float) -> float | None:
        """Seconds until `extra` more calls fit under `limit`; None when they fit now."""
        over = len(times) + extra - limit
        if over <= 0:
            return None
        if over > len(times):  # more calls than the limit in one request: never fits
            return self.limits.window_s
        return times[over - 1] + self.limits.window_s - now

    def check(self, methods: Counter, now: float) -> Refusal | None:
        """None when the calls fit in the window now, else the refusal with its Retry-After."""
        self._expire(now)
        worst: tuple[float, str, str | None] | None = None
        if self.limits.per_window is not None:
            wait = self._wait(self._all, sum(methods.values()), self.limits.per_window, now)
            if wait is not None:
                worst = (wait, "overall", None)
        if self.limits.per_method is not None:
            for method, n in methods.items():
                wait = self._wait(self._by_method.get(method, deque()), n, self.limits.per_method, now)
                if wait is not None and (worst is None or wait > worst[0]):
                    worst = (wait, "method", method)
        if worst is None:
            return None
        return Refusal(worst[1], worst[2], max(1, math.ceil(worst[0])))  # type: ignore[arg-type]

    def record(self, methods: Counter, now: float) -> tuple[int, dict[str, int]]:
        """Admit the calls; returns the calls now in the window, overall and for these methods."""
        for method, n in methods.items():
            times = self._by_method.setdefault(method, deque())
            times.extend([now] * n)
            self._all.extend([now] * n)
        return len(self._all), {method: len(self._by_method[method]) for method in methods}
