"""A loopback JSON-RPC server that answers from a `SolanaLedger` like a mainnet node.

Methods: getSignaturesForAddress (newest first, `before`/`until`/`limit` as Agave pages
them), getTransaction (jsonParsed, json, base64, base58), getBlock, getBlockTime,
getProgramAccounts (base64/base58, `dataSize` and `memcmp` filters, `withContext`),
getMultipleAccounts, getTokenSupply, getSlot, getBlockHeight, getHealth, getVersion; single requests and batches.
Errors carry Agave's codes and messages (-32602 invalid params, -32009 skipped slot,
-32601 unknown method). It binds 127.0.0.1 on a free port and is never on the live path.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from solders.pubkey import Pubkey

from harness.loopback import LoopbackServer
from harness.solana import wire
from harness.solana._parsed import ui_amount_string
from harness.solana.ledger import SolanaLedger
from pipelines.chains.solana._base58 import b58decode

MAX_SIGNATURES = 1000
ENCODINGS = ("jsonParsed", "json", "base64", "base58")


class RpcFailure(Exception):
    """A JSON-RPC error object to send back."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _config(params: list, position: int) -> dict[str, Any]:
    if len(params) <= position or params[position] is None:
        return {}
    value = params[position]
    if isinstance(value, str):  # legacy form: the encoding as a bare string
        return {"encoding": value}
    if not isinstance(value, dict):
        raise RpcFailure(-32602, "Invalid params: expected a configuration object.")
    return value


def _slot_param(params: list) -> int:
    if not params or not isinstance(params[0], int) or isinstance(params[0], bool) or params[0] < 0:
        raise RpcFailure(-32602, "Invalid params: invalid type: expected u64.")
    return params[0]


