"""Solana ingestion end to end: LiteSVM ledger → loopback RPC → Dagster assets → DuckDB → dbt."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest

from harness.loopback import LoopbackServer, Request
from harness.solana.identities import local_mint
from harness.solana.scenarios import two_day_scenario
from harness.solana.server import SolanaRpcServer
from pipelines.defs.assets.solana import (
    SolanaResource,
    nosana_jobs,
    nosana_stakes,
    solana_resource_from_env,
    solana_token_transfers,
)
from pipelines.defs.resources import WarehouseResource
from pipelines.run import ASSET_PARTITION_RANGE_END, ASSET_PARTITION_RANGE_START
from warehouse import connect_warehouse

DAY_1 = date(2025, 6, 1)
DAY_2 = date(2025, 6, 2)
ASSETS = [solana_token_transfers, nosana_jobs, nosana_stakes]


@pytest.fixture(scope="module")
def scenario(registry):
    return two_day_scenario(registry, DAY_1)


@pytest.fixture(scope="module")
def node(scenario):
    with SolanaRpcServer(scenario.ledger) as server:
        yield server


def resources(settings, url: str | None, monkeypatch, **overrides) -> dict:
    if url is None:
        monkeypatch.delenv("DEPINLENS_RPC_SOLANA_LOCAL", raising=False)
    else:
        monkeypatch.setenv("DEPINLENS_RPC_SOLANA_LOCAL", url)
    solana = overrides.pop("solana", None) or SolanaResource(
        chains=["solana-local"], source="local", registry_path=str(settings.registry_path), max_attempts=2,
        max_wait_s=0.05, **overrides)
    return {"solana": solana,
            "warehouse": WarehouseResource(path=str(settings.warehouse_path), serving_path=str(settings.serving_path))}


def materialize(assets, res, instance, first: date, last: date) -> dg.ExecuteInProcessResult:
    tags = {ASSET_PARTITION_RANGE_START: first.isoformat(), ASSET_PARTITION_RANGE_END: last.isoformat()}
    return dg.materialize(assets, resources=res, instance=instance, raise_on_error=False, tags=tags)


def query(path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def snapshot(settings) -> list[tuple]:
    return query(settings.warehouse_path, """
        select 'transfer', tx_hash, log_index::varchar, amount_raw::varchar from raw.token_transfers
        union all select 'job', job_id, state, price::varchar from raw.jobs
        union all select 'stake', account, metric, coalesce(amount_raw::varchar, value::varchar)
                  from raw.staking_snapshots
        union all select 'cursor', chain, contract, last_block::varchar from raw.ingest_state
        order by all""")


def test_a_window_loads_exactly_the_movements_jobs_and_stakes_on_the_ledger(scenario, node, settings, monkeypatch,
                                                                             ephemeral_instance) -> None:
    result = materialize(ASSETS, resources(settings, node.url, monkeypatch), ephemeral_instance, DAY_1, DAY_2)

    assert result.success
    # Paging by mint finds every transaction that lists the mint; a lone plain `transfer` does not list it.
    keys = {r.signature: {str(k) for k in r.account_keys} for r in scenario.ledger.records}
    findable = [m for m in scenario.movements if m.mint in keys[m.signature]]
    assert [(m.kind, m.amount_raw) for m in scenario.movements if m not in findable] == [("transfer", 7 * 10**8 + 1)]
    rows = query(settings.warehouse_path, """
        select token_address, kind, from_address, to_address, amount_raw, block_number, epoch(block_time)::bigint,
               tx_hash, log_index, inner_index, source, network
        from raw.token_transfers where token_symbol in ('RENDER', 'IO') order by block_number, log_index""")
    assert rows == [(m.mint, m.kind, m.from_address, m.to_address, Decimal(m.amount_raw), m.slot, m.block_time,
                     m.signature, m.log_index, None, "local",
                     "render" if m.mint == str(local_mint("RENDER")) else "ionet")
                    for m in sorted(findable, key=lambda m: (m.slot, m.log_index))]
    assert scenario.failed[0].signature not in {r[7] for r in rows}
    deposits = query(settings.warehouse_path, f"""
        select sum(amount_raw) from raw.token_transfers
        where token_symbol = 'NOS' and to_address = '{scenario.jobs[0].market}'""")[0][0]
    assert deposits == sum(job.deposit for job in scenario.jobs)

    # Each day stores the jobs its Jobs-program transactions touched; a job touched on two days is
    # observed on both (state from the newest, the listing transaction from the day that saw it).
    jobs = query(settings.warehouse_path, """
        select job_id, arg_max(state, observed_day), arg_max(provider, observed_day), arg_max(client, observed_day),
               arg_max(market, observed_day), arg_max(price, observed_day), any_value(price_unit),
               any_value(price_denom), arg_max(epoch(started_at)::bigint, observed_day),
               arg_max(epoch(ended_at)::bigint, observed_day), max(created_height), max(closed_height),
               max(tx_hash), max(observed_day)
        from raw.jobs group by job_id order by job_id""")
    done, stopped, running = scenario.jobs
    assert jobs == sorted([
        (str(j.address), state, str(j.node), str(j.project.pubkey()), str(j.market), Decimal(j.price), "per_second",
         str(scenario.nosana.nos_mint), j.time_start, j.time_end or None, j.listed.slot,
         j.closed.slot if j.closed else None, j.listed.signature, day)
        for j, state, day in ((done, "done", DAY_1), (stopped, "stopped", DAY_2), (running, "running", DAY_2))])

    stakes = query(settings.warehouse_path, """
        select account, metric, amount_raw, value, snapshot_day from raw.staking_snapshots order by metric""")
    stake = scenario.stakes[0]
    staker = str(stake.authority.pubkey())
    assert stakes == [(staker, "stake_amount", Decimal(stake.amount), None, DAY_2),
                      (staker, "stake_duration", None, float(stake.duration), DAY_2),
                      (staker, "unstake_time", None, 0.0, DAY_2),
                      (staker, "xnos", Decimal(stake.xnos), None, DAY_2)]


def test_reingesting_a_day_adds_no_rows(node, settings, monkeypatch, ephemeral_instance) -> None:
    res = resources(settings, node.url, monkeypatch)
    exclude = "* exclude (fetched_at)"
    tables = [f"select {exclude} from raw.token_transfers order by all", f"select {exclude} from raw.jobs order by all",
              f"select {exclude} from raw.staking_snapshots order by all"]

    assert materialize(ASSETS, res, ephemeral_instance, DAY_1, DAY_2).success
    first = [query(settings.warehouse_path, sql) for sql in tables]
    assert dg.materialize(ASSETS, resources=res, instance=ephemeral_instance, partition_key=DAY_2.isoformat()).success
    assert materialize(ASSETS, res, ephemeral_instance, DAY_1, DAY_2).success

    assert all(first)
    assert [query(settings.warehouse_path, sql) for sql in tables] == first


def rewriting_proxy(upstream: str, rewrite: Callable[[str, str], str]) -> LoopbackServer:
    """A loopback proxy in front of the ledger's server; `rewrite(method, answer_text)` may alter answers."""

    def respond(request: Request) -> tuple[int, bytes]:
        call = json.loads(request.body)
        method = (call[0] if isinstance(call, list) else call)["method"]
        return 200, rewrite(method, httpx.post(upstream, content=request.body).text).encode()

    return LoopbackServer(respond, name="rewriting-proxy")


