"""EVM ingestion under the way real providers behave: faults, reorgs, kills, malformed logs."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal

import dagster as dg
import duckdb
import httpx
import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from depinlens.settings import PROJECT_ROOT
from pipelines.chains.errors import DecodeError
from pipelines.http import Budget
from pipelines.chains.evm import decode_transfer_logs
from tests.conftest import DAY_1, DAY_2, LoopbackProxy, pipeline_resources, seconds


def _activity(evm, token, day, n: int, salt: int = 0) -> list:
    a, b = evm.accounts[1], evm.accounts[2]
    sent = [evm.at(seconds(day, 1)).mint(token, a, 10**24 + salt)]
    for k in range(n):
        sent.append(evm.at(seconds(day, 2, k)).transfer(token, a, b, 1000 + k + salt))
    sent.append(evm.at(seconds(day, 22)).burn(token, b, 7 + salt))
    return sent


def _ingest(settings, rpc_url, instance, day=DAY_2, **overrides) -> dg.ExecuteInProcessResult:
    from pipelines.defs.assets.evm import evm_token_transfers

    return dg.materialize([evm_token_transfers], resources=pipeline_resources(settings, rpc_url, **overrides),
                          partition_key=day.isoformat(), instance=instance, raise_on_error=False)


def _rows(settings) -> list[tuple]:
    if not settings.warehouse_path.exists():
        return []
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return conn.execute("select tx_hash, log_index, kind, amount_raw from raw.token_transfers "
                            "order by block_number, log_index").fetchall()
    finally:
        conn.close()


def _expected(sent) -> list[tuple]:
    return [(s.tx_hash, 0, s.kind, Decimal(s.amount_raw)) for s in sent]


def test_ingestion_rides_out_429s_500s_dropped_connections_timeouts_and_truncated_json(
        local_chain, settings, ephemeral_instance) -> None:
    evm, contracts = local_chain
    sent = _activity(evm, next(iter(contracts.values())), DAY_2, 5)
    faults = iter(["429", "500", "drop", "slow", "truncate", "429"])

    def flaky(method: str, request: dict):
        fault = next(faults, None) if method in ("eth_getLogs", "eth_getBlockByNumber") else None
        if fault == "429":
            return 429, b"rate limited"
        if fault == "500":
            return 500, b"upstream error"
        if fault == "drop":
            return "drop"
        if fault == "slow":
            time.sleep(1.5)
            return None
        if fault == "truncate":
            return 200, b'{"jsonrpc":"2.0","id":1,"result":[{"addr'
        return None

    with LoopbackProxy(evm.w3.provider.endpoint_uri, flaky) as proxy:
        result = _ingest(settings, proxy.url, ephemeral_instance, timeout_s=0.5, max_attempts=8, max_wait_s=0.05)

    assert result.success
    assert next(faults, "all used") == "all used"
    assert _rows(settings) == _expected(sent)


def test_a_provider_that_keeps_answering_429_stops_with_a_clear_error_and_no_rows(
        local_chain, settings, ephemeral_instance) -> None:
    evm, contracts = local_chain
    _activity(evm, next(iter(contracts.values())), DAY_2, 2)

    with LoopbackProxy(evm.w3.provider.endpoint_uri, lambda m, r: (429, b"slow down") if m == "eth_getLogs" else None) as proxy:
        result = _ingest(settings, proxy.url, ephemeral_instance, max_wait_s=0.01, budget="max_throttle_s=1")

    assert not result.success
    error = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.cause
    assert error.cls_name == "RateLimited" and "eth_getLogs" in error.message and "HTTP 429" in error.message
    assert _rows(settings) == []


def test_block_chunks_and_block_times_are_read_concurrently_within_the_bound(
        local_chain, settings, ephemeral_instance) -> None:
    """A provider whose logs lack blockTimestamp (most do): block times are fetched per block,
    several at once but never more than `max_concurrency`, and every row gets its block's time."""
    evm, contracts = local_chain
    sent = _activity(evm, next(iter(contracts.values())), DAY_2, 6)
    upstream = evm.w3.provider.endpoint_uri
    lock, in_flight, most = threading.Lock(), [0], [0]

    def unstamped_and_slow(method: str, request: dict):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            time.sleep(0.2)
            answer = httpx.post(upstream, json=request).json()
            if method == "eth_getLogs":
                for log in answer["result"]:
                    log.pop("blockTimestamp", None)
            return 200, json.dumps(answer).encode()
        finally:
            with lock:
                in_flight[0] -= 1

    with LoopbackProxy(upstream, unstamped_and_slow) as proxy:
        result = _ingest(settings, proxy.url, ephemeral_instance, budget="concurrency=3", chunk_blocks=2)

    assert result.success
    assert most[0] == 3  # concurrent, and bounded
    assert proxy.methods.count("eth_getLogs") >= 4  # the day's blocks were read in several chunks
    assert _rows(settings) == _expected(sent)
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        stored = conn.execute("select block_number, epoch(block_time)::bigint from raw.token_transfers").fetchall()
    finally:
        conn.close()
    assert stored and all(evm.w3.eth.get_block(number)["timestamp"] == time_s for number, time_s in stored)


def test_concurrent_work_keeps_the_items_order_and_raises_the_first_failure() -> None:
    from pipelines.chains.evm._client import EvmClient

    client = EvmClient("anvil", "http://127.0.0.1:9", budget=Budget(concurrency=4))  # no request is made
    assert client.map_concurrently(lambda i: (time.sleep(0.01 * (5 - i)), i * i)[1], range(6)) == [0, 1, 4, 9, 16, 25]
    started: list[int] = []

    def fail_at_two(i: int) -> int:
        started.append(i)
        if i == 2:
            raise DecodeError("item 2 is bad")
        time.sleep(0.05)
        return i

    with pytest.raises(DecodeError, match="item 2 is bad"):
        client.map_concurrently(fail_at_two, range(200))
    assert len(started) < 200  # the items not yet started were cancelled


