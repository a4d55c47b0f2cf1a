"""Instructions in `jsonParsed` form, as an Agave RPC node renders them.

Agave parses the programs it knows (System, SPL Token, Associated Token Account, Memo)
into `{"parsed": {"info": ..., "type": ...}, "program": ..., "programId": ..., "stackHeight": ...}`
and leaves any other instruction "partially decoded": account keys and base58 data.
This module covers the instructions the harness sends; anything else falls back to the
partially decoded form, exactly as a node does for an instruction it cannot parse.
"""

from __future__ import annotations

import struct
from typing import Any

from solders.pubkey import Pubkey

from pipelines.chains.solana._base58 import b58encode

SYSTEM = "11111111111111111111111111111111"
TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ASSOCIATED_TOKEN = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"
MEMO = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr"
PROGRAM_NAMES = {SYSTEM: "system", TOKEN: "spl-token", TOKEN_2022: "spl-token",
                 ASSOCIATED_TOKEN: "spl-associated-token-account", MEMO: "spl-memo"}
EXTENSION_TYPES = {7: "immutableOwner"}


class _Unparsable(Exception):
    """The node would fall back to the partially decoded form."""


def ui_amount_string(amount: int, decimals: int) -> str:
    """`uiAmountString`: the amount in token units, trailing zeros trimmed."""
    if decimals == 0:
        return str(amount)
    digits = str(amount).rjust(decimals + 1, "0")
    whole, fraction = digits[:-decimals], digits[-decimals:].rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def ui_token_amount(amount: int, decimals: int) -> dict[str, Any]:
    """`uiTokenAmount` / `tokenAmount`: `uiAmount` is null for a zero amount, as nodes send it."""
    return {"amount": str(amount), "decimals": decimals,
            "uiAmount": amount / 10**decimals if amount else None,
            "uiAmountString": ui_amount_string(amount, decimals)}


def _u64(data: bytes, offset: int) -> int:
    if len(data) < offset + 8:
        raise _Unparsable
    return struct.unpack_from("<Q", data, offset)[0]


def _need(accounts: list[str], n: int) -> None:
    if len(accounts) < n:
        raise _Unparsable


def _system(accounts: list[str], data: bytes) -> tuple[str, dict[str, Any]]:
    if len(data) < 4:
        raise _Unparsable
    tag = struct.unpack_from("<I", data)[0]
    if tag == 0:
        _need(accounts, 2)
        return "createAccount", {"lamports": _u64(data, 4), "newAccount": accounts[1], "owner": _pubkey(data, 20),
                                 "source": accounts[0], "space": _u64(data, 12)}
    if tag == 1:
        _need(accounts, 1)
        return "assign", {"account": accounts[0], "owner": _pubkey(data, 4)}
    if tag == 2:
        _need(accounts, 2)
        return "transfer", {"destination": accounts[1], "lamports": _u64(data, 4), "source": accounts[0]}
    if tag == 8:
        _need(accounts, 1)
        return "allocate", {"account": accounts[0], "space": _u64(data, 4)}
    raise _Unparsable


def _pubkey(data: bytes, offset: int) -> str:
    if len(data) < offset + 32:
        raise _Unparsable
    return str(Pubkey.from_bytes(data[offset:offset + 32]))


def _token(accounts: list[str], data: bytes) -> tuple[str, dict[str, Any]]:
    if not data:
        raise _Unparsable
    tag = data[0]
    if tag in (0, 20):  # initializeMint / initializeMint2
        _need(accounts, 1 if tag == 20 else 2)
        info = {"decimals": data[1], "mint": accounts[0], "mintAuthority": _pubkey(data, 2)}
        if len(data) > 34 and data[34] == 1:
            info["freezeAuthority"] = _pubkey(data, 35)
        if tag == 0:
            info["rentSysvar"] = accounts[1]
        return ("initializeMint" if tag == 0 else "initializeMint2"), info
    if tag == 1:
        _need(accounts, 4)
        return "initializeAccount", {"account": accounts[0], "mint": accounts[1], "owner": accounts[2],
                                     "rentSysvar": accounts[3]}
    if tag == 18:
        _need(accounts, 2)
        return "initializeAccount3", {"account": accounts[0], "mint": accounts[1], "owner": _pubkey(data, 1)}
    if tag == 3:
        _need(accounts, 3)
        return "transfer", {"amount": str(_u64(data, 1)), "authority": accounts[2], "destination": accounts[1],
                            "source": accounts[0]}
    if tag == 12:
        _need(accounts, 4)
        return "transferChecked", {"authority": accounts[3], "destination": accounts[2], "mint": accounts[1],
                                   "source": accounts[0], "tokenAmount": ui_token_amount(_u64(data, 1), data[9])}
    if tag == 7:
        _need(accounts, 3)
        return "mintTo", {"account": accounts[1], "amount": str(_u64(data, 1)), "mint": accounts[0],
                          "mintAuthority": accounts[2]}
    if tag == 14:
        _need(accounts, 3)
        return "mintToChecked", {"account": accounts[1], "mint": accounts[0], "mintAuthority": accounts[2],
                                 "tokenAmount": ui_token_amount(_u64(data, 1), data[9])}
    if tag == 8:
        _need(accounts, 3)
        return "burn", {"account": accounts[0], "amount": str(_u64(data, 1)), "authority": accounts[2],
                        "mint": accounts[1]}
    if tag == 15:
        _need(accounts, 3)
        return "burnChecked", {"account": accounts[0], "authority": accounts[2], "mint": accounts[1],
                               "tokenAmount": ui_token_amount(_u64(data, 1), data[9])}
    if tag == 9:
        _need(accounts, 3)
        return "closeAccount", {"account": accounts[0], "destination": accounts[1], "owner": accounts[2]}
    if tag == 21:
        _need(accounts, 1)
        info: dict[str, Any] = {"mint": accounts[0]}
        codes = [struct.unpack_from("<H", data, 1 + 2 * i)[0] for i in range((len(data) - 1) // 2)]
        if any(code not in EXTENSION_TYPES for code in codes):
            raise _Unparsable
        if codes:
            info["extensionTypes"] = [EXTENSION_TYPES[code] for code in codes]
        return "getAccountDataSize", info
    if tag == 22:
        _need(accounts, 1)
        return "initializeImmutableOwner", {"account": accounts[0]}
    raise _Unparsable


def _associated_token(accounts: list[str], data: bytes) -> tuple[str, dict[str, Any]]:
    if data not in (b"", b"\0", b"\1"):
        raise _Unparsable
    _need(accounts, 6)
    kind = "createIdempotent" if data == b"\1" else "create"
    return kind, {"account": accounts[1], "mint": accounts[3], "source": accounts[0], "systemProgram": accounts[4],
                  "tokenProgram": accounts[5], "wallet": accounts[2]}


def parsed_instruction(program_id: str, accounts: list[str], data: bytes, stack_height: int | None) -> dict[str, Any]:
    """One instruction as `jsonParsed` renders it (parsed when the node knows the program)."""
    name = PROGRAM_NAMES.get(program_id)
    try:
        if name == "spl-memo":
            return {"parsed": data.decode(), "program": name, "programId": program_id, "stackHeight": stack_height}
        if name is not None:
            kind, info = {"system": _system, "spl-token": _token,
                          "spl-associated-token-account": _associated_token}[name](accounts, data)
            return {"parsed": {"info": info, "type": kind}, "program": name, "programId": program_id,
                    "stackHeight": stack_height}
    except (_Unparsable, UnicodeDecodeError, struct.error):
        pass
    return {"accounts": accounts, "data": b58encode(data), "programId": program_id, "stackHeight": stack_height}
