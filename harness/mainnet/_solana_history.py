"""Helius' `getTransactionsForAddress` request, read and checked: what the mainnet-shaped provider serves.

The method is Helius' own, not standard Solana RPC (https://www.helius.dev/docs/rpc/gettransactionsforaddress,
parameters at https://www.helius.dev/docs/api-reference/rpc/http/gettransactionsforaddress). Params are
`[address, config]`; the config keys read here are the documented ones:

* `transactionDetails`: `signatures` (default; up to 1,000 a page) or `full` (up to 100 a page)
* `sortOrder`: `desc` (default, newest first) or `asc`
* `limit`, `paginationToken` (`"slot:position"`, from the previous page), `commitment` (no `processed`)
* `encoding` and `maxSupportedTransactionVersion`: as getTransaction's, for `full`
* `filters`: `slot` and `blockTime` ranges (`gte`, `gt`, `lte`, `lt`, `eq`), `status`
  (`succeeded`, `failed`, `any`), `tokenAccounts` (`none` by default, `balanceChanged`, `all`; no
  transaction before slot 111,491,819 is found through token accounts)

The answer is `{data: [...], paginationToken: "slot:position" | null}` (null: no more pages); see
`harness/mainnet/_solana_wire.py` for one entry. `filters.signature` (lexicographic bounds) is the one
documented filter this provider does not serve: it answers -32602 saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from harness.mainnet._jsonrpc import RpcError

MAX_FULL = 100  # transactionDetails "full": at most 100 transactions a page
MAX_SIGNATURES = 1_000  # transactionDetails "signatures"
LIMITS = {"signatures": MAX_SIGNATURES, "full": MAX_FULL}
TOKEN_ACCOUNTS_FIRST_SLOT = 111_491_819  # Helius: token-account history needs token-transfer metadata, from here on
TOKEN = re.compile(r"^(\d+):(\d+)$")
_BOUNDS = ("gte", "gt", "lte", "lt", "eq")


@dataclass(frozen=True)
class HistoryQuery:
    """One getTransactionsForAddress request: what to list, in which order, and where to start."""

    address: str
    details: Literal["signatures", "full"]
    limit: int
    descending: bool
    status: Literal["succeeded", "failed", "any"]
    token_accounts: Literal["none", "balanceChanged", "all"]
    first_slot: int  # inclusive bounds from the slot and blockTime filters (before the head is applied)
    last_slot: int | None
    after: tuple[int, int] | None  # (slot, position) of the pagination token: list what comes after it
    encoding: str
    with_version: bool

    def keeps(self, failed: bool) -> bool:
        """Whether the status filter keeps a transaction that failed (or not)."""
        return self.status == "any" or (self.status == "failed") == failed


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RpcError(-32602, f"Invalid params: {what} must be a non-negative integer")
    return value


def _range(spec: Any, what: str) -> dict[str, int]:
    if not isinstance(spec, dict) or not set(spec) <= set(_BOUNDS):
        raise RpcError(-32602, f"Invalid params: filters.{what} takes {', '.join(_BOUNDS)}")
    return {bound: _int(value, f"filters.{what}.{bound}") for bound, value in spec.items()}


def slot_bounds(spec: dict[str, int]) -> tuple[int, int | None]:
    """Inclusive [first, last] slots of a `filters.slot` range (last None: no upper bound)."""
    first, last = 0, None
    for bound, value in spec.items():
        low, high = {"gte": (value, None), "gt": (value + 1, None), "lte": (0, value), "lt": (0, value - 1),
                     "eq": (value, value)}[bound]
        first = max(first, low)
        last = high if last is None else (last if high is None else min(last, high))
    return first, last


def time_bounds(spec: dict[str, int], first_slot_at: Any) -> tuple[int, int | None]:
    """Inclusive [first, last] slots of a `filters.blockTime` range; `first_slot_at(t)` is the first slot whose
    blockTime is >= t (block times never decrease with the slot)."""
    first, last = 0, None
    for bound, value in spec.items():
        low = {"gte": value, "gt": value + 1, "eq": value}.get(bound)
        high = {"lte": value + 1, "lt": value, "eq": value + 1}.get(bound)  # exclusive, as a time
        if low is not None:
            first = max(first, first_slot_at(low))
        if high is not None:
            slot = first_slot_at(high) - 1
            last = slot if last is None else min(last, slot)
    return first, last


def pagination_token(slot: int, position: int) -> str:
    """The token of an entry: its slot and its position in the block."""
    return f"{slot}:{position}"


def read_query(params: list, address: str, first_slot_at: Any) -> HistoryQuery:
    """The request's query, or RpcError -32602 naming what is wrong (as the provider answers it)."""
    config = params[1] if len(params) > 1 and params[1] is not None else {}
    if not isinstance(config, dict):
        raise RpcError(-32602, "Invalid params: expected a configuration object")
    details = config.get("transactionDetails", "signatures")
    if details not in LIMITS:
        raise RpcError(-32602, f"Invalid params: unknown variant `{details}`, expected `signatures` or `full`")
    limit = config.get("limit", LIMITS[details])
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= LIMITS[details]:
        raise RpcError(-32602, f"Invalid limit: 1 to {LIMITS[details]} with transactionDetails `{details}`")
    order = config.get("sortOrder", "desc")
    if order not in ("asc", "desc"):
        raise RpcError(-32602, f"Invalid params: unknown sortOrder `{order}`, expected `asc` or `desc`")
    filters = config.get("filters") or {}
    if not isinstance(filters, dict):
        raise RpcError(-32602, "Invalid params: filters must be an object")
    if "signature" in filters:
        raise RpcError(-32602, "filters.signature is not served by this loopback provider (slot and blockTime are)")
    unknown = set(filters) - {"slot", "blockTime", "status", "tokenAccounts"}
    if unknown:
        raise RpcError(-32602, f"Invalid params: unknown filter {sorted(unknown)[0]!r}")
    status = filters.get("status", "any")
    if status not in ("succeeded", "failed", "any"):
        raise RpcError(-32602, f"Invalid params: unknown status `{status}`")
    token_accounts = filters.get("tokenAccounts", "none")
    if token_accounts not in ("none", "balanceChanged", "all"):
        raise RpcError(-32602, f"Invalid params: unknown tokenAccounts `{token_accounts}`")
    first, last = 0, None
    for low, high in (slot_bounds(_range(filters.get("slot", {}), "slot")),
                      time_bounds(_range(filters.get("blockTime", {}), "blockTime"), first_slot_at)):
        first = max(first, low)
        last = high if last is None else (last if high is None else min(last, high))
    if token_accounts != "none":
        first = max(first, TOKEN_ACCOUNTS_FIRST_SLOT)
    token = config.get("paginationToken")
    after = None
    if token is not None:
        found = TOKEN.match(token) if isinstance(token, str) else None
        if found is None:
            raise RpcError(-32602, "Invalid params: paginationToken must be \"slot:position\" from a previous page")
        after = (int(found[1]), int(found[2]))
    encoding = config.get("encoding", "json")
    if details == "full" and encoding not in ("jsonParsed", "json", "base64", "base58"):
        raise RpcError(-32602, f"Invalid params: unknown variant `{encoding}`, expected one of `base64`, `base58`, "
                               "`json`, `jsonParsed`.")
    return HistoryQuery(address, details, limit, order == "desc", status, token_accounts, first, last, after,
                        encoding, config.get("maxSupportedTransactionVersion") is not None)
