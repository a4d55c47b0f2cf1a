"""The Solana decoders on real recorded node answers and on the local ledger's answers.

The recorded block (slot 147078735) and transactions come from kevinheavey/solders' test data: they
were recorded on devnet (the block's fee reward goes to the Solana Foundation devnet validator), not
mainnet, as ../shared/fixtures/README.md now says; the wire format is the same on both clusters.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections import defaultdict
from datetime import date
from decimal import Decimal

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from depinlens.registry import Token
from harness.mainnet import UNLIMITED as MAINNET_UNLIMITED, SolanaMainnet
from harness.mainnet.volumes import SolanaVolumes
from harness.solana.scenarios import two_day_scenario
from harness.solana.wire import transaction_result
from pipelines.chains.errors import DecodeError, MalformedResponse, RpcRefused
from pipelines.chains.solana import (
    AccountPager,
    HistoryPager,
    SignatureRecord,
    SolanaClient,
    ZERO_PUBKEY,
    block_transactions,
    day_span,
    decode_accounts,
    decode_job_instructions,
    decode_token_movements,
    failed_signatures,
    read_token_movements,
    successful,
    token_transfer_rows,
)
from pipelines.chains.solana._nosana import (
    JOB_ACCOUNT_DISCRIMINATOR,
    JOB_ACCOUNT_SIZE,
    STAKE_ACCOUNT_DISCRIMINATOR,
    STAKE_ACCOUNT_SIZE,
)
from pipelines.chains.solana import _decode as decode_module
from pipelines.chains.solana._scan import AVAILABLE as SCANNER_BUILT, SPL_READER, ScannedTransaction, _spl_scan
from pipelines.chains.solana._wire import HistoryTransaction, Transaction
from pipelines.http import Budget
from pipelines.http._jsonrpc import typed_result, typed_results
from tests.conftest import SHARED_DIR

FIXTURES = SHARED_DIR / "fixtures" / "solana"
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"recorded fixtures not found at {FIXTURES} "
                                    "(set up ../shared, or DEPINLENS_SHARED_DIR)")
WSOL = "So11111111111111111111111111111111111111112"
DAY_1 = date(2025, 6, 1)


def _recorded_block() -> tuple[list[dict], dict[int, str]]:
    answer = json.loads((FIXTURES / "get_block_json_parsed_encoding.json").read_text())
    return block_transactions(answer["result"], 147078735)


@pytest.fixture(scope="module")
def scenario(registry):
    return two_day_scenario(registry, DAY_1)


@pytest.fixture(scope="module")
def answers(scenario) -> list[dict]:
    """getTransaction results (jsonParsed), exactly as the loopback server sends them, through JSON text."""
    return [json.loads(json.dumps(transaction_result(r))) for r in scenario.ledger.records]


# -- recorded node answers (devnet block and transactions, mainnet signature list) ---------------

@pytest.mark.shared
@needs_fixtures
def test_every_inner_spl_transfer_of_the_recorded_block_comes_out_with_amount_mint_source_and_destination() -> None:
    transactions, _ = _recorded_block()

    rows = decode_token_movements(transactions).to_pylist()

    assert len(rows) == 11
    assert all(r["inner_index"] is not None and r["instruction"] == "transfer" for r in rows)
    assert {r["mint"] for r in rows} == {WSOL}
    assert sorted(int(r["amount_raw"]) for r in rows) == [0, 0, 0] + [12_500] * 8
    first = rows[0]
    assert (first["signature"][:12], first["log_index"], first["inner_index"]) == ("XCo2NPfxh6Di", 0, 0)
    assert (first["source_account"], first["destination_account"]) == (
        "H5LvDvwP3EQsm6yWy3EtiLuFJupsiYD7fWUHv34DGYip", "FVLfR6C2ckZhbSwBzZY4CX7YBcddUSge5BNeGQv5eKhy")
    assert first["from_address"] == first["to_address"] == "BYM81n8HvTJuqZU1PmTVcwZ9G8uoji7FKM6EaPkwphPt"
    assert first["slot"] == 147078735 and first["block_time"].timestamp() == 1657486664


@pytest.mark.shared
@needs_fixtures
def test_decoded_transfers_explain_every_token_balance_change_in_the_recorded_block() -> None:
    """Amount, source and destination checked against the chain's own accounting: pre/post balances."""
    transactions, _ = _recorded_block()
    net: dict[tuple[str, str], int] = defaultdict(int)
    for row in decode_token_movements(transactions).to_pylist():
        net[(row["signature"], row["source_account"])] -= int(row["amount_raw"])
        net[(row["signature"], row["destination_account"])] += int(row["amount_raw"])

    changed: dict[tuple[str, str], int] = defaultdict(int)
    for tx in transactions:
        keys = [k["pubkey"] for k in tx["transaction"]["message"]["accountKeys"]]
        signature = tx["transaction"]["signatures"][0]
        for sign, side in ((-1, "preTokenBalances"), (1, "postTokenBalances")):
            for balance in tx["meta"][side]:
                changed[(signature, keys[balance["accountIndex"]])] += sign * int(balance["uiTokenAmount"]["amount"])

    assert {k: v for k, v in net.items() if v} == {k: v for k, v in changed.items() if v}
    assert any(v for v in changed.values())


@pytest.mark.shared
@needs_fixtures
def test_a_recorded_vote_transaction_moves_no_tokens_and_a_base64_answer_is_refused_by_name() -> None:
    parsed = json.loads((FIXTURES / "get_transaction_json_parsed_encoding.json").read_text())["result"]
    base64 = json.loads((FIXTURES / "get_transaction_base64_encoding.json").read_text())["result"]

    assert decode_token_movements([parsed]).num_rows == 0
    with pytest.raises(DecodeError, match=r"transaction #1 .*slot 147558327.*jsonParsed"):
        decode_token_movements([parsed, base64])


# -- local ledger: real signed transactions ------------------------------------------------------

def test_each_movement_instruction_decodes_to_exactly_what_the_ledger_executed(scenario, answers) -> None:
    rows = decode_token_movements(answers)
    decoded = [(r["mint"], r["kind"], r["from_address"], r["to_address"], int(r["amount_raw"]), r["slot"],
                int(r["block_time"].timestamp()), r["signature"], r["log_index"], r["inner_index"])
               for r in rows.to_pylist()
               if r["mint"] in {m.mint for m in scenario.movements} and r["block_time"].date() >= DAY_1]
    expected = [(m.mint, m.kind, m.from_address, m.to_address, m.amount_raw, m.slot, m.block_time, m.signature,
                 m.log_index, m.inner_index) for m in scenario.movements]

    assert sorted(decoded, key=lambda r: (r[5], r[8])) == sorted(expected, key=lambda r: (r[5], r[8]))
    assert set(rows.column("instruction").to_pylist()) == {"mintTo", "mintToChecked", "transfer",
                                                           "transferChecked", "burn", "burnChecked"}
    mints = [r for r in rows.to_pylist() if r["kind"] == "mint"]
    assert all(r["from_address"] == ZERO_PUBKEY and r["source_account"] is None for r in mints)


