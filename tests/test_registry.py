"""The network registry: real identifiers, validated on load."""

from __future__ import annotations

import pytest

from depinlens.registry import RegistryError, parse_registry


def test_aethir_ath_is_registered_on_ethereum_arbitrum_and_the_local_chain(registry) -> None:
    tokens = {t.chain: t for t in registry.networks["aethir"].tokens}
    assert tokens["ethereum"].address == "0xbe0ed4138121ecfc5c0e56b40517da27e6c5226b"
    assert tokens["arbitrum"].address == "0xc87b37a581ec3257b734886d9d3a581f5a9d056c"
    assert tokens["anvil"].decimals == 18
    assert registry.chain("anvil").local and registry.chain("anvil").chain_id == 31337


def test_a_token_on_an_unknown_chain_is_rejected() -> None:
    document = {"chains": {}, "networks": {"x": {"name": "X", "revenue_definition": "-", "revenue_model": "off_chain", "tokens": [
        {"symbol": "X", "chain": "nowhere", "address": "0x" + "1" * 40, "decimals": 18, "verified": True,
         "reference": "test"}]}}}
    with pytest.raises(RegistryError, match="unknown chain 'nowhere'"):
        parse_registry(document)


def test_an_unknown_chain_lookup_lists_the_known_chains(registry) -> None:
    with pytest.raises(RegistryError, match="known chains: ethereum, arbitrum, .*anvil"):
        registry.chain("solana-devnet")


def test_unverified_identifiers_are_skipped_with_a_reason_unless_the_run_opts_in(registry) -> None:
    from depinlens.settings import PROJECT_ROOT
    from pipelines.defs.resources import EvmResource

    path = str(PROJECT_ROOT / "networks.toml")
    cautious = EvmResource(chains=["arbitrum"], source="live", registry_path=path)
    opted_in = EvmResource(chains=["arbitrum"], source="live", registry_path=path, allow_unverified=True)
    unverified = {t.symbol for t in registry.tokens_on("arbitrum") if not t.verified}
    assert unverified == {"AID"}  # GAIB's AID outside Ethereum is not confirmed yet

    assert {t.symbol for t in cautious.tokens("arbitrum")} == {t.symbol for t in registry.tokens_on("arbitrum")} - {"AID"}
    assert "ATH" in {t.symbol for t in cautious.tokens("arbitrum")}  # the verified ones are still read
    [reason] = cautious.unverified_skipped("arbitrum")
    assert "gaib AID" in reason and "not verified" in reason and "DEPINLENS_ALLOW_UNVERIFIED=1" in reason

    assert "AID" in {t.symbol for t in opted_in.tokens("arbitrum")}
    assert opted_in.unverified_skipped("arbitrum") == []
