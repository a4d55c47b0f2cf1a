"""Which GPUs back a loan: the collateral its loan terms state, read from the `borrow()` calldata.

The loan router's events name no collateral; `borrow(LoanTerms, LenderDepositInfo[])` carries it
(LoanTerms.collateralToken, collateralTokenId and collateralWrapperContext: on USD.AI a
BundleCollateralWrapper NFT and the encoded bundle). So each origination's transaction is read
(`eth_getTransactionByHash`, batched) and its input decoded with the ABI in
abi/loan_router.json (`borrow`, from the contract's own interface). Only a direct call of the
router's `borrow()` whose terms name the event's borrower and currency is believed; anything else
(a multicall, a wallet or another contract calling the router) is recorded as "unknown" with the
reason, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import pyarrow as pa
from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types

from pipelines.chains.errors import MalformedResponse
from pipelines.chains.evm._client import EvmClient
from pipelines.chains.evm._events import ABI_DIR

CollateralStatus = Literal["stated", "unknown"]
COLLATERAL_COLUMNS = ("collateral_status", "collateral_token", "collateral_token_id", "collateral_wrapper_context",
                      "collateral_reason")


@dataclass(frozen=True)
class Collateral:
    """What one origination's loan terms say about its collateral, or why that is unknown."""

    status: CollateralStatus
    token: str | None = None
    token_id: str | None = None  # a uint256 in decimal: wrapper token ids are hashes, too wide for DECIMAL(38,0)
    wrapper_context: str | None = None  # 0x-hex bytes (a bundle wrapper's encoded token ids)
    reason: str | None = None

    def as_row(self) -> dict[str, str | None]:
        return dict(zip(COLLATERAL_COLUMNS, (self.status, self.token, self.token_id, self.wrapper_context,
                                             self.reason), strict=True))


@cache
def borrow_abi() -> tuple[str, tuple[str, ...]]:
    """(0x selector, input types) of `borrow()` per abi/loan_router.json."""
    function = json.loads((ABI_DIR / "loan_router.json").read_text())["borrow"]
    return "0x" + function_abi_to_4byte_selector(function).hex(), tuple(get_abi_input_types(function))


def _unknown(reason: str) -> Collateral:
    return Collateral("unknown", reason=reason)


def collateral_of(tx: Mapping[str, Any], *, router: str, borrower: str | None, currency: str | None,
                  originations_in_tx: int = 1) -> Collateral:
    """The collateral stated by transaction `tx` (an `eth_getTransactionByHash` answer) for a loan of `router`.

    Args:
        router: lowercase address of the loan router that emitted LoanOriginated.
        borrower, currency: the event's borrower and currency token, which the terms must name.
        originations_in_tx: LoanOriginated logs of this router in the transaction (one per direct borrow()).
    """
    to = str(tx.get("to") or "").lower()
    data = str(tx.get("input") or tx.get("data") or "").lower()
    selector, types = borrow_abi()
    if to != router:
        return _unknown(f"the transaction calls {to or 'no contract'}, not the loan router (a multicall, wallet or "
                        f"another contract called borrow()): its calldata is not decoded")
    if not data.startswith(selector):
        return _unknown(f"the transaction calls selector {data[:10] or '(none)'}, not borrow() ({selector})")
    if originations_in_tx != 1:
        return _unknown(f"the transaction originated {originations_in_tx} loans: its calldata cannot say which is which")
    try:
        terms, _deposits = abi_decode(list(types), bytes.fromhex(data[10:]))
    except (DecodingError, ValueError, OverflowError) as exc:
        return _unknown(f"the borrow() calldata does not decode as ILoanRouter.borrow ({type(exc).__name__})")
    named_borrower, named_currency = str(terms[1]).lower(), str(terms[2]).lower()
    if named_borrower != (borrower or "").lower() or named_currency != (currency or "").lower():
        return _unknown(f"the borrow() terms name borrower {named_borrower} and currency {named_currency}, not the "
                        f"event's")
    return Collateral("stated", token=str(terms[3]).lower(), token_id=str(terms[4]),
                      wrapper_context="0x" + bytes(terms[12]).hex())


def read_collateral(client: EvmClient, rows: pa.Table) -> pa.Table:
    """`rows` of raw.loan_events with the collateral columns filled for its originations.

    One `eth_getTransactionByHash` per transaction that originated a loan, in JSON-RPC batches.

    Raises:
        MalformedResponse: the node logged an origination but returns no such transaction.
    """
    originated = [r for r in rows.to_pylist() if r["event"] == "originated"]
    if not originated:
        return rows
    hashes = sorted({r["tx_hash"] for r in originated})
    answers = client.rpc.call_many("eth_getTransactionByHash", [[h] for h in hashes], [f"tx {h}" for h in hashes])
    txs = dict(zip(hashes, answers, strict=True))
    per_tx: dict[tuple[str, str], int] = {}
    for r in originated:
        per_tx[(r["tx_hash"], r["contract"])] = per_tx.get((r["tx_hash"], r["contract"]), 0) + 1
    collateral: dict[tuple[str, int], Collateral] = {}
    for r in originated:
        tx = txs[r["tx_hash"]]
        if not isinstance(tx, dict):
            raise MalformedResponse(f"no transaction {r['tx_hash']}, though it logged LoanOriginated; retry the day "
                                    f"or use a node that serves transactions", chain=client.label,
                                    method="eth_getTransactionByHash", detail=f"tx {r['tx_hash']}")
        collateral[(r["tx_hash"], r["log_index"])] = collateral_of(
            tx, router=r["contract"], borrower=r["borrower"], currency=r["currency_token"],
            originations_in_tx=per_tx[(r["tx_hash"], r["contract"])])
    filled = []
    for r in rows.to_pylist():
        found = collateral.get((r["tx_hash"], r["log_index"]))
        filled.append({**r, **found.as_row()} if found else r)
    return pa.Table.from_pylist(filled, schema=rows.schema)