def test_failed_transactions_are_excluded(scenario, answers) -> None:
    failed = scenario.failed[0].signature
    answer = next(a for a in answers if a["transaction"]["signatures"][0] == failed)

    assert answer["meta"]["err"] == {"InstructionError": [0, {"Custom": 1}]}
    assert failed_signatures(answers) == [failed]
    assert failed not in decode_token_movements(answers).column("signature").to_pylist()


def _first_transfer(answers: list[dict]) -> dict:
    return next(a for a in answers if any(i.get("parsed", {}).get("type") == "transferChecked"
                                          for i in a["transaction"]["message"]["instructions"]))


def _break(path: str, value):
    def apply(tx: dict) -> None:
        *parents, leaf = path.split(".")
        node = tx
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value
    return apply


@pytest.mark.parametrize(("breakage", "message"), [
    (_break("transaction.message.instructions.0.parsed.info.tokenAmount", {"amount": "12x", "decimals": 8}),
     r"instruction 0 \(transferChecked\): amount '12x' is not a u64"),
    (_break("transaction.message.instructions.0.parsed.info", {"source": "a", "tokenAmount": {"amount": "1",
                                                                                           "decimals": 8}}),
     r"instruction 0 \(transferChecked\): field 'destination' missing"),
    (_break("blockTime", None), r"blockTime missing or null"),
    (_break("slot", "12"), r"slot missing or not a non-negative integer"),
    (_break("meta.postTokenBalances", [{"accountIndex": 99, "mint": "m", "uiTokenAmount": {"decimals": 1}}]),
     r"accountKeys or token balances malformed"),
    (_break("meta", None), r"not a getTransaction result in jsonParsed encoding"),
], ids=["amount-not-digits", "missing-destination", "null-block-time", "slot-as-text", "balance-index-out-of-range",
        "no-meta"])
def test_a_malformed_answer_raises_a_decode_error_naming_the_transaction(answers, breakage, message) -> None:
    broken = copy.deepcopy(_first_transfer(answers))
    signature = broken["transaction"]["signatures"][0]
    breakage(broken)

    with pytest.raises(DecodeError, match=message) as caught:
        decode_token_movements([broken])
    assert signature in str(caught.value)


def test_registry_rows_carry_slot_blockhash_signature_and_registry_decimals(scenario, answers, registry) -> None:
    movements = decode_token_movements(answers)
    tokens = {t.address: t for t in registry.tokens_on("solana-local")}
    hashes = {b.slot: b.blockhash for b in scenario.ledger.blocks}

    rows = token_transfer_rows(movements, chain="solana-local", source="local", tokens=tokens,
                               block_hashes=hashes).to_pylist()

    assert {r["token_symbol"] for r in rows} == {"RENDER", "IO", "NOS"}
    by_signature = {r.signature: r for r in scenario.ledger.records}
    for row in rows:
        record = by_signature[row["tx_hash"]]
        assert row["block_number"] == record.slot
        assert row["block_hash"] == scenario.ledger.block_by_slot[record.slot].blockhash
        assert row["decimals"] == tokens[row["token_address"]].decimals
        assert row["block_day"] == row["block_time"].date()
        assert isinstance(row["amount_raw"], Decimal)


def test_decimals_that_disagree_with_the_registry_are_refused(answers, registry) -> None:
    movements = decode_token_movements(answers)
    wrong = {t.address: t.model_copy(update={"decimals": t.decimals + 1}) for t in registry.tokens_on("solana-local")}

    with pytest.raises(DecodeError, match=r"has 8 decimals, the registry says 9; fix networks.toml"):
        token_transfer_rows(movements, chain="solana-local", source="local", tokens=wrong,
                            block_hashes={s: "h" for s in movements.column("slot").to_pylist()})


def test_rows_are_refused_without_the_blockhash_of_their_slot(answers, registry) -> None:
    tokens = {t.address: t for t in registry.tokens_on("solana-local")}

    with pytest.raises(DecodeError, match="no blockhash for slots"):
        token_transfer_rows(decode_token_movements(answers), chain="solana-local", source="local", tokens=tokens,
                            block_hashes={})


def test_unknown_mints_are_dropped_from_registry_rows(answers) -> None:
    other = Token(network="x", symbol="X", chain="solana-local", address=WSOL, decimals=9, verified=False,
                  reference="test")

    rows = token_transfer_rows(decode_token_movements(answers), chain="solana-local", source="local",
                               tokens={WSOL: other}, block_hashes={})

    assert rows.num_rows == 0


# -- Nosana --------------------------------------------------------------------------------------

def _program_accounts(scenario, program) -> list[dict]:
    from harness.solana.wire import program_account

    return [program_account(a, acc) for a, acc in scenario.ledger.program_accounts(program)]


def test_job_accounts_match_the_published_layout_and_round_trip(scenario) -> None:
    assert JOB_ACCOUNT_DISCRIMINATOR == bytes([91, 16, 162, 5, 45, 210, 125, 65]) and JOB_ACCOUNT_SIZE == 233
    assert STAKE_ACCOUNT_DISCRIMINATOR == bytes([80, 158, 67, 124, 50, 189, 192, 255]) and STAKE_ACCOUNT_SIZE == 113

    entries = _program_accounts(scenario, scenario.nosana.jobs_program)
    jobs = {j["pubkey"]: j for j in decode_accounts(entries, program="jobs", kind="job")}

    assert len(entries) == len(jobs) + 1  # the market account is skipped by its discriminator
    for job in scenario.jobs:
        account = jobs[str(job.address)]
        assert (account["market"], account["payer"], account["price"], account["state"], account["time_start"],
                account["time_end"], account["timeout"]) == (
            str(job.market), str(job.project.pubkey()), job.price, job.state, job.time_start, job.time_end,
            job.timeout)


def test_stake_accounts_decode_amount_xnos_and_duration(scenario) -> None:
    stakes = decode_accounts(_program_accounts(scenario, scenario.nosana.staking_program), program="staking",
                             kind="stake")

    expected = scenario.stakes[0]
    assert [(s["authority"], s["amount"], s["xnos"], s["duration"]) for s in stakes] == [
        (str(expected.authority.pubkey()), expected.amount, expected.xnos, expected.duration)]
    assert expected.amount == 51_000 * 10**6


