"""Adapter errors, shared by every chain family.

* AdapterError
  + RpcError              - the node's answer could not be used
    - RpcUnavailable      - timeout, refused or dropped connection (retried)
    - RateLimited         - HTTP 429 (retried)
    - RpcServerError      - HTTP 5xx (retried)
    - MalformedResponse   - not JSON, or JSON of the wrong shape
    - RpcRefused          - a JSON-RPC error object (e.g. range too large)
  + DecodeError           - one record cannot be decoded; names the record
  + ConfigError           - an RPC URL or identifier is missing or not allowed
"""

from __future__ import annotations


class AdapterError(Exception):
    """Base class for every chain-adapter failure."""


class RpcError(AdapterError):
    """A request to a node failed; says which method, on which chain, over which range."""

    def __init__(self, message: str, *, chain: str, method: str, detail: str = "") -> None:
        self.chain, self.method, self.detail = chain, method, detail
        super().__init__(f"{chain} {method} {detail}: {message}".replace("  ", " "))


class RpcUnavailable(RpcError):
    """The node timed out, refused or dropped the connection."""


class RateLimited(RpcError):
    """The node answered HTTP 429."""


class RpcServerError(RpcError):
    """The node answered HTTP 5xx."""


class MalformedResponse(RpcError):
    """The answer is not JSON, or not the JSON-RPC shape the method returns."""


class RpcRefused(RpcError):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, message: str, *, chain: str, method: str, detail: str = "", code: int | None = None) -> None:
        self.code = code
        super().__init__(message, chain=chain, method=method, detail=detail)


class DecodeError(AdapterError):
    """One record could not be decoded; the message names it (position, tx, log index)."""


class ConfigError(AdapterError):
    """A setting the adapter needs is missing or not allowed."""