def _wrong_size_job_account(text: str) -> str:
    import base64

    answers = json.loads(text)
    answer = answers[0] if isinstance(answers, list) else answers
    account = next(a for a in answer["result"]["value"] if a is not None)
    account["data"][0] = base64.b64encode(base64.b64decode(account["data"][0])[:40]).decode()
    return json.dumps(answers)


@pytest.mark.parametrize(("method", "rewrite", "error", "message"), [
    ("getTransaction", lambda text: text[: len(text) // 2], "MalformedResponse",
     r"solana-local \(http://127\.0\.0\.1:\d+\) getTransaction batch of \d+ .*answer is not JSON"),
    ("getTransaction", lambda text: text.replace('"tokenAmount":{"amount":"', '"tokenAmount":{"amount":"x'),
     "DecodeError", r"solana-local \(http://127\.0\.0\.1:\d+\) getTransaction: .*signature \w+.*is not a u64"),
    ("getSignaturesForAddress", lambda text: text.replace('"result":[', '"result":[{"slot":"soon"},'),
     "MalformedResponse", r"getSignaturesForAddress address \w+ before head: entry #0 is not a signature record"),
    ("getMultipleAccounts", _wrong_size_job_account, "DecodeError",
     r"Nosana jobs 2025-06-02: job account \w+ .*40 bytes, the layout has 233"),
], ids=["truncated-json", "amount-not-digits", "wrong-shape", "job-account-wrong-size"])
def test_a_malformed_answer_fails_by_name_and_leaves_the_warehouse_unchanged(
        node, settings, monkeypatch, ephemeral_instance, method, rewrite, error, message) -> None:
    assert materialize(ASSETS, resources(settings, node.url, monkeypatch), ephemeral_instance, DAY_1, DAY_2).success
    before = snapshot(settings)

    with rewriting_proxy(node.url, lambda m, text: rewrite(text) if m == method else text) as proxy:
        result = materialize(ASSETS, resources(settings, proxy.url, monkeypatch), ephemeral_instance, DAY_2, DAY_2)

    assert not result.success
    failures = [e.step_failure_data.error for e in result.all_events if e.is_step_failure]
    causes = [f.cause for f in failures if f.cause is not None and f.cause.cls_name == error]
    assert causes, [f.cause.message if f.cause else f.message for f in failures]
    assert any(re.search(message, c.message) for c in causes), [c.message for c in causes]
    assert snapshot(settings) == before


def test_a_configured_chain_without_an_rpc_url_fails_naming_the_variable(settings, monkeypatch,
                                                                        ephemeral_instance) -> None:
    result = materialize([solana_token_transfers], resources(settings, None, monkeypatch), ephemeral_instance,
                         DAY_1, DAY_1)

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    assert failure.cause.cls_name == "ConfigError"
    assert "set DEPINLENS_RPC_SOLANA_LOCAL" in failure.cause.message


def test_an_empty_chain_list_reads_nothing_and_reports_zero_rows(settings, monkeypatch, ephemeral_instance) -> None:
    monkeypatch.setenv("DEPINLENS_SOLANA_CHAINS", "")
    res = resources(settings, None, monkeypatch, solana=solana_resource_from_env(settings))

    result = materialize(ASSETS, res, ephemeral_instance, DAY_1, DAY_2)

    assert result.success
    rows = {str(e.asset_key): e.materialization.metadata["rows"].value
            for e in result.get_asset_materialization_events()}
    assert rows == {str(dg.AssetKey(a.key.path)): 0 for a in ASSETS}


def test_a_stake_snapshot_is_filed_under_the_day_it_was_taken_with_its_slot_and_time(
        scenario, node, settings, monkeypatch, ephemeral_instance) -> None:
    """Stake accounts are current state: the snapshot loads whatever partition the run names, under the
    UTC day of the slot it was read at, and a second snapshot that day replaces the first."""
    res = resources(settings, node.url, monkeypatch)
    head = scenario.ledger.head

    for _ in range(2):
        assert dg.materialize([nosana_stakes], resources=res, instance=ephemeral_instance).success

    rows = query(settings.warehouse_path, """
        select distinct snapshot_day, block_number, epoch(snapshot_time)::bigint from raw.staking_snapshots""")
    assert rows == [(datetime.fromtimestamp(head.block_time, UTC).date(), head.slot, head.block_time)]
    assert query(settings.warehouse_path, "select count(*) from raw.staking_snapshots") == [
        (4 * len(scenario.stakes),)]


def test_render_burns_and_nosana_jobs_reach_dbt_models(scenario, node, settings, monkeypatch,
                                                       ephemeral_instance, tmp_path: Path) -> None:
    assert materialize(ASSETS, resources(settings, node.url, monkeypatch), ephemeral_instance, DAY_1, DAY_2).success
    dbt = Path(os.environ.get("VIRTUAL_ENV", ".venv")) / "bin" / "dbt"
    dbt = dbt if dbt.exists() else Path(__file__).resolve().parents[1] / ".venv" / "bin" / "dbt"
    project = Path(__file__).resolve().parents[1] / "dbt"

    build = subprocess.run(
        [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
         "--select", "stg_onchain__token_transfers", "token_flows_daily", "staging.solana"],
        env={**os.environ, "DEPINLENS_WAREHOUSE": str(settings.warehouse_path)}, capture_output=True, text=True,
        timeout=240)

    assert build.returncode == 0, build.stdout[-3000:]
    burned = query(settings.warehouse_path, """
        select day, burned_raw from marts.token_flows_daily where token_symbol = 'RENDER' and chain = 'solana-local'
        order by day""")
    render = str(local_mint("RENDER"))
    assert burned == [(day, Decimal(sum(m.amount_raw for m in scenario.movements
                                        if m.kind == "burn" and m.mint == render
                                        and datetime.fromtimestamp(m.block_time, UTC).date() == day)))
                      for day in (DAY_1, DAY_2)]
    assert all(amount > 0 for _, amount in burned)
    done = scenario.jobs[0]
    paid = query(settings.warehouse_path, f"""
        select payment_raw, network_fee_raw from staging.stg_solana__jobs where job_id = '{done.address}'""")
    assert paid == [(Decimal(done.price * (done.time_end - done.time_start)),
                     Decimal(done.price * (done.time_end - done.time_start) // 10))]
