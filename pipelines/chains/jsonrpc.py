"""The JSON-RPC 2.0 envelope, shared by the EVM and Solana clients: result, error or malformed."""

from __future__ import annotations

from typing import Any

from pipelines.chains.errors import MalformedResponse, RpcRefused


def jsonrpc_result(answer: Any, *, chain: str, method: str, detail: str) -> Any:
    """The `result` of a parsed JSON-RPC answer.

    Raises:
        RpcRefused: the node answered with an error object (its message and code kept).
        MalformedResponse: the answer is not a JSON-RPC object with a result or an error.
    """
    if not isinstance(answer, dict):
        raise MalformedResponse(f"answer is {type(answer).__name__}, not a JSON-RPC object",
                                chain=chain, method=method, detail=detail)
    if "error" in answer:
        error = answer["error"] if isinstance(answer["error"], dict) else {"message": str(answer["error"])}
        raise RpcRefused(str(error.get("message")), chain=chain, method=method, detail=detail, code=error.get("code"))
    if "result" not in answer:
        raise MalformedResponse("answer has neither result nor error", chain=chain, method=method, detail=detail)
    return answer["result"]
