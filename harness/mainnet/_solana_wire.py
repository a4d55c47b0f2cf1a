"""A `Tx` in the exact JSON an Agave 2.x node sends for getTransaction and getSignaturesForAddress.

The message is compiled with solders (so account order, header and the base64 bytes are what
a real node holds); instructions are rendered by the project's jsonParsed renderer
(harness/solana/_parsed.py: SPL Token, System, ATA parsed; anything else "partially decoded"
as programId + accounts + base58 data, as Anchor programs are). Inner instructions are
flattened per top-level instruction in execution order with their stackHeight, as nodes do.
Shapes that differ from the recorded 2022 devnet answer in ../shared are Agave's newer ones:
`stackHeight`, `source` in accountKeys, `computeUnitsConsumed`, no `loadedAddresses` in
jsonParsed, `version` when the request sets maxSupportedTransactionVersion.
"""

from __future__ import annotations

import base64
from typing import Any

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.transaction import Transaction, VersionedTransaction

from harness.mainnet._seeded import between, digest
from harness.mainnet._solana_chain import COMPUTE_BUDGET, INSUFFICIENT_FUNDS, SYSTEM, TOKEN, Ix, Tx
from harness.solana._parsed import b58encode, parsed_instruction, ui_token_amount

U64_MAX = 2**64 - 1
_BUILTINS = {COMPUTE_BUDGET, SYSTEM}  # programs that log no "consumed" line


def transaction_error(tx: Tx) -> dict[str, Any] | None:
    """meta.err: SPL Token's InsufficientFunds at the failing instruction."""
    if tx.failed_at is None:
        return None
    return {"InstructionError": [tx.failed_at, {"Custom": INSUFFICIENT_FUNDS}]}


def _flatten(ix: Ix, depth: int) -> list[tuple[Ix, int]]:
    out = []
    for inner in ix.inner:
        out.append((inner, depth))
        out += _flatten(inner, depth + 1)
    return out


class _Compiled:
    """The message as solders compiles it, and the per-key flags nodes render."""

    def __init__(self, tx: Tx, seed: int) -> None:
        payer = Pubkey.from_string(tx.payer)
        instructions = [Instruction(Pubkey.from_string(ix.program), ix.data,
                                    [AccountMeta(Pubkey.from_string(a), a in ix.signers, a in ix.writable)
                                     for a in ix.accounts]) for ix in tx.instructions]
        blockhash = Hash.from_bytes(digest(seed, "blockhash", tx.slot - 20))
        self.message: Message | MessageV0 = (
            MessageV0.try_compile(payer, instructions, [], blockhash) if tx.version == 0
            else Message.new_with_blockhash(instructions, payer, blockhash))
        self.keys = [str(k) for k in self.message.account_keys]
        self.index = {k: n for n, k in enumerate(self.keys)}
        header = self.message.header
        signed, ro_signed, ro_unsigned = (header.num_required_signatures, header.num_readonly_signed_accounts,
                                          header.num_readonly_unsigned_accounts)
        n = len(self.keys)
        self.signer = [i < signed for i in range(n)]
        self.writable = [(i < signed - ro_signed) if i < signed else (i < n - ro_unsigned) for i in range(n)]
        extra = [str(Signature.from_bytes(digest(seed, "signer", tx.signature, k, size=64)))
                 for k in range(len(tx.signatures), signed)]
        self.signatures = [*tx.signatures, *extra][:signed]
        self.blockhash = str(blockhash)


