"""Decoding ERC-20 Transfer logs from the eth_getLogs wire format."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from pipelines.chains.errors import DecodeError
from pipelines.chains.evm import TOKEN_TRANSFERS_SCHEMA, decode_transfer_logs

from tests.conftest import DAY_1, seconds


@pytest.fixture
def recorded_logs(local_chain):
    """Real logs from anvil: a mint, a transfer and a burn, and the token map they need."""
    evm, contracts = local_chain
    token = next(iter(contracts.values()))
    a, b = evm.accounts[1], evm.accounts[2]
    evm.at(seconds(DAY_1, 1)).mint(token, a, 10**30)
    evm.at(seconds(DAY_1, 2)).transfer(token, a, b, 3 * 10**29)
    evm.at(seconds(DAY_1, 3)).burn(token, b, 10**29)
    logs = evm.w3.provider.make_request("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest"}])["result"]
    return logs, a.lower(), b.lower()


def test_mint_transfer_and_burn_decode_with_exact_amounts_and_provenance(recorded_logs, registry) -> None:
    logs, a, b = recorded_logs
    tokens = {t.address: t for t in registry.tokens_on("anvil")}
    table = decode_transfer_logs(logs, chain="anvil", source="local", tokens=tokens)
    assert table.schema == TOKEN_TRANSFERS_SCHEMA
    rows = table.to_pylist()
    assert [r["kind"] for r in rows] == ["mint", "transfer", "burn"]
    assert [r["amount_raw"] for r in rows] == [Decimal(10**30), Decimal(3 * 10**29), Decimal(10**29)]
    assert rows[1]["from_address"] == a and rows[1]["to_address"] == b
    assert {r["network"] for r in rows} == {"aethir"}
    assert all(r["block_day"] == DAY_1 for r in rows)
    assert all(r["tx_hash"] == log["transactionHash"] for r, log in zip(rows, logs, strict=True))


def test_an_amount_too_large_for_decimal_38_is_refused_naming_the_log(recorded_logs, registry) -> None:
    logs, _, _ = recorded_logs
    bad = copy.deepcopy(logs)
    bad[1]["data"] = "0x" + "f" * 64
    with pytest.raises(DecodeError, match=r"log #1 .*does not fit DECIMAL\(38,0\)"):
        decode_transfer_logs(bad, chain="anvil", source="local", tokens={t.address: t for t in registry.tokens_on("anvil")})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("topics", "not-a-list", "topics missing"),
        ("data", "0x1234", "not one 32-byte hex word"),
        ("blockNumber", 17, "'blockNumber' missing or not a string"),
        ("transactionHash", "0xabc", "transactionHash is not a 32-byte hex hash"),
        ("address", "0x" + "1" * 40, "not a registry token"),
    ],
)
def test_malformed_logs_give_a_decode_error_naming_the_log(recorded_logs, registry, field, value, message) -> None:
    logs, _, _ = recorded_logs
    bad = copy.deepcopy(logs)
    bad[2][field] = value
    with pytest.raises(DecodeError, match=message) as raised:
        decode_transfer_logs(bad, chain="anvil", source="local", tokens={t.address: t for t in registry.tokens_on("anvil")})
    assert "log #2" in str(raised.value)
