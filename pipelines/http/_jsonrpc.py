"""JSON-RPC 2.0 over an `Endpoint`: single calls, batches where the provider takes them, error envelopes.

EVM and Solana nodes share it. A batch carries up to `budget.largest_request` calls (each one
counts against the budget); a provider that refuses batches is remembered and asked one call
at a time. Rate-limit errors sent as JSON-RPC error objects (code 429, -32005 "limit") are
waited for like an HTTP 429; any other error object is a refusal naming the call.

`call_many(result_type=...)` reads the answers' bytes straight into a msgspec type (e.g. only
the fields a decoder reads), or through an `AnswerReader` (e.g. the compiled SPL scanner,
pipelines/chains/solana/_scan.py); an answer the reader declines goes the usual way, parsed
JSON, and its checks name what is wrong exactly as without it.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import msgspec

from pipelines.chains.errors import MalformedResponse, RateLimited, RpcRefused
from pipelines.http._endpoint import Endpoint

RATE_LIMIT_CODES = {429, -32429}
BATCH_REFUSED_CODES = {-32600, -32601}


def _is_rate_limit(error: dict) -> bool:
    code, message = error.get("code"), str(error.get("message", "")).lower()
    return code in RATE_LIMIT_CODES or (code == -32005 and ("rate" in message or "limit exceeded" in message))


def jsonrpc_result(answer: Any, *, chain: str, method: str, detail: str) -> Any:
    """The `result` of one parsed JSON-RPC answer.

    Raises:
        RateLimited: the error object is a rate-limit error (retried as the endpoint waits).
        RpcRefused: any other error object (its message and code kept).
        MalformedResponse: not a JSON-RPC object with a result or an error.
    """
    if not isinstance(answer, dict):
        raise MalformedResponse(f"answer is {type(answer).__name__}, not a JSON-RPC object",
                                chain=chain, method=method, detail=detail)
    if "error" in answer and answer["error"] is not None:
        error = answer["error"] if isinstance(answer["error"], dict) else {"message": str(answer["error"])}
        if _is_rate_limit(error):
            raise RateLimited(f"JSON-RPC error {error.get('code')}: {str(error.get('message'))[:200]}",
                              chain=chain, method=method, detail=detail)
        raise RpcRefused(str(error.get("message"))[:300], chain=chain, method=method, detail=detail,
                         code=error.get("code"))
    if "result" not in answer:
        raise MalformedResponse("answer has neither result nor error", chain=chain, method=method, detail=detail)
    return answer["result"]


R = TypeVar("R")


class _Answer(msgspec.Struct, Generic[R], gc=False):
    """A JSON-RPC answer with a result of type R and no error (any other answer does not decode)."""

    result: R
    error: None = None
    id: Any = None


@functools.cache
def _answer_decoders(result_type: Any) -> tuple[msgspec.json.Decoder, msgspec.json.Decoder]:
    return msgspec.json.Decoder(_Answer[result_type]), msgspec.json.Decoder(list[_Answer[result_type]])


def _utf8(content: bytes) -> bool:
    """Whether `content` is valid UTF-8 (msgspec does not check the strings it skips; orjson refuses the answer)."""
    if content.isascii():
        return True
    try:
        content.decode()
    except UnicodeDecodeError:
        return False
    return True


def typed_result(content: bytes, result_type: Any) -> Any | None:
    """The result of a single call's answer, decoded from its bytes into `result_type` (a msgspec type
    that does not admit null); None (decline) where the answer is anything else: see `typed_results`.
    The answer's id is not read (`jsonrpc_result` does not read it either)."""
    if not _utf8(content):
        return None
    try:
        return _answer_decoders(result_type)[0].decode(content).result
    except (msgspec.DecodeError, RecursionError):  # ValidationError included
        return None


def typed_results(content: bytes, result_type: Any, ids: Sequence[int]) -> list[Any] | None:
    """The results of a batch's answer, decoded from its bytes into `result_type` (a msgspec type that
    does not admit null), in the order of the calls' `ids`.

    Returns:
        None (decline) unless the answer is valid UTF-8 JSON holding, for every id, a result of
        `result_type` and no error, so that the usual parse and `jsonrpc_result` would give the
        same results: answers in another number or missing an id, an error object, a null
        result, a result of another shape, text that is not UTF-8 all decline.
    """
    if not _utf8(content):
        return None
    try:
        answers = _answer_decoders(result_type)[1].decode(content)
    except (msgspec.DecodeError, RecursionError):  # ValidationError included
        return None
    if len(answers) != len(ids):
        return None
    by_id = {answer.id: answer for answer in answers}  # as the usual path matches them: by equality
    found = [by_id.get(i) for i in ids]
    return None if None in found else [answer.result for answer in found]


@runtime_checkable
class AnswerReader(Protocol):
    """Reads results straight from an answer's bytes; None declines the answer (it goes the usual way).

    A reader must decline anything but results with no error, so that the usual parse and
    `jsonrpc_result` give nothing it would not (errors, null results, shapes it does not know).
    """

    def read_one(self, content: bytes) -> Any | None:
        """The result of a single call's answer."""

    def read_batch(self, content: bytes, ids: Sequence[int]) -> list[Any] | None:
        """The results of a batch's answer, in the order of the calls' `ids`."""


