"""One HTTP layer for every chain family and the price API.

An `Endpoint` is one provider URL asked within a `Budget` (request windows overall and per
method, concurrency, batch size): retries with backoff that honour `Retry-After`, counters of
calls, requests and bytes, and URLs redacted to scheme and host in every message. `JsonRpc`
adds JSON-RPC 2.0 calls and batches on top.
"""

from pipelines.http._budget import UNLIMITED, Budget, RequestGate, Window, parse_window
from pipelines.http._endpoint import Endpoint, EndpointStats, retry_after_seconds
from pipelines.http._jsonrpc import JsonRpc, jsonrpc_result
from pipelines.redact import redact_url, remember_url, scrub

__all__ = [
    "UNLIMITED",
    "Budget",
    "Endpoint",
    "EndpointStats",
    "JsonRpc",
    "RequestGate",
    "Window",
    "jsonrpc_result",
    "parse_window",
    "redact_url",
    "remember_url",
    "retry_after_seconds",
    "scrub",
]
