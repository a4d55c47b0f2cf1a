"""The network registry: real identifiers, validated on load."""

from __future__ import annotations

import re

import pytest

from depinlens.registry import RegistryError, load_registry, parse_registry
from depinlens.settings import PROJECT_ROOT


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


def test_a_capped_tokens_maximum_supply_is_cited_and_an_inflationary_token_says_why_it_has_none(registry) -> None:
    capped = registry.networks["ionet"].max_supply
    assert capped.tokens > 0 and capped.uncapped is None and "io.net" in capped.source and capped.as_of
    uncapped = registry.networks["akash"].max_supply
    assert uncapped.tokens is None and "inflationary" in uncapped.uncapped and uncapped.source
    assert registry.networks["render"].max_supply is None  # no cap verified: none stated, never a guess


def test_an_unknown_chain_lookup_lists_the_known_chains(registry) -> None:
    with pytest.raises(RegistryError, match="known chains: ethereum, arbitrum, .*anvil"):
        registry.chain("solana-devnet")


def test_unverified_identifiers_are_skipped_with_a_reason_unless_the_run_opts_in(registry) -> None:
    from depinlens.settings import PROJECT_ROOT
    from pipelines.defs.resources import EvmResource

    path = str(PROJECT_ROOT / "networks.toml")
    cautious = EvmResource(chains=["arbitrum"], source="live", registry_path=path)
    opted_in = EvmResource(chains=["arbitrum"], source="live", registry_path=path, allow_unverified=True)
    unverified = {p.name for p in registry.programs_on("arbitrum") if not p.verified}
    assert unverified == {"loan router v2"}  # named by adapters whose stored copies carry no commit to cite

    assert {p.name for p in cautious.programs("arbitrum")} == {p.name for p in registry.programs_on("arbitrum")} - unverified
    assert "loan router v1" in {p.name for p in cautious.programs("arbitrum")}  # the verified ones are still read
    [reason] = cautious.unverified_skipped("arbitrum")
    assert "usdai loan router v2" in reason and "not verified" in reason and "DEPINLENS_ALLOW_UNVERIFIED=1" in reason

    assert "loan router v2" in {p.name for p in opted_in.programs("arbitrum")}
    assert opted_in.unverified_skipped("arbitrum") == []


# --- GPU finance and the newer compute networks (issue 16) ---------------------------------------

SYSTEMS_THE_SOURCES_NAME = ("aethir", "render", "ionet", "nosana", "akash", "nodeai", "gaib", "usdai", "gensyn",
                            "blocknode", "berkeley", "nodegoai", "kaisar")
_COMMIT = re.compile(r"@ [0-9a-f]{40}\b")


def test_every_system_the_sources_name_has_verified_identifiers_or_says_why_it_has_none(registry) -> None:
    status = {row["network"]: row for row in registry.identifier_status()}
    assert set(SYSTEMS_THE_SOURCES_NAME) <= set(status)
    for network in SYSTEMS_THE_SOURCES_NAME:
        row = status[network]
        if row["status"] == "no verified on-chain identifiers":
            assert row["pending"], f"{network} lists no reason for having no identifiers"
            assert registry.networks[network].not_measured, f"{network} says nothing about what is not measured"
        else:
            assert row["identifiers"]
    assert {n for n, row in status.items() if row["status"] == "no verified on-chain identifiers"} == {
        "berkeley", "nodegoai", "kaisar"}


def test_every_new_verified_identifier_cites_a_repository_path_and_commit(registry) -> None:
    for network in ("usdai", "gensyn", "blocknode", "gaib"):
        for item in (*registry.networks[network].tokens, *registry.networks[network].programs):
            if item.verified and not registry.chain(item.chain).local:
                assert _COMMIT.search(item.reference), f"{network} {item.address} cites no commit: {item.reference}"


