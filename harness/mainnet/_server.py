"""The HTTP front every mainnet-shaped provider shares: limits, faults and stats around the answers.

A family (EVM, Solana, Akash) says how to read a request into calls (`_parse`), how to answer
them (`_answer`) and what its refusals look like (`_too_many`, `_internal_error`); this class
does the rest on a keep-alive `LoopbackServer`: the sliding windows, concurrency, the seeded
faults of flaky mode, and the counters a test reads to prove a client kept to the limits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.loopback import LoopbackServer, Reply, Request
from harness.mainnet._limits import Limits, Refusal, SlidingWindow, Stats
from harness.mainnet._seeded import digest, unit


@dataclass
class Parsed:
    """A request read into calls: the method (or route) of each, and whatever the family needs to answer."""

    methods: list[str]
    payload: Any = None


class Provider:
    """A provider on http://127.0.0.1:<port>; use as a context manager (stopped on exit).

    Args:
        limits: what it enforces.
        name: the serving thread's name.
        clock: monotonic seconds; a test may pass a fake one to step through windows.

    Attributes:
        url: the base URL. JSON-RPC providers answer under any path, so a test may plant an API
            key in it (`f"{url}/my-key"`); REST providers strip their `prefix`.
        on_request: called (outside the lock) after each request is answered, with the provider:
            a hook for a test that kills the pipeline mid-fetch.
    """

    def __init__(self, limits: Limits, *, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._now = clock
        self.on_request: Callable[[Provider], None] | None = None
        self._stats = Stats()
        self._window = SlidingWindow(limits)
        self._lock = threading.Lock()
        self._answered = threading.Condition(self._lock)
        self._in_flight = 0
        self._fault_attempts: dict[bytes, int] = {}
        self._loopback = LoopbackServer(self._respond, keep_alive=True, name=name)
        self.url = self._loopback.url

    # -- what a family provides ------------------------------------------------------------

    def _parse(self, request: Request) -> Parsed | Reply:
        """The calls in `request`, or the reply refusing it outright (bad JSON, batch too large)."""
        raise NotImplementedError

    def _answer(self, parsed: Parsed) -> Reply:
        """The reply to admitted calls."""
        raise NotImplementedError

    def _too_many(self, parsed: Parsed | None, refusal: Refusal) -> bytes:
        """The body of a 429 (the header carries Retry-After)."""
        raise NotImplementedError

    def _internal_error(self, parsed: Parsed | None) -> bytes:
        """The body of a 500 (flaky mode, or a bug in the provider itself)."""
        raise NotImplementedError

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Provider:
        self._loopback.start()
        return self

    def stop(self) -> None:
        self._loopback.stop()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a test reads -------------------------------------------------------------------

    def stats(self) -> Stats:
        """A consistent copy of the counters."""
        with self._lock:
            return self._stats.copy()

    @property
    def served_calls(self) -> int:
        """Calls answered so far (poll it to know a pipeline is mid-fetch)."""
        with self._lock:
            return self._stats.served_calls

    def wait_for_calls(self, n: int, timeout: float) -> bool:
        """Block until at least `n` calls were answered; False if `timeout` seconds passed first."""
        with self._answered:
            return self._answered.wait_for(lambda: self._stats.served_calls >= n, timeout)

    def reset_stats(self) -> None:
        """Zero the counters (the windows keep their history, as a real provider's would)."""
        with self._lock:
            self._stats = Stats()

    # -- serving -----------------------------------------------------------------------------

    def _respond(self, request: Request) -> Reply:
        with self._lock:
            self._stats.requests += 1
            self._stats.bytes_in += len(request.body)
            self._in_flight += 1
            self._stats.max_in_flight = max(self._stats.max_in_flight, self._in_flight)
            crowded = self.limits.max_concurrent is not None and self._in_flight > self.limits.max_concurrent
        try:
            reply = self._handle(request, crowded)
        except Exception:  # noqa: BLE001 - a node answers 500 rather than hanging up
            logging.getLogger(__name__).exception("provider failed to answer %s %s", request.verb, request.path)
            reply = 500, self._internal_error(None)
        finally:
            with self._lock:
                self._in_flight -= 1
        with self._lock:
            if reply == "drop":
                self._stats.statuses["drop"] += 1
            else:
                self._stats.statuses[reply[0]] += 1
                self._stats.bytes_out += len(reply[1])
        if self.on_request is not None:
            self.on_request(self)
        return reply

    def _throttle(self, parsed: Parsed | None, refusal: Refusal, calls: int) -> Reply:
        self._stats.throttled += 1
        self._stats.refused_calls += calls
        return 429, self._too_many(parsed, refusal), {"Retry-After": str(refusal.retry_after)}

    def _handle(self, request: Request, crowded: bool) -> Reply:
        if crowded:
            with self._lock:
                self._stats.window_violations += 1
                if self.limits.enforce:
                    return self._throttle(None, Refusal("concurrency", None, 1), 1)
        parsed = self._parse(request)
        if not isinstance(parsed, Parsed):
            return parsed
        methods = Counter(parsed.methods)
        n = len(parsed.methods)
        with self._lock:
            now = self._now()
            refusal = self._window.check(methods, now)
            if refusal is not None:
                self._stats.window_violations += n
                if self.limits.enforce:
                    return self._throttle(parsed, refusal, n)
            overall, by_method = self._window.record(methods, now)
            self._stats.max_window = max(self._stats.max_window, overall)
            for method, count in by_method.items():
                self._stats.max_window_by_method[method] = max(self._stats.max_window_by_method[method], count)
        fault = self._fault(request)
        if fault in ("500", "drop"):
            with self._lock:
                self._stats.faults[fault] += 1
            return "drop" if fault == "drop" else (500, self._internal_error(parsed))
        reply = self._answer(parsed)
        if fault == "truncated" and reply != "drop":
            with self._lock:
                self._stats.faults[fault] += 1
            return reply[0], reply[1][: max(1, len(reply[1]) // 2)], *reply[2:]  # type: ignore[return-value]
        with self._answered:
            self._stats.calls.update(methods)
            self._answered.notify_all()
        return reply

    def _fault(self, request: Request) -> str | None:
        """The fault flaky mode sends for this request, if any.

        Decided by a hash of (seed, path, body, attempt): the same request gets the same fate on
        its n-th attempt whatever the order requests arrive in, and a retry is a new draw.
        """
        if self.limits.flaky <= 0 or not self.limits.faults:
            return None
        key = digest(self.limits.seed, request.path, request.body, size=16)
        with self._lock:
            attempt = self._fault_attempts.get(key, 0)
            if unit(self.limits.seed, key, attempt) >= self.limits.flaky:
                self._fault_attempts.pop(key, None)  # forget settled requests: memory stays small
                return None
            self._fault_attempts[key] = attempt + 1
        return self.limits.faults[int(unit(self.limits.seed, key, attempt, "kind") * len(self.limits.faults))]
