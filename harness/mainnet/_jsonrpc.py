"""JSON-RPC 2.0 over HTTP POST, as nodes and public providers speak it: single calls and batches.

The path is ignored (providers put the API key there). A method returns a plain value or an
`orjson.Fragment` of JSON it already rendered; it raises `RpcError` for a JSON-RPC error object
or `HttpRefusalError` when the provider refuses the whole request with an HTTP status instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from harness.loopback import Reply, Request
from harness.mainnet._limits import Limits, Refusal
from harness.mainnet._server import Parsed, Provider

Method = Callable[[list], Any]


class RpcError(Exception):
    """A JSON-RPC error object to send back for one call."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


class HttpRefusalError(Exception):
    """The whole request is refused with an HTTP status and this JSON body (e.g. 413 for a range)."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.body = status, body


def _envelope(rid: Any, *, result: Any = None, error: dict[str, Any] | None = None) -> dict[str, Any]:
    if error is not None:
        return {"jsonrpc": "2.0", "error": error, "id": rid}
    return {"jsonrpc": "2.0", "result": result, "id": rid}


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value)


class JsonRpcProvider(Provider):
    """A provider answering JSON-RPC; subclasses fill `methods` and the error texts of their node."""

    methods: dict[str, Method]

    def __init__(self, limits: Limits, *, name: str, **kwargs: Any) -> None:
        super().__init__(limits, name=name, **kwargs)
        self.methods = {}

    # error texts differ between node implementations -------------------------------------

    def _method_not_found(self, method: str) -> RpcError:
        return RpcError(-32601, "Method not found")

    def _too_many_message(self, refusal: Refusal) -> tuple[int, str]:
        return 429, "Too Many Requests"

    # reading -----------------------------------------------------------------------------

    def _parse(self, request: Request) -> Parsed | Reply:
        if request.verb != "POST":
            return 405, _dumps(_envelope(None, error={"code": -32600, "message": "Only POST is allowed"}))
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            return 200, _dumps(_envelope(None, error={"code": -32700, "message": "Parse error"}))
        batch = isinstance(body, list)
        items = body if batch else [body]
        if batch and not items:
            return 200, _dumps(_envelope(None, error={"code": -32600, "message": "empty batch"}))
        limit = self.limits.max_batch
        if batch and limit is not None and len(items) > limit:
            first_id = next((item.get("id") for item in items if isinstance(item, dict)), None)
            if self.limits.batch_refusal == "http":
                return 413, _dumps(_envelope(first_id, error={
                    "code": -32600, "message": f"batch of {len(items)} requests exceeds the limit of {limit}"}))
            return 200, _dumps([_envelope(first_id, error={"code": -32600, "message": "batch too large"})])
        methods = [item["method"] if isinstance(item, dict) and isinstance(item.get("method"), str) else "<invalid>"
                   for item in items]
        return Parsed(methods, (batch, items))

    # answering ---------------------------------------------------------------------------

    def _call(self, item: Any) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("method"), str):
            return _envelope(None, error={"code": -32600, "message": "Invalid request"})
        rid, method = item.get("id"), item["method"]
        params = item.get("params", [])
        handler = self.methods.get(method)
        try:
            if handler is None:
                raise self._method_not_found(method)
            if not isinstance(params, list):
                raise RpcError(-32602, "Invalid params: expected an array of parameters")
            return _envelope(rid, result=handler(params))
        except RpcError as error:
            return _envelope(rid, error=error.body())

    def _answer(self, parsed: Parsed) -> Reply:
        batch, items = parsed.payload
        try:
            answers = [self._call(item) for item in items]
        except HttpRefusalError as refusal:
            with self._lock:
                self._stats.errors[refusal.body.get("error", {}).get("code", refusal.status)] += 1
            return refusal.status, _dumps(refusal.body)
        with self._lock:
            for answer in answers:
                if "error" in answer:
                    self._stats.errors[answer["error"]["code"]] += 1
        return 200, _dumps(answers if batch else answers[0])

    def _too_many(self, parsed: Parsed | None, refusal: Refusal) -> bytes:
        code, message = self._too_many_message(refusal)
        rid = None
        if parsed is not None:
            _, items = parsed.payload
            rid = items[0].get("id") if items and isinstance(items[0], dict) else None
        return _dumps(_envelope(rid, error={"code": code, "message": message}))

    def _internal_error(self, parsed: Parsed | None) -> bytes:
        return _dumps(_envelope(None, error={"code": -32603, "message": "Internal error"}))


def hex_int(value: Any, what: str) -> int:
    """A 0x-prefixed hex quantity as int, or RpcError -32602 naming `what`."""
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise RpcError(-32602, f"invalid argument: {what} must be a 0x-prefixed hex quantity, got {value!r}")