def test_usd_ai_is_registered_from_its_deployment_files(registry) -> None:
    usdai = registry.networks["usdai"]
    tokens = {(t.symbol, t.chain): t for t in usdai.tokens}
    programs = {p.name: p for p in usdai.programs}
    assert tokens["USDai", "arbitrum"].address == "0x0a1a1a107e45b7ced86833863f482bc5f4ed82ef"
    assert programs["sUSDai vault"].address == "0x0b2b2b2076d95dda7817e785989fe353fe955ef9"
    assert programs["sUSDai vault"].kind == "vault" and programs["sUSDai vault"].abi == "erc7540"
    assert programs["loan router v1"].address == "0x0c2ed170f2bb1df1a44292ad621b577b3c9597d1"
    assert programs["loan router v1"].kind == "loan_router" and programs["loan router v1"].verified
    assert "caa89d32864fe27767a841ad10b8e13bd27b8881" in programs["loan router v1"].reference
    assert {p.kind for p in registry.programs_on("anvil") if p.network == "usdai"} == {"vault", "loan_router"}


def test_gensyn_has_its_own_chain_and_the_ai_token_there_and_bridged_on_ethereum(registry) -> None:
    assert registry.chain("gensyn").chain_id == 685689 and registry.chain("gensyn").family == "evm"
    ai = {t.chain: t.address for t in registry.networks["gensyn"].tokens}
    assert ai == {"gensyn": "0x4e742319f6b0fec4afa504fc8ed3ceab0fb751a2",
                  "ethereum": "0x4d7078ddd6ccfed2f85db5b7d3ff16828d378d48"}
    [vault] = registry.networks["gensyn"].pending
    assert "buyback" in vault.name and "address" in vault.reason  # registered as unverified until published


def test_gaib_aid_is_read_on_every_chain_its_adapter_confirms(registry) -> None:
    chains = {t.chain for t in registry.networks["gaib"].tokens if t.verified and not registry.chain(t.chain).local}
    assert chains == {"ethereum", "arbitrum", "base", "bnb"}


# --- bad registries: refused in one line naming the file, the place and the cause ----------------

NETWORKS_TOML = PROJECT_ROOT.joinpath("networks.toml").read_text()
ATH_ETHEREUM = '''[[networks.aethir.tokens]]
symbol = "ATH"
chain = "ethereum"
address = "0xbe0Ed4138121EcFC5c0E56B40517da27E6c5226B"
decimals = 18
verified = true
reference = "DESIGN.md network table (Aethir docs, DefiLlama adapter)"
'''
NOSANA_JOBS = '''[[networks.nosana.programs]]
name = "jobs"
kind = "jobs"
chain = "solana"
'''


def _edited(old: str, new: str, *, count: int = 1) -> str:
    """networks.toml with `old` replaced by `new` (which must be there)."""
    assert NETWORKS_TOML.count(old) >= count, old
    return NETWORKS_TOML.replace(old, new, count)


