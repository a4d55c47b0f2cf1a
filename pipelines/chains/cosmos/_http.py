"""JSON over HTTP GET (httpx) with retries on timeouts, 429 and 5xx, and errors that say where.

The Cosmos REST gateway and the price API share it: both answer JSON to GET requests, both
rate-limit with 429, and both need a failure to name the endpoint and the range it was for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from pipelines.chains.errors import MalformedResponse, RateLimited, RpcRefused, RpcServerError, RpcUnavailable

RETRYABLE = (RpcUnavailable, RateLimited, RpcServerError, MalformedResponse)


def _message(response: httpx.Response) -> str:
    """The error text a gateway put in its body (`{"code":..,"message":..}`), else the status."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("message"):
        return f"HTTP {response.status_code}: {str(body['message'])[:300]}"
    return f"HTTP {response.status_code}"


@contextmanager
def _map_transport_errors(name: str, method: str, detail: str) -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as exc:
        raise RpcUnavailable(f"timed out ({type(exc).__name__})", chain=name, method=method, detail=detail) from exc
    except httpx.TransportError as exc:
        raise RpcUnavailable(f"{type(exc).__name__}: {exc}", chain=name, method=method, detail=detail) from exc


class RestClient:
    """GET JSON from one base URL.

    Args:
        name: what the errors call this endpoint (a registry chain id, "coingecko").
        base_url: scheme, host and optional path prefix.
        timeout_s: per-request timeout.
        max_attempts: tries per request for retryable failures (timeouts, 429, 5xx but 501, bad JSON).
        max_wait_s: upper bound of one exponential-backoff wait (with jitter).
        headers: sent with every request (e.g. an API key).
        transport: an httpx transport, for tests that answer in-process.
    """

    def __init__(self, name: str, base_url: str, *, timeout_s: float = 30.0, max_attempts: int = 5,
                 max_wait_s: float = 8.0, headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s, headers=dict(headers or {}),
                                  transport=transport)
        self._get = retry(
            retry=retry_if_exception_type(RETRYABLE),
            stop=stop_after_attempt(max_attempts),
            wait=wait_random_exponential(multiplier=0.25, max=max_wait_s),
            reraise=True,
        )(self._get_once)

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, headers: Mapping[str, str] | None = None,
            detail: str = "") -> Any:
        """GET `path` and return its JSON body, retrying transient failures.

        Raises:
            RpcRefused: a 4xx answer or 501 (with the gateway's message and `code` = HTTP status).
            RateLimited, RpcServerError, RpcUnavailable, MalformedResponse: after the last attempt.
        """
        return self._get(path, dict(params or {}), dict(headers or {}), detail)

    def _get_once(self, path: str, params: dict, headers: dict, detail: str) -> Any:
        with _map_transport_errors(self.name, path, detail):
            response = self._http.get(path, params=params, headers=headers)
        status = response.status_code
        if status == 429:
            raise RateLimited("HTTP 429", chain=self.name, method=path, detail=detail)
        if status == 501 or 400 <= status < 500:
            raise RpcRefused(_message(response), chain=self.name, method=path, detail=detail, code=status)
        if status >= 500:
            raise RpcServerError(_message(response), chain=self.name, method=path, detail=detail)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedResponse(f"answer is not JSON ({exc.__class__.__name__})", chain=self.name, method=path,
                                    detail=detail) from exc

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
