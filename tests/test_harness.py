"""The local EVM harness: the committed contract artifact and anvil's lifecycle."""

from __future__ import annotations

import os

import httpx
import pytest

from harness.anvil import Anvil
from harness.contracts import CONTRACTS_DIR, compile_contract, load_artifact


@pytest.mark.parametrize("contract", sorted(p.stem for p in CONTRACTS_DIR.glob("*.vy")))
def test_committed_artifact_matches_a_fresh_compile_of_its_source(contract: str) -> None:
    fresh = compile_contract(contract)
    committed = load_artifact(contract)
    assert committed["bytecode"] == fresh["bytecode"]
    assert committed["abi"] == fresh["abi"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); read its state
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def test_anvil_answers_on_loopback_and_leaves_no_process_after_stop() -> None:
    with Anvil() as node:
        pid = node.pid
        reply = httpx.post(node.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
        assert node.url.startswith("http://127.0.0.1:")
        assert reply.json()["result"] == "0x7a69"
    assert not _alive(pid)


def test_anvil_is_stopped_even_when_the_code_using_it_fails() -> None:
    pid = None
    with pytest.raises(RuntimeError, match="test failure"):
        with Anvil() as node:
            pid = node.pid
            raise RuntimeError("test failure")
    assert pid is not None and not _alive(pid)


def test_minting_transferring_and_burning_emit_transfer_events(local_chain) -> None:
    evm, contracts = local_chain
    token = next(iter(contracts.values()))
    holder, other = evm.accounts[1], evm.accounts[2]
    sent = [evm.mint(token, holder, 1000), evm.transfer(token, holder, other, 400), evm.burn(token, other, 150)]
    assert [s.kind for s in sent] == ["mint", "transfer", "burn"]
    assert token.functions.totalSupply().call() == 850
    assert token.functions.balanceOf(other).call() == 250
