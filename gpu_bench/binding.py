"""Key binding: an on-chain provider identity vouches for an operator key, with its own signature.

Why: anyone can make a key, and `--provider` is free text, so a signature by the operator key
alone proves only that *someone* ran the benchmark. A binding is the provider identity's
signature over one line naming the operator key; the verifier checks it (pure, below) and the
pipeline then checks that the identity really appears in the chain data it reads (raw.jobs:
Akash lease providers, Nosana job nodes). A run is *bound* only when both hold; otherwise it
is *self-attested* and is shown apart, labelled, and kept out of every headline figure.

The statement a provider signs (ASCII, one line, what a wallet displays):

    depinlens-bench binding/1: akash provider akash1… vouches for ed25519 operator key 7xK… issued 2025-06-01T00:00:00Z

Akash: a provider address is bech32("akash", RIPEMD-160(SHA-256(compressed secp256k1 key))).
The provider signs the statement the way Cosmos wallets sign off-chain data, ADR-036
(https://docs.cosmos.network/v0.46/architecture/adr-036-arbitrary-signature.html; Keplr's
`signArbitrary`): an amino StdSignDoc with chain_id "", account_number and sequence "0", no fee,
and one `sign/MsgSignData` message {signer: the address, data: base64 of the statement},
serialized as sorted compact JSON; the signature is secp256k1 over its SHA-256 (r‖s, 64 bytes,
low S). The binding carries the compressed public key, since the address is only its hash.

Nosana: a node is an ed25519 Solana key; the node keypair signs the statement's bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gpu_bench.schema import Binding, BindingNetwork, KeyType

if TYPE_CHECKING:
    from gpu_bench.signing import OperatorKey

STATEMENT_PREFIX = "depinlens-bench binding/1"
AKASH_HRP = "akash"
# secp256k1 group order; a signature with s above half of it is the malleable twin of a low-s one
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class BindingProblem(ValueError):
    """A binding cannot be made from what the operator gave (the message says what to fix)."""


def statement(network: str, provider: str, key_type: str, public_key: str, issued_at: datetime) -> bytes:
    """The exact bytes the provider identity signs."""
    issued = issued_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = (f"{STATEMENT_PREFIX}: {network} provider {provider} vouches for {key_type} operator key "
            f"{public_key} issued {issued}")
    return text.encode("ascii")


def adr36_sign_bytes(signer: str, data: bytes) -> bytes:
    """The ADR-036 amino sign document for `data`, serialized as Cosmos wallets serialize it."""
    doc = {
        "account_number": "0",
        "chain_id": "",
        "fee": {"amount": [], "gas": "0"},
        "memo": "",
        "msgs": [{"type": "sign/MsgSignData",
                  "value": {"data": base64.b64encode(data).decode("ascii"), "signer": signer}}],
        "sequence": "0",
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def akash_address(compressed_pubkey: bytes, hrp: str = AKASH_HRP) -> str:
    """The bech32 account address of a compressed secp256k1 public key."""
    import bech32
    from Crypto.Hash import RIPEMD160

    digest = RIPEMD160.new(hashlib.sha256(compressed_pubkey).digest()).digest()
    return bech32.bech32_encode(hrp, bech32.convertbits(digest, 8, 5))


def is_akash_address(text: str) -> bool:
    """A well-formed account address: bech32 with the akash prefix over 20 bytes."""
    import bech32

    hrp, data = bech32.bech32_decode(text)
    if hrp != AKASH_HRP or data is None:
        return False
    raw = bech32.convertbits(data, 5, 8, False)
    return raw is not None and len(raw) == 20


def problem(binding: Binding, key_type: str, public_key: str) -> str | None:
    """Why `binding` does not prove that its provider vouches for this operator key, or None when it does.

    Pure: checks the signature only. Whether the provider is really a provider on its network is
    the pipeline's question (chain data), answered when the marts are built.
    """
    signed = statement(binding.network, binding.provider, key_type, public_key, binding.issued_at)
    if binding.network == "akash":
        return _akash_problem(binding, signed)
    return _nosana_problem(binding, signed)


def _akash_problem(binding: Binding, signed: bytes) -> str | None:
    from eth_keys import keys

    if not is_akash_address(binding.provider):
        return f"provider {binding.provider!r} is not an Akash account address (akash1…, bech32)"
    try:
        pubkey = base64.b64decode(binding.provider_pubkey or "", validate=True)
        signature = base64.b64decode(binding.signature, validate=True)
        public = keys.PublicKey.from_compressed_bytes(pubkey)
    except Exception:  # noqa: BLE001 - any decoding failure is the same answer
        return ("provider_pubkey must be the base64 of a 33-byte compressed secp256k1 key and signature the "
                "base64 of 64 bytes (r‖s), as Keplr's signArbitrary returns them")
    if akash_address(pubkey) != binding.provider:
        return (f"provider_pubkey is the key of {akash_address(pubkey)}, not of {binding.provider}: "
                "the binding must be signed by the provider's own key")
    if len(signature) != 64:
        return f"the signature is {len(signature)} bytes; an ADR-036 secp256k1 signature is 64 (r‖s)"
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < _SECP256K1_N and 0 < s <= _SECP256K1_N // 2):
        return "the signature is not a canonical secp256k1 signature (r and s in range, low s)"
    digest = hashlib.sha256(adr36_sign_bytes(binding.provider, signed)).digest()
    if not public.verify_msg_hash(digest, keys.Signature(vrs=(0, r, s))):
        return (f"the signature does not verify: {binding.provider} did not sign the ADR-036 statement for "
                "this operator key and issue time")
    return None


def _nosana_problem(binding: Binding, signed: bytes) -> str | None:
    from solders.pubkey import Pubkey
    from solders.signature import Signature

    try:
        node = Pubkey.from_string(binding.provider)
        signature = Signature.from_string(binding.signature)
    except Exception:  # noqa: BLE001 - any decoding failure is the same answer
        return (f"provider {binding.provider!r} must be a Nosana node address (base58 ed25519 key) and the "
                "signature a base58 ed25519 signature")
    if not signature.verify(node, signed):
        return f"the signature does not verify: node {binding.provider} did not sign the statement for this operator key"
    return None


# --- making a binding (operator side) -------------------------------------------------------------

def bind_akash(private_key: bytes | str, operator: OperatorKey, *, issued_at: datetime | None = None) -> Binding:
    """Sign a binding with an Akash provider's secp256k1 private key (32 bytes, or hex as
    `akash keys export NAME --unarmored-hex --unsafe` prints it)."""
    from eth_keys import keys

    try:
        raw = bytes.fromhex(private_key.strip().removeprefix("0x")) if isinstance(private_key, str) else private_key
        secret = keys.PrivateKey(raw)
    except Exception as exc:  # noqa: BLE001 - one message for any unreadable key
        raise BindingProblem("the provider key must be 32 bytes of hex (`akash keys export NAME --unarmored-hex "
                             f"--unsafe` prints it): {exc}") from exc
    pubkey = secret.public_key.to_compressed_bytes()
    provider = akash_address(pubkey)
    issued = _now(issued_at)
    signed = statement("akash", provider, operator.key_type, operator.public_key, issued)
    sig = secret.sign_msg_hash(hashlib.sha256(adr36_sign_bytes(provider, signed)).digest())
    s = sig.s if sig.s <= _SECP256K1_N // 2 else _SECP256K1_N - sig.s
    return Binding(network="akash", provider=provider, issued_at=issued,
                   provider_pubkey=base64.b64encode(pubkey).decode("ascii"),
                   signature=base64.b64encode(sig.r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode("ascii"))


def bind_from_wallet(network: BindingNetwork, provider: str, wallet_answer: dict[str, Any], operator: OperatorKey,
                     *, issued_at: datetime) -> Binding:
    """A binding from a signature a wallet made over `statement(...)` (Keplr's signArbitrary answer for
    Akash: {"pub_key": {"value": base64}, "signature": base64}; for Nosana: {"signature": base58})."""
    pubkey = (wallet_answer.get("pub_key") or {}).get("value") if network == "akash" else None
    signature = wallet_answer.get("signature")
    if not isinstance(signature, str) or (network == "akash" and not isinstance(pubkey, str)):
        raise BindingProblem("the wallet's answer needs \"signature\" (and for Akash \"pub_key\": {\"value\": …}), "
                             "as Keplr's signArbitrary returns it")
    binding = Binding(network=network, provider=provider, issued_at=issued_at, provider_pubkey=pubkey,
                      signature=signature)
    wrong = problem(binding, operator.key_type, operator.public_key)
    if wrong:
        raise BindingProblem(wrong)
    return binding


def bind_nosana(node_keypair_json: str, operator: OperatorKey, *, issued_at: datetime | None = None) -> Binding:
    """Sign a binding with a Nosana node's keypair (solana-keygen JSON, e.g. ~/.nosana/nosana_key.json)."""
    from solders.keypair import Keypair

    try:
        node = Keypair.from_bytes(bytes(json.loads(node_keypair_json)))
    except Exception as exc:  # noqa: BLE001 - one message for any unreadable key
        raise BindingProblem(f"the node key must be a solana-keygen keypair file (a JSON array of 64 bytes): {exc}") \
            from exc
    issued = _now(issued_at)
    provider = str(node.pubkey())
    signed = statement("nosana", provider, operator.key_type, operator.public_key, issued)
    return Binding(network="nosana", provider=provider, issued_at=issued, provider_pubkey=None,
                   signature=str(node.sign_message(signed)))


def statement_for(network: BindingNetwork, provider: str, key_type: KeyType, public_key: str,
                  issued_at: datetime) -> str:
    """The statement as text, for an operator who signs it in a wallet."""
    return statement(network, provider, key_type, public_key, issued_at).decode("ascii")


def _now(issued_at: datetime | None) -> datetime:
    return (issued_at or datetime.now(UTC)).replace(microsecond=0)
