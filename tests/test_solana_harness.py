"""The local Solana harness: LiteSVM ledger, mainnet wire format, loopback server, paging, demo."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from solders.keypair import Keypair
from solders.rpc.responses import GetBlockResp, GetSignaturesForAddressResp, GetTransactionResp

from harness.solana import tokens as spl_tokens
from harness.solana.demo import RegistryMismatch, build_demo_ledger, check_registry, solana_demo
from harness.solana.identities import local_mint, local_program
from harness.solana.scenarios import at, setup_ledger, two_day_scenario
from harness.solana.server import SolanaRpcServer
from pipelines.chains.errors import RpcRefused
from pipelines.chains.solana import AccountPager, SolanaClient, read_token_movements, window_seconds
from tests.conftest import SHARED_DIR

FIXTURES = SHARED_DIR / "fixtures" / "solana"
DAY_1 = date(2025, 6, 1)
DAY_2 = date(2025, 6, 2)
MODERN_META_KEYS = {"computeUnitsConsumed", "err", "fee", "innerInstructions", "logMessages", "postBalances",
                    "postTokenBalances", "preBalances", "preTokenBalances", "rewards", "status"}


def rpc(url: str, method: str, params: list) -> dict:
    return httpx.post(url, json={"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).json()


@pytest.fixture(scope="module")
def scenario(registry):
    return two_day_scenario(registry, DAY_1)


@pytest.fixture(scope="module")
def server(scenario):
    with SolanaRpcServer(scenario.ledger) as running:
        yield running


def _keys(value, prefix=""):
    """Every key path of a JSON value (list items collapsed to [])."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in {f"{prefix}.{k}", *_keys(v, f"{prefix}.{k}")}}
    if isinstance(value, list):
        return {p for item in value for p in _keys(item, f"{prefix}[]")}
    return set()


@pytest.mark.shared
@pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"recorded fixtures not found at {FIXTURES}")
def test_answers_have_the_recorded_mainnet_shape_plus_only_what_newer_nodes_add(scenario, server) -> None:
    recorded = json.loads((FIXTURES / "get_block_json_parsed_encoding.json").read_text())["result"]
    record = next(r for r in scenario.ledger.records if r.meta.inner_instructions() != [[]])  # ATA creation
    ours = rpc(server.url, "getTransaction", [record.signature, {"encoding": "jsonParsed",
                                                                 "maxSupportedTransactionVersion": 0}])

    recorded_paths = set().union(*(_keys(tx) for tx in recorded["transactions"]))
    # what Agave added since this block was recorded, and what jsonParsed no longer repeats
    added = {".meta.computeUnitsConsumed", ".version", ".transaction.message.accountKeys[].source",
             ".transaction.message.instructions[].stackHeight", ".meta.innerInstructions[].instructions[].stackHeight"}
    dropped = {".meta.loadedAddresses", ".meta.loadedAddresses.readonly", ".meta.loadedAddresses.writable",
               ".transaction.message.addressTableLookups"}
    ours_paths = _keys(ours["result"]) - {".blockTime", ".slot"}
    common = {p for p in recorded_paths if not p.startswith(".meta.rewards[]")
              and not p.startswith(".transaction.message.instructions[].parsed.info.vote")} - dropped
    assert set(ours["result"]["meta"]) - {"returnData"} == MODERN_META_KEYS
    return_data = {".meta.returnData", ".meta.returnData.data", ".meta.returnData.programId"}
    assert ours_paths - added - {p for p in ours_paths if ".parsed.info." in p} <= common | return_data
    assert list(ours) == ["jsonrpc", "result", "id"]
    assert json.dumps(ours["result"], sort_keys=True) == json.dumps(ours["result"])  # keys sorted, like Agave


@pytest.mark.parametrize("encoding", ["jsonParsed", "json", "base64", "base58"])
def test_every_transaction_parses_with_solders_response_types_in_every_encoding(scenario, server, encoding) -> None:
    for record in scenario.ledger.records[::4]:
        body = httpx.post(server.url, json={"jsonrpc": "2.0", "id": 1, "method": "getTransaction", "params": [
            record.signature, {"encoding": encoding, "maxSupportedTransactionVersion": 0}]}).text
        parsed = GetTransactionResp.from_json(body).value
        assert parsed.slot == record.slot and parsed.block_time == record.block_time


