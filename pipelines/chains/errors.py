"""Adapter errors, shared by every chain family and the price API.

* AdapterError
  + RpcError              - the node's answer could not be used
    - RpcUnavailable      - timeout, refused or dropped connection (retried)
    - RateLimited         - HTTP 429, or a JSON-RPC rate-limit error (waited for, as the provider asks)
    - RpcServerError      - HTTP 5xx (retried)
    - MalformedResponse   - not JSON, or JSON of the wrong shape (retried)
    - RpcRefused          - HTTP 4xx or a JSON-RPC error object (e.g. range too large); never retried
  + DecodeError           - one record cannot be decoded; names the record
  + ConfigError           - an RPC URL or identifier is missing or not allowed

Every message passes through `pipelines.http.scrub`: endpoints are named by scheme and host
only, so an API key in an RPC URL never reaches a log line, a Dagster event or a table.
"""

from __future__ import annotations

from pipelines.redact import scrub


class AdapterError(Exception):
    """Base class for every chain-adapter failure; its message never carries an endpoint's key."""

    def __init__(self, message: str = "") -> None:
        super().__init__(scrub(str(message)))

    def add_hint(self, hint: str) -> None:
        """Append a sentence saying what to do next."""
        self.args = (f"{self.args[0]}; {scrub(hint)}" if self.args else scrub(hint),)


class RpcError(AdapterError):
    """A request to a node failed; says which endpoint, which method, over which range."""

    def __init__(self, message: str, *, chain: str, method: str, detail: str = "") -> None:
        self.chain, self.method, self.detail = chain, method, scrub(detail)
        super().__init__(" ".join(p for p in (chain, method, self.detail) if p) + f": {message}")


class RpcUnavailable(RpcError):
    """The node timed out, refused or dropped the connection."""


class RateLimited(RpcError):
    """The node answered HTTP 429 (or a JSON-RPC rate-limit error); `retry_after` is what it asked for."""

    def __init__(self, message: str, *, chain: str, method: str, detail: str = "",
                 retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, chain=chain, method=method, detail=detail)


class RpcServerError(RpcError):
    """The node answered HTTP 5xx."""


class MalformedResponse(RpcError):
    """The answer is not JSON, or not the JSON-RPC shape the method returns."""


class RpcRefused(RpcError):
    """The node refused the request: an HTTP 4xx (`code` = the status) or a JSON-RPC error object."""

    def __init__(self, message: str, *, chain: str, method: str, detail: str = "", code: int | None = None) -> None:
        self.code = code
        super().__init__(message, chain=chain, method=method, detail=detail)

    @property
    def is_credentials(self) -> bool:
        """The provider refused the key, not the request: retrying or splitting cannot help."""
        return self.code in (401, 403)


class DecodeError(AdapterError):
    """One record could not be decoded; the message names it (position, tx, log index)."""


class ConfigError(AdapterError):
    """A setting the adapter needs is missing or not allowed."""