def _logs(tx: Tx, units: list[int]) -> list[str]:
    lines: list[str] = []

    def run(ix: Ix, depth: int, cu: int, fails: bool) -> None:
        lines.append(f"Program {ix.program} invoke [{depth}]")
        if ix.name and ix.program not in _BUILTINS:
            lines.append(f"Program log: Instruction: {ix.name}")
        for inner in ix.inner:
            run(inner, depth + 1, cu // 3, fails and inner.program == TOKEN)
        if fails and ix.program == TOKEN:
            lines.append("Program log: Error: insufficient funds")
        if ix.program not in _BUILTINS:
            lines.append(f"Program {ix.program} consumed {cu} of {cu + 200_000} compute units")
        lines.append(f"Program {ix.program} failed: custom program error: 0x{INSUFFICIENT_FUNDS:x}" if fails
                     else f"Program {ix.program} success")

    for k, ix in enumerate(tx.instructions):
        if tx.failed_at is not None and k > tx.failed_at:
            break
        run(ix, 1, units[k], k == tx.failed_at)
    return lines


def transaction_result(tx: Tx, *, seed: int, encoding: str, with_version: bool) -> dict[str, Any]:
    """The `result` of getTransaction (encoding jsonParsed, json, base64 or base58)."""
    compiled = _Compiled(tx, seed)
    keys, index = compiled.keys, compiled.index
    parsed = encoding == "jsonParsed"
    units = [0 if ix.program in _BUILTINS else between(seed, 2_000, 60_000, "cu", tx.signature, k)
             for k, ix in enumerate(tx.instructions)]
    inner_groups = []
    for k, ix in enumerate(tx.instructions):
        if not ix.inner or (tx.failed_at is not None and k > tx.failed_at):
            continue
        rendered = []
        for inner, depth in _flatten(ix, 2):
            if parsed:
                rendered.append(parsed_instruction(inner.program, list(inner.accounts), inner.data, depth))
            else:
                rendered.append({"accounts": [index[a] for a in inner.accounts], "data": b58encode(inner.data),
                                 "programIdIndex": index[inner.program], "stackHeight": depth})
        inner_groups.append({"index": k, "instructions": rendered})
    pre_lamports = [1 if key in _BUILTINS or key == TOKEN else 2_039_280 if not compiled.signer[n]
                    else between(seed, 10**7, 10**11, "lamports", key) for n, key in enumerate(keys)]
    post_lamports = list(pre_lamports)
    post_lamports[0] -= tx.fee
    err = transaction_error(tx)
    failed = tx.failed_at is not None

    def token_balances(post: bool) -> list[dict[str, Any]]:
        rows = sorted(tx.balances, key=lambda b: index[b.account])
        return [{"accountIndex": index[b.account], "mint": b.mint, "owner": b.owner, "programId": TOKEN,
                 "uiTokenAmount": ui_token_amount(b.post if post and not failed else b.pre, b.decimals)}
                for b in rows]

    meta: dict[str, Any] = {
        "computeUnitsConsumed": sum(units) + 150 * len(tx.instructions),
        "err": err,
        "fee": tx.fee,
        "innerInstructions": inner_groups,
        "logMessages": _logs(tx, units),
        "postBalances": post_lamports,
        "postTokenBalances": token_balances(True),
        "preBalances": pre_lamports,
        "preTokenBalances": token_balances(False),
        "rewards": [],
        "status": {"Ok": None} if err is None else {"Err": err},
    }
    if not parsed:
        meta["loadedAddresses"] = {"readonly": [], "writable": []}
    answer: dict[str, Any] = {"blockTime": tx.block_time, "meta": meta, "slot": tx.slot,
                              "transaction": _body(tx, compiled, encoding)}
    if with_version:
        answer["version"] = tx.version
    return answer


def _body(tx: Tx, compiled: _Compiled, encoding: str) -> Any:
    signatures = [Signature.from_string(s) for s in compiled.signatures]
    if encoding in ("base64", "base58"):
        signed = (VersionedTransaction.populate(compiled.message, signatures) if tx.version == 0
                  else Transaction.populate(compiled.message, signatures))
        raw = bytes(signed)
        return [base64.b64encode(raw).decode() if encoding == "base64" else b58encode(raw), encoding]
    keys, index = compiled.keys, compiled.index
    if encoding == "jsonParsed":
        message: dict[str, Any] = {
            "accountKeys": [{"pubkey": key, "signer": compiled.signer[n], "source": "transaction",
                             "writable": compiled.writable[n]} for n, key in enumerate(keys)],
            "instructions": [parsed_instruction(ix.program, list(ix.accounts), ix.data, None)
                             for ix in tx.instructions],
            "recentBlockhash": compiled.blockhash}
    else:
        header = compiled.message.header
        message = {"accountKeys": keys,
                   "header": {"numReadonlySignedAccounts": header.num_readonly_signed_accounts,
                              "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
                              "numRequiredSignatures": header.num_required_signatures},
                   "instructions": [{"accounts": [index[a] for a in ix.accounts], "data": b58encode(ix.data),
                                     "programIdIndex": index[ix.program], "stackHeight": None}
                                    for ix in tx.instructions],
                   "recentBlockhash": compiled.blockhash}
    if tx.version == 0:
        message["addressTableLookups"] = []
    return {"message": message, "signatures": compiled.signatures}


def signature_info(signature: str, slot: int, block_time: int, err: dict[str, Any] | None,
                   finalized: bool) -> dict[str, Any]:
    """One entry of getSignaturesForAddress."""
    return {"blockTime": block_time, "confirmationStatus": "finalized" if finalized else "confirmed", "err": err,
            "memo": None, "signature": signature, "slot": slot}


def account_info(data: bytes, owner: str, encoding: str, data_slice: tuple[int, int] | None) -> dict[str, Any]:
    """An account as getProgramAccounts / getMultipleAccounts render it (base64 or base58 data)."""
    shown = data if data_slice is None else data[data_slice[0]:data_slice[0] + data_slice[1]]
    encoded = [base64.b64encode(shown).decode(), "base64"] if encoding == "base64" else [b58encode(shown), "base58"]
    return {"data": encoded, "executable": False, "lamports": (len(data) + 128) * 6_960, "owner": owner,
            "rentEpoch": U64_MAX, "space": len(data)}


def history_signature_entry(signature: str, slot: int, transaction_index: int, block_time: int,
                            err: dict[str, Any] | None, finalized: bool) -> dict[str, Any]:
    """One entry of Helius' getTransactionsForAddress with transactionDetails `signatures`
    (https://www.helius.dev/docs/api-reference/rpc/http/gettransactionsforaddress)."""
    return {"signature": signature, "slot": slot, "transactionIndex": transaction_index, "err": err, "memo": None,
            "blockTime": block_time, "confirmationStatus": "finalized" if finalized else "confirmed"}


def history_full_entry(result: dict[str, Any], transaction_index: int) -> dict[str, Any]:
    """One entry of getTransactionsForAddress with transactionDetails `full`, from getTransaction's `result`:
    slot, transactionIndex, transaction, meta, blockTime (Helius' own SDK types the entry so:
    helius-labs/helius-sdk src/types, `TransactionForAddressFull`)."""
    return {"slot": result["slot"], "transactionIndex": transaction_index, "transaction": result["transaction"],
            "meta": result["meta"], "blockTime": result["blockTime"]}