class _TypedReader:
    """An `AnswerReader` of a msgspec type (`typed_result`, `typed_results`)."""

    def __init__(self, result_type: Any) -> None:
        self.result_type = result_type

    def read_one(self, content: bytes) -> Any | None:
        return typed_result(content, self.result_type)

    def read_batch(self, content: bytes, ids: Sequence[int]) -> list[Any] | None:
        return typed_results(content, self.result_type, ids)


def _reader(result_type: Any) -> AnswerReader:
    return result_type if isinstance(result_type, AnswerReader) else _TypedReader(result_type)


class JsonRpc:
    """JSON-RPC calls to one endpoint."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.batching = endpoint.budget.batch > 1
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()

    @property
    def label(self) -> str:
        return self.endpoint.label

    def _next_ids(self, n: int) -> int:
        with self._ids_lock:
            first = next(self._ids)
            for _ in range(n - 1):
                next(self._ids)
            return first

    def call(self, method: str, params: list[Any], *, detail: str = "",
             read: Callable[[bytes], Any | None] | None = None, result_type: Any = None) -> Any:
        """Call `method` and return its `result` (transient failures and rate limits retried).

        Args:
            read: turns the answer's bytes straight into the result (e.g. Arrow columns), or
                returns None to leave them to the usual parse and checks, which then name
                whatever is wrong exactly as they would without it.
            result_type: a msgspec type to decode the result into (`typed_result` as `read`), or an
                `AnswerReader` (its `read_one`).
        """
        if result_type is not None:
            read = _reader(result_type).read_one

        def once() -> Any:
            payload = {"jsonrpc": "2.0", "id": self._next_ids(1), "method": method, "params": params}
            if read is None:
                answer = self.endpoint.send("POST", self.endpoint.url, method=method, body=payload, detail=detail)
            else:
                content = self.endpoint.send("POST", self.endpoint.url, method=method, body=payload, detail=detail,
                                             raw=True)
                result = read(content)
                if result is not None:
                    return result
                answer = self.endpoint.parse_json(content, method=method, detail=detail)
            return jsonrpc_result(answer, chain=self.label, method=method, detail=detail)

        return self.endpoint.retrying(once)

    def call_many(self, method: str, params_list: Sequence[list[Any]], details: Sequence[str], *,
                  result_type: Any = None) -> list[Any]:
        """`method` once per params, in batches where the provider takes them; results in order.

        Batches run concurrently within the endpoint's bound. Raises the error of the first call
        that fails, naming it (e.g. its signature).

        Args:
            result_type: a msgspec type to decode results into straight from the answers' bytes
                (`typed_results`), or an `AnswerReader`; the results of an answer that declines
                come back parsed.
        """
        if not params_list:
            return []
        size = self.endpoint.budget.largest_request if self.batching else 1
        spans = [(i, min(i + size, len(params_list))) for i in range(0, len(params_list), size)]
        parts = self.endpoint.map_concurrently(
            lambda span: self._batch(method, params_list[span[0]:span[1]], details[span[0]:span[1]], result_type),
            spans)
        return [result for part in parts for result in part]

    def _batch(self, method: str, params_list: Sequence[list[Any]], details: Sequence[str],
               result_type: Any = None) -> list[Any]:
        if len(params_list) == 1 or not self.batching:
            return [self.call(method, params, detail=detail, result_type=result_type)
                    for params, detail in zip(params_list, details, strict=True)]
        span = f"batch of {len(params_list)} ({details[0]} .. {details[-1]})"

        def once() -> list[Any]:
            first = self._next_ids(len(params_list))
            payload = [{"jsonrpc": "2.0", "id": first + i, "method": method, "params": params}
                       for i, params in enumerate(params_list)]
            if result_type is None:
                answers = self.endpoint.send("POST", self.endpoint.url, method=method, calls=len(payload),
                                             body=payload, detail=span)
            else:
                content = self.endpoint.send("POST", self.endpoint.url, method=method, calls=len(payload),
                                             body=payload, detail=span, raw=True)
                results = _reader(result_type).read_batch(content, range(first, first + len(payload)))
                if results is not None:
                    return results
                answers = self.endpoint.parse_json(content, method=method, detail=span)
            if isinstance(answers, dict) and isinstance(answers.get("error"), dict) \
                    and answers["error"].get("code") in BATCH_REFUSED_CODES:
                raise _BatchesRefused()
            if not isinstance(answers, list) or len(answers) != len(payload):
                count = len(answers) if isinstance(answers, list) else type(answers).__name__
                raise MalformedResponse(f"a batch of {len(payload)} calls got {count} answers", chain=self.label,
                                        method=method, detail=span)
            by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
            results = []
            for i, detail in enumerate(details):
                answer = by_id.get(first + i)
                if answer is None:
                    raise MalformedResponse(f"no answer with id {first + i} in the batch", chain=self.label,
                                            method=method, detail=detail)
                results.append(jsonrpc_result(answer, chain=self.label, method=method, detail=detail))
            return results

        try:
            return self.endpoint.retrying(once)
        except _BatchesRefused:
            self.batching = False
            return self._batch(method, params_list, details)
        except RpcRefused as exc:
            if exc.code in (400, 413) and not exc.is_credentials:  # a provider that takes no (or smaller) batches
                self.batching = False
                return self._batch(method, params_list, details)
            raise


class _BatchesRefused(Exception):
    """The provider answered a batch with one error object: it takes no batches."""
