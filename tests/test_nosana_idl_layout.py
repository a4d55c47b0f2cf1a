"""Nosana's account layouts checked against the official IDLs, with bytes laid out from the IDL alone.

The encoder here reads field names and types from ../shared/fixtures/nosana/*.idl.json (the
nosana-ci/nosana-kit IDLs, see fixtures/PROVENANCE.md) and packs them as borsh does, without
the project's construct structs; the project's decoder must read back every field.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from solders.pubkey import Pubkey

from pipelines.chains.solana import decode_accounts
from pipelines.chains.solana._nosana import JOB_ACCOUNT_SIZE, STAKE_ACCOUNT_SIZE
from tests.conftest import NEEDS_SHARED_REASON, SHARED_DIR

IDL_DIR = SHARED_DIR / "fixtures" / "nosana"
pytestmark = pytest.mark.skipif(not IDL_DIR.is_dir(), reason=NEEDS_SHARED_REASON)

SCALARS = {"u8": "<B", "u64": "<Q", "i64": "<q"}


def _idl_account(idl_file: str, name: str) -> list[dict]:
    idl = json.loads((IDL_DIR / idl_file).read_text())
    return next(a for a in idl["accounts"] if a["name"].lower() == name.lower())["type"]["fields"]


def _discriminator(name: str) -> bytes:
    """Anchor's account discriminator: sha256("account:<StructName>")[:8]."""
    return hashlib.sha256(f"account:{name[0].upper()}{name[1:]}".encode()).digest()[:8]


def _encode(field_type, value) -> bytes:
    """One borsh value of an IDL type: u8/u64/i64/u128, publicKey (32 bytes), [u8; N]."""
    if isinstance(field_type, str) and field_type in SCALARS:
        return struct.pack(SCALARS[field_type], value)
    if field_type == "u128":
        return value.to_bytes(16, "little")
    if field_type == "publicKey":
        return bytes(Pubkey.from_string(value))
    if isinstance(field_type, dict) and "array" in field_type and field_type["array"][0] == "u8":
        assert len(value) == field_type["array"][1]
        return bytes(value)
    raise AssertionError(f"the IDL uses a type this test does not lay out: {field_type}")


def _strategy(field_type):
    keys = st.binary(min_size=32, max_size=32).map(lambda b: str(Pubkey.from_bytes(b)))
    return {"u8": st.integers(0, 255), "u64": st.integers(0, 2**64 - 1), "i64": st.integers(-2**63, 2**63 - 1),
            "u128": st.integers(0, 2**128 - 1), "publicKey": keys}.get(
        field_type if isinstance(field_type, str) else "", st.binary(min_size=32, max_size=32))


def _laid_out(fields: list[dict], name: str, values: dict) -> bytes:
    return _discriminator(name) + b"".join(_encode(f["type"], values[f["name"]]) for f in fields)


def _entry(pubkey: str, data: bytes) -> dict:
    return {"pubkey": pubkey, "account": {"data": [base64.b64encode(data).decode(), "base64"]}}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def test_the_idls_give_the_sizes_and_discriminators_the_decoder_expects() -> None:
    job = _idl_account("nosana_jobs.idl.json", "jobAccount")
    stake = _idl_account("nosana_stake.idl.json", "StakeAccount")
    width = {"u8": 1, "u64": 8, "i64": 8, "u128": 16, "publicKey": 32}
    size = lambda fields: 8 + sum(width.get(f["type"], 0) if isinstance(f["type"], str) else f["type"]["array"][1]
                                  for f in fields)
    assert size(job) == JOB_ACCOUNT_SIZE == 233
    assert size(stake) == STAKE_ACCOUNT_SIZE == 113
    assert list(_discriminator("jobAccount")) == [91, 16, 162, 5, 45, 210, 125, 65]  # DESIGN.md, Nosana docs


JOB_FIELDS = _idl_account("nosana_jobs.idl.json", "jobAccount") if IDL_DIR.is_dir() else []
STAKE_FIELDS = _idl_account("nosana_stake.idl.json", "StakeAccount") if IDL_DIR.is_dir() else []


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({f["name"]: _strategy(f["type"]) for f in JOB_FIELDS}))
def test_a_job_account_laid_out_from_the_idl_decodes_field_for_field(values) -> None:
    data = _laid_out(JOB_FIELDS, "jobAccount", values)
    [decoded] = decode_accounts([_entry("11111111111111111111111111111112", data)], program="jobs", kind="job")
    for field in JOB_FIELDS:
        got = decoded[_snake(field["name"])]
        assert (bytes(got) if isinstance(field["type"], dict) else got) == (
            bytes(values[field["name"]]) if isinstance(field["type"], dict) else values[field["name"]]), field


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({f["name"]: _strategy(f["type"]) for f in STAKE_FIELDS}))
def test_a_stake_account_laid_out_from_the_idl_decodes_field_for_field(values) -> None:
    values["xnos"] %= 10**38  # the decoder refuses what does not fit DECIMAL(38,0), on purpose
    data = _laid_out(STAKE_FIELDS, "StakeAccount", values)
    [decoded] = decode_accounts([_entry("11111111111111111111111111111112", data)], program="stake", kind="stake")
    for field in STAKE_FIELDS:
        assert decoded[_snake(field["name"])] == values[field["name"]], field


def test_an_account_of_another_type_is_skipped_and_a_short_one_refused() -> None:
    from pipelines.chains.errors import DecodeError

    market = _discriminator("marketAccount") + bytes(200)
    assert decode_accounts([_entry("11111111111111111111111111111112", market)], program="jobs", kind="job") == []
    short = _discriminator("jobAccount") + bytes(100)
    with pytest.raises(DecodeError, match="108 bytes, the layout has 233"):
        decode_accounts([_entry("11111111111111111111111111111112", short)], program="jobs", kind="job")