class LedgerRpc:
    """The method implementations, pure over the ledger (the HTTP layer is separate)."""

    def __init__(self, ledger: SolanaLedger) -> None:
        self.ledger = ledger
        self.calls: list[str] = []
        self._cache: dict[tuple, str] = {}

    # -- dispatch --------------------------------------------------------------------------

    def answer(self, body: bytes) -> bytes:
        """The HTTP body answering a JSON-RPC request body (single or batch)."""
        try:
            request = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return self._error(None, -32700, "Parse error").encode()
        if isinstance(request, list):
            if not request:
                return self._error(None, -32600, "Invalid request").encode()
            return ("[" + ",".join(self._one(r) for r in request) + "]").encode()
        return self._one(request).encode()

    def _one(self, request: Any) -> str:
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return self._error(None, -32600, "Invalid request")
        rid = request.get("id")
        method, params = request["method"], request.get("params", [])
        self.calls.append(method)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return self._error(rid, -32601, "Method not found")
        if not isinstance(params, list):
            return self._error(rid, -32602, "Invalid params: expected an array.")
        try:
            with self.ledger_lock:
                result_json = handler(params)
        except RpcFailure as failure:
            return self._error(rid, failure.code, failure.message)
        return '{"jsonrpc":"2.0","result":' + result_json + ',"id":' + json.dumps(rid) + "}"

    @property
    def ledger_lock(self) -> threading.RLock:
        return self.ledger.lock

    @staticmethod
    def _error(rid: Any, code: int, message: str) -> str:
        return json.dumps({"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": rid},
                          separators=(",", ":"))

    @staticmethod
    def _json(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    # -- methods ---------------------------------------------------------------------------

    def _getSignaturesForAddress(self, params: list) -> str:  # noqa: N802 - RPC method name
        if not params or not isinstance(params[0], str):
            raise RpcFailure(-32602, "Invalid params: expected an address.")
        try:
            address = str(Pubkey.from_string(params[0]))
        except ValueError:
            raise RpcFailure(-32602, "Invalid param: Invalid") from None
        config = _config(params, 1)
        limit = config.get("limit") or MAX_SIGNATURES
        if not isinstance(limit, int) or not 1 <= limit <= MAX_SIGNATURES:
            raise RpcFailure(-32602, f"Invalid limit; max {MAX_SIGNATURES}")
        history = self.ledger.by_address.get(address, [])
        newest_first = list(reversed(history))
        start = 0
        if config.get("before"):
            positions = [i for i, r in enumerate(newest_first) if r.signature == config["before"]]
            if not positions:
                return "[]"
            start = positions[0] + 1
        page = []
        for record in newest_first[start:]:
            if record.signature == config.get("until") or len(page) == limit:
                break
            page.append(wire.signature_info(record))
        return self._json(page)

    def _getTransaction(self, params: list) -> str:  # noqa: N802
        if not params or not isinstance(params[0], str):
            raise RpcFailure(-32602, "Invalid params: expected a signature.")
        config = _config(params, 1)
        encoding = config.get("encoding", "json")
        if encoding not in ENCODINGS:
            raise RpcFailure(-32602, f"Invalid params: unknown variant `{encoding}`.")
        record = self.ledger.by_signature.get(params[0])
        if record is None:
            return "null"
        with_version = config.get("maxSupportedTransactionVersion") is not None
        key = ("tx", record.signature, encoding, with_version)
        if key not in self._cache:
            self._cache[key] = self._json(wire.transaction_result(record, encoding=encoding,
                                                                  with_version=with_version))
        return self._cache[key]

    def _block(self, slot: int):
        block = self.ledger.block_by_slot.get(slot)
        if block is None:
            if slot > self.ledger.head.slot:
                raise RpcFailure(-32004, f"Block not available for slot {slot}")
            raise RpcFailure(-32009, f"Slot {slot} was skipped, or missing in long-term storage")
        return block

    def _getBlock(self, params: list) -> str:  # noqa: N802
        block = self._block(_slot_param(params))
        config = _config(params, 1)
        encoding = config.get("encoding", "json")
        if encoding not in ENCODINGS:
            raise RpcFailure(-32602, f"Invalid params: unknown variant `{encoding}`.")
        details = config.get("transactionDetails", "full")
        records = [self.ledger.by_signature[s] for s in block.signatures]
        return self._json(wire.block_result(block, records, details=details, rewards=config.get("rewards", True),
                                            encoding=encoding,
                                            with_version=config.get("maxSupportedTransactionVersion") is not None))

    def _getBlockTime(self, params: list) -> str:  # noqa: N802
        return self._json(self._block(_slot_param(params)).block_time)

    def _getSlot(self, params: list) -> str:  # noqa: N802
        return self._json(self.ledger.head.slot)

    def _getBlockHeight(self, params: list) -> str:  # noqa: N802
        return self._json(self.ledger.head.block_height)

    def _getMultipleAccounts(self, params: list) -> str:  # noqa: N802
        if not params or not isinstance(params[0], list) or not all(isinstance(k, str) for k in params[0]):
            raise RpcFailure(-32602, "Invalid params: expected an array of pubkeys.")
        if len(params[0]) > 100:
            raise RpcFailure(-32602, "Too many inputs provided; max 100")
        encoding = _config(params, 1).get("encoding", "base64")
        values = []
        for key in params[0]:
            try:
                account = self.ledger.account(Pubkey.from_string(key))
            except ValueError:
                raise RpcFailure(-32602, f"Invalid param: {key} is not a pubkey") from None
            values.append(None if account is None or account.lamports == 0 else
                          wire.program_account(Pubkey.from_string(key), account, encoding)["account"])
        return self._json({"context": {"apiVersion": "2.2.0", "slot": self.ledger.head.slot}, "value": values})

    def _getTokenSupply(self, params: list) -> str:  # noqa: N802
        if not params or not isinstance(params[0], str):
            raise RpcFailure(-32602, "Invalid params: expected a mint.")
        try:
            mint = Pubkey.from_string(params[0])
        except ValueError:
            raise RpcFailure(-32602, "Invalid param: Invalid") from None
        account = self.ledger.account(mint)
        if account is None or len(account.data) != 82:
            raise RpcFailure(-32602, "Invalid param: not a Token mint")
        supply = int.from_bytes(bytes(account.data)[36:44], "little")
        decimals = bytes(account.data)[44]
        value = {"amount": str(supply), "decimals": decimals, "uiAmount": supply / 10**decimals,
                 "uiAmountString": ui_amount_string(supply, decimals)}
        return self._json({"context": {"apiVersion": "2.2.0", "slot": self.ledger.head.slot}, "value": value})

    def _getHealth(self, params: list) -> str:  # noqa: N802
        return '"ok"'

    def _getVersion(self, params: list) -> str:  # noqa: N802
        return self._json({"feature-set": 0, "solana-core": "depinlens-litesvm"})

    def _getProgramAccounts(self, params: list) -> str:  # noqa: N802
        if not params or not isinstance(params[0], str):
            raise RpcFailure(-32602, "Invalid params: expected a program id.")
        try:
            program = Pubkey.from_string(params[0])
        except ValueError:
            raise RpcFailure(-32602, "Invalid param: Invalid") from None
        config = _config(params, 1)
        encoding = config.get("encoding", "base58")
        if encoding not in ("base64", "base58"):
            raise RpcFailure(-32602, f"Invalid params: encoding {encoding} is not supported here.")
        filters = [self._filter(f) for f in config.get("filters") or []]
        entries = [wire.program_account(address, account, encoding)
                   for address, account in self.ledger.program_accounts(program)
                   if all(f(bytes(account.data)) for f in filters)]
        if config.get("withContext"):
            return self._json({"context": {"apiVersion": "2.2.0", "slot": self.ledger.head.slot}, "value": entries})
        return self._json(entries)

    @staticmethod
    def _filter(spec: Any):
        if isinstance(spec, dict) and isinstance(spec.get("dataSize"), int):
            size = spec["dataSize"]
            return lambda data: len(data) == size
        memcmp = spec.get("memcmp") if isinstance(spec, dict) else None
        if isinstance(memcmp, dict) and isinstance(memcmp.get("offset"), int) and isinstance(memcmp.get("bytes"), str):
            try:
                wanted = (base64.b64decode(memcmp["bytes"]) if memcmp.get("encoding") == "base64"
                          else b58decode(memcmp["bytes"]))
            except ValueError:
                raise RpcFailure(-32602, "Invalid params: memcmp bytes are not valid base58/base64.") from None
            offset = memcmp["offset"]
            return lambda data: data[offset:offset + len(wanted)] == wanted
        raise RpcFailure(-32602, "Invalid params: unknown filter.")


class SolanaRpcServer:
    """The loopback HTTP server around `LedgerRpc`; use as a context manager.

    Example:
        with SolanaRpcServer(ledger) as server:
            SolanaClient("solana-local", server.url)...
    """

    def __init__(self, ledger: SolanaLedger, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.rpc = LedgerRpc(ledger)
        self._loopback = LoopbackServer(lambda request: (200, self.rpc.answer(request.body)), host=host, port=port,
                                        keep_alive=True, name="solana-rpc")
        self.url = self._loopback.url

    def start(self) -> SolanaRpcServer:
        self._loopback.start()
        return self

    def stop(self) -> None:
        self._loopback.stop()

    def __enter__(self) -> SolanaRpcServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
