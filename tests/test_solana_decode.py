"""The Solana decoders on real recorded node answers and on the local ledger's answers.

The recorded block (slot 147078735) and transactions come from kevinheavey/solders' test data: they
were recorded on devnet (the block's fee reward goes to the Solana Foundation devnet validator), not
mainnet, as ../shared/fixtures/README.md now says; the wire format is the same on both clusters.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from depinlens.registry import Token
from harness.solana.scenarios import two_day_scenario
from harness.solana.wire import transaction_result
from pipelines.chains.errors import DecodeError
from pipelines.chains.solana import (
    ZERO_PUBKEY,
    block_transactions,
    decode_accounts,
    decode_job_instructions,
    decode_token_movements,
    failed_signatures,
    token_transfer_rows,
)
from pipelines.chains.solana._nosana import (
    JOB_ACCOUNT_DISCRIMINATOR,
    JOB_ACCOUNT_SIZE,
    STAKE_ACCOUNT_DISCRIMINATOR,
    STAKE_ACCOUNT_SIZE,
)
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
