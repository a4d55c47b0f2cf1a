"""JSON-RPC access to a Solana node through the project's HTTP layer (pipelines/http).

We read the node's wire format ourselves rather than through solana-py's response objects:
parsed JSON, or (for the token decoder) msgspec structs of only the fields it reads (`_wire.py`);
solders' objects for every field cost several times the whole decode (benchmarks/solana_decode.py).
Only finalized data is read from live nodes, so no slot is ever rolled back and no block hash has
to be fetched to detect it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from pipelines.chains.errors import MalformedResponse
from pipelines.chains.solana._scan import SPL_READER
from pipelines.chains.solana._wire import HistoryPage
from pipelines.http import UNLIMITED, Budget, Endpoint, JsonRpc

MAX_SIGNATURES_PER_PAGE = 1000  # the node's own cap for getSignaturesForAddress
MAX_ACCOUNTS_PER_CALL = 100  # the node's own cap for getMultipleAccounts
MAX_FULL_TRANSACTIONS_PER_PAGE = 100  # Helius' cap for getTransactionsForAddress with transactionDetails "full"
# what getTransaction is asked for, and getTransactionsForAddress too: the decoder reads this shape
TRANSACTION_ENCODING = {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0}


class SolanaClient:
    """One Solana node over HTTP.

    Args:
        chain: registry id of the chain (used in errors and rows).
        rpc_url: the node's HTTP JSON-RPC URL (may carry an API key: errors show scheme and host only).
        commitment: `finalized` for live chains (only rooted slots), `confirmed` for local ones.
        budget: request windows, concurrency and batch size (pipelines.http.Budget).
        timeout_s, max_attempts, max_wait_s: see pipelines.http.Endpoint.
        transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(self, chain: str, rpc_url: str, *, commitment: str = "finalized", budget: Budget = UNLIMITED,
                 timeout_s: float = 30.0, max_attempts: int = 5, max_wait_s: float = 8.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.chain = chain
        self.commitment = commitment
        self.endpoint = Endpoint(chain, rpc_url, budget=budget, timeout_s=timeout_s, max_attempts=max_attempts,
                                 max_wait_s=max_wait_s, transport=transport)
        self.rpc = JsonRpc(self.endpoint)
        self.label = self.endpoint.label
        self._block_times: dict[int, int] = {}

    def close(self) -> None:
        self.endpoint.close()

    def __enter__(self) -> SolanaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, params: list[Any], *, detail: str = "", result_type: Any = None) -> Any:
        """Call `method`, retrying transient failures and rate limits, and return the JSON-RPC `result`
        (decoded into `result_type` where the answer fits it, as in `call_batch`)."""
        return self.rpc.call(method, params, detail=detail, result_type=result_type)

    def call_batch(self, method: str, params_list: Sequence[list[Any]], details: Sequence[str], *,
                   result_type: Any = None) -> list[Any]:
        """`method` once per params, batched where the provider takes it; results in request order
        (decoded into `result_type` where an answer fits it: see `JsonRpc.call_many`)."""
        return self.rpc.call_many(method, params_list, details, result_type=result_type)

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
                                    chain=self.label, method="getSignaturesForAddress", detail=detail)
        for position, item in enumerate(page):
            if (not isinstance(item, dict) or not isinstance(item.get("signature"), str)
                    or type(item.get("slot")) is not int
                    or not (item.get("blockTime") is None or type(item.get("blockTime")) is int)):
                raise MalformedResponse(f"entry #{position} is not a signature record with signature, slot and "
                                        f"blockTime: {str(item)[:120]}", chain=self.label,
                                        method="getSignaturesForAddress", detail=detail)
        return page

    def transactions(self, signatures: Sequence[str], *, typed: bool = False) -> list[Any]:
        """`getTransaction` (jsonParsed, versioned) for each signature, batched; raw results in order.

        Args:
            typed: read for the token decoder: each answer's bytes straight into its SPL movements by the
                compiled scanner (`_scan.ScannedTransaction`), or where the scanner declines it into
                `_wire.Transaction` structs (only the fields the decoder reads); an answer that fits
                neither comes back as parsed JSON. Only `decode_token_movements` reads these results.
        """
        config = {**TRANSACTION_ENCODING, "commitment": self.commitment}
        results = self.call_batch("getTransaction", [[s, config] for s in signatures],
                                  [f"signature {s}" for s in signatures], result_type=SPL_READER if typed else None)
        for signature, result in zip(signatures, results, strict=True):
            if result is None:
                raise MalformedResponse("the node has no such transaction (null result); it may have been "
                                        "pruned: use an archival RPC", chain=self.label, method="getTransaction",
                                        detail=f"signature {signature}")
        return results

    def transactions_for_address(self, address: str, *, start: int, end: int, pagination_token: str | None = None,
                                 limit: int = MAX_FULL_TRANSACTIONS_PER_PAGE,
                                 typed: bool = False) -> tuple[list[Any], str | None]:
        """One page of Helius' `getTransactionsForAddress`: the address's transactions with block time in
        [start, end), newest first, in full (as `getTransaction` renders them), and the token of the next page
        (None: no more pages).

        Not standard Solana RPC: Helius offers it on paid plans (Developer and up), 100 credits a call, up to
        100 full transactions a page. Documented at https://www.helius.dev/docs/rpc/gettransactionsforaddress
        (request parameters at https://www.helius.dev/docs/api-reference/rpc/http/gettransactionsforaddress;
        the answer is `{data: [{slot, transactionIndex, transaction, meta, blockTime}], paginationToken}`,
        typed so in helius-labs/helius-sdk `TransactionForAddressFull`). `tokenAccounts: "none"` lists what
        getSignaturesForAddress lists (transactions naming the address itself), and `status: "any"` keeps
        failed ones, which the caller lists without decoding, as it does on the standard path.

        With `typed`, a page is read from its bytes into `_wire.HistoryPage` (entries `HistoryTransaction`,
        whose types hold what the checks below require) where it fits; otherwise it comes back parsed.

        Raises:
            RpcRefused: the provider refused the call (e.g. -32601 where the method does not exist).
            MalformedResponse: the answer is not that shape.
        """
        config: dict[str, Any] = {"transactionDetails": "full", **TRANSACTION_ENCODING, "commitment": self.commitment,
                                  "sortOrder": "desc", "limit": limit,
                                  "filters": {"blockTime": {"gte": start, "lt": end}, "status": "any",
                                              "tokenAccounts": "none"}}
        if pagination_token is not None:
            config["paginationToken"] = pagination_token
        method, detail = "getTransactionsForAddress", f"address {address} from {pagination_token or 'head'}"
        answer = self.call(method, [address, config], detail=detail, result_type=HistoryPage if typed else None)
        if type(answer) is HistoryPage:
            return answer.data, answer.pagination_token
        if (not isinstance(answer, dict) or not isinstance(answer.get("data"), list)
                or not (answer.get("paginationToken") is None or isinstance(answer["paginationToken"], str))):
            raise MalformedResponse(f"expected {{data: [...], paginationToken}}, got {str(answer)[:120]}",
                                    chain=self.label, method=method, detail=detail)
        for position, entry in enumerate(answer["data"]):
            transaction = entry.get("transaction") if isinstance(entry, dict) else None
            signatures = transaction.get("signatures") if isinstance(transaction, dict) else None
            if (not signatures or not isinstance(signatures, list) or not isinstance(signatures[0], str)
                    or type(entry.get("slot")) is not int or "meta" not in entry
                    or not (entry.get("blockTime") is None or type(entry.get("blockTime")) is int)):
                raise MalformedResponse(f"entry #{position} is not a full transaction with slot, blockTime, meta "
                                        f"and signatures: {str(entry)[:120]}", chain=self.label, method=method,
                                        detail=detail)
        return answer["data"], answer.get("paginationToken")

    def block_time(self, slot: int) -> int:
        """Unix time of `slot` (`getBlockTime`), fetched once and cached."""
        if slot not in self._block_times:
            value = self.call("getBlockTime", [slot], detail=f"slot {slot}")
            if type(value) is not int:
                raise MalformedResponse(f"expected a unix time, got {value!r:.80}", chain=self.label,
                                        method="getBlockTime", detail=f"slot {slot}")
            self._block_times[slot] = value
        return self._block_times[slot]

    def slot(self) -> int:
        """The node's newest slot at this client's commitment."""
        value = self.call("getSlot", [{"commitment": self.commitment}])
        if type(value) is not int:
            raise MalformedResponse(f"expected a slot, got {value!r:.80}", chain=self.label, method="getSlot")
        return value

    def program_accounts(self, program: str, filters: list[dict]) -> tuple[int, list[dict]]:
        """(context slot, accounts) of `getProgramAccounts` in base64, with `filters`."""
        detail = f"program {program}"
        config = {"encoding": "base64", "filters": filters, "withContext": True, "commitment": self.commitment}
        answer = self.call("getProgramAccounts", [program, config], detail=detail)
        if (not isinstance(answer, dict) or not isinstance(answer.get("value"), list)
                or not isinstance(answer.get("context"), dict) or type(answer["context"].get("slot")) is not int):
            raise MalformedResponse(f"expected {{context: {{slot}}, value: [...]}}, got {str(answer)[:120]}",
                                    chain=self.label, method="getProgramAccounts", detail=detail)
        return answer["context"]["slot"], answer["value"]

    def multiple_accounts(self, pubkeys: Sequence[str]) -> list[dict | None]:
        """`getMultipleAccounts` in base64, 100 keys per call, as `{pubkey, account}` entries (None: no account)."""
        config = {"encoding": "base64", "commitment": self.commitment}
        chunks = [list(pubkeys[i:i + MAX_ACCOUNTS_PER_CALL]) for i in range(0, len(pubkeys), MAX_ACCOUNTS_PER_CALL)]
        answers = self.call_batch("getMultipleAccounts", [[chunk, config] for chunk in chunks],
                                  [f"{len(chunk)} accounts from {chunk[0]}" for chunk in chunks])
        entries: list[dict | None] = []
        for chunk, answer in zip(chunks, answers, strict=True):
            value = answer.get("value") if isinstance(answer, dict) else None
            if not isinstance(value, list) or len(value) != len(chunk):
                raise MalformedResponse(f"expected {{context, value: [{len(chunk)} accounts]}}, got "
                                        f"{str(answer)[:120]}", chain=self.label, method="getMultipleAccounts",
                                        detail=f"{len(chunk)} accounts from {chunk[0]}")
            entries += [None if account is None else {"pubkey": key, "account": account}
                        for key, account in zip(chunk, value, strict=True)]
        return entries

    def token_supply(self, mint: str) -> tuple[int, int, int]:
        """(context slot, supply in base units, decimals) of `getTokenSupply`."""
        detail = f"mint {mint}"
        answer = self.call("getTokenSupply", [mint, {"commitment": self.commitment}], detail=detail)
        try:
            slot, value = answer["context"]["slot"], answer["value"]
            amount, decimals = value["amount"], value["decimals"]
            if type(slot) is not int or not isinstance(amount, str) or not amount.isdigit() \
                    or type(decimals) is not int:
                raise TypeError
            return slot, int(amount), decimals
        except (KeyError, TypeError):
            raise MalformedResponse(f"expected {{context: {{slot}}, value: {{amount, decimals}}}}, got "
                                    f"{str(answer)[:120]}", chain=self.label, method="getTokenSupply",
                                    detail=detail) from None
