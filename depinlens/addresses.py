"""Identifier checks per chain family: EVM addresses, Solana public keys, Cosmos denoms.

Why here and not in each adapter: a malformed identifier that reaches a node is refused there
in ways that hide the cause (an EVM node answering a bad `eth_getLogs` address with an error
the client takes for "range too large" and halves its block range down to 1). Checking the
text once, when the registry is read, names the entry instead.

* EVM: `0x` and 40 hex digits; written in mixed case it must match its EIP-55 checksum
  (`eth_utils.is_checksum_address`), all-lowercase or all-uppercase is "not checksummed" and
  accepted. Normalized to lowercase, the form every adapter compares.
* Solana: base58 text of exactly 32 bytes (`solders.pubkey.Pubkey`).
* Cosmos: a bank denom, the SDK's default `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}` (cosmos/cosmos-sdk
  types/coin.go, `reDnmString` / `ValidateDenom`), and an `ibc/` denom must carry a 32-byte hex
  hash (cosmos/ibc-go modules/apps/transfer/types/trace.go, `ValidateIBCDenom`, `ParseHexHash`).

`ChainIdentifier` puts the check on a pydantic field: the family comes from the sibling `chain`
field (declared before it) and the registry's chains, passed as validation context by
`depinlens.registry.parse_registry`. Any identifier field of any registry model can use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, ValidationInfo

Family = Literal["evm", "solana", "cosmos"]

FAMILIES_CONTEXT_KEY = "chain_families"  # validation context: chain id -> family

_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_BASE58_ALPHABET = set("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_COSMOS_DENOM = re.compile(r"[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")
_IBC_HASH = re.compile(r"[0-9a-fA-F]{64}")


class InvalidIdentifier(ValueError):
    """An identifier is not well formed for its chain family; the message says why, in one line."""


def check_evm_address(text: str) -> str:
    """`text` as a lowercase EVM address, or InvalidIdentifier saying what is wrong with it."""
    from eth_utils import is_checksum_address, to_checksum_address

    if not _HEX_ADDRESS.fullmatch(text):
        raise InvalidIdentifier(f"{text!r} is not an EVM address: one is 0x and 40 hex digits "
                                f"(this has {_shape(text)})")
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(text):
        raise InvalidIdentifier(
            f"{text!r} fails its EIP-55 checksum (mixed case must read {to_checksum_address(text)}); "
            "a typo changes the checksum, so check the address against its source")
    return text.lower()


def _shape(text: str) -> str:
    """What an EVM address candidate looks like instead, for the error."""
    if not text.startswith("0x"):
        return "no 0x prefix"
    bad = sorted({c for c in text[2:] if c not in "0123456789abcdefABCDEF"})
    if bad:
        return "non-hex character(s) " + " ".join(repr(c) for c in bad[:5])
    return f"{len(text) - 2} hex digits"


def check_solana_address(text: str) -> str:
    """`text` unchanged when it is a Solana public key (base58 of 32 bytes), else InvalidIdentifier."""
    from solders.pubkey import Pubkey

    bad = sorted({c for c in text if c not in _BASE58_ALPHABET})
    if bad:
        raise InvalidIdentifier(f"{text!r} is not base58: it contains {', '.join(repr(c) for c in bad[:5])} "
                                "(base58 has no 0, O, I, l or punctuation)")
    try:
        Pubkey.from_string(text)
    except ValueError:
        raise InvalidIdentifier(f"{text!r} is base58 but not 32 bytes, the size of a Solana public key "
                                f"(32 to 44 characters; this has {len(text)})") from None
    return text


def check_cosmos_denom(text: str) -> str:
    """`text` unchanged when it is a valid Cosmos SDK denom (and, for `ibc/...`, a hashed IBC denom)."""
    if not _COSMOS_DENOM.fullmatch(text):
        raise InvalidIdentifier(f"{text!r} is not a Cosmos denom: one starts with a letter and has 3 to 128 "
                                "characters of letters, digits and / : . _ -")
    prefix, _, rest = text.partition("/")
    if prefix == "ibc" and not _IBC_HASH.fullmatch(rest):
        raise InvalidIdentifier(f"{text!r} is not an IBC denom: one is ibc/ and the 64 hex digits of its "
                                "trace hash")
    return text


FAMILY_CHECKS: Mapping[str, Callable[[str], str]] = {
    "evm": check_evm_address,
    "solana": check_solana_address,
    "cosmos": check_cosmos_denom,
}


def check_identifier(family: str, text: str) -> str:
    """`text` checked (and normalized) as an identifier of a chain of `family`.

    Raises:
        InvalidIdentifier: the text is malformed for the family (the message says how).
        KeyError: `family` is not one the project knows.
    """
    return FAMILY_CHECKS[family](text)


def _check_on_model(text: str, info: ValidationInfo) -> str:
    """The field check: the family of the model's `chain`, from the validation context; unchecked without one."""
    families = (info.context or {}).get(FAMILIES_CONTEXT_KEY) or {}
    family = families.get((info.data or {}).get("chain"))
    if family not in FAMILY_CHECKS:
        return text  # no context (a model built by hand) or an unknown chain, reported on its own
    return check_identifier(family, text)


ChainIdentifier = Annotated[str, AfterValidator(_check_on_model)]
"""A str field holding an identifier on the chain named by the model's `chain` field (declared before it)."""


def identifier_of(family: Family) -> object:
    """An annotated str type for an identifier whose family is fixed (e.g. `identifier_of("cosmos")` for denoms)."""
    return Annotated[str, AfterValidator(lambda text: check_identifier(family, text))]
