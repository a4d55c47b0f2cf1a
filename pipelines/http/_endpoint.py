"""One HTTP endpoint: one httpx client, a request gate, retries that honour Retry-After, counters.

Every chain family (EVM and Solana JSON-RPC, the Cosmos REST gateway) and the price API talk
through an `Endpoint`; the adapters keep only what differs (methods, paging, decoding).
Failures become the adapter errors of pipelines/chains/errors.py, whose messages name the
endpoint by scheme and host only.
"""

from __future__ import annotations

import functools
import logging
import random
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import orjson
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from pipelines.chains.errors import (
    MalformedResponse,
    RateLimited,
    RpcRefused,
    RpcServerError,
    RpcUnavailable,
)
from pipelines.http._budget import UNLIMITED, Budget, shared_gate
from pipelines.redact import remember_url

# httpx logs every request with its full URL at INFO: keep keys out of any log a host configures
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

RETRYABLE = (RpcUnavailable, RateLimited, RpcServerError, MalformedResponse)
AUTH_REFUSALS = (401, 403)
Item = TypeVar("Item")
Result = TypeVar("Result")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default certificate verification (SSL_CERT_FILE / SSL_CERT_DIR, else certifi's bundle), built
    once per process and shared by every client: building it loads the CA bundle, about 17 ms of CPU that
    each new client paid otherwise, HTTPS or not (a pipeline run builds one per endpoint and asset)."""
    return httpx.create_ssl_context()


@dataclass
class EndpointStats:
    """What one endpoint was asked: calls per method, HTTP requests, bytes, throttling."""

    calls: Counter = field(default_factory=Counter)
    http_requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    retries: int = 0
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, method: str, calls: int, sent: int, received: int) -> None:
        with self._lock:
            self.calls[method] += calls
            self.http_requests += 1
            self.bytes_sent += sent
            self.bytes_received += received

    def as_metadata(self) -> dict[str, Any]:
        """Plain numbers for Dagster metadata and benchmark reports."""
        return {"calls": sum(self.calls.values()), "calls_per_method": dict(self.calls),
                "http_requests": self.http_requests, "bytes_sent": self.bytes_sent,
                "bytes_received": self.bytes_received, "retries": self.retries, "rate_limited": self.rate_limited}


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Endpoint:
    """One provider URL, asked within a budget.

    Args:
        name: what errors call it (a registry chain id, "coingecko").
        url: base URL; it may carry an API key: it is shown as scheme and host only.
        budget: request windows, concurrency and batch size (unlimited for local chains).
        timeout_s: per-request timeout.
        max_attempts: tries per request for transient failures (timeouts, 5xx, bad JSON); answers
            of 429 do not count: they wait as the provider asks, up to `budget.max_throttle_s`.
        max_wait_s: upper bound of one exponential-backoff wait (with jitter).
        headers: sent with every request (e.g. an API key header).
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(self, name: str, url: str, *, budget: Budget = UNLIMITED, timeout_s: float = 30.0,
                 max_attempts: int = 5, max_wait_s: float = 8.0, headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = name
        self.url = url
        self.shown_url = remember_url(url)
        self.label = f"{name} ({self.shown_url})"
        self.budget = budget
        self.max_attempts = max(1, max_attempts)
        self.max_wait_s = max_wait_s
        self.stats = EndpointStats()
        self.gate = shared_gate(url, budget)
        self._http = httpx.Client(timeout=timeout_s, transport=transport, headers=dict(headers or {}),
                                  verify=tls_context(), limits=httpx.Limits(max_connections=max(4, budget.concurrency)))
        self._pool = ThreadPoolExecutor(max_workers=max(1, budget.concurrency), thread_name_prefix=f"http-{name}")

    # -- requests ---------------------------------------------------------------------------

    def request(self, verb: str, url: str, *, method: str, calls: int = 1, body: Any = None,
                params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
                detail: str = "") -> Any:
        """Send one request (retrying transient failures and 429s) and return its parsed JSON body.

        Args:
            verb: GET or POST.
            url: the URL, or a path under the base URL.
            method: what the budget and the errors call this request (JSON-RPC method, REST path).
            calls: how many calls it carries (a JSON-RPC batch), for the budget and the counters.
            body: JSON-serialisable request body.

        Raises:
            RpcRefused: a 4xx answer (or 501), with `code` = HTTP status; never retried.
            RateLimited: the provider kept answering 429 longer than the budget allows.
            RpcUnavailable, RpcServerError, MalformedResponse: after the last attempt.
        """
        return self.retrying(lambda: self.send(verb, url, method=method, calls=calls, body=body, params=params,
                                               headers=headers, detail=detail))

    def retrying(self, attempt: Callable[[], Result]) -> Result:
        """Run `attempt` until it succeeds: transient failures up to `max_attempts` times with backoff,
        rate limits for as long as the provider asks (up to `budget.max_throttle_s`)."""
        retrying = Retrying(retry=retry_if_exception_type(RETRYABLE), stop=self._give_up, wait=self._wait,
                            before_sleep=self._count_retry, reraise=True)
        return retrying(attempt)

    def send(self, verb: str, url: str, *, method: str, calls: int = 1, body: Any = None,
             params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
             detail: str = "", raw: bool = False) -> Any:
        """One attempt of `request`, without retries (for callers that wrap several steps in `retrying`).

        With `raw`, the answer's bytes come back unparsed, after the same status checks: for
        readers that turn them into columns without a Python object per record; `parse_json`
        is then the usual parse.
        """
        return self._request_once(verb, url, method, calls, body, params, headers, detail, raw)

    def parse_json(self, content: bytes, *, method: str, detail: str = "") -> Any:
        """The parsed JSON of an answer's bytes.

        Raises:
            MalformedResponse: the bytes are not JSON (retried like any transient failure).
        """
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            raise MalformedResponse(f"answer is not JSON ({len(content)} bytes)", chain=self.label,
                                    method=method, detail=detail) from None

    def _request_once(self, verb: str, url: str, method: str, calls: int, body: Any,
                      params: Mapping[str, Any] | None, headers: Mapping[str, str] | None, detail: str,
                      raw: bool = False) -> Any:
        self.gate.acquire(method, calls)
        content = orjson.dumps(body) if body is not None else None
        target = url if url.startswith(("http://", "https://")) else self.url.rstrip("/") + url
        request_headers = {"Content-Type": "application/json", **(headers or {})} if content else dict(headers or {})
        try:
            response = self._http.request(verb, target, content=content, params=params, headers=request_headers)
        except httpx.TimeoutException as exc:
            self.stats.count(method, calls, len(content or b""), 0)
            raise RpcUnavailable(f"timed out ({type(exc).__name__})", chain=self.label, method=method,
                                 detail=detail) from None
        except httpx.TransportError as exc:
            self.stats.count(method, calls, len(content or b""), 0)
            raise RpcUnavailable(f"connection failed ({type(exc).__name__}: {exc})", chain=self.label,
                                 method=method, detail=detail) from None
        self.stats.count(method, calls, len(content or b""), len(response.content))
        return self._answer(response, method, detail, raw)

    def _answer(self, response: httpx.Response, method: str, detail: str, raw: bool = False) -> Any:
        status = response.status_code
        if status == 429:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            if wait is not None:
                self.gate.pause(wait)
            raise RateLimited("HTTP 429" + (f", Retry-After {wait:g} s" if wait is not None else ""),
                              chain=self.label, method=method, detail=detail, retry_after=wait)
        if status in AUTH_REFUSALS:
            raise RpcRefused(f"HTTP {status}: the provider refused the credentials; check the API key in the URL "
                             "or headers", chain=self.label, method=method, detail=detail, code=status)
        if status == 501 or 400 <= status < 500:
            raise RpcRefused(_message(response), chain=self.label, method=method, detail=detail, code=status)
        if status >= 500:
            raise RpcServerError(_message(response), chain=self.label, method=method, detail=detail)
        return response.content if raw else self.parse_json(response.content, method=method, detail=detail)

    def _give_up(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited):
            if state.seconds_since_start >= self.budget.max_throttle_s:
                error.add_hint(f"the provider answered 429 for {state.seconds_since_start:.0f} s; lower this "
                               "endpoint's request budget")
                return True
            return False
        transient = getattr(state, "transient_failures", 0) + 1
        state.transient_failures = transient  # type: ignore[attr-defined]
        return transient >= self.max_attempts

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return 0.0  # the gate holds every request of the endpoint until the pause is over
        exponent = min(getattr(state, "transient_failures", 0) + (isinstance(error, RateLimited)), 10)
        return random.uniform(0, min(self.max_wait_s, 0.25 * 2 ** exponent))

    def _count_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        with self.stats._lock:
            self.stats.retries += 1
            self.stats.rate_limited += isinstance(error, RateLimited)

    # -- concurrency ------------------------------------------------------------------------

    def map_concurrently(self, work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
        """`work` on every item, at most `budget.concurrency` at a time, results in the items' order.

        The request budget still applies across all of them. If one fails, the items not yet
        started are cancelled and its error is raised once those already running are done.
        """
        items = list(items)
        if self.budget.concurrency == 1 or len(items) <= 1:
            return [work(item) for item in items]
        futures = [self._pool.submit(work, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            for future in futures:
                if not future.cancelled():
                    future.exception()  # wait for the ones in flight; their own errors are secondary
            raise

    def close(self) -> None:
        """Close the connection pool and the workers (the gate stays: it counts for the whole process)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._http.close()

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _message(response: httpx.Response) -> str:
    """The error text a provider put in its body (`{"message": ..}` or `{"error": {"message": ..}}`), else the status."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"HTTP {response.status_code}"
    message = None
    if isinstance(body, dict):
        message = body.get("message")
        if message is None and isinstance(body.get("error"), dict):
            message = body["error"].get("message")
        elif message is None and isinstance(body.get("error"), str):
            message = body["error"]
    return f"HTTP {response.status_code}: {str(message)[:300]}" if message else f"HTTP {response.status_code}"
