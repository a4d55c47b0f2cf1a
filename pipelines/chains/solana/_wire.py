"""`getTransaction` results (jsonParsed) read from their bytes into typed structs of only the fields decoded.

msgspec decodes an answer straight into these `msgspec.Struct` types: fields the token decoder
does not read (log messages, lamport balances, rewards, `uiAmount`, …) are skipped in C without
becoming Python objects, and instructions of any program keep only `programId` and `parsed`.
The JSON-RPC layer does the decoding: a page of Helius' `getTransactionsForAddress` (`typed_result`),
and a `getTransaction` answer the compiled scanner declines or where it is not built
(`_scan.SPL_READER`); `decode_token_movements` walks the structs (`_decode.py`).

Exact by construction. A struct exists only where the whole answer fits these types, and the
types admit only values orjson would give identically: text as `str`, integers within int64
(orjson turns larger ones into floats), no floats, and the answer valid UTF-8 throughout
(`meta.err` excepted: any value, only ever compared with null).
Anything else (a null result, an error object, a field of another JSON type, a missing
required field) declines the answer, which then goes the usual way: orjson, and the dict
decoder names the problem exactly as before. A struct whose values the decoder would refuse
(a null `blockTime`, an amount that is not a u64, a balance index out of range) is handed to
the dict decoder as `msgspec.to_builtins(struct)`: the answer restricted to these fields,
where an absent field stays absent (`UNSET`) wherever the dict decoder tells absent from null.

Measured on 3,000 LiteSVM answers (9.6 MB, benchmarks/solana_decode.py, 2 busy cores), one
answer at a time as they stream in: msgspec skipping every field ~3.8 ms, decoding these fields
~8 ms (11-15 ms when all 3,000 are kept alive at once); orjson ~14 ms; pyarrow's JSON reader
against the same schema 12-22 ms (two threads, one); polars ~140 ms; solders' typed responses,
walked, ~118 ms; the compiled scanner (`_spl_scan.c`), rows included, ~5 ms.

Differences from orjson remain in fields no decoder reads: msgspec skips a float beyond
±1.8e308 (orjson refuses the whole answer), and nests as deep as Python's recursion limit
allows, which a process may raise above orjson's 1,024 levels. Nothing from such a field
reaches a row.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

# orjson gives an int only within [-2**63, 2**64); msgspec constraints stop at int64.
Int64 = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]

__all__ = ["HistoryPage", "HistoryTransaction", "Transaction", "to_dict"]


class _Wire(Struct, rename="camel", gc=False):
    """Base of the wire structs: camelCase on the wire, never in a reference cycle (so not tracked by the GC).

    Fields are declared in the order the node sends them (keyword-only where that puts a required
    field after an optional one): msgspec matches keys fastest in declaration order.
    """


class UiTokenAmount(_Wire):
    decimals: Int64


class TokenBalance(_Wire, kw_only=True):
    account_index: Int64
    mint: str | None
    owner: str | None = None
    ui_token_amount: UiTokenAmount


class TokenAmount(_Wire):
    amount: str
    decimals: Int64


class Info(_Wire):
    """A parsed instruction's `info`: the fields of the six movements (others, of any program, skipped).

    `UNSET` where the dict decoder needs the field present (`info["source"]`); None where it
    reads `info.get(...)`.
    """

    account: str | None | UnsetType = UNSET
    amount: str | UnsetType = UNSET
    authority: str | None = None
    destination: str | None | UnsetType = UNSET
    mint: str | None | UnsetType = UNSET
    mint_authority: str | None = None
    multisig_authority: str | None = None
    multisig_mint_authority: str | None = None
    source: str | None | UnsetType = UNSET
    token_amount: TokenAmount | None = None


class Parsed(_Wire):
    info: Info | UnsetType = UNSET
    type: str | None = None


class Instruction(_Wire):
    """Any program's instruction: unparsed ones carry no `parsed`; the memo program's is text."""

    parsed: Parsed | str | None = None
    program_id: str | None = None


class InnerInstructions(_Wire):
    index: Int64
    instructions: list[Instruction]


class AccountKey(_Wire):
    pubkey: str


class Message(_Wire):
    account_keys: list[AccountKey]
    instructions: list[Instruction]


class TransactionBody(_Wire):
    message: Message
    signatures: list[str] | UnsetType = UNSET


class LoadedAddresses(_Wire):
    readonly: list[str] | None = None
    writable: list[str] | None = None


class TransactionMeta(_Wire):
    err: Any  # only compared with null
    inner_instructions: list[InnerInstructions] | None = None
    loaded_addresses: LoadedAddresses | None = None
    post_token_balances: list[TokenBalance] | None = None
    pre_token_balances: list[TokenBalance] | None = None


class Transaction(_Wire, kw_only=True):
    """One `getTransaction` result (jsonParsed), fields in the node's order (it sorts object keys)."""

    block_time: Int64 | None = None
    meta: TransactionMeta
    slot: Int64 | None = None
    transaction: TransactionBody


class HistoryTransactionBody(TransactionBody, kw_only=True):
    signatures: Annotated[list[str], Meta(min_length=1)]


class HistoryTransaction(Transaction, kw_only=True):
    """One entry of Helius' `getTransactionsForAddress` (full, jsonParsed): a `getTransaction` result
    with the slot and a first signature that `SolanaClient.transactions_for_address` requires."""

    slot: Int64
    transaction: HistoryTransactionBody


class HistoryPage(_Wire):
    """The result of `getTransactionsForAddress` (transactionDetails "full")."""

    data: list[HistoryTransaction]
    pagination_token: str | None = None


def to_dict(transaction: Transaction) -> dict[str, Any]:
    """The answer a struct came from, as parsed JSON restricted to the struct's fields."""
    return msgspec.to_builtins(transaction)