def test_after_a_reorg_reingesting_the_day_matches_the_new_canonical_chain(
        local_chain, settings, ephemeral_instance) -> None:
    evm, contracts = local_chain
    token = next(iter(contracts.values()))
    _activity(evm, token, DAY_1, 1)
    fork_point = evm.w3.provider.make_request("evm_snapshot", [])["result"]
    orphaned = _activity(evm, token, DAY_2, 3)
    assert _ingest(settings, evm.w3.provider.endpoint_uri, ephemeral_instance).success
    assert _rows(settings) == _expected(orphaned)

    assert evm.w3.provider.make_request("evm_revert", [fork_point])["result"] is True
    canonical = _activity(evm, token, DAY_2, 2, salt=99)
    assert _ingest(settings, evm.w3.provider.endpoint_uri, ephemeral_instance).success

    assert _rows(settings) == _expected(canonical)
    assert {r[0] for r in _rows(settings)}.isdisjoint({s.tx_hash for s in orphaned})


KILLABLE_RUN = """
import sys, dagster as dg
from tests.conftest import pipeline_resources
from depinlens.settings import Settings
from pipelines.defs.assets.evm import evm_token_transfers
dg.materialize([evm_token_transfers], resources=pipeline_resources(Settings.from_env(), sys.argv[1]),
               partition_key=sys.argv[2], instance=dg.DagsterInstance.ephemeral())
print("finished")
"""


@pytest.mark.parametrize("kill_after_s", [0.8, 2.5])
def test_killing_ingestion_at_any_moment_then_rerunning_loses_and_duplicates_nothing(
        local_chain, settings, ephemeral_instance, kill_after_s) -> None:
    evm, contracts = local_chain
    sent = _activity(evm, next(iter(contracts.values())), DAY_2, 6)

    def slow(method: str, request: dict):
        time.sleep(0.05)
        return None

    with LoopbackProxy(evm.w3.provider.endpoint_uri, slow) as proxy:
        run = subprocess.Popen([sys.executable, "-c", KILLABLE_RUN, proxy.url, DAY_2.isoformat()],
                               cwd=PROJECT_ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(kill_after_s)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)

    partial = _rows(settings)
    assert partial in ([], _expected(sent))  # all of the partition or none of it, never a part
    assert _ingest(settings, evm.w3.provider.endpoint_uri, ephemeral_instance).success
    assert _rows(settings) == _expected(sent)


# ── property: malformed logs give a typed error naming the log, never a crash or a wrong row ──

FIELDS = ["address", "topics", "data", "blockNumber", "blockHash", "transactionHash", "logIndex", "blockTimestamp"]
junk = st.one_of(st.none(), st.integers(), st.text(max_size=70), st.lists(st.text(max_size=66), max_size=4),
                 st.from_regex(r"0x[0-9a-fA-F]{0,70}", fullmatch=True), st.dictionaries(st.text(max_size=3), st.integers()))


@pytest.fixture(scope="module")
def valid_logs() -> list[dict]:
    from benchmarks._synthetic import transfer_log

    return [transfer_log(i) for i in range(6)]


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_logs_raise_a_decode_error_naming_the_log_or_decode_exactly(valid_logs, registry, data) -> None:
    logs = copy.deepcopy(valid_logs)
    victim = data.draw(st.integers(0, len(logs) - 1))
    field = data.draw(st.sampled_from(FIELDS))
    action = data.draw(st.sampled_from(["replace", "delete", "whole-log"]))
    if action == "delete":
        del logs[victim][field]
    elif action == "whole-log":
        logs[victim] = data.draw(junk)
    else:
        logs[victim][field] = data.draw(junk)
    tokens = {t.address: t for t in registry.tokens_on("anvil")}

    try:
        table = decode_transfer_logs(logs, chain="anvil", source="local", tokens=tokens, block_times={})
    except DecodeError as exc:
        assert f"log #{victim}" in str(exc)
        return
    # the mutation happened to leave a valid log: every row must then say exactly what its log says
    for row, log in zip(table.to_pylist(), logs, strict=True):
        assert row["amount_raw"] == Decimal(int(log["data"], 16))
        assert row["from_address"] == "0x" + log["topics"][1][-40:].lower()
        assert row["to_address"] == "0x" + log["topics"][2][-40:].lower()
        assert row["block_number"] == int(log["blockNumber"], 16)
        assert row["tx_hash"] == log["transactionHash"].lower()


def test_day_end_readers_ask_nothing_of_a_chain_with_nothing_registered_for_them(settings, ephemeral_instance,
                                                                                monkeypatch) -> None:
    """Base has tokens but no vault and no staking holder in the registry: those assets make no request."""
    from harness.loopback import LoopbackServer
    from pipelines.defs.assets.evm import evm_holder_balances, evm_vault_snapshots

    seen = []
    with LoopbackServer(lambda request: (seen.append(request.body), (500, b"{}"))[1]) as node:
        monkeypatch.setenv("DEPINLENS_RPC_BASE", node.url)
        from pipelines.defs.resources import EvmResource

        resources = {**pipeline_resources(settings, node.url),
                     "evm": EvmResource(chains=["base"], source="local", registry_path=str(settings.registry_path))}
        result = dg.materialize([evm_vault_snapshots, evm_holder_balances], resources=resources,
                                partition_key=DAY_2.isoformat(), instance=ephemeral_instance)
    assert result.success
    assert seen == []
