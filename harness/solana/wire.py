"""The ledger's records in the exact JSON a mainnet RPC node sends.

Shapes follow Agave's RPC answers: object keys sorted (the node serializes through a
sorted map), `version` present only when the request sets `maxSupportedTransactionVersion`,
top-level instructions with `"stackHeight": null`, inner ones with their depth, token
balances with `owner` and `programId`, `uiAmount` null for a zero amount, `loadedAddresses`
only outside `jsonParsed`, and `returnData` only when a program returned data.
"""

from __future__ import annotations

import base64
from typing import Any

from solders.account import Account
from solders.pubkey import Pubkey
from solders.transaction_status import (
    InstructionErrorCustom,
    InstructionErrorFieldless,
    TransactionErrorFieldless,
    TransactionErrorInstructionError,
)

from harness.solana._parsed import parsed_instruction, ui_token_amount
from harness.solana.ledger import Block, TokenBalance, TxRecord
from pipelines.chains.solana._base58 import b58encode

U64_MAX = 2**64 - 1


def transaction_error(err: object | None) -> Any:
    """A TransactionError as JSON: null, "AccountInUse", {"InstructionError": [0, {"Custom": 1}]}."""
    if err is None:
        return None
    if isinstance(err, TransactionErrorInstructionError):
        inner = err.err
        if isinstance(inner, InstructionErrorCustom):
            detail: Any = {"Custom": inner.code}
        elif isinstance(inner, InstructionErrorFieldless):
            detail = str(inner).rsplit(".", 1)[-1]
        else:
            detail = str(inner)
        return {"InstructionError": [err.index, detail]}
    if isinstance(err, TransactionErrorFieldless):
        return str(err).rsplit(".", 1)[-1]
    return str(err)


def _token_balances(balances: list[TokenBalance]) -> list[dict[str, Any]]:
    return [{"accountIndex": b.account_index, "mint": b.mint, "owner": b.owner, "programId": b.program_id,
             "uiTokenAmount": ui_token_amount(b.amount, b.decimals)} for b in balances]


def _header_flags(record: TxRecord) -> tuple[list[bool], list[bool]]:
    """(signer, writable) per account key, from the message header."""
    message = record.transaction.message
    header = message.header
    n = len(message.account_keys)
    signed, ro_signed, ro_unsigned = (header.num_required_signatures, header.num_readonly_signed_accounts,
                                      header.num_readonly_unsigned_accounts)
    signer = [i < signed for i in range(n)]
    writable = [(i < signed - ro_signed) if i < signed else (i < n - ro_unsigned) for i in range(n)]
    return signer, writable


def _meta(record: TxRecord, *, parsed: bool, keys: list[str]) -> dict[str, Any]:
    meta = record.meta
    inner_groups = []
    for index, group in enumerate(meta.inner_instructions()):
        if not group:
            continue
        instructions = []
        for inner in group:
            compiled = inner.instruction()
            accounts = list(compiled.accounts)
            if parsed:
                instructions.append(parsed_instruction(keys[compiled.program_id_index], [keys[a] for a in accounts],
                                                       bytes(compiled.data), inner.stack_height()))
            else:
                instructions.append({"accounts": accounts, "data": b58encode(bytes(compiled.data)),
                                     "programIdIndex": compiled.program_id_index,
                                     "stackHeight": inner.stack_height()})
        inner_groups.append({"index": index, "instructions": instructions})
    err = transaction_error(record.err)
    answer: dict[str, Any] = {
        "computeUnitsConsumed": meta.compute_units_consumed(),
        "err": err,
        "fee": meta.fee(),
        "innerInstructions": inner_groups,
        "logMessages": list(meta.logs()),
        "postBalances": record.post_balances,
        "postTokenBalances": _token_balances(record.post_token_balances),
        "preBalances": record.pre_balances,
        "preTokenBalances": _token_balances(record.pre_token_balances),
        "rewards": [],
        "status": {"Ok": None} if err is None else {"Err": err},
    }
    if not parsed:
        answer["loadedAddresses"] = {"readonly": [], "writable": []}
    returned = meta.return_data()
    if returned is not None and bytes(returned.data):
        answer["returnData"] = {"data": [base64.b64encode(bytes(returned.data)).decode(), "base64"],
                                "programId": str(returned.program_id)}
    return answer


