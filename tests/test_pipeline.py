"""The walking skeleton end to end: anvil → Dagster ingest → dbt build → publish, all real."""

from __future__ import annotations

import json
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from pipelines.chains.errors import DecodeError, MalformedResponse
from pipelines.run import run_pipeline
from tests.conftest import DAY_1, DAY_2, LoopbackProxy, evm_only_selection, pipeline_resources, seconds


def _send_two_days_of_activity(evm, token) -> list:
    a, b, c = evm.accounts[1:4]
    return [
        evm.at(seconds(DAY_1, 9)).mint(token, a, 1_000_000 * 10**18 + 1),
        evm.at(seconds(DAY_1, 10)).transfer(token, a, b, 250_000 * 10**18),
        evm.at(seconds(DAY_1, 23, 59)).burn(token, b, 12_345_678_901_234_567_891),
        evm.at(seconds(DAY_2, 0, 1)).mint(token, c, 7),
        evm.at(seconds(DAY_2, 12)).transfer(token, a, c, 3),
        evm.at(seconds(DAY_2, 13)).burn(token, c, 5),
    ]


def _table(path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_mart_amounts_equal_exactly_what_was_sent_on_chain(local_chain, settings, ephemeral_instance) -> None:
    evm, contracts = local_chain
    sent = _send_two_days_of_activity(evm, next(iter(contracts.values())))

    result = run_pipeline(DAY_1, DAY_2, resources=pipeline_resources(settings, evm.w3.provider.endpoint_uri),
                          instance=ephemeral_instance, selection=evm_only_selection())

    assert result.success
    mart = _table(settings.serving_path, """
        select day, minted_raw, burned_raw, transferred_raw, mint_count, burn_count, transfer_count, source
        from marts.token_flows_daily order by day""")
    expected = []
    for day in (DAY_1, DAY_2):
        on_day = [s for s in sent if s.timestamp // 86_400 == seconds(day, 0) // 86_400]
        total = {k: sum(s.amount_raw for s in on_day if s.kind == k) for k in ("mint", "burn", "transfer")}
        count = {k: sum(1 for s in on_day if s.kind == k) for k in ("mint", "burn", "transfer")}
        expected.append((day, Decimal(total["mint"]), Decimal(total["burn"]), Decimal(total["transfer"]),
                         count["mint"], count["burn"], count["transfer"], "local"))
    assert mart == expected
    raw = _table(settings.warehouse_path, "select tx_hash, block_number from raw.token_transfers order by block_number")
    assert raw == [(s.tx_hash, s.block_number) for s in sent]


def test_materializing_the_same_partition_twice_leaves_identical_tables(local_chain, settings,
                                                                         ephemeral_instance) -> None:
    evm, contracts = local_chain
    _send_two_days_of_activity(evm, next(iter(contracts.values())))
    resources = pipeline_resources(settings, evm.w3.provider.endpoint_uri)
    raw_sql = "select * exclude (fetched_at) from raw.token_transfers order by chain, tx_hash, log_index"
    mart_sql = "select * from marts.token_flows_daily order by flow_key"

    first = run_pipeline(DAY_1, DAY_2, resources=resources, instance=ephemeral_instance, selection=evm_only_selection())
    assert first.success
    first_raw, first_mart = _table(settings.warehouse_path, raw_sql), _table(settings.serving_path, mart_sql)
    second = run_pipeline(DAY_2, DAY_2, resources=resources, instance=ephemeral_instance, selection=evm_only_selection())
    assert second.success
    assert run_pipeline(DAY_1, DAY_2, resources=resources, instance=ephemeral_instance, selection=evm_only_selection()).success

    assert len(first_raw) == 6
    assert _table(settings.warehouse_path, raw_sql) == first_raw
    assert _table(settings.serving_path, mart_sql) == first_mart
    # the first build made the views; the next ones left them out of dbt, said so, and ran every data test
    built, rebuilt = _dbt_step(first), _dbt_step(second)
    kept = {key for key, metadata in rebuilt[0].items() if "view kept" in str(metadata.get("dbt", ""))}
    assert len(kept) >= 30 and all(key.path[-1].startswith(("stg_", "int_")) for key in kept)
    assert set(rebuilt[0]) == set(built[0]) and not any("view kept" in str(m.get("dbt", "")) for m in built[0].values())
    assert rebuilt[1] == built[1] and len(built[1]) >= 70


def _dbt_step(result: dg.ExecuteInProcessResult) -> tuple[dict[dg.AssetKey, dict], set[dg.AssetCheckKey]]:
    """The dbt step's materialized assets with their metadata, and the run's evaluated checks (dbt's data
    tests among them)."""
    return ({e.asset_key: e.materialization.metadata for e in result.get_asset_materialization_events()
             if e.step_key == "depinlens_dbt_models"},
            {e.asset_check_key for e in result.get_asset_check_evaluations()})


def _ingest_through(proxy_url: str, settings, instance) -> dg.ExecuteInProcessResult:
    from pipelines.defs.assets.evm import evm_token_transfers

    resources = pipeline_resources(settings, proxy_url, max_attempts=2, max_wait_s=0.05)
    return dg.materialize([evm_token_transfers], resources=resources, partition_key=DAY_2.isoformat(),
                          instance=instance, raise_on_error=False)


def _warehouse_snapshot(settings) -> list[tuple]:
    return _table(settings.warehouse_path, """
        select 'row', chain, tx_hash, log_index::varchar, amount_raw::varchar from raw.token_transfers
        union all select 'cursor', chain, contract, record_kind, last_block::varchar from raw.ingest_state
        order by all""")


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (lambda rid: (200, b'{"jsonrpc":"2.0","id":' + str(rid).encode() + b',"result":[{"addr'),
         MalformedResponse, "answer is not JSON"),
        (lambda rid: (200, json.dumps({"jsonrpc": "2.0", "id": rid, "result": {"logs": []}}).encode()),
         MalformedResponse, "expected a list of logs"),
        (lambda rid: (200, json.dumps({"jsonrpc": "2.0", "id": rid, "result": [{"address": 5}]}).encode()),
         DecodeError, "field 'address' missing or not a string"),
    ],
    ids=["truncated-json", "wrong-shape", "bad-log"],
)
def test_a_malformed_get_logs_answer_names_method_and_blocks_and_leaves_the_warehouse_unchanged(
    local_chain, settings, ephemeral_instance, answer, error, message
) -> None:
    evm, contracts = local_chain
    sent = _send_two_days_of_activity(evm, next(iter(contracts.values())))
    day_2_blocks = [s.block_number for s in sent if s.timestamp >= seconds(DAY_2, 0)]
    upstream = evm.w3.provider.endpoint_uri
    assert run_pipeline(DAY_1, DAY_2, resources=pipeline_resources(settings, upstream),
                        instance=ephemeral_instance, selection=evm_only_selection()).success
    before = _warehouse_snapshot(settings)

    def break_get_logs(method: str, request: dict):
        return answer(request["id"]) if method == "eth_getLogs" else None

    with LoopbackProxy(upstream, break_get_logs) as proxy:
        result = _ingest_through(proxy.url, settings, ephemeral_instance)

    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    cause = failure.cause
    assert cause is not None and cause.cls_name == error.__name__
    assert "eth_getLogs" in cause.message and f"blocks {day_2_blocks[0]}-{day_2_blocks[-1]}" in cause.message and message in cause.message
    assert _warehouse_snapshot(settings) == before