BAD_REGISTRIES = {
    "duplicate token": (
        NETWORKS_TOML + "\n" + ATH_ETHEREUM,
        "networks.aethir.tokens[3] (ATH on ethereum), address",
        "0xbe0ed4138121ecfc5c0e56b40517da27e6c5226b on ethereum is already networks.aethir.tokens[0] (ATH on ethereum)"),
    "non-hex EVM address": (
        _edited('"0xc87B37a581ec3257B734886d9d3a581F5A9d056c"', '"0xc87B37a581ec3257B734886d9d3a581F5A9d056g"'),
        "networks.aethir.tokens[1] (ATH on arbitrum), address",
        "is not an EVM address: one is 0x and 40 hex digits (this has non-hex character(s) 'g')"),
    "bad-checksum EVM address": (
        _edited('"0xc87B37a581ec3257B734886d9d3a581F5A9d056c"', '"0xc87B37a581ec3257B734886d9d3a581F5A9d056C"'),
        "networks.aethir.tokens[1] (ATH on arbitrum), address",
        "fails its EIP-55 checksum (mixed case must read 0xc87B37a581ec3257B734886d9d3a581F5A9d056c)"),
    "non-base58 Solana id": (
        _edited('"nosXBVoaCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7"', '"nosXBV0aCTtYdLvKY6Csb4AC8JCdQKKAaWYtx2ZMoo7"'),
        "networks.nosana.tokens[0] (NOS on solana), address",
        "is not base58: it contains '0'"),
    "Solana id not of 32 bytes": (
        _edited('"BZLbGTNCSFfoth2GYDtwr7e4imWzpR5jqcUuGEwr646K"', '"BZLbGTNCSFfoth2GYDtwr7e4imWzpR5jqcUu"'),
        "networks.ionet.tokens[0] (IO on solana), address",
        "is base58 but not 32 bytes, the size of a Solana public key"),
    "bad Cosmos denom": (
        _edited('address = "uakt"', 'address = "6akt"'),
        "networks.akash.tokens[0] (AKT on akash), address",
        "'6akt' is not a Cosmos denom: one starts with a letter"),
    "IBC denom without its hash": (
        _edited('address = "uact"', 'address = "ibc/uact"'),
        "networks.akash.tokens[1] (ACT on akash), address",
        "'ibc/uact' is not an IBC denom"),
    "decimals 255": (
        _edited("decimals = 8", "decimals = 255"),
        "networks.render.tokens[0] (RENDER on solana), decimals",
        "255 is above the bound for token decimals: 0 to 36"),
    "negative confirmations": (
        _edited("confirmations = 12", "confirmations = -1"),
        "chains.ethereum, confirmations",
        "-1 is below the bound for a confirmation depth: 0 to 10,000 blocks"),
    "program named twice": (
        _edited(NOSANA_JOBS, NOSANA_JOBS + 'address = "11111111111111111111111111111111"\nverified = true\n'
                             'reference = "test"\n\n' + NOSANA_JOBS),
        "networks.nosana.programs[1] (jobs on solana)",
        "nosana already has a program 'jobs' on solana (networks.nosana.programs[0] (jobs on solana))"),
    "take rate above 1": (
        _edited("take_rates = { AKT = 0.04, ACT = 0.20, USDC = 0.20 }", "take_rates = { AKT = 4, ACT = 0.20, USDC = 0.20 }"),
        "networks.akash, take_rates.AKT",
        "4.0 is above the bound for a take rate"),
    "take rate of nan": (
        _edited("take_rates = { NOS = 0.10 }", "take_rates = { NOS = nan }"),
        "networks.nosana, take_rates.NOS",
        "nan is not a finite number"),
    "take rate of a token the network lacks": (
        _edited("take_rates = { NOS = 0.10 }", "take_rates = { NOSS = 0.10 }"),
        "networks.nosana, take_rates.NOSS",
        "'NOSS' is not a token of nosana (NOS)"),
    "misspelt key": (
        _edited("decimals = 6", "decimal = 6"),
        "networks.nosana.tokens[0] (NOS on solana), decimal",
        "unknown key (a typo of 'decimals'?); the keys here are symbol, chain, address, decimals"),
    "misspelt table": (
        NOSANA_JOBS.replace("networks.nosana", "network.nosana") + NETWORKS_TOML,
        "[network]",
        "unknown table; the registry has only [chains.<id>] and [networks.<id>]"),
    "EVM chain without its chain id": (
        _edited("chain_id = 42161\n", ""),
        "chains.arbitrum",
        "an EVM chain needs chain_id"),
    "two chains reading one URL variable": (
        _edited('rpc_url_env = "DEPINLENS_RPC_BASE"', 'rpc_url_env = "DEPINLENS_RPC_ARBITRUM"'),
        "chains.base, rpc_url_env",
        "DEPINLENS_RPC_ARBITRUM is already the variable of chains.arbitrum"),
    "a network with nothing on-chain and no reason": (
        NETWORKS_TOML[:NETWORKS_TOML.index("[[networks.kaisar.pending]]")] + "# --- end GPU finance ---\n",
        "networks.kaisar",
        "no tokens, programs or pending entries; list what is not published and why"),
    "a stand-in contract on a real chain": (
        _edited('kind = "loan_router"  # LoanOriginated', 'contract = "LoanRouter"\nkind = "loan_router"  # LoanOriginated'),
        "networks.usdai.programs[1] (loan router v1 on arbitrum), contract",
        "a stand-in contract belongs to a local chain"),
    "maximum supply of zero": (
        _edited('tokens = "800000000"', 'tokens = "0"'),
        "networks.ionet.tokens[0].max_supply (IO on solana), tokens",
        "input should be greater than 0"),
    "maximum supply with neither a cap nor why none": (
        _edited('max_supply = { tokens = "800000000", ', 'max_supply = { '),
        "networks.ionet.tokens[0] (IO on solana), max_supply",
        "give either `tokens` (the cap, whole tokens) or `uncapped` (why the token has none)"),
    "maximum supply without the day it was read": (
        _edited('max_supply = { tokens = "800000000", as_of = 2026-11-29, ', 'max_supply = { tokens = "800000000", '),
        "networks.ionet.tokens[0].max_supply (IO on solana), as_of",
        "missing"),
    "two maximum supplies of one token": (
        _edited('symbol = "ATH"\nchain = "anvil"\n', 'symbol = "ATH"\nchain = "anvil"\nmax_supply = { tokens = "1", '
                'as_of = 2026-11-29, source = "elsewhere" }\n'),
        "networks.aethir",
        "token ATH states two different max_supply entries"),
    "zero address": (
        _edited('"0x1258D60B224c0C5cD888D37bbF31aa5FCFb7e870"', '"0x0000000000000000000000000000000000000000"'),
        "networks.nodeai.tokens[0] (GPU on ethereum), address",
        "the zero address holds no token or contract"),
}