def test_an_account_with_the_job_discriminator_but_another_size_is_refused_by_pubkey(scenario) -> None:
    entry = _program_accounts(scenario, scenario.nosana.jobs_program)[0]
    import base64

    entry["account"]["data"] = [base64.b64encode(JOB_ACCOUNT_DISCRIMINATOR + bytes(10)).decode(), "base64"]

    with pytest.raises(DecodeError, match=rf"job account {entry['pubkey']} .*18 bytes, the layout has 233"):
        decode_accounts([entry], program="jobs", kind="job")


def test_job_instructions_decode_from_partially_decoded_answers(scenario, answers) -> None:
    events = decode_job_instructions(answers, program=str(scenario.nosana.jobs_program)).to_pylist()

    by_job = defaultdict(list)
    for event in events:
        by_job[event["job"]].append(event["instruction"])
    done, stopped, running = (str(j.address) for j in scenario.jobs)
    assert by_job[done] == ["list", "finish"] and by_job[stopped] == ["list", "quit"] and by_job[running] == ["list"]
    assert [e["instruction"] for e in events].count("work") == 3
    listing = next(e for e in events if e["job"] == done and e["instruction"] == "list")
    assert listing["signature"] == scenario.jobs[0].listed.signature and listing["timeout"] == 6 * 3600


def test_a_nosana_job_running_into_the_window_is_observed_again_and_one_that_ended_before_is_not() -> None:
    from datetime import UTC, datetime

    from pipelines.chains.solana._jobs import JOB_EVENTS_SCHEMA, job_rows

    def at(day: int, hour: int) -> int:
        return int(datetime(2025, 6, day, hour, tzinfo=UTC).timestamp())

    def job(pubkey: str, start: int, end: int) -> dict:
        return {"pubkey": pubkey, "time_start": start, "time_end": end, "node": "Node1111", "payer": "Payer111",
                "market": "Market11", "state": 1 if end == 0 else 2, "price": 100}

    accounts = [job("running", at(1, 22), 0), job("ran-past-midnight", at(1, 23), at(2, 1)),
                job("ended-day-1", at(1, 2), at(1, 3)), job("started-day-2", at(2, 5), 0)]
    got = job_rows(accounts, JOB_EVENTS_SCHEMA.empty_table(), chain="solana-local", source="local", network="nosana",
                   price_denom="NOS", first_day=date(2025, 6, 2), last_day=date(2025, 6, 2))
    observed = {row["job_id"]: row["observed_day"] for row in got.rows.to_pylist()}
    assert observed == {"running": date(2025, 6, 2), "ran-past-midnight": date(2025, 6, 2),
                        "started-day-2": date(2025, 6, 2)}
    assert got.outside_window == 1  # ended-day-1


def test_a_token_instruction_whose_type_is_not_text_is_not_a_movement(answers) -> None:
    """Found by comparing decoders on random answers: a `parsed.type` that is a list used to
    escape as a bare TypeError (unhashable) instead of being skipped like any other non-movement."""
    broken = copy.deepcopy(_first_transfer(answers))
    untouched = decode_token_movements([broken])
    broken["transaction"]["message"]["instructions"][0]["parsed"]["type"] = ["transferChecked"]

    movements = decode_token_movements([broken])

    assert untouched.num_rows == 1 and movements.num_rows == 0


# -- answers read from their bytes into typed structs (pipelines/chains/solana/_wire.py) ----------
#
# The pipeline asks the JSON-RPC layer for typed results (`SolanaClient.transactions(typed=True)`):
# every answer must give the rows the parsed answer gives, and every answer the dict decoder
# refuses must be refused with the same error, word for word.

def _body(result: object, *, ascii_only: bool = True) -> bytes:
    """A getTransaction answer as a node sends it (json.dumps writes integers beyond 64 bits, as a node could)."""
    return json.dumps({"jsonrpc": "2.0", "result": result, "id": 1}, ensure_ascii=ascii_only).encode()


def _typed_or_parsed(body: bytes) -> object:
    """One answer's result as the JSON-RPC layer hands it to the decoder when asked for typed results."""
    typed = typed_result(body, Transaction)
    return typed if typed is not None else orjson.loads(body)["result"]


def _outcome(decode) -> tuple:
    """(table, None) or (None, (exception type, text)) of one decode."""
    try:
        return decode(), None
    except Exception as exc:  # noqa: BLE001 - any failure must be the same on both paths
        return None, (type(exc).__name__, str(exc))


def _scanned_or_parsed(body: bytes) -> object:
    """One answer's result as the pipeline hands it to the decoder (`SPL_READER`: the compiled scanner's
    movements, else a typed struct, else parsed)."""
    read = SPL_READER.read_one(body)
    return read if read is not None else orjson.loads(body)["result"]


def _both_ways(bodies: list[bytes]) -> tuple[tuple, tuple]:
    """What the dict path (orjson, dicts) and the typed path make of the same answers; the scanner's
    path (the pipeline's) must make the same of them as the typed path, rows or error."""
    parsed = _outcome(lambda: decode_token_movements(orjson.loads(b)["result"] for b in bodies))
    typed = _outcome(lambda: decode_token_movements(_typed_or_parsed(b) for b in bodies))
    scanned = _outcome(lambda: decode_token_movements(_scanned_or_parsed(b) for b in bodies))
    _assert_same(typed, scanned)
    return parsed, typed


def _assert_same(parsed: tuple, typed: tuple) -> None:
    (parsed_rows, parsed_error), (typed_rows, typed_error) = parsed, typed
    assert typed_error == parsed_error
    assert (typed_rows is None and parsed_rows is None) or typed_rows.equals(parsed_rows)


@pytest.mark.shared
@needs_fixtures
def test_the_recorded_block_reads_typed_into_the_rows_its_parsed_answers_give() -> None:
    """Vote, memo (a `parsed` that is text) and inner SPL transfers: all fit the structs."""
    transactions, _ = _recorded_block()
    bodies = [_body(tx) for tx in transactions]

    assert all(type(typed_result(body, Transaction)) is Transaction for body in bodies)
    parsed, typed = _both_ways(bodies)
    _assert_same(parsed, typed)
    assert typed[0].num_rows == 11


@pytest.mark.shared
@needs_fixtures
def test_a_recorded_base64_answer_is_declined_and_refused_by_name_as_before() -> None:
    parsed = (FIXTURES / "get_transaction_json_parsed_encoding.json").read_bytes()
    base64 = (FIXTURES / "get_transaction_base64_encoding.json").read_bytes()

    assert type(typed_result(parsed, Transaction)) is Transaction and typed_result(base64, Transaction) is None
    dicts, typed = _both_ways([parsed, base64])
    _assert_same(dicts, typed)
    assert "transaction #1 " in typed[1][1] and "jsonParsed" in typed[1][1]