def test_blocks_and_signature_pages_parse_with_solders_and_agree_with_the_ledger(scenario, server) -> None:
    record = scenario.movements[0]
    block = GetBlockResp.from_json(httpx.post(server.url, json={
        "jsonrpc": "2.0", "id": 1, "method": "getBlock",
        "params": [record.slot, {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0}]}).text).value
    page = GetSignaturesForAddressResp.from_json(httpx.post(server.url, json={
        "jsonrpc": "2.0", "id": 1, "method": "getSignaturesForAddress", "params": [str(local_mint("IO"))]}).text).value

    assert str(block.blockhash) == scenario.ledger.block_by_slot[record.slot].blockhash
    assert str(block.signatures or block.transactions[0].transaction.signatures[0]) .startswith(record.signature[:8])
    assert [str(s.signature) for s in page] == [r.signature for r in reversed(scenario.ledger.by_address[
        str(local_mint("IO"))])]
    assert [s.slot for s in page] == sorted((s.slot for s in page), reverse=True)


def test_block_times_follow_the_clock_the_ledger_was_set_to(scenario) -> None:
    times = [r.block_time for r in scenario.ledger.records]
    slots = [r.slot for r in scenario.ledger.records]

    assert times == sorted(times) and slots == sorted(set(slots))
    assert times[-1] == at(DAY_2, 20)
    assert scenario.movements[0].block_time == at(DAY_1, 0)


def test_the_server_answers_errors_with_agave_codes(scenario, server) -> None:
    skipped = scenario.ledger.head.slot - 1
    assert rpc(server.url, "getBlockTime", [skipped])["error"]["code"] == -32009
    assert rpc(server.url, "getBlockTime", [scenario.ledger.head.slot + 10])["error"]["code"] == -32004
    assert rpc(server.url, "getSignaturesForAddress", [str(local_mint("IO")), {"limit": 1001}])["error"] == {
        "code": -32602, "message": "Invalid limit; max 1000"}
    assert rpc(server.url, "eth_blockNumber", [])["error"]["code"] == -32601
    assert rpc(server.url, "getTransaction", ["1" * 88, {"encoding": "jsonParsed"}]) == {
        "jsonrpc": "2.0", "result": None, "id": 7}
    batch = httpx.post(server.url, json=[{"jsonrpc": "2.0", "id": i, "method": "getSlot", "params": []}
                                         for i in (1, 2)]).json()
    assert [a["id"] for a in batch] == [1, 2] and {a["result"] for a in batch} == {scenario.ledger.head.slot}


def test_program_accounts_filter_by_size_and_discriminator_with_context(scenario, server) -> None:
    from pipelines.chains.solana._base58 import b58encode
    from pipelines.chains.solana._nosana import JOB_ACCOUNT_DISCRIMINATOR

    everything = rpc(server.url, "getProgramAccounts", [str(local_program("jobs")), {"encoding": "base64"}])["result"]
    jobs = rpc(server.url, "getProgramAccounts", [str(local_program("jobs")), {
        "encoding": "base64", "withContext": True,
        "filters": [{"dataSize": 233}, {"memcmp": {"offset": 0, "bytes": b58encode(JOB_ACCOUNT_DISCRIMINATOR)}}]}])

    assert len(everything) == len(scenario.jobs) + 1
    assert sorted(a["pubkey"] for a in jobs["result"]["value"]) == sorted(str(j.address) for j in scenario.jobs)
    assert jobs["result"]["context"]["slot"] == scenario.ledger.head.slot
    assert all(a["account"]["owner"] == str(local_program("jobs")) for a in everything)


def test_the_noop_program_runs_real_signed_instructions_at_the_nosana_addresses(scenario) -> None:
    listing = scenario.jobs[0].listed

    assert listing.err is None
    assert f"Program {local_program('jobs')} invoke [1]" in listing.meta.logs()
    assert f"Program {local_program('jobs')} success" in listing.meta.logs()


