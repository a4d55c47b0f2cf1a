"""JSON-RPC access to an EVM node through web3.py, with retries and clear errors.

We ask web3's provider for the raw JSON answer (`make_request`) instead of its
formatted objects: the decoder works column-wise on the wire format, and web3's
per-log formatting would cost more than the whole decode.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import requests
from pyrate_limiter import Duration, Limiter, Rate
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential
from web3 import Web3

from pipelines.chains.errors import (
    MalformedResponse,
    RateLimited,
    RpcServerError,
    RpcUnavailable,
)
from pipelines.chains.jsonrpc import jsonrpc_result

TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
RETRYABLE = (RpcUnavailable, RateLimited, RpcServerError, MalformedResponse)
Item = TypeVar("Item")
Result = TypeVar("Result")


@contextmanager
def map_exceptions(chain: str, method: str, detail: str) -> Iterator[None]:
    """Translate requests/json failures at the transport edge into adapter errors."""
    try:
        yield
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 0
        cls = RateLimited if status == 429 else RpcServerError if status >= 500 else MalformedResponse
        raise cls(f"HTTP {status}", chain=chain, method=method, detail=detail) from exc
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise RpcUnavailable(f"{type(exc).__name__}: {exc}", chain=chain, method=method, detail=detail) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"answer is not JSON ({exc.__class__.__name__})", chain=chain, method=method,
                                detail=detail) from exc


class EvmClient:
    """One EVM node over HTTP.

    Args:
        chain: registry id of the chain (used in errors and rows).
        rpc_url: the node's HTTP JSON-RPC URL.
        timeout_s: per-request timeout.
        max_attempts: tries per request for retryable failures (timeouts, 429, 5xx, bad JSON).
        max_wait_s: upper bound of one exponential-backoff wait (with jitter).
        max_requests_per_second: request budget (pyrate-limiter bucket, blocking).
        max_concurrency: requests in flight at once in `map_concurrently` (block chunks, block times).
    """

    def __init__(self, chain: str, rpc_url: str, *, timeout_s: float = 30.0, max_attempts: int = 5,
                 max_wait_s: float = 8.0, max_requests_per_second: float = 20.0, max_concurrency: int = 4) -> None:
        self.chain = chain
        self.max_concurrency = max(1, max_concurrency)
        # one long-lived pool per client, so each worker keeps its HTTP session (and connection) alive
        self._pool = ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix=f"rpc-{chain}")
        # one bucket per client: requests (retries included) never exceed the provider's budget
        self._limiter = Limiter(Rate(max(1, round(max_requests_per_second)), Duration.SECOND))
        self.rpc_url = rpc_url
        self._provider = Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout_s},
                                           exception_retry_configuration=None)
        self._timestamps: dict[int, int] = {}
        self._call = retry(
            retry=retry_if_exception_type(RETRYABLE),
            stop=stop_after_attempt(max_attempts),
            wait=wait_random_exponential(multiplier=0.25, max=max_wait_s),
            reraise=True,
        )(self._call_once)

    def call(self, method: str, params: list[Any], *, detail: str = "") -> Any:
        """Call `method`, retrying transient failures, and return the JSON-RPC `result`."""
        return self._call(method, params, detail)

    def map_concurrently(self, work: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
        """`work` on every item, at most `max_concurrency` at a time, results in the items' order.

        The request budget still applies across all of them. If one fails, the items not yet
        started are cancelled and its error is raised once those already running are done.
        """
        items = list(items)
        if self.max_concurrency == 1 or len(items) <= 1:
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

    def _call_once(self, method: str, params: list[Any], detail: str) -> Any:
        self._limiter.try_acquire(self.chain)
        with map_exceptions(self.chain, method, detail):
            answer = self._provider.make_request(method, params)
        return jsonrpc_result(answer, chain=self.chain, method=method, detail=detail)

    def _hex_int(self, value: Any, method: str, detail: str) -> int:
        if not isinstance(value, str) or not value.startswith("0x"):
            raise MalformedResponse(f"expected a hex quantity, got {value!r:.80}", chain=self.chain, method=method,
                                    detail=detail)
        try:
            return int(value, 16)
        except ValueError:
            raise MalformedResponse(f"expected a hex quantity, got {value!r:.80}", chain=self.chain,
                                    method=method, detail=detail) from None

    def block_number(self) -> int:
        """Height of the node's latest block."""
        return self._hex_int(self.call("eth_blockNumber", []), "eth_blockNumber", "")

    def block_timestamp(self, number: int) -> int:
        """Unix time of block `number`, fetched once per block and cached."""
        if number not in self._timestamps:
            detail = f"block {number}"
            block = self.call("eth_getBlockByNumber", [hex(number), False], detail=detail)
            if not isinstance(block, dict):
                raise MalformedResponse(f"block {number} not found or not an object", chain=self.chain,
                                        method="eth_getBlockByNumber", detail=detail)
            self._timestamps[number] = self._hex_int(block.get("timestamp"), "eth_getBlockByNumber", detail)
        return self._timestamps[number]

    def get_logs(self, addresses: list[str], topics0: list[str], from_block: int, to_block: int) -> list[dict]:
        """Raw `eth_getLogs` answer for `addresses` and any event in `topics0` over [from_block, to_block]."""
        detail = f"blocks {from_block}-{to_block}"
        logs = self.call(
            "eth_getLogs",
            [{"address": addresses, "topics": [topics0], "fromBlock": hex(from_block), "toBlock": hex(to_block)}],
            detail=detail,
        )
        if not isinstance(logs, list):
            raise MalformedResponse(f"result is {type(logs).__name__}, expected a list of logs", chain=self.chain,
                                    method="eth_getLogs", detail=detail)
        return logs

    def first_block_at_or_after(self, timestamp: int, head: int) -> int:
        """Lowest block number in [0, head + 1] whose time is >= `timestamp` (head + 1 if none)."""
        lo, hi = 0, head + 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self.block_timestamp(mid) >= timestamp:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def block_range_for_days(self, first_day: date, last_day: date, head: int) -> tuple[int, int] | None:
        """Blocks mined on UTC days first_day..last_day, up to `head`; None when there are none."""
        start = int(datetime.combine(first_day, time(), tzinfo=UTC).timestamp())
        end = int(datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC).timestamp())
        first = self.first_block_at_or_after(start, head)
        after = self.first_block_at_or_after(end, head)
        return (first, after - 1) if after > first else None
