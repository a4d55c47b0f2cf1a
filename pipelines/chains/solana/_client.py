"""JSON-RPC access to a Solana node over httpx, with retries, batches and clear errors.

We read the node's raw JSON (orjson) rather than solana-py's response objects: the
decoder works on the wire format directly, and building typed objects for every
instruction would cost more than the decode itself (benchmarks/solana_decode.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from pipelines.chains.errors import (
    MalformedResponse,
    RateLimited,
    RpcServerError,
    RpcUnavailable,
)
from pipelines.chains.jsonrpc import jsonrpc_result

RETRYABLE = (RpcUnavailable, RateLimited, RpcServerError, MalformedResponse)
MAX_SIGNATURES_PER_PAGE = 1000  # the node's own cap for getSignaturesForAddress


@contextmanager
def map_exceptions(chain: str, method: str, detail: str) -> Iterator[None]:
    """Translate httpx/JSON failures at the transport edge into adapter errors."""
    try:
        yield
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        cls = RateLimited if status == 429 else RpcServerError if status >= 500 else MalformedResponse
        raise cls(f"HTTP {status}", chain=chain, method=method, detail=detail) from exc
    except httpx.TransportError as exc:
        raise RpcUnavailable(f"{type(exc).__name__}: {exc}", chain=chain, method=method, detail=detail) from exc
    except orjson.JSONDecodeError as exc:
        raise MalformedResponse("answer is not JSON", chain=chain, method=method, detail=detail) from exc


class SolanaClient:
    """One Solana node over HTTP.

    Args:
        chain: registry id of the chain (used in errors and rows).
        rpc_url: the node's HTTP JSON-RPC URL.
        commitment: `finalized` for live chains (only rooted slots), `confirmed` for local ones.
        timeout_s: per-request timeout.
        max_attempts: tries per request for retryable failures (timeouts, 429, 5xx, bad JSON).
        max_wait_s: upper bound of one exponential-backoff wait (with jitter).
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(self, chain: str, rpc_url: str, *, commitment: str = "finalized", timeout_s: float = 30.0,
                 max_attempts: int = 5, max_wait_s: float = 8.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.chain = chain
        self.rpc_url = rpc_url
        self.commitment = commitment
        self._http = httpx.Client(timeout=timeout_s, transport=transport,
                                  headers={"Content-Type": "application/json"})
        self._next_id = 1
        self._block_times: dict[int, int] = {}
        self._retry = retry(
            retry=retry_if_exception_type(RETRYABLE),
            stop=stop_after_attempt(max_attempts),
            wait=wait_random_exponential(multiplier=0.25, max=max_wait_s),
            reraise=True,
        )
        self._call = self._retry(self._call_once)
        self._batch = self._retry(self._batch_once)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SolanaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------------

    def _post(self, payload: Any, method: str, detail: str) -> Any:
        with map_exceptions(self.chain, method, detail):
            response = self._http.post(self.rpc_url, content=orjson.dumps(payload))
            response.raise_for_status()
            return orjson.loads(response.content)

    def _unwrap(self, answer: Any, method: str, detail: str) -> Any:
        return jsonrpc_result(answer, chain=self.chain, method=method, detail=detail)

    def _take_ids(self, n: int) -> int:
        first, self._next_id = self._next_id, self._next_id + n
        return first

    def call(self, method: str, params: list[Any], *, detail: str = "") -> Any:
        """Call `method`, retrying transient failures, and return the JSON-RPC `result`."""
        return self._call(method, params, detail)

    def _call_once(self, method: str, params: list[Any], detail: str) -> Any:
        payload = {"jsonrpc": "2.0", "id": self._take_ids(1), "method": method, "params": params}
        return self._unwrap(self._post(payload, method, detail), method, detail)

    def call_batch(self, method: str, params_list: Sequence[list[Any]], details: Sequence[str]) -> list[Any]:
        """One JSON-RPC batch of `method` calls; results in request order.

        Raises:
            RpcRefused: naming the item (e.g. the signature) whose call the node refused.
        """
        if not params_list:
            return []
        return self._batch(method, params_list, details)

    def _batch_once(self, method: str, params_list: Sequence[list[Any]], details: Sequence[str]) -> list[Any]:
        first = self._take_ids(len(params_list))
        payload = [{"jsonrpc": "2.0", "id": first + i, "method": method, "params": params}
                   for i, params in enumerate(params_list)]
        span = f"{details[0]} .. {details[-1]}" if len(details) > 1 else details[0]
        answers = self._post(payload, method, f"batch of {len(payload)} ({span})")
        if not isinstance(answers, list) or len(answers) != len(payload):
            raise MalformedResponse(f"a batch of {len(payload)} calls got "
                                    f"{len(answers) if isinstance(answers, list) else type(answers).__name__} answers",
                                    chain=self.chain, method=method, detail=f"batch ({span})")
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        results = []
        for i, detail in enumerate(details):
            answer = by_id.get(first + i)
            if answer is None:
                raise MalformedResponse(f"no answer with id {first + i} in the batch", chain=self.chain,
                                        method=method, detail=detail)
            results.append(self._unwrap(answer, method, detail))
        return results

    # -- methods ---------------------------------------------------------------------------

    def signatures_for_address(self, address: str, *, before: str | None = None, until: str | None = None,
                               limit: int = MAX_SIGNATURES_PER_PAGE) -> list[dict]:
        """One page of `getSignaturesForAddress` (newest first), checked for shape."""
        config: dict[str, Any] = {"limit": limit, "commitment": self.commitment}
        if before:
            config["before"] = before
        if until:
            config["until"] = until
        detail = f"address {address} before {before or 'head'}"
        page = self.call("getSignaturesForAddress", [address, config], detail=detail)
        if not isinstance(page, list):
            raise MalformedResponse(f"result is {type(page).__name__}, expected a list of signatures",
                                    chain=self.chain, method="getSignaturesForAddress", detail=detail)
        for position, item in enumerate(page):
            if (not isinstance(item, dict) or not isinstance(item.get("signature"), str)
                    or not isinstance(item.get("slot"), int)
                    or not (item.get("blockTime") is None or isinstance(item.get("blockTime"), int))):
                raise MalformedResponse(f"entry #{position} is not a signature record with signature, slot and "
                                        f"blockTime: {str(item)[:120]}", chain=self.chain,
                                        method="getSignaturesForAddress", detail=detail)
        return page

    def transactions(self, signatures: Sequence[str], *, batch_size: int = 100) -> list[Any]:
        """`getTransaction` (jsonParsed, versioned) for each signature, in batches; raw results."""
        config = {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0, "commitment": self.commitment}
        results: list[Any] = []
        for start in range(0, len(signatures), batch_size):
            chunk = list(signatures[start:start + batch_size])
            results += self.call_batch("getTransaction", [[s, config] for s in chunk],
                                       [f"signature {s}" for s in chunk])
        for signature, result in zip(signatures, results, strict=True):
            if result is None:
                raise MalformedResponse("the node has no such transaction (null result); it may have been "
                                        "pruned: use an archival RPC", chain=self.chain, method="getTransaction",
                                        detail=f"signature {signature}")
        return results

    def blocks(self, slots: Sequence[int], *, batch_size: int = 100) -> dict[int, dict]:
        """Header of each block (hash, parent, time) via `getBlock` without transactions."""
        config = {"transactionDetails": "none", "rewards": False, "maxSupportedTransactionVersion": 0,
                  "commitment": self.commitment}
        headers: dict[int, dict] = {}
        ordered = sorted(set(slots))
        for start in range(0, len(ordered), batch_size):
            chunk = ordered[start:start + batch_size]
            answers = self.call_batch("getBlock", [[s, config] for s in chunk], [f"slot {s}" for s in chunk])
            for slot, block in zip(chunk, answers, strict=True):
                if not isinstance(block, dict) or not isinstance(block.get("blockhash"), str):
                    raise MalformedResponse(f"expected a block header with a blockhash, got {str(block)[:120]}",
                                            chain=self.chain, method="getBlock", detail=f"slot {slot}")
                headers[slot] = block
                if isinstance(block.get("blockTime"), int):
                    self._block_times[slot] = block["blockTime"]
        return headers

    def block_time(self, slot: int) -> int:
        """Unix time of `slot` (`getBlockTime`), fetched once and cached."""
        if slot not in self._block_times:
            value = self.call("getBlockTime", [slot], detail=f"slot {slot}")
            if not isinstance(value, int):
                raise MalformedResponse(f"expected a unix time, got {value!r:.80}", chain=self.chain,
                                        method="getBlockTime", detail=f"slot {slot}")
            self._block_times[slot] = value
        return self._block_times[slot]

    def program_accounts(self, program: str, filters: list[dict]) -> tuple[int, list[dict]]:
        """(context slot, accounts) of `getProgramAccounts` in base64, with `filters`."""
        detail = f"program {program}"
        config = {"encoding": "base64", "filters": filters, "withContext": True, "commitment": self.commitment}
        answer = self.call("getProgramAccounts", [program, config], detail=detail)
        if (not isinstance(answer, dict) or not isinstance(answer.get("value"), list)
                or not isinstance(answer.get("context"), dict) or not isinstance(answer["context"].get("slot"), int)):
            raise MalformedResponse(f"expected {{context: {{slot}}, value: [...]}}, got {str(answer)[:120]}",
                                    chain=self.chain, method="getProgramAccounts", detail=detail)
        return answer["context"]["slot"], answer["value"]
