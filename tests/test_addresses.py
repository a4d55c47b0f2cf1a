"""Identifier checks per chain family: EVM hex and EIP-55, Solana base58 of 32 bytes, Cosmos denoms."""

from __future__ import annotations

import hashlib

import pytest
from eth_utils import to_checksum_address
from hypothesis import given
from hypothesis import strategies as st
from solders.pubkey import Pubkey

from depinlens.addresses import InvalidIdentifier, check_identifier


@pytest.mark.parametrize(
    ("family", "text", "normalized"),
    [
        ("evm", "0xbe0Ed4138121EcFC5c0E56B40517da27E6c5226B", "0xbe0ed4138121ecfc5c0e56b40517da27e6c5226b"),
        ("evm", "0xc227e25544edd261a9066932c71a25f4504972f1", "0xc227e25544edd261a9066932c71a25f4504972f1"),
        ("evm", "0xBE0ED4138121ECFC5C0E56B40517DA27E6C5226B", "0xbe0ed4138121ecfc5c0e56b40517da27e6c5226b"),
        ("solana", "rndrizKT3MK1iimdxRdWabcF7Zg7AR5T4nud4EkHBof", "rndrizKT3MK1iimdxRdWabcF7Zg7AR5T4nud4EkHBof"),
        ("solana", "11111111111111111111111111111111", "11111111111111111111111111111111"),
        ("cosmos", "uakt", "uakt"),
        ("cosmos", "factory/akash1xyz/token.v2", "factory/akash1xyz/token.v2"),
        ("cosmos", "ibc/" + hashlib.sha256(b"transfer/channel-0/uusdc").hexdigest().upper(),
         "ibc/" + hashlib.sha256(b"transfer/channel-0/uusdc").hexdigest().upper()),
    ],
)
def test_well_formed_identifiers_pass_and_evm_ones_come_back_lowercase(family, text, normalized) -> None:
    assert check_identifier(family, text) == normalized


@pytest.mark.parametrize(
    ("family", "text", "cause"),
    [
        ("evm", "0xbe0Ed4138121EcFC5c0E56B40517da27E6c5226", "is not an EVM address: one is 0x and 40 hex digits "
                                                        "(this has 39 hex digits)"),
        ("evm", "0xge0Ed4138121EcFC5c0E56B40517da27E6c5226B", "(this has non-hex character(s) 'g')"),
        ("evm", "be0Ed4138121EcFC5c0E56B40517da27E6c5226Bxx", "(this has no 0x prefix)"),
        ("evm", "0xbe0Ed4138121EcFC5c0E56B40517da27E6c5226b", "fails its EIP-55 checksum (mixed case must read "
                                                         "0xbe0Ed4138121EcFC5c0E56B40517da27E6c5226B)"),
        ("solana", "rndrizKT3MK1iimdxRdWabcF7Zg7AR5T4nud4EkHB0f", "is not base58: it contains '0' (base58 has no 0, O, I, l"),
        ("solana", "rndrizKT3MK1iimdxRdWabcF7Zg7AR5T4", "is base58 but not 32 bytes"),
        ("solana", "0xbe0Ed4138121EcFC5c0E56B40517da27E6c5226B", "is not base58: it contains '0'"),
        ("solana", "rndr-izKT3MK1iimdxRdWabcF7Zg7AR5T4nud4EkHBoI", "is not base58: it contains '-', 'I'"),
        ("cosmos", "1akt", "is not a Cosmos denom: one starts with a letter"),
        ("cosmos", "ak", "is not a Cosmos denom"),
        ("cosmos", "u akt", "is not a Cosmos denom"),
        ("cosmos", "ibc/27394FB0", "is not an IBC denom: one is ibc/ and the 64 hex digits of its trace hash"),
    ],
)
def test_malformed_identifiers_are_refused_saying_what_is_wrong(family, text, cause) -> None:
    with pytest.raises(InvalidIdentifier) as raised:
        check_identifier(family, text)
    assert str(raised.value).startswith(repr(text)) and cause in str(raised.value)
    assert "\n" not in str(raised.value)


@given(st.binary(min_size=20, max_size=20), st.data())
def test_an_evm_address_passes_in_its_checksum_form_and_fails_with_any_one_letter_recased(raw, data) -> None:
    checksummed = to_checksum_address(raw)
    assert check_identifier("evm", checksummed) == checksummed.lower()
    assert check_identifier("evm", checksummed.lower()) == checksummed.lower()
    letters = [i for i, c in enumerate(checksummed) if i >= 2 and c.isalpha()]
    if not letters:
        return
    i = data.draw(st.sampled_from(letters))
    recased = checksummed[:i] + checksummed[i].swapcase() + checksummed[i + 1:]
    digits = recased[2:]
    if digits in (digits.lower(), digits.upper()):
        return  # one case throughout reads as "not checksummed", which is accepted
    with pytest.raises(InvalidIdentifier, match="EIP-55"):
        check_identifier("evm", recased)


@given(st.binary(min_size=32, max_size=32))
def test_every_32_byte_key_passes_as_a_solana_address(raw) -> None:
    text = str(Pubkey.from_bytes(raw))
    assert check_identifier("solana", text) == text
