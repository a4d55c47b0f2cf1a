"""Operator keys and signatures: ed25519 (a Solana keypair, via solders) or secp256k1 (an EVM key, EIP-191).

What is signed: the submission minus its `signature` block is canonicalized (RFC 8785) and
hashed, and so is each measurement; the key signs the short ASCII message

    depinlens-bench/1:<sha256 of canonical {"measurements_sha256": [...], "payload_sha256": ...}>

so a wallet shows a readable line, the whole payload (result, key, nonce, signed_at) is bound,
and a verifier can tell a forged signature (the key never signed these digests) from a figure
changed after signing (the key signed digests the payload no longer has) and name that figure.
A fresh 128-bit nonce and the signing time ride inside the payload against replay.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from gpu_bench.canonical import digest
from gpu_bench.schema import SCHEMA_VERSION, KeyType, RunResult, Submission

MESSAGE_PREFIX = "depinlens-bench/1:"


class OperatorKey(Protocol):
    """A private key that signs submissions."""

    key_type: KeyType

    @property
    def public_key(self) -> str: ...

    def sign(self, message: bytes) -> str: ...


class Ed25519Key:
    """A Solana keypair (the same 64-byte JSON array solana-keygen writes)."""

    key_type: KeyType = "ed25519"

    def __init__(self, keypair: Any) -> None:
        self._keypair = keypair

    @classmethod
    def generate(cls) -> Ed25519Key:
        from solders.keypair import Keypair

        return cls(Keypair())

    @classmethod
    def from_json(cls, text: str) -> Ed25519Key:
        """Read a solana-keygen keypair file's content: a JSON array of 64 integers."""
        from solders.keypair import Keypair

        return cls(Keypair.from_bytes(bytes(json.loads(text))))

    def to_json(self) -> str:
        return json.dumps(list(bytes(self._keypair)))

    @property
    def public_key(self) -> str:
        return str(self._keypair.pubkey())

    def sign(self, message: bytes) -> str:
        return str(self._keypair.sign_message(message))


class Secp256k1Key:
    """An EVM private key; signatures are EIP-191 personal messages, so any wallet can make them."""

    key_type: KeyType = "secp256k1"

    def __init__(self, account: Any) -> None:
        self._account = account

    @classmethod
    def generate(cls) -> Secp256k1Key:
        from eth_account import Account

        return cls(Account.create())

    @classmethod
    def from_hex(cls, text: str) -> Secp256k1Key:
        from eth_account import Account

        return cls(Account.from_key(text.strip()))

    def to_hex(self) -> str:
        return "0x" + bytes(self._account.key).hex()

    @property
    def public_key(self) -> str:
        return self._account.address

    def sign(self, message: bytes) -> str:
        from eth_account import Account
        from eth_account.messages import encode_defunct

        signed = Account.sign_message(encode_defunct(text=message.decode("ascii")), self._account.key)
        return "0x" + bytes(signed.signature).hex()


def message_for(payload_sha256: str, measurements_sha256: list[str]) -> bytes:
    """The bytes a key signs for these digests."""
    inner = digest({"payload_sha256": payload_sha256, "measurements_sha256": list(measurements_sha256)})
    return (MESSAGE_PREFIX + inner).encode("ascii")


def payload_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The signed part of a submission document: everything except `signature`."""
    return {k: v for k, v in document.items() if k != "signature"}


def digests_of(document: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(payload digest, one digest per measurement) of a submission document as parsed from JSON."""
    measurements = document["result"]["measurements"]
    return digest(payload_of(document)), [digest(m) for m in measurements]


def signature_is_valid(key_type: str, public_key: str, message: bytes, value: str) -> bool:
    """Whether `value` is `public_key`'s signature of `message`; malformed input is simply invalid."""
    try:
        if key_type == "ed25519":
            from solders.pubkey import Pubkey
            from solders.signature import Signature

            return Signature.from_string(value).verify(Pubkey.from_string(public_key), message)
        if key_type == "secp256k1":
            from eth_account import Account
            from eth_account.messages import encode_defunct

            recovered = Account.recover_message(encode_defunct(text=message.decode("ascii")), signature=value)
            return recovered.lower() == public_key.lower()
    except Exception:  # noqa: BLE001 - any decoding failure means "not a valid signature"
        return False
    return False


def sign_result(result: RunResult, key: OperatorKey, *, now: datetime | None = None,
                nonce: str | None = None) -> dict[str, Any]:
    """Sign a run: returns the submission document (a plain dict, exactly what is hashed and written).

    Args:
        result: the run to sign.
        key: the operator's key.
        now: signing time (UTC now by default).
        nonce: 32 hex digits (fresh random by default; tests pin it to build a replay).

    Returns:
        The JSON document; `Submission.model_validate` of it succeeds.
    """
    unsigned = {
        "schema_version": SCHEMA_VERSION,
        "key_type": key.key_type,
        "public_key": key.public_key,
        "nonce": nonce or secrets.token_hex(16),
        "signed_at": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "result": result.model_dump(mode="json"),
    }
    payload_sha256, measurements_sha256 = digests_of(unsigned)
    document = {**unsigned, "signature": {
        "payload_sha256": payload_sha256,
        "measurements_sha256": measurements_sha256,
        "value": key.sign(message_for(payload_sha256, measurements_sha256)),
    }}
    Submission.model_validate(document)  # a signer never writes a file the verifier would refuse
    return document


def to_file_bytes(document: Mapping[str, Any]) -> bytes:
    """The submission file: indented UTF-8 JSON (the verifier re-canonicalizes, so layout is free)."""
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
