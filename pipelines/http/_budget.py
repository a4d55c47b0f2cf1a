"""How hard one endpoint may be asked, and the gate that holds every request to it.

Public providers limit requests per window, overall and per method (Solana's public RPC:
100 requests per 10 s, 40 per 10 s for one method), refuse batches above a size, and answer
429 with `Retry-After` when pushed. A `Budget` states those limits; a `RequestGate` enforces
them for every thread of one endpoint with pyrate-limiter's sliding windows (pinned in
pyproject.toml; tests/test_http_layer.py checks the behaviour we rely on), and pauses the
whole endpoint when the provider asks for a pause.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, replace

from pyrate_limiter import Limiter, Rate


@dataclass(frozen=True)
class Window:
    """At most `requests` per `seconds` (a sliding window)."""

    requests: int
    seconds: float

    def __str__(self) -> str:
        seconds = f"{self.seconds:g}"
        return f"{self.requests}/{seconds}s"


_WINDOW = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|min)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, None: 1.0}


def parse_window(text: str) -> Window:
    """"40/10s" -> 40 requests per 10 s; "20/s" -> 20 per second."""
    match = _WINDOW.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a request rate like 40/10s or 20/s")
    seconds = float(match.group(2) or 1) * _UNIT_SECONDS[match.group(3)]
    if seconds <= 0:
        raise ValueError(f"{text!r}: the window must be longer than 0 s")
    return Window(int(match.group(1)), seconds)


@dataclass(frozen=True)
class Budget:
    """Limits of one endpoint.

    Attributes:
        total: requests per window over all methods (None: no limit).
        per_method: requests per window for any one method (None: no limit).
        concurrency: requests in flight at once.
        batch: JSON-RPC calls per batch request (0: send calls one by one).
        max_throttle_s: how long the provider may keep answering 429 before the call fails.
    """

    total: Window | None = None
    per_method: Window | None = None
    concurrency: int = 4
    batch: int = 100
    max_throttle_s: float = 600.0

    def __str__(self) -> str:
        parts = [f"total={self.total}" if self.total else "total=unlimited",
                 f"method={self.per_method}" if self.per_method else "method=unlimited",
                 f"concurrency={self.concurrency}", f"batch={self.batch}"]
        return ",".join(parts)

    @classmethod
    def parse(cls, text: str, base: Budget | None = None) -> Budget:
        """A budget from "total=100/10s,method=40/10s,concurrency=4,batch=100" (keys optional, over `base`).

        Raises:
            ValueError: naming the item that is not understood.
        """
        budget = base or cls()
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            key, value = key.strip(), value.strip()
            try:
                if not sep:
                    raise ValueError("expected key=value")
                if key in ("total", "method"):
                    window = None if value in ("unlimited", "none") else parse_window(value)
                    budget = replace(budget, **{"total" if key == "total" else "per_method": window})
                elif key in ("concurrency", "batch"):
                    number = int(value)
                    if number < (1 if key == "concurrency" else 0):
                        raise ValueError("out of range")
                    budget = replace(budget, **{key: number})
                elif key == "max_throttle_s":
                    budget = replace(budget, max_throttle_s=float(value))
                else:
                    raise ValueError("unknown key (total, method, concurrency, batch, max_throttle_s)")
            except ValueError as exc:
                raise ValueError(f"request budget item {item!r}: {exc}") from None
        return budget

    @property
    def largest_request(self) -> int:
        """The most calls one request may carry and still fit every window."""
        limits = [w.requests for w in (self.total, self.per_method) if w]
        return min([max(1, self.batch), *limits])


UNLIMITED = Budget(None, None, concurrency=8, batch=100)


# The provider counts a request when it arrives, we count it when we send it: a request that takes
# longer on the way than the next one would land in the next one's window. A guard of 5% of the
# window (at least 100 ms) keeps the two counts apart.
GUARD_SHARE, GUARD_MIN_S = 0.05, 0.1


def _limiter(window: Window) -> Limiter:
    guarded = window.seconds + max(GUARD_MIN_S, GUARD_SHARE * window.seconds)
    return Limiter(Rate(window.requests, max(1, round(guarded * 1000))))


class RequestGate:
    """Enforces a `Budget` for every thread of one endpoint: windows, and pauses the provider asks for."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self._total = _limiter(budget.total) if budget.total else None
        self._per_method: dict[str, Limiter] = {}
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self.waited_s = 0.0

    def _method_limiter(self, method: str) -> Limiter | None:
        if self.budget.per_method is None:
            return None
        with self._lock:
            if method not in self._per_method:
                self._per_method[method] = _limiter(self.budget.per_method)
            return self._per_method[method]

    def acquire(self, method: str, weight: int = 1) -> None:
        """Block until `weight` requests of `method` fit the budget and no pause is on."""
        if weight > self.budget.largest_request and (self.budget.total or self.budget.per_method):
            raise ValueError(f"a request of {weight} calls cannot fit the budget {self.budget}")
        started = time.monotonic()
        while (pause := self._paused_until - time.monotonic()) > 0:
            time.sleep(min(pause, 1.0))
        limiter = self._method_limiter(method)
        if limiter is not None:
            limiter.try_acquire(method, weight=weight)
        if self._total is not None:
            self._total.try_acquire("total", weight=weight)
        with self._lock:
            self.waited_s += time.monotonic() - started

    def pause(self, seconds: float) -> None:
        """Hold every request to this endpoint for `seconds` (the provider's Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def close(self) -> None:
        for limiter in [self._total, *self._per_method.values()]:
            if limiter is not None:
                limiter.close()


_gates: dict[tuple[str, Budget], RequestGate] = {}
_gates_lock = threading.Lock()


def shared_gate(url: str, budget: Budget) -> RequestGate:
    """The one gate of an endpoint in this process: every client of the same URL and budget (one per
    asset that reads a chain) draws from the same windows, as the provider counts them."""
    with _gates_lock:
        key = (url, budget)
        if key not in _gates:
            _gates[key] = RequestGate(budget)
        return _gates[key]