def test_every_local_ledger_answer_reads_typed_into_the_rows_the_dicts_give(scenario, answers) -> None:
    bodies = [_body(answer) for answer in answers]

    assert all(type(typed_result(body, Transaction)) is Transaction for body in bodies)
    parsed, typed = _both_ways(bodies)
    _assert_same(parsed, typed)
    assert typed[0].num_rows > len(scenario.movements) and scenario.failed[0].signature not in \
        typed[0].column("signature").to_pylist()


def _step(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def _put(path: str, value):
    """Set the value at a dotted path (list items by number) of an answer."""
    def apply(tx: dict) -> None:
        *parents, leaf = map(_step, path.split("."))
        node = tx
        for part in parents:
            node = node[part]
        node[leaf] = value
    return apply


def _delete(path: str):
    """Remove the key (or list item) at a dotted path of an answer."""
    def apply(tx: dict) -> None:
        *parents, leaf = map(_step, path.split("."))
        node = tx
        for part in parents:
            node = node[part]
        del node[leaf]
    return apply


INFO = "transaction.message.instructions.0.parsed.info"


@pytest.mark.parametrize("breakage", [
    _delete("meta"),
    _put("meta", None),
    _delete("meta.err"),
    _put("blockTime", None),
    _delete("blockTime"),
    _put("blockTime", 1.5),
    _put("slot", -1),
    _put("slot", True),
    _put("slot", 2**64),  # orjson reads it as a float
    _put("slot", 2**63),  # past int64: the table cannot hold it
    _delete(f"{INFO}"),
    _put("transaction.message.instructions.0.parsed", "a memo-like text"),
    _put("transaction.message.instructions.0.parsed.type", ["transferChecked"]),
    _delete(f"{INFO}.source"),
    _delete(f"{INFO}.destination"),
    _put(f"{INFO}.source", None),
    _put(f"{INFO}.source", 7),
    _put(f"{INFO}.mint", ""),
    _put(f"{INFO}.authority", 7),
    _put(f"{INFO}.authority", ""),
    _put(f"{INFO}.tokenAmount", None),
    _put(f"{INFO}.tokenAmount", "12"),
    _put(f"{INFO}.tokenAmount.amount", "\u0661\u0662"),  # Arabic-Indic digits: int() reads them
    _put(f"{INFO}.tokenAmount.amount", "\u00b2"),  # a superscript: isdigit() says yes, int() refuses
    _put(f"{INFO}.tokenAmount.amount", "0" * 20 + "1"),
    _put(f"{INFO}.tokenAmount.amount", "007"),
    _put(f"{INFO}.tokenAmount.amount", 12),
    _put(f"{INFO}.tokenAmount.decimals", 256),
    _put(f"{INFO}.tokenAmount.decimals", -1),
    _put("meta.postTokenBalances.0.accountIndex", 99),
    _put("meta.postTokenBalances.0.accountIndex", -1),
    _put("meta.postTokenBalances.0.accountIndex", True),
    _put("meta.postTokenBalances.0.owner", ""),
    _put("meta.postTokenBalances.0.mint", 5),
    _put("meta.postTokenBalances.0.uiTokenAmount", []),
    _put("meta.preTokenBalances", "none"),
    _put("meta.innerInstructions", {}),
    _put("meta.innerInstructions", [{"index": "0", "instructions": []}]),
    _put("meta.loadedAddresses", {"writable": ["W1111111111111111111111111111111"], "readonly": None}),
    _put("meta.loadedAddresses", ["W1111111111111111111111111111111"]),
    _put("meta.loadedAddresses", {"writable": "abc"}),
    _put("transaction.signatures", []),
    _put("transaction.signatures", ["5" * 100]),
    _put("transaction.signatures", "abc"),
    _delete("transaction.signatures"),
    _put("transaction.message.accountKeys.0", "11111111111111111111111111111111"),
    _put("transaction.message.instructions.0", "not an instruction"),
    _put("transaction.message.instructions.0.programId", 5),
    _put("meta.err", {"InstructionError": [0, {"Custom": 2**70}]}),
], ids=lambda _: "")
def test_an_odd_or_malformed_answer_gets_the_same_rows_or_the_same_error_through_the_typed_path(
        answers, breakage) -> None:
    broken = copy.deepcopy(_first_transfer(answers))
    breakage(broken)

    parsed, typed = _both_ways([_body(answers[0]), _body(broken)])

    _assert_same(parsed, typed)


@pytest.mark.parametrize("info", [None, "a text", [1, 2]])
def test_a_movement_whose_info_is_not_an_object_is_refused_by_name_on_every_path(answers, info) -> None:
    """Found while writing the scanner: `parsed.info` of null, text or a list escaped as a bare AttributeError."""
    broken = copy.deepcopy(_first_transfer(answers))
    broken["transaction"]["message"]["instructions"][0]["parsed"]["info"] = info

    parsed, typed = _both_ways([_body(broken)])

    _assert_same(parsed, typed)
    assert typed[1][0] == "DecodeError" and "instruction 0 (transferChecked): parsed.info is not an object" in typed[1][1]


def test_a_malformed_answer_is_named_by_its_place_the_signature_and_the_slot_through_the_typed_path(answers) -> None:
    broken = copy.deepcopy(_first_transfer(answers))
    signature, slot = broken["transaction"]["signatures"][0], broken["slot"]
    broken["transaction"]["message"]["instructions"][0]["parsed"]["info"]["tokenAmount"]["amount"] = "12x"

    assert type(typed_result(_body(broken), Transaction)) is Transaction  # the struct fits; the decoder refuses
    with pytest.raises(DecodeError) as caught:
        decode_token_movements([_typed_or_parsed(_body(a)) for a in (*answers[:2], broken)])

    assert str(caught.value).startswith(f"transaction #2 (signature {signature}, slot {slot}), instruction 0 "
                                        "(transferChecked): amount '12x' is not a u64")


def test_inner_movements_come_in_instruction_order_through_the_typed_path(answers) -> None:
    """An inner instruction of outer #0 comes before the top-level movement at #1."""
    tx = copy.deepcopy(_first_transfer(answers))
    transfer = tx["transaction"]["message"]["instructions"][0]
    memo = {"parsed": "gpu hours", "program": "spl-memo", "programId": "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr",
            "stackHeight": None}
    tx["transaction"]["message"]["instructions"] = [memo, transfer]
    tx["meta"]["innerInstructions"] = [{"index": 0, "instructions": [copy.deepcopy(transfer)]}]

    parsed, typed = _both_ways([_body(tx)])

    _assert_same(parsed, typed)
    assert [(r["log_index"], r["inner_index"]) for r in typed[0].to_pylist()] == [(0, 0), (1, None)]


def _first_of(answers: list[dict], itype: str) -> dict:
    return copy.deepcopy(next(a for a in answers if any(i.get("parsed", {}).get("type") == itype
                                                        for i in a["transaction"]["message"]["instructions"])))


@pytest.mark.parametrize(("itype", "field", "value"), [
    ("mintTo", "mintAuthority", None), ("mintTo", "mintAuthority", ""), ("mintTo", "mint", None),
    ("mintTo", "account", None), ("mintTo", "mint", 5), ("burn", "authority", None), ("burn", "account", 5),
    ("burn", "mint", ""), ("mintToChecked", "mintAuthority", None), ("burnChecked", "authority", None),
    ("mintTo", "mint", ...), ("mintTo", "account", ...), ("burn", "account", ...), ("burnChecked", "mint", ...),
    ("mintToChecked", "tokenAmount", ...), ("burn", "amount", ...),
])
def test_mints_and_burns_name_their_accounts_and_authorities_as_the_dicts_do(answers, itype, field, value) -> None:
    """`...` deletes the field."""
    tx = _first_of(answers, itype)
    index = next(i for i, ins in enumerate(tx["transaction"]["message"]["instructions"])
                 if ins.get("parsed", {}).get("type") == itype)
    info = tx["transaction"]["message"]["instructions"][index]["parsed"]["info"]
    multisig = "multisigAuthority" if field == "authority" else "multisigMintAuthority"
    info[multisig] = "Multisig11111111111111111111111111"
    if value is ...:
        del info[field]
    else:
        info[field] = value

    parsed, typed = _both_ways([_body(tx)])

    _assert_same(parsed, typed)
    if field.endswith("uthority"):
        assert typed[0].column("authority").to_pylist()[-1] == "Multisig11111111111111111111111111"


def test_lookup_table_keys_follow_the_static_ones_through_the_typed_path(answers) -> None:
    tx = copy.deepcopy(_first_transfer(answers))
    n = len(tx["transaction"]["message"]["accountKeys"])
    writable, readonly = "Writab1e111111111111111111111111111", "Readon1y111111111111111111111111111"
    tx["meta"]["loadedAddresses"] = {"writable": [writable], "readonly": [readonly]}
    info = tx["transaction"]["message"]["instructions"][0]["parsed"]["info"]
    tx["meta"]["postTokenBalances"].append({"accountIndex": n + 1, "mint": info["mint"], "owner": "OwnerOfReadonly1111",
                                            "uiTokenAmount": {"decimals": 8}})
    info["destination"] = readonly

    parsed, typed = _both_ways([_body(tx)])

    _assert_same(parsed, typed)
    assert typed[0].column("to_address").to_pylist() == ["OwnerOfReadonly1111"]


def _first_plain_transfer(answers: list[dict]) -> tuple[dict, int]:
    """An answer with a plain `transfer` (no mint, no decimals in the instruction), and its instruction index."""
    for answer in answers:
        for index, ins in enumerate(answer["transaction"]["message"]["instructions"]):
            if ins.get("parsed", {}).get("type") == "transfer":
                return answer, index
    raise AssertionError("the scenario has no plain transfer")


@pytest.mark.parametrize("change", ["destination-mint", "source-mint", "source-balances", "source-decimals",
                                    "owners", "destination-owner-empty"])
def test_a_plain_transfer_takes_mint_decimals_and_owners_from_the_balances_as_the_dicts_do(answers, change) -> None:
    tx, index = _first_plain_transfer(answers)
    tx = copy.deepcopy(tx)
    info = tx["transaction"]["message"]["instructions"][index]["parsed"]["info"]
    keys = [k["pubkey"] for k in tx["transaction"]["message"]["accountKeys"]]
    source, destination = keys.index(info["source"]), keys.index(info["destination"])
    balances = tx["meta"]["preTokenBalances"] + tx["meta"]["postTokenBalances"]
    for balance in balances:
        at = balance["accountIndex"]
        if change == "destination-mint" and at == destination:
            balance["mint"] = "OtherMint1111111111111111111111111111111111"
        elif change == "source-mint" and at == source:
            balance["mint"] = "OtherMint1111111111111111111111111111111111"
        elif change == "source-decimals" and at == source:
            balance["uiTokenAmount"]["decimals"] = 3
        elif change == "owners":
            balance.pop("owner")
        elif change == "destination-owner-empty" and at == destination:
            balance["owner"] = ""
    if change == "source-balances":
        for side in ("preTokenBalances", "postTokenBalances"):
            tx["meta"][side] = [b for b in tx["meta"][side] if b["accountIndex"] != source]

    parsed, typed = _both_ways([_body(tx)])

    _assert_same(parsed, typed)
    row = next(r for r in typed[0].to_pylist() if r["log_index"] == index)
    if change == "destination-mint":
        assert row["mint"] != "OtherMint1111111111111111111111111111111111"
    if change == "source-mint":
        assert row["mint"] == "OtherMint1111111111111111111111111111111111"
    if change == "source-decimals":
        assert row["tx_decimals"] == 3


READ_KEYS = {"meta", "err", "innerInstructions", "index", "instructions", "loadedAddresses", "writable", "readonly",
             "preTokenBalances", "postTokenBalances", "accountIndex", "mint", "owner", "uiTokenAmount", "decimals",
             "transaction", "message", "accountKeys", "pubkey", "signatures", "programId", "parsed", "type", "info",
             "source", "destination", "account", "amount", "tokenAmount", "authority", "multisigAuthority",
             "mintAuthority", "multisigMintAuthority", "slot", "blockTime"}
numbers = st.one_of(st.integers(-3, 300), st.integers(-2**70, 2**70))
junk = st.one_of(
    st.none(), st.booleans(), numbers, st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8), st.sampled_from(["", "0", "12", "007", "9" * 21, "\u0661\u0662", "\u00b2", "transfer",
                                          "mintToChecked", "burn", "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"]),
    st.lists(st.integers(-1, 3), max_size=2),
    st.dictionaries(st.sampled_from(["amount", "decimals", "info", "type", "pubkey", "index", "err"]),
                    st.one_of(st.none(), st.integers(-1, 9), st.text(max_size=3)), max_size=2))


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in an answer whose last step is a key the decoder reads, or an item of a list it reads."""
    found = [prefix] if prefix and (prefix[-1] in READ_KEYS or isinstance(prefix[-1], int)) else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _texts(node: object) -> list[str]:
    """Every text in an answer (pubkeys, mints, instruction types): values that mean something where they land."""
    if isinstance(node, dict):
        return [t for value in node.values() for t in _texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _texts(value)]
    return [node] if isinstance(node, str) else []


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_broken_answer_gets_the_same_rows_or_the_same_error_through_the_typed_path(answers, data) -> None:
    batch = copy.deepcopy([answers[i] for i in data.draw(st.lists(st.integers(0, len(answers) - 1), min_size=1,
                                                                   max_size=3))])
    for _ in range(data.draw(st.integers(1, 3))):
        victim = data.draw(st.integers(0, len(batch) - 1))
        paths = _paths(batch[victim])
        if not paths:
            batch[victim] = data.draw(junk)
            continue
        *parents, leaf = data.draw(st.sampled_from(paths))
        node = batch[victim]
        for step in parents:
            node = node[step]
        if data.draw(st.booleans()):
            node[leaf] = data.draw(st.one_of(junk, st.sampled_from(_texts(batch))))
        elif isinstance(node, dict):
            del node[leaf]
        else:
            node.pop(leaf)
    ascii_only = data.draw(st.booleans())

    parsed, typed = _both_ways([_body(tx, ascii_only=ascii_only) for tx in batch])

    _assert_same(parsed, typed)


# -- the JSON-RPC layer's typed answers ---------------------------------------------------------------

@pytest.mark.parametrize("body", [
    b'{"jsonrpc":"2.0","id":1,"error":{"code":-32009,"message":"transaction not available"}}',
    b'{"jsonrpc":"2.0","id":1,"result":null}',
    b'{"jsonrpc":"2.0","id":1}',
    b'{"jsonrpc":"2.0","id":1,"result":{"meta":null}}',
    b'{"jsonrpc":"2.0","id":1,"result":{}}{}',
    b'\xef\xbb\xbf{"jsonrpc":"2.0","id":1,"result":{}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":"\xff"}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":"\xed\xa0\x80"}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"meta":{"err":null},"transac',
], ids=["error", "null-result", "no-result", "null-meta", "trailing", "bom", "invalid-utf8-skipped",
        "surrogate-utf8-skipped", "truncated"])
def test_answers_that_are_not_plainly_a_transaction_are_declined(body: bytes) -> None:
    assert typed_result(body, Transaction) is None


def test_text_outside_ascii_in_fields_no_decoder_reads_still_reads_typed(answers) -> None:
    memo = copy.deepcopy(_first_transfer(answers))
    memo["meta"]["logMessages"].append("Program log: Memo (len 8): \"gpu \u00e9t\u00e9 \U0001f680\"")

    body = _body(memo, ascii_only=False)

    assert not body.isascii() and type(typed_result(body, Transaction)) is Transaction
    _assert_same(*_both_ways([body]))


def _batch_answer(results: list, ids: list) -> bytes:
    return json.dumps([{"jsonrpc": "2.0", "id": i, "result": r} for r, i in zip(results, ids, strict=True)]).encode()


def test_a_batch_answer_reads_typed_in_the_calls_order_whatever_order_the_node_answers_in(answers) -> None:
    results = answers[:3]

    typed = typed_results(_batch_answer(results[::-1], [12, 11, 10]), Transaction, range(10, 13))

    assert [t.transaction.signatures[0] for t in typed] == [r["transaction"]["signatures"][0] for r in results]
    assert typed_results(_batch_answer(results, [10, 11, 11]), Transaction, range(10, 13)) is None  # id 12 missing
    assert typed_results(_batch_answer(results[:2], [10, 11]), Transaction, range(10, 13)) is None
    assert typed_results(_batch_answer([results[0], None, results[2]], [10, 11, 12]), Transaction,
                         range(10, 13)) is None


# -- the compiled scanner (pipelines/chains/solana/_spl_scan.c): answers' bytes straight into movements ----
#
# `_both_ways` above runs every case (the hypothesis one included) through the scanner's path too.
# These make sure the scanner does read what a node sends (a scanner that declined everything would
# pass those), declines what it must, and reads batches in the calls' order.

needs_scanner = pytest.mark.skipif(not SCANNER_BUILT, reason="the C scanner is not built (no C compiler at install)")


def test_the_compiled_scanner_is_built_wherever_a_c_compiler_is() -> None:
    """setup.py marks the extension optional; a build that failed silently must not go unnoticed here."""
    if not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler on this machine: the pipeline reads answers into structs instead")
    assert SCANNER_BUILT, "pipelines/chains/solana/_spl_scan.c did not build: run scripts/setup.sh and read pip's log"


@needs_scanner
def test_every_local_ledger_answer_is_read_by_the_scanner_into_the_rows_the_dicts_give(scenario, answers) -> None:
    bodies = [_body(answer) for answer in answers]

    assert all(type(SPL_READER.read_one(body)) is ScannedTransaction for body in bodies)
    assert [SPL_READER.read_one(b).packed for b in bodies] == [_spl_scan.scan_answer(b) for b in bodies]  # no stray bytes
    scanned = decode_token_movements([SPL_READER.read_one(body) for body in bodies])
    scanned.validate(full=True)
    assert scanned.equals(decode_token_movements(answers)) and scanned.num_rows > len(scenario.movements)


@pytest.mark.shared
@needs_fixtures
@needs_scanner
def test_the_recorded_mainnet_answers_are_read_by_the_scanner_into_the_rows_their_parsed_answers_give() -> None:
    """A recorded mainnet block (votes, a memo, inner SPL transfers) and a recorded getTransaction answer."""
    transactions, _ = _recorded_block()
    bodies = [_body(tx) for tx in transactions]
    bodies.append((FIXTURES / "get_transaction_json_parsed_encoding.json").read_bytes())

    read = [SPL_READER.read_one(body) for body in bodies]

    assert all(type(r) is ScannedTransaction for r in read)
    assert decode_token_movements(read).equals(decode_token_movements(orjson.loads(b)["result"] for b in bodies))
    assert decode_token_movements(read[:-1]).num_rows == 11


@needs_scanner
@pytest.mark.parametrize("body", [
    b'{"jsonrpc":"2.0","id":1,"error":{"code":-32009,"message":"transaction not available"}}',
    b'{"jsonrpc":"2.0","id":1,"error":null}',
    b'{"jsonrpc":"2.0","id":1,"result":null}',
    b'{"jsonrpc":"2.0","id":1,"result":[]}',
    b'{"jsonrpc":"2.0","id":1,"result":{"meta":null}}',
    b'{"jsonrpc":"2.0","id":1,"result":{}}{}',
    b'\xef\xbb\xbf{"jsonrpc":"2.0","id":1,"result":{}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":"\xff"}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":"\xed\xa0\x80"}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":"\\ud800"}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":"a\tb"}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":1e400}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":01}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"memo":' + b"[" * 600 + b"]" * 600 + b'}}',
    b'{"jsonrpc":"2.0","id":1,"result":{"meta":{"err":null},"transac',
], ids=["error", "error-null-no-result", "null-result", "list-result", "null-meta", "trailing", "bom",
        "invalid-utf8-skipped", "surrogate-utf8-skipped", "surrogate-escape", "raw-tab", "huge-float", "leading-zero",
        "deep", "truncated"])
def test_answers_that_are_not_plainly_a_transaction_are_declined_by_the_scanner(body: bytes) -> None:
    assert _spl_scan.scan_answer(body) is None


@needs_scanner
@pytest.mark.parametrize("change", ["escaped-key", "duplicate-result", "duplicate-program-id", "non-ascii-mint",
                                    "escaped-amount", "amount-21-digits", "float-decimals"])
def test_the_scanner_declines_what_it_does_not_read_as_the_dicts_do_and_the_structs_or_dicts_take_it(
        answers, change) -> None:
    tx = copy.deepcopy(_first_transfer(answers))
    info = tx["transaction"]["message"]["instructions"][0]["parsed"]["info"]
    body = _body(tx)
    if change == "escaped-key":
        body = body.replace(b'"programId"', b'"program\\u0049d"', 1)
    elif change == "duplicate-result":
        body = body[:-1] + b', "result": ' + json.dumps(tx).encode() + b"}"
    elif change == "duplicate-program-id":  # orjson keeps the last
        program = tx["transaction"]["message"]["instructions"][0]["programId"]
        tx["transaction"]["message"]["instructions"][0]["programId"] = "Sentinel"
        body = _body(tx).replace(b'"programId": "Sentinel"',
                                 b'"programId": "11111111111111111111111111111111", "programId": "'
                                 + program.encode() + b'"')
    elif change == "non-ascii-mint":
        info["mint"] = "Mint\u00e9"
        body = _body(tx, ascii_only=False)
    elif change == "escaped-amount":  # "123456789123", the 1 written as an escape
        info["tokenAmount"]["amount"] = "123456789123"
        body = _body(tx).replace(b'"123456789123"', b'"\\u003123456789123"')
    elif change == "amount-21-digits":
        info["tokenAmount"]["amount"] = "1" * 21
        body = _body(tx)
    else:
        info["tokenAmount"]["decimals"] = 8.0
        body = _body(tx)

    assert _spl_scan.scan_answer(body) is None
    _assert_same(*_both_ways([body]))


MUTATION_BYTES = b'"\\{}[],: \t0-+e.Eu\x00\x1f\x7f\x80\xc3\xed\xff'


@needs_scanner
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_answer_cut_or_spliced_anywhere_is_scanned_only_where_orjson_reads_it_and_gives_its_rows(
        answers, data) -> None:
    """Byte-level damage (what a flaky proxy or a hostile provider sends): the scanner must never read
    text orjson refuses, and what it reads must give the rows of the dicts orjson gives."""
    body = bytearray(_body(_first_transfer(answers) if data.draw(st.booleans()) else
                           answers[data.draw(st.integers(0, len(answers) - 1))], ascii_only=data.draw(st.booleans())))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(body) - 1))
        operation = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        byte = data.draw(st.sampled_from(MUTATION_BYTES))
        if operation == "delete":
            del body[at]
        elif operation == "insert":
            body.insert(at, byte)
        else:
            body[at] = byte
    body = bytes(body)

    packed = _spl_scan.scan_answer(body)

    if packed is None:
        return
    answer = orjson.loads(body)  # raises (and fails the test) where the scanner read text orjson refuses
    assert isinstance(answer, dict) and answer.get("error") is None
    assert decode_token_movements([ScannedTransaction(packed)]).equals(decode_token_movements([answer["result"]]))


@needs_scanner
def test_a_batch_answer_is_scanned_in_the_calls_order_whatever_order_the_node_answers_in(answers) -> None:
    results = answers[:5]

    read = SPL_READER.read_batch(_batch_answer(results[::-1], [14, 13, 12, 11, 10]), range(10, 15))

    assert all(type(r) is ScannedTransaction for r in read)
    assert decode_token_movements(read).equals(decode_token_movements(results))


@needs_scanner
def test_a_batch_with_an_answer_the_scanner_declines_is_read_into_structs_whole_and_gives_the_same_rows(
        answers) -> None:
    transfer = _first_transfer(answers)
    refused = copy.deepcopy(transfer)
    refused["transaction"]["message"]["instructions"][0]["parsed"]["info"]["tokenAmount"]["amount"] = "12x"
    good = _batch_answer([answers[0], transfer, answers[2]], [10, 11, 12])
    bad = _batch_answer([answers[0], refused, answers[2]], [10, 11, 12])

    assert _spl_scan.scan_batch(bad) is None
    structs = SPL_READER.read_batch(bad, range(10, 13))
    assert all(type(r) is Transaction for r in structs)
    with pytest.raises(DecodeError, match="transaction #1 .* amount '12x' is not a u64"):
        decode_token_movements(structs)
    assert SPL_READER.read_batch(_batch_answer(answers[:3], [10, 11, 11]), range(10, 13)) is None  # 12 missing
    assert SPL_READER.read_batch(good[:-1], range(10, 13)) is None  # cut short
    scanned = SPL_READER.read_batch(good, range(10, 13))
    assert all(type(r) is ScannedTransaction for r in scanned)
    assert decode_token_movements(scanned).equals(decode_token_movements([answers[0], transfer, answers[2]]))
    assert decode_token_movements(scanned).num_rows > 0


@needs_scanner
def test_scanned_dict_and_struct_results_mixed_in_runs_keep_the_transactions_order(answers, monkeypatch) -> None:
    monkeypatch.setattr(decode_module, "SCANNED_RUN", 3)  # runs of scanned results end on their own too
    bodies = [_body(answer) for answer in answers]
    mixed = [answer if i % 5 == 0 else typed_result(body, Transaction) if i % 7 == 0 else SPL_READER.read_one(body)
             for i, (answer, body) in enumerate(zip(answers, bodies, strict=True))]

    assert {type(m) for m in mixed} == {dict, Transaction, ScannedTransaction}
    assert decode_token_movements(mixed).equals(decode_token_movements(answers))


@needs_scanner
def test_packed_movements_from_anywhere_else_are_refused() -> None:
    with pytest.raises(ValueError, match="packed movements"):
        _spl_scan.assemble([b"not packed"])
    with pytest.raises(TypeError, match="packed movements"):
        _spl_scan.assemble([object()])


def _node(respond) -> SolanaClient:
    """A client whose node answers every request with `respond(request body)`."""
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=respond(orjson.loads(request.content)))
    return SolanaClient("solana-local", "http://node.invalid", commitment="confirmed", max_attempts=1,
                        budget=Budget(concurrency=1, batch=100), transport=httpx.MockTransport(handle))


def test_the_client_hands_typed_transactions_to_the_decoder_and_they_give_the_dicts_rows(answers) -> None:
    by_signature = {a["transaction"]["signatures"][0]: a for a in answers}
    signatures = list(by_signature)

    def respond(calls):
        calls = calls if isinstance(calls, list) else [calls]
        answered = [{"jsonrpc": "2.0", "id": c["id"], "result": by_signature[c["params"][0]]} for c in calls]
        return json.dumps(answered[::-1] if len(answered) > 1 else answered[0]).encode()

    with _node(respond) as client:
        typed = client.transactions(signatures, typed=True)
        single = client.transactions(signatures[:1], typed=True)
        parsed = client.transactions(signatures)

    assert all(type(t) is (ScannedTransaction if SCANNER_BUILT else Transaction) for t in typed + single)
    assert all(type(p) is dict for p in parsed)
    assert decode_token_movements(typed).equals(decode_token_movements(parsed))
    assert decode_token_movements(single).equals(decode_token_movements(parsed[:1]))


@pytest.mark.parametrize(("result", "error", "expected"), [
    (None, None, MalformedResponse), (None, {"code": -32009, "message": "slot skipped"}, RpcRefused)])
def test_a_missing_transaction_or_an_error_object_is_refused_as_before_when_asking_for_typed_results(
        answers, result, error, expected) -> None:
    def respond(calls):
        answered = [{"jsonrpc": "2.0", "id": c["id"], "result": answers[0]} for c in calls]
        answered[1] = {"jsonrpc": "2.0", "id": calls[1]["id"], **({"error": error} if error else {"result": result})}
        return json.dumps(answered).encode()

    signatures = [a["transaction"]["signatures"][0] for a in answers[:3]]
    failures = []
    for typed in (False, True):
        with _node(respond) as client, pytest.raises(expected) as caught:
            client.transactions(signatures, typed=typed)
        failures.append(str(caught.value))

    assert failures[0] == failures[1] and signatures[1] in failures[1]


# -- the mainnet-shaped provider: getTransaction and Helius' pages, typed --------------------------

HELIUS_DAY = date(2025, 5, 2)


@pytest.fixture(scope="module")
def mainnet():
    volumes = SolanaVolumes(mint_signatures_per_day=30, burns_per_day=60, incoming_per_day=15,
                            job_transactions_per_day=3, stake_accounts=1, failed_fraction=0.1)
    with SolanaMainnet(HELIUS_DAY, HELIUS_DAY, volumes=volumes, limits=MAINNET_UNLIMITED,
                       get_transactions_for_address=True) as rpc:
        yield rpc


def test_a_day_read_typed_through_helius_pages_or_get_transaction_loads_the_rows_parsed_answers_load(mainnet) -> None:
    wallet, mint = mainnet.mints[0].burn_wallet, mainnet.mints[0].address
    token = Token(network="x", symbol="X", chain="solana", address=mint, decimals=8, verified=False, reference="test")
    start, end = day_span(HELIUS_DAY)
    with SolanaClient("solana", mainnet.url) as client:
        typed = HistoryPager(client, wallet, start=start, end=end, typed=True).take_day(start, end)
        parsed = HistoryPager(client, wallet, start=start, end=end).take_day(start, end)
        standard = AccountPager(client, wallet).take_day(start, end)
        answers = client.transactions([r.signature for r in successful(standard)], typed=True)
        rows = [read_token_movements(client, records, [token], source="live").drop(["fetched_at"])
                for records in (typed, parsed, standard)]

    assert typed == parsed == standard and any(r.failed for r in typed)
    assert all(type(r.answer) is HistoryTransaction for r in typed if not r.failed)
    assert all(type(r.answer) is dict for r in parsed if not r.failed)
    assert all(type(a) is (ScannedTransaction if SCANNER_BUILT else Transaction) for a in answers)
    assert rows[0].num_rows > 0 and rows[0].equals(rows[1]) and rows[0].equals(rows[2])


def test_a_helius_entry_without_block_time_is_timed_by_its_slot_typed_or_parsed(answers) -> None:
    entry = copy.deepcopy(_first_transfer(answers))
    entry["blockTime"] = None
    slot, signature = entry["slot"], entry["transaction"]["signatures"][0]

    def respond(call):
        if call["method"] == "getBlockTime":
            return json.dumps({"jsonrpc": "2.0", "id": call["id"], "result": 1_748_800_000}).encode()
        page = {"data": [entry], "paginationToken": None}
        return json.dumps({"jsonrpc": "2.0", "id": call["id"], "result": page}).encode()

    records = []
    for typed in (True, False):
        with _node(respond) as client:
            records += HistoryPager(client, "Wallet111", start=0, end=2**40, typed=typed).take_day(0, 2**40)

    assert records[0] == records[1] == SignatureRecord(signature, slot, 1_748_800_000, False)
    assert type(records[0].answer) is HistoryTransaction and records[0].answer.block_time == 1_748_800_000
    assert records[1].answer["blockTime"] == 1_748_800_000
    assert decode_token_movements([records[0].answer]).equals(decode_token_movements([records[1].answer]))


@pytest.mark.parametrize("change", ["slot-null", "no-signatures", "meta-null"])
def test_a_helius_page_the_typed_structs_do_not_fit_is_checked_and_refused_as_before(answers, change) -> None:
    entry = copy.deepcopy(_first_transfer(answers))
    if change == "slot-null":
        entry["slot"] = None
    elif change == "no-signatures":
        entry["transaction"]["signatures"] = []
    else:
        entry["meta"] = None

    def respond(call):
        page = {"data": [entry], "paginationToken": None}
        return json.dumps({"jsonrpc": "2.0", "id": call["id"], "result": page}).encode()

    outcomes = []
    for typed in (True, False):
        with _node(respond) as client:
            outcomes.append(_outcome(lambda client=client, typed=typed: client.transactions_for_address(
                "Wallet111", start=0, end=2**40, typed=typed)))

    assert outcomes[0][1] == outcomes[1][1]
    if change == "meta-null":  # the client takes it (the decoder names it later): parsed, as before
        assert outcomes[0][0] == outcomes[1][0] and type(outcomes[0][0][0][0]) is dict
    else:
        assert outcomes[0][1][0] == "MalformedResponse"