def test_paging_walks_more_than_a_thousand_signatures_with_before_and_stops_at_until(registry) -> None:
    scenario = setup_ledger(registry, DAY_1)
    ledger, holder = scenario.ledger, scenario.holders["exchange"]
    mint = local_mint("IO")
    burns = []
    for i in range(1_203):
        ledger.at(at(DAY_1, 0) + i * 60)
        burns.append(spl_tokens.burn(ledger, mint, holder, i + 1, checked=i % 2 == 0))
    start, end = window_seconds(DAY_1, DAY_1)

    with SolanaRpcServer(ledger) as server, SolanaClient("solana-local", server.url) as client:
        found = AccountPager(client, str(mint)).take_day(start, end)
        pages = server.rpc.calls.count("getSignaturesForAddress")
        until = AccountPager(client, str(mint), until=burns[1_000].signature).take_day(start, end)
        small_pages = AccountPager(client, str(mint), page_limit=250).take_day(start, end)
        resumed = AccountPager(client, str(mint), before=burns[200].signature).take_day(start, end)
        rows = read_token_movements(client, found, [t for t in registry.tokens_on("solana-local") if t.symbol == "IO"],
                                    source="local")

    assert [s.signature for s in found] == [b.signature for b in burns]
    assert pages == 2
    assert [s.signature for s in until] == [b.signature for b in burns[1_001:]]
    assert small_pages == found
    assert [s.signature for s in resumed] == [b.signature for b in burns[:200]]
    assert rows.num_rows == 1_203
    assert sorted(int(a) for a in rows.column("amount_raw").to_pylist()) == list(range(1, 1_204))


def test_a_refused_call_names_the_method_and_item(scenario, server) -> None:
    with SolanaClient("solana-local", server.url, max_attempts=1) as client, \
            pytest.raises(RpcRefused, match=r"solana-local \(http://127\.0\.0\.1:\d+\) getSignaturesForAddress "
                                            r".*Invalid limit"):
        client.signatures_for_address(str(local_mint("IO")), limit=5_000)


def test_the_registry_lists_the_harness_keys_and_a_mismatch_is_refused(registry) -> None:
    ids = check_registry(registry)
    assert ids["tokens"]["NOS"].address == str(local_mint("NOS"))

    broken = registry.model_copy(update={"networks": {
        **registry.networks, "nosana": registry.networks["nosana"].model_copy(update={"tokens": tuple(
            t.model_copy(update={"address": str(Keypair().pubkey())}) if t.chain == "solana-local" else t
            for t in registry.networks["nosana"].tokens)})}})
    with pytest.raises(RegistryMismatch, match="NOS on solana-local"):
        check_registry(broken)


def test_the_demo_keeps_every_block_inside_its_days_and_shows_all_three_networks(registry) -> None:
    first, last = date(2025, 3, 1), date(2025, 3, 3)
    ledger, activity = build_demo_ledger(registry, first, last)
    start = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    in_window = [r for r in ledger.records if r.block_time >= start]

    assert all(r.block_time < start + 3 * 86_400 for r in ledger.records)
    assert all(r.block_time < start for r in ledger.records[:len(ledger.records) - len(in_window)])
    days = {(datetime.fromtimestamp(m.block_time, UTC).date(), m.mint, m.kind) for m in activity.movements}
    for day in (first, first + timedelta(days=1), last):
        assert (day, str(local_mint("RENDER")), "burn") in days and (day, str(local_mint("RENDER")), "mint") in days
        assert (day, str(local_mint("IO")), "burn") in days
        assert any(datetime.fromtimestamp(j.listed.block_time, UTC).date() == day for j in activity.jobs)
    assert activity.stakes


def test_the_demo_server_serves_while_open_and_stops_on_exit(registry) -> None:
    with solana_demo(registry, date(2025, 3, 1), date(2025, 3, 1)) as url:
        assert rpc(url, "getHealth", []) == {"jsonrpc": "2.0", "result": "ok", "id": 7}
        head = rpc(url, "getSlot", [])["result"]
        assert datetime.fromtimestamp(rpc(url, "getBlockTime", [head])["result"], UTC).date() == date(2025, 3, 1)
    with pytest.raises(httpx.TransportError):
        httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "getHealth"}, timeout=2)