def transaction_body(record: TxRecord, encoding: str) -> Any:
    """The `transaction` field in `encoding` (jsonParsed, json, base64 or base58)."""
    tx = record.transaction
    if encoding in ("base64", "base58"):
        raw = bytes(tx)
        return [base64.b64encode(raw).decode() if encoding == "base64" else b58encode(raw), encoding]
    message = tx.message
    keys = [str(k) for k in message.account_keys]
    signatures = [str(s) for s in tx.signatures]
    if encoding == "jsonParsed":
        signer, writable = _header_flags(record)
        account_keys = [{"pubkey": key, "signer": signer[i], "source": "transaction", "writable": writable[i]}
                        for i, key in enumerate(keys)]
        instructions = [parsed_instruction(keys[ix.program_id_index], [keys[a] for a in bytes(ix.accounts)],
                                           bytes(ix.data), None) for ix in message.instructions]
        return {"message": {"accountKeys": account_keys, "instructions": instructions,
                            "recentBlockhash": str(message.recent_blockhash)}, "signatures": signatures}
    header = message.header
    return {"message": {"accountKeys": keys,
                        "header": {"numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                                   "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
                                   "numRequiredSignatures": header.num_required_signatures},
                        "instructions": [{"accounts": list(bytes(ix.accounts)), "data": b58encode(bytes(ix.data)),
                                          "programIdIndex": ix.program_id_index, "stackHeight": None}
                                         for ix in message.instructions],
                        "recentBlockhash": str(message.recent_blockhash)},
            "signatures": signatures}


def transaction_result(record: TxRecord, *, encoding: str = "jsonParsed", with_version: bool = True) -> dict[str, Any]:
    """The `result` of `getTransaction` for `record`."""
    keys = [str(k) for k in record.transaction.message.account_keys]
    answer = {
        "blockTime": record.block_time,
        "meta": _meta(record, parsed=encoding == "jsonParsed", keys=keys),
        "slot": record.slot,
        "transaction": transaction_body(record, encoding),
    }
    if with_version:
        answer["version"] = "legacy"
    return answer


def block_transaction(record: TxRecord, *, encoding: str, with_version: bool) -> dict[str, Any]:
    """One entry of `getBlock`'s `transactions` (no slot or blockTime of its own)."""
    keys = [str(k) for k in record.transaction.message.account_keys]
    entry = {"meta": _meta(record, parsed=encoding == "jsonParsed", keys=keys),
             "transaction": transaction_body(record, encoding)}
    if with_version:
        entry["version"] = "legacy"
    return entry


def signature_info(record: TxRecord) -> dict[str, Any]:
    """One entry of `getSignaturesForAddress`."""
    return {"blockTime": record.block_time, "confirmationStatus": "finalized", "err": transaction_error(record.err),
            "memo": None, "signature": record.signature, "slot": record.slot}


def block_result(block: Block, records: list[TxRecord], *, details: str, rewards: bool, encoding: str,
                 with_version: bool) -> dict[str, Any]:
    """The `result` of `getBlock`."""
    answer: dict[str, Any] = {"blockHeight": block.block_height, "blockTime": block.block_time,
                              "blockhash": block.blockhash, "parentSlot": block.parent_slot,
                              "previousBlockhash": block.previous_blockhash}
    if details == "full":
        answer["transactions"] = [block_transaction(r, encoding=encoding, with_version=with_version) for r in records]
    elif details == "signatures":
        answer["signatures"] = [r.signature for r in records]
    if rewards:
        answer["rewards"] = []
    return answer


def program_account(address: Pubkey, account: Account, encoding: str = "base64") -> dict[str, Any]:
    """One entry of `getProgramAccounts` (base64 or base58 data)."""
    data = bytes(account.data)
    encoded = [base64.b64encode(data).decode(), "base64"] if encoding == "base64" else [b58encode(data), "base58"]
    return {"account": {"data": encoded, "executable": account.executable, "lamports": account.lamports,
                        "owner": str(account.owner), "rentEpoch": U64_MAX, "space": len(data)},
            "pubkey": str(address)}