@pytest.mark.parametrize("case", list(BAD_REGISTRIES))
def test_a_bad_registry_is_refused_in_one_line_naming_the_file_the_place_and_the_cause(tmp_path, case) -> None:
    text, place, cause = BAD_REGISTRIES[case]
    path = tmp_path / "registry-under-review.toml"
    path.write_text(text)
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {place}: ")
    assert cause in message
    assert raised.value.file == path and raised.value.problems[0].place == place


def test_every_problem_is_kept_and_the_line_says_where_the_others_are(tmp_path) -> None:
    path = tmp_path / "two-problems.toml"
    path.write_text(_edited("decimals = 8", "decimals = 255", count=2).replace("confirmations = 12",
                                                                                "confirmations = -1"))
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    places = [p.place for p in raised.value.problems]
    assert places == ["chains.ethereum, confirmations", "networks.render.tokens[0] (RENDER on solana), decimals",
                      "networks.ionet.tokens[0] (IO on solana), decimals"]
    assert str(raised.value).endswith(f"(and 2 more problem(s), at: {places[1]}; {places[2]})")


def test_a_missing_or_unreadable_registry_names_the_file_and_the_variable(tmp_path) -> None:
    with pytest.raises(RegistryError, match=f"registry file {tmp_path / 'nowhere.toml'} not found; set "
                                            "DEPINLENS_REGISTRY"):
        load_registry(tmp_path / "nowhere.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text(NETWORKS_TOML.replace('[chains.base]', '[chains.base'))
    with pytest.raises(RegistryError, match=rf"^{re.escape(str(broken))}: not valid TOML: .*line \d+"):
        load_registry(broken)


def test_an_edited_registry_is_read_again_not_served_from_the_cache(tmp_path) -> None:
    path = tmp_path / "networks.toml"
    path.write_text(NETWORKS_TOML)
    assert load_registry(path).networks["render"].tokens[0].decimals == 8
    path.write_text(_edited("decimals = 8", "decimals = 255"))
    with pytest.raises(RegistryError, match="decimals: 255 is above the bound"):
        load_registry(path)
