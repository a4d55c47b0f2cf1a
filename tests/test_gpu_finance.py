"""GPU finance: USD.AI's loan router events and sUSDai's share prices, on the local chain.

The local stand-ins (harness/contracts/LoanRouter.vy, AsyncRedeemVault.vy) emit the real events'
signatures; each decoded row is compared with what an independent ABI decoder (web3's contract
event processing, eth_abi underneath) reads from the same log, each origination's collateral with
what eth_abi.decode reads from its borrow() calldata, and the vault's share price with one computed
here from the amounts the test moved.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eth_abi import decode as abi_decode
from web3 import Web3

from harness.contracts import load_artifact
from pipelines.chains.errors import DecodeError
from pipelines.chains.evm import EvmClient, collateral_of, decode_loan_logs, loan_router_events, read_collateral

from .conftest import DAY_1, seconds

# As declared in metastreet-labs/usdai-loan-router-contracts src/interfaces/ILoanRouter.sol
# @ caa89d32864fe27767a841ad10b8e13bd27b8881 (copied by hand, not derived from the fragment).
SOLIDITY_SIGNATURES = {
    "LoanOriginated(bytes32,address,address,uint256,uint256)",
    "LenderRepaid(bytes32,address,uint8,uint256,uint256,uint256)",
    "LoanRepaid(bytes32,address,uint256,uint256,uint256,uint256,bool)",
    "LoanLiquidated(bytes32)",
    "LenderLiquidationRepaid(bytes32,address,uint8,uint256,uint256)",
    "LoanCollateralLiquidated(bytes32,uint256,uint256,uint256)",
}
# borrow(LoanTerms, LenderDepositInfo[]) from the same file, its structs written out as ABI tuples by hand
LOAN_TERMS = ("(uint64,address,address,address,uint256,uint64,uint64,address,uint256,uint256,(uint256,uint256),"
              "(address,uint256,uint256)[],bytes,bytes)")
LENDER_DEPOSIT_INFOS = "(uint8,bytes)[]"
BORROW_SIGNATURE = f"borrow({LOAN_TERMS},{LENDER_DEPOSIT_INFOS})"
GPUS_OF_LOAN = ([1, 2, 3], [4, 5])
UNIT = 10**18
COLUMN_OF = {"loanTermsHash": "loan_terms_hash", "borrower": "borrower", "lender": "lender",
             "currencyToken": "currency_token", "trancheIndex": "tranche_index", "principal": "principal_raw",
             "interest": "interest_raw", "prepay": "prepay_raw", "prepayment": "prepay_raw",
             "originationFee": "fee_raw", "exitFee": "fee_raw", "liquidationFee": "fee_raw", "proceeds": "proceeds_raw",
             "surplus": "surplus_raw", "isRepaid": "is_repaid"}


def test_the_loan_router_fragment_has_exactly_the_contracts_event_signatures() -> None:
    assert {e.signature for e in loan_router_events().values()} == SOLIDITY_SIGNATURES
    router_abi = load_artifact("LoanRouter")["abi"]
    local = {f"{e['name']}({','.join(i['type'] for i in e['inputs'])})" for e in router_abi if e["type"] == "event"}
    assert local == SOLIDITY_SIGNATURES  # the stand-in emits the same signatures


def test_the_local_routers_borrow_has_the_contracts_selector() -> None:
    from eth_utils.abi import function_abi_to_4byte_selector

    [borrow] = [f for f in load_artifact("LoanRouter")["abi"] if f.get("name") == "borrow"]
    assert function_abi_to_4byte_selector(borrow) == Web3.keccak(text=BORROW_SIGNATURE)[:4]


@pytest.fixture
def gpu_loans(local_chain, registry):
    """A deposit into the local sUSDai, two GPU loans, repayments, a default and its collateral sold."""
    evm, tokens = local_chain
    usdai = next(t for t in registry.tokens_on("anvil") if t.network == "usdai")
    router_p = next(p for p in registry.programs_on("anvil") if p.kind == "loan_router")
    vault_p = next(p for p in registry.programs_on("anvil") if p.network == "usdai" and p.kind == "vault")
    token = tokens[usdai.address]
    router = evm.w3.eth.contract(address=Web3.to_checksum_address(router_p.address), abi=load_artifact("LoanRouter")["abi"])
    vault = evm.w3.eth.contract(address=Web3.to_checksum_address(vault_p.address),
                                abi=load_artifact("AsyncRedeemVault")["abi"])
    evm.link_lending(registry.programs_on("anvil"), {router_p.address: router, vault_p.address: vault})
    lender, operator_a, operator_b = evm.accounts[1], evm.accounts[8], evm.accounts[9]
    deposit = 1_000_000 * UNIT
    evm.at(seconds(DAY_1, 1)).mint(token, lender, deposit)
    evm.vault_deposit(vault, token, lender, deposit)
    start_price = vault.functions.depositSharePrice().call()
    first = evm.originate_loan(router, vault, token, operator_a, 400_000 * UNIT, 4_000 * UNIT, GPUS_OF_LOAN[0])
    second = evm.originate_loan(router, vault, token, operator_b, 200_000 * UNIT, 2_000 * UNIT, GPUS_OF_LOAN[1])
    interest = [1_643_835_616_438_356_164_383, 1_500 * UNIT]
    evm.mint(token, operator_a, sum(interest) + 10_000 * UNIT)  # GPU rental income
    evm.repay_loan(router, token, operator_a, first, 100_000 * UNIT, interest[0], 0)
    evm.repay_loan(router, token, operator_a, first, 300_000 * UNIT, interest[1], 2_000 * UNIT)
    evm.liquidate_loan(router, second)
    evm.mint(token, evm.deployer, 180_000 * UNIT)
    evm.settle_liquidation(router, token, second, 180_000 * UNIT, 3_600 * UNIT)
    return {"evm": evm, "router": router, "vault": vault, "router_program": router_p, "deposit": deposit,
            "interest": sum(interest), "start_price": start_price,
            "loss": 200_000 * UNIT - (180_000 - 3_600) * UNIT}


def _wire_logs(evm, address: str) -> list[dict]:
    """The router's logs exactly as the node's JSON-RPC answers them."""
    answer = evm.w3.provider.make_request("eth_getLogs", [{"address": address, "fromBlock": "0x0", "toBlock": "latest"}])
    return answer["result"]


def test_each_loan_event_decodes_as_an_independent_abi_decoder_reads_it(gpu_loans) -> None:
    evm, router, program = gpu_loans["evm"], gpu_loans["router"], gpu_loans["router_program"]
    logs = _wire_logs(evm, program.address)
    table = decode_loan_logs(logs, chain="anvil", source="local", routers={program.address: program},
                             fetched_at=datetime.now(UTC))
    rows = table.to_pylist()
    assert [r["event"] for r in rows] == ["originated", "originated", "lender_repaid", "repaid", "lender_repaid",
                                          "repaid", "liquidated", "lender_liquidation_repaid", "collateral_liquidated"]
    by_topic = {Web3.keccak(text=s).to_0x_hex(): s.split("(")[0] for s in SOLIDITY_SIGNATURES}
    formatted = evm.w3.eth.get_logs({"address": router.address, "fromBlock": 0})  # web3's own log objects
    for log, web3_log, row in zip(logs, formatted, rows, strict=True):
        name = by_topic[log["topics"][0]]
        reference = getattr(router.events, name)().process_log(web3_log)
        for arg, value in reference["args"].items():
            expected = ("0x" + value.hex()) if isinstance(value, bytes) else (value.lower() if isinstance(value, str) else value)
            got = row[COLUMN_OF[arg]]
            assert (int(got) if hasattr(got, "as_tuple") else got) == expected, (name, arg)
        # full provenance, as the node states it
        assert row["block_number"] == reference["blockNumber"] and row["log_index"] == reference["logIndex"]
        assert row["tx_hash"] == reference["transactionHash"].to_0x_hex()
        assert row["block_hash"] == reference["blockHash"].to_0x_hex()
        assert row["block_time"] == datetime.fromtimestamp(evm.w3.eth.get_block(reference["blockNumber"])["timestamp"], UTC)
        assert (row["network"], row["chain"], row["source"], row["contract"]) == ("usdai", "anvil", "local", program.address)
        assert row["fetched_at"] is not None


def _collateral_rows(anvil, program, logs: list[dict]) -> list[dict]:
    table = decode_loan_logs(logs, chain="anvil", source="local", routers={program.address: program})
    with EvmClient("anvil", anvil.url) as client:
        return read_collateral(client, table).to_pylist()


def test_each_origination_records_the_collateral_its_borrow_calldata_states(gpu_loans, anvil) -> None:
    evm, program = gpu_loans["evm"], gpu_loans["router_program"]
    rows = _collateral_rows(anvil, program, _wire_logs(evm, program.address))
    originated = [r for r in rows if r["event"] == "originated"]
    assert len(originated) == len(GPUS_OF_LOAN)
    for row, gpus in zip(originated, GPUS_OF_LOAN, strict=True):
        calldata = bytes(evm.w3.eth.get_transaction(row["tx_hash"])["input"])
        assert calldata[:4] == Web3.keccak(text=BORROW_SIGNATURE)[:4]
        terms, deposits = abi_decode([LOAN_TERMS, LENDER_DEPOSIT_INFOS], calldata[4:])  # the independent decoder
        assert row["collateral_status"] == "stated" and row["collateral_reason"] is None
        assert row["collateral_token"] == terms[3].lower()
        assert row["collateral_token_id"] == str(terms[4])
        assert row["collateral_wrapper_context"] == "0x" + terms[12].hex()
        # the bundle holds the GPUs the test financed: a 20-byte NFT contract, then one 32-byte id each
        context = terms[12]
        assert [int.from_bytes(context[20 + 32 * k: 52 + 32 * k], "big") for k in range(len(gpus))] == gpus
        assert len(context) == 20 + 32 * len(gpus)
    assert all(r["collateral_status"] is None for r in rows if r["event"] != "originated")


def test_an_origination_through_another_contract_has_unknown_collateral_and_the_reason(gpu_loans, anvil) -> None:
    evm, program, router, vault = gpu_loans["evm"], gpu_loans["router_program"], gpu_loans["router"], gpu_loans["vault"]
    token = evm.token(vault.functions.asset().call())
    forwarder = evm.deploy_forwarder()  # as a multicall or smart wallet: the transaction's `to` is not the router
    evm.originate_loan(router, vault, token, evm.accounts[7], 1_000 * UNIT, 10 * UNIT, [9], via=forwarder)
    rows = _collateral_rows(anvil, program, _wire_logs(evm, program.address))
    [forwarded] = [r for r in rows if r["event"] == "originated" and r["borrower"] == forwarder.address.lower()]
    assert evm.w3.eth.get_transaction(forwarded["tx_hash"])["to"] == forwarder.address  # the node's own record
    assert (forwarded["collateral_status"], forwarded["collateral_token"], forwarded["collateral_token_id"],
            forwarded["collateral_wrapper_context"]) == ("unknown", None, None, None)
    assert forwarded["collateral_reason"] == (f"the transaction calls {forwarder.address.lower()}, not the loan router "
                                              "(a multicall, wallet or another contract called borrow()): its "
                                              "calldata is not decoded")
    assert [r["collateral_status"] for r in rows if r["event"] == "originated" and r is not forwarded] == ["stated"] * 2


def test_a_direct_call_that_is_not_borrow_or_does_not_match_the_event_has_unknown_collateral(gpu_loans) -> None:
    evm, program = gpu_loans["evm"], gpu_loans["router_program"]
    [log, *_] = _wire_logs(evm, program.address)
    tx = dict(evm.w3.provider.make_request("eth_getTransactionByHash", [log["transactionHash"]])["result"])
    event = decode_loan_logs([log], chain="anvil", source="local", routers={program.address: program}).to_pylist()[0]
    terms = {"router": program.address, "borrower": event["borrower"], "currency": event["currency_token"]}
    assert collateral_of(tx, **terms).status == "stated"
    other_call = collateral_of({**tx, "input": "0xdeadbeef" + tx["input"][10:]}, **terms)
    assert other_call.status == "unknown" and "not borrow()" in other_call.reason and other_call.token is None
    truncated = collateral_of({**tx, "input": tx["input"][:200]}, **terms)
    assert truncated.status == "unknown" and "does not decode" in truncated.reason
    someone_else = collateral_of(tx, **{**terms, "borrower": evm.accounts[5].lower()})
    assert someone_else.status == "unknown" and "not the event's" in someone_else.reason
    two_loans = collateral_of(tx, **terms, originations_in_tx=2)
    assert two_loans.status == "unknown" and "originated 2 loans" in two_loans.reason


def test_share_prices_follow_interest_paid_and_the_loss_of_a_default_computed_independently(gpu_loans) -> None:
    vault, deposit = gpu_loans["vault"], gpu_loans["deposit"]
    assert gpu_loans["start_price"] == UNIT
    # shares were minted 1:1; NAV = deposit + interest received - principal lost in the default
    expected_nav = deposit + gpu_loans["interest"] - gpu_loans["loss"]
    assert vault.functions.nav().call() == expected_nav
    assert vault.functions.depositSharePrice().call() == expected_nav * UNIT // deposit
    assert vault.functions.convertToAssets(UNIT).call() == expected_nav * UNIT // deposit


def test_ingesting_a_day_of_loans_twice_adds_no_rows_and_keeps_provenance(gpu_loans, anvil, settings,
                                                                          ephemeral_instance) -> None:
    import dagster as dg
    import duckdb

    from pipelines.defs.assets.evm import evm_loan_events, evm_vault_prices

    from .conftest import DAY_2, pipeline_resources

    evm, vault = gpu_loans["evm"], gpu_loans["vault"]
    usdai = evm.token(vault.functions.asset().call())
    evm.at(seconds(DAY_2, 0, 30)).mint(usdai, evm.accounts[1], 1)  # a block of DAY_2: DAY_1 is complete

    def ingest() -> tuple[list, list]:
        result = dg.materialize([evm_loan_events, evm_vault_prices], resources=pipeline_resources(settings, anvil.url),
                                partition_key=DAY_1.isoformat(), instance=ephemeral_instance)
        assert result.success
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
            events = conn.execute("select event, loan_terms_hash, block_number, block_hash, tx_hash, log_index, "
                                  "principal_raw, interest_raw, collateral_status, collateral_token_id, source "
                                  "from raw.loan_events order by all").fetchall()
            prices = conn.execute("select block_day, nav_raw, deposit_share_price_raw, redemption_share_price_raw "
                                  "from raw.vault_prices").fetchall()
        return events, prices

    first = ingest()
    assert ingest() == first
    events, prices = first
    assert len(events) == len(_wire_logs(evm, gpu_loans["router_program"].address)) == 9
    assert {e[-1] for e in events} == {"local"}
    assert {(e[0], e[8]) for e in events if e[0] == "originated"} == {("originated", "stated")}
    assert all(e[8] is None and e[9] is None for e in events if e[0] != "originated")
    expected_nav = gpu_loans["deposit"] + gpu_loans["interest"] - gpu_loans["loss"]
    assert prices == [(DAY_1, expected_nav, expected_nav * UNIT // gpu_loans["deposit"],
                       expected_nav * UNIT // gpu_loans["deposit"])]


def test_a_log_that_is_no_loan_router_event_is_refused_naming_it(gpu_loans) -> None:
    evm, program = gpu_loans["evm"], gpu_loans["router_program"]
    logs = _wire_logs(evm, program.address)
    logs[1] = {**logs[1], "data": logs[1]["data"][:-2]}
    with pytest.raises(DecodeError, match=r"LoanOriginated\(bytes32,address,address,uint256,uint256\) data is not 2"):
        decode_loan_logs(logs, chain="anvil", source="local", routers={program.address: program})


# ── the demo: marts and page over the session's demo warehouse ─────────────────────

def _demo_rows(demo_data_dir, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(demo_data_dir / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_the_demos_gpu_loans_in_the_mart_add_up_to_the_raw_events(demo_data_dir) -> None:
    events = _demo_rows(demo_data_dir, "select event, loan_terms_hash, principal_raw, interest_raw, fee_raw, "
                                      "surplus_raw from raw.loan_events where network = 'usdai' and source = 'demo'")
    assert {e[0] for e in events} >= {"originated", "lender_repaid", "repaid", "liquidated", "collateral_liquidated"}
    originated = sum(int(e[2]) for e in events if e[0] == "originated")
    repaid = sum(int(e[2]) for e in events if e[0] in ("lender_repaid", "lender_liquidation_repaid"))
    interest = sum(int(e[3]) for e in events if e[0] in ("lender_repaid", "lender_liquidation_repaid"))
    fees = sum(int(e[4] or 0) for e in events if e[0] in ("originated", "repaid", "collateral_liquidated")) + sum(
        int(e[5] or 0) for e in events if e[0] == "collateral_liquidated")
    sold = {e[1] for e in events if e[0] == "collateral_liquidated"}
    written_off = sum(int(e[2]) for e in events if e[0] == "originated" and e[1] in sold) - sum(
        int(e[2]) for e in events if e[0] in ("lender_repaid", "lender_liquidation_repaid") and e[1] in sold)
    [(m_originated, m_repaid, m_interest, m_fees, m_written_off, m_defaults, last_outstanding)] = _demo_rows(
        demo_data_dir,
        "select sum(originated_raw), sum(repaid_raw), sum(interest_to_lenders_raw), sum(protocol_revenue) * 1e18, "
        "sum(written_off_raw), sum(defaults), arg_max(outstanding_raw, day) "
        "from marts.gpu_financing_daily where network = 'usdai' and source = 'demo'")
    assert (int(m_originated), int(m_repaid), int(m_interest)) == (originated, repaid, interest)
    assert m_fees == pytest.approx(fees, rel=1e-9)
    assert int(m_written_off) == written_off > 0 and m_defaults == 1
    assert int(last_outstanding) == originated - repaid - written_off


def test_the_demos_loans_carry_the_collateral_their_borrow_calls_state(demo_data_dir) -> None:
    raw = _demo_rows(demo_data_dir, "select loan_terms_hash, tx_hash, collateral_token, collateral_token_id "
                                    "from raw.loan_events where network = 'usdai' and source = 'demo' "
                                    "and event = 'originated'")
    loans = {r[0]: r[1:] for r in _demo_rows(
        demo_data_dir, "select loan_terms_hash, origination_tx, collateral_status, collateral, collateral_reason, "
                       "loan_status from marts.gpu_loans where network = 'usdai' and source = 'demo'")}
    assert len(loans) == len(raw) >= 2
    for loan_hash, tx_hash, token, token_id in raw:
        assert loans[loan_hash][:4] == (tx_hash, "stated", f"{token} #{token_id}", None)
    assert "collateral sold" in {loan[4] for loan in loans.values()}


def test_the_demos_realised_yield_is_the_share_price_growth_computed_here(demo_data_dir) -> None:
    prices = _demo_rows(demo_data_dir, "select block_day, deposit_share_price_raw from raw.vault_prices "
                                       "where network = 'usdai' and source = 'demo' order by block_day")
    assert len(prices) >= 2
    (first_day, first), (last_day, last) = prices[0], prices[-1]
    days = (last_day - first_day).days
    expected = (int(last) / int(first)) ** (365 / days) - 1
    [(realised, claimed_low, claimed_high)] = _demo_rows(
        demo_data_dir, "select realised_yield_since_start, claimed_yield_low, claimed_yield_high "
                       f"from marts.vault_yield_daily where network = 'usdai' and source = 'demo' and day = '{last_day}'")
    assert realised == pytest.approx(expected, rel=1e-9)
    assert (claimed_low, claimed_high) == (0.13, 0.17)  # USD.AI's "13-17%" (reference/network_claims.csv)
    gaib = _demo_rows(demo_data_dir, "select count(*) from marts.vault_yield_daily where network = 'gaib'")
    assert gaib[0][0] > 0  # sAID's stand-in is measured the same way, from convertToAssets


def test_the_gpu_finance_page_lists_the_systems_with_no_verified_identifiers(demo_data_dir, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from depinlens.settings import PROJECT_ROOT

    monkeypatch.setenv("DEPINLENS_SERVING", str(demo_data_dir / "serving.duckdb"))
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "app_pages" / "gpu_finance.py"), default_timeout=90).run()
    assert not app.exception, app.exception
    assert any("DEMO DATA" in w.value for w in app.warning)
    [missing] = [w.value for w in app.warning if "No verified on-chain identifiers" in w.value]
    for name in ("Berkeley Compute", "NodeGoAI", "Kaisar"):
        assert name in missing
    identifiers = next(d.value for d in app.dataframe if "pending" in d.value.columns or "Not registered, and why"
                       in d.value.columns)
    assert len(identifiers) >= 13
    [loans] = [d.value for d in app.dataframe if "collateral" in d.value.columns]
    assert len(loans) >= 2 and all(" #" in c for c in loans["collateral"])


def test_the_report_has_a_gpu_finance_section_and_lists_the_systems_with_nothing_on_chain(demo_data_dir) -> None:
    import duckdb

    from reports import gather

    with duckdb.connect(str(demo_data_dir / "serving.duckdb"), read_only=True) as conn:
        content = gather(conn)
    finance = content.tables["gpu_finance"].frame
    usdai = finance[finance["network"] == "usdai"].iloc[0]
    expected = (usdai["end_share_price"] / usdai["start_share_price"]) ** (365 / usdai["days_measured"]) - 1
    assert usdai["realised_yield"] == pytest.approx(expected, rel=1e-9)
    assert usdai["defaults"] == 1 and usdai["claimed_yield_low"] == 0.13
    loans = content.tables["gpu_loans"].frame
    assert len(loans) >= 2 and all(" #" in c for c in loans["collateral"])
    identifiers = content.tables["onchain_identifiers"].frame.set_index("network")
    for network in ("berkeley", "nodegoai", "kaisar"):
        assert identifiers.loc[network, "status"] == "no verified on-chain identifiers"
        assert identifiers.loc[network, "pending"]


def test_an_origination_whose_transaction_the_node_does_not_know_is_refused_naming_it(gpu_loans, anvil) -> None:
    from pipelines.chains.errors import MalformedResponse

    evm, program = gpu_loans["evm"], gpu_loans["router_program"]
    logs = _wire_logs(evm, program.address)
    missing = "0x" + "ab" * 32
    logs[0] = {**logs[0], "transactionHash": missing}
    with pytest.raises(MalformedResponse, match=f"no transaction {missing}, though it logged LoanOriginated"):
        _collateral_rows(anvil, program, logs)
