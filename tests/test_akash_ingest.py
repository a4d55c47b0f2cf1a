"""Akash ingestion end to end: a loopback node serving the exact REST JSON -> Dagster assets -> DuckDB -> dbt."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import dagster as dg
import duckdb
import pytest

from depinlens.settings import DBT_PROJECT_DIR
from harness.akash import AkashRestServer, generate_ledger
from harness.akash.ledger import GPU_CATALOG, AkashLedger
from pipelines.chains.cosmos import price_per_hour
from pipelines.reference import canonical_gpu_model
from warehouse import connect_warehouse

DAYS = (date(2025, 6, 1), date(2025, 6, 2), date(2025, 6, 3))
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


@pytest.fixture(scope="module")
def ledger() -> AkashLedger:
    return generate_ledger(DAYS[0], DAYS[-1], seed=11)


@pytest.fixture
def node(ledger, monkeypatch) -> Iterator[AkashRestServer]:
    with AkashRestServer(ledger) as server:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", server.url)
        yield server


def _resources(settings, **akash) -> dict:
    from pipelines.defs.assets.akash import AkashResource
    from pipelines.defs.resources import WarehouseResource

    # the loopback chain is small: read its closed leases too (as the demo does), unless a test says otherwise
    options = {"chains": ["akash-local"], "source": "local", "max_attempts": 3, "max_wait_s": 0.01, "page_limit": 5,
               "scan_closed": True, **akash}
    return {"warehouse": WarehouseResource(path=str(settings.warehouse_path), serving_path=str(settings.serving_path)),
            "akash": AkashResource(registry_path=str(settings.registry_path), **options)}


def _ingest(settings, instance, first: date, last: date, *, staking: bool = True, **akash) -> dg.ExecuteInProcessResult:
    from pipelines.defs.assets.akash import akash_leases, akash_staking

    assets = [akash_leases, akash_staking] if staking else [akash_leases]
    return dg.materialize(assets, resources=_resources(settings, **akash), instance=instance,
                          tags={RANGE_START: first.isoformat(), RANGE_END: last.isoformat()}, raise_on_error=False)


def _rows(settings, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _expected_model(ledger: AkashLedger, lease) -> str | None:
    """What the adapter can know: the group's model, else the provider's only one."""
    group = next(g for g in ledger.deployments[(lease.owner, lease.dseq)].groups if g.gseq == lease.gseq)
    if not group.gpu_units:
        return None
    provider = next(p for p in ledger.providers if p.address == lease.provider)
    models = group.models or (provider.gpus if len(provider.gpus) == 1 else ())
    if len(models) != 1:
        return None
    ram, interface, _ = GPU_CATALOG[models[0]]
    return canonical_gpu_model(models[0], hint=f"ram {ram} interface {interface}")


def _build_akash_staging(settings) -> None:
    """`dbt build --select staging.akash` on the test's warehouse (the venv's dbt)."""
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "dbt"), "build", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--select", "staging.akash"],
        env={**os.environ, "DEPINLENS_WAREHOUSE": str(settings.warehouse_path)}, capture_output=True, text=True,
        timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]


LEASE_SQL = """select job_id, client, provider, state, price, price_denom, price_unit, created_height, closed_height,
                      started_at, ended_at, observed_day, gpu_count, gpu_model, network, chain, source
               from raw.jobs order by job_id"""


def _observations(ledger: AkashLedger, days) -> list[tuple]:
    """What raw.jobs must hold: each lease once per day it ran, with the chain's heights and header times."""
    timing = ledger.timing
    return sorted(
        (lease.job_id, lease.owner, lease.provider, lease.state, lease.price, lease.denom, "per_block",
         lease.created_height, lease.closed_height or None, timing.time_of(lease.created_height),
         timing.time_of(lease.closed_height) if lease.closed_height else None, day, lease.gpu_count,
         _expected_model(ledger, lease), "akash", "akash-local", "local")
        for day in days for lease in ledger.leases_active_on(day, day))


def test_leases_running_on_each_day_land_in_raw_jobs_once_per_day_exactly_as_the_node_holds_them(
        ledger, node, settings, ephemeral_instance) -> None:
    result = _ingest(settings, ephemeral_instance, DAYS[0], DAYS[1])

    assert result.success
    assert len(ledger.leases_created_on(DAYS[0], DAYS[1])) >= 10
    assert len(ledger.leases) > len(ledger.leases_active_on(DAYS[0], DAYS[1]))  # day 3's leases are left out
    assert _rows(settings, LEASE_SQL.replace("order by job_id", "order by all")) == _observations(ledger, DAYS[:2])
    assert {r[0] for r in _rows(settings, "select gpu_model from raw.jobs")} > {None}  # models were resolved
    timing = ledger.timing
    cursor = _rows(settings, "select last_block, last_day from raw.ingest_state where record_kind = 'akash_lease'")
    assert cursor == [(timing.height_at(timing.genesis + timedelta(days=3)) - 1, DAYS[1])]
    listed = [q for path, q in node.requests if path.endswith("/leases/list")]
    assert {q.get("filters.state") for q in listed} == {"active", "insufficient_funds", "closed"}
    assert all(q.get("pagination.key") is None for q in listed[:1])  # each state paged from its first page on
    measured = _rows(settings, """select day, last_block - first_block + 1,
                                  epoch(last_block_time - first_block_time) / (last_block - first_block)
                                  from raw.block_days where chain = 'akash-local' order by day""")
    assert [d for d, _, _ in measured] == list(DAYS[:2])
    assert all(blocks > 13_000 and 6.0 < seconds < 6.3 for _, blocks, seconds in measured)  # measured, not assumed


def test_without_a_history_scan_a_run_lists_only_running_leases_and_reads_the_close_of_those_it_saw_open(
        ledger, settings, ephemeral_instance, monkeypatch) -> None:
    """Day 1's run sees the leases running at its end; day 2's run finds which of them closed since
    (leases/info, one call each) without listing any closed lease."""
    timing = ledger.timing
    end_of = {day: timing.height_at(timing.genesis + timedelta(days=(day - DAYS[0]).days + 2)) for day in DAYS}
    with AkashRestServer(ledger, head=end_of[DAYS[0]] + 600) as day_one:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", day_one.url)
        assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[0], staking=False, scan_closed=False).success
    with AkashRestServer(ledger, head=end_of[DAYS[1]] + 600) as day_two:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", day_two.url)
        result = _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1], staking=False, scan_closed=False)
    assert result.success

    listed_states = {q.get("filters.state") for path, q in day_two.requests if path.endswith("/leases/list")}
    assert listed_states == {"active"}  # never a history scan
    open_after_day_one = {lease.job_id for lease in ledger.leases
                          if lease.created_height <= end_of[DAYS[0]] + 600
                          and not (lease.closed_height and lease.closed_height <= end_of[DAYS[0]] + 600)}
    closed_since = {lease.job_id for lease in ledger.leases if lease.job_id in open_after_day_one
                    and lease.closed_height and lease.closed_height <= end_of[DAYS[1]] + 600}
    asked = {"/".join(q[f"id.{k}"] for k in ("owner", "dseq", "gseq", "oseq", "provider"))
             for path, q in day_two.requests if path.endswith("/leases/info")}
    assert closed_since and asked == closed_since
    day_two_rows = dict(_rows(settings, "select job_id, closed_height from raw.jobs where observed_day = '2025-06-02'"))
    # visible on day 2: what was open at day 1's run (its close, or running out of funds, read since), and
    # what is running now;
    # a lease opened and closed between the two runs is never seen without a history scan
    seen_by_now = {lease.job_id: lease for lease in ledger.leases_active_on(DAYS[1], DAYS[1])
                   if lease.created_height <= end_of[DAYS[1]] + 600 and (
                       lease.job_id in open_after_day_one
                       or not lease.closed_height or lease.closed_height > end_of[DAYS[1]] + 600)}
    assert set(day_two_rows) == set(seen_by_now)
    assert all(day_two_rows[job] == (lease.closed_height if lease.closed_height and lease.closed_height
                                     <= end_of[DAYS[1]] + 600 else None) for job, lease in seen_by_now.items())


def test_a_finished_day_is_not_read_again_unless_refreshed_and_a_refresh_changes_nothing(
        ledger, node, settings, ephemeral_instance) -> None:
    sql = "select * exclude (fetched_at) from raw.jobs order by all"
    staking_sql = "select * exclude (fetched_at) from raw.staking_snapshots order by all"
    assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[2]).success
    first, first_staking = _rows(settings, sql), _rows(settings, staking_sql)
    asked = len(node.requests)

    assert _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1]).success
    assert len(node.requests) == asked  # every day of the window is finished: no request at all
    assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[2], refresh=True).success
    assert len(node.requests) > asked

    assert _rows(settings, LEASE_SQL.replace("order by job_id", "order by all")) == _observations(ledger, DAYS)
    assert _rows(settings, sql) == first
    assert _rows(settings, staking_sql) == first_staking


def test_a_node_without_v1beta5_is_read_through_v1beta4_with_the_same_rows(ledger, settings, ephemeral_instance,
                                                                          monkeypatch) -> None:
    sql = "select * exclude (fetched_at) from raw.jobs order by all"
    with AkashRestServer(ledger, api="v1beta5") as new:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", new.url)
        assert _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1]).success
    via_v1beta5 = _rows(settings, sql)
    with AkashRestServer(ledger, api="v1beta4") as old:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", old.url)
        result = _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1], refresh=True)
    assert result.success
    assert ("/akash/market/v1beta5/leases/list" in {p for p, _ in old.requests}
            and "/akash/market/v1beta4/leases/list" in {p for p, _ in old.requests})
    metadata = result.asset_materializations_for_node("raw__akash_leases")[0].metadata
    assert metadata["per_chain"].data["akash-local"]["market_api"] == "v1beta4"
    assert len(via_v1beta5) > 0 and _rows(settings, sql) == via_v1beta5


def test_rate_limits_and_server_errors_are_retried_until_the_node_answers(ledger, settings, ephemeral_instance,
                                                                         monkeypatch) -> None:
    failures = {"/akash/market/v1beta5/leases/list": [(429, b'{"code":8,"message":"rate limited"}')],
                "/cosmos/base/tendermint/v1beta1/blocks/latest": [(503, b"upstream unavailable")],
                "/cosmos/staking/v1beta1/pool": [(500, b'{"code":13,"message":"busy"}')]}

    def flaky(path, query, headers):
        queue = failures.get(path)
        return queue.pop(0) if queue else None

    with AkashRestServer(ledger, intercept=flaky) as server:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", server.url)
        result = _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1])
    assert result.success
    assert all(not queue for queue in failures.values())  # each failure was served, then retried
    assert _rows(settings, "select count(*) from raw.jobs")[0][0] == len(ledger.leases_active_on(DAYS[1], DAYS[1]))


def test_a_lease_still_open_is_observed_again_by_later_days_and_the_newest_observation_wins(
        ledger, node, settings, ephemeral_instance) -> None:
    """Day by day, as the schedule runs: a lease created on day 1 and running into day 2 is read
    again on day 2; the staging model keeps one row per lease, its newest."""
    assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[0], staking=False).success
    assert _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1], staking=False).success
    carried = {lease.job_id for lease in ledger.leases_created_on(DAYS[0], DAYS[0])} & \
        {lease.job_id for lease in ledger.leases_active_on(DAYS[1], DAYS[1])}
    assert carried  # the ledger has leases that run past midnight
    observations = _rows(settings, "select job_id, list(observed_day order by observed_day) from raw.jobs group by 1")
    assert {job for job, days in observations if days == [DAYS[0], DAYS[1]]} == carried
    assert {job for job, days in observations if len(days) == 1} == (
        {lease.job_id for lease in ledger.leases_active_on(DAYS[0], DAYS[1])} - carried)

    _build_akash_staging(settings)
    staged = _rows(settings, "select job_id, fetched_at from staging.stg_akash__leases")
    newest = dict(_rows(settings, "select job_id, max(fetched_at) from raw.jobs group by 1"))
    assert len(staged) == len(newest) and all(newest[job] == fetched for job, fetched in staged)


def _snapshot(settings) -> list[tuple]:
    return _rows(settings, """
        select 'job', job_id, state, price::varchar from raw.jobs
        union all select 'stake', metric, snapshot_day::varchar, coalesce(amount_raw::varchar, value::varchar)
        from raw.staking_snapshots
        union all select 'cursor', contract, record_kind, last_block::varchar from raw.ingest_state
        order by all""")


def _failure(result: dg.ExecuteInProcessResult):
    event = next(e for e in result.all_events if e.is_step_failure)
    return event.step_failure_data.error.cause or event.step_failure_data.error


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (lambda body: re.sub(rb'("price": \{"denom": "u[a-z]+", "amount": ")', rb"\1x", body, count=1),
         "DecodeError", "v1beta5 active leases page 0"),
        (lambda body: body[: len(body) // 2], "MalformedResponse", "answer is not JSON"),
        (lambda body: b'{"pagination": {"next_key": null}}', "MalformedResponse", "answer has no 'leases' list"),
    ],
    ids=["bad-price", "truncated-json", "wrong-shape"],
)
def test_a_malformed_lease_answer_fails_naming_what_and_leaves_the_warehouse_unchanged(
        ledger, settings, ephemeral_instance, monkeypatch, answer, error, message) -> None:
    with AkashRestServer(ledger) as good:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", good.url)
        assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[2]).success
        before = _snapshot(settings)

        def broken(path, query, headers):
            if path.endswith("/leases/list"):
                status, body = good.answer(path, query, headers)
                return status, answer(json.dumps(body).encode())
            return None

        with AkashRestServer(ledger, intercept=broken) as bad:
            monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", bad.url)
            result = _ingest(settings, ephemeral_instance, DAYS[1], DAYS[1], staking=False, refresh=True)

    assert not result.success
    cause = _failure(result)
    assert cause.cls_name == error and message in cause.message and "akash-local" in cause.message
    assert _snapshot(settings) == before


def test_staking_state_is_read_at_the_last_block_of_each_day(ledger, node, settings, ephemeral_instance) -> None:
    assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[2]).success

    rows = _rows(settings, "select snapshot_day, block_number, metric, amount_raw, value from raw.staking_snapshots")
    timing, curve = ledger.timing, ledger.staking
    for day in DAYS:
        last = timing.height_at(timing.genesis + timedelta(days=(day - DAYS[0]).days + 2)) - 1
        assert timing.time_of(last).date() == day and timing.time_of(last + 1).date() == day + timedelta(days=1)
        state = curve.state(last)
        got = {metric: (height, amount, value) for d, height, metric, amount, value in rows if d == day}
        assert got["bonded_tokens"] == (last, Decimal(state["bonded"]), None)
        assert got["total_supply"] == (last, Decimal(state["supply"]), None)
        assert got["inflation"][2] == pytest.approx(float(state["inflation"]))
        assert got["community_tax"][2] == pytest.approx(0.02)
    assert len({h for _, h, _, _, _ in rows}) == 3


def test_with_no_akash_chains_configured_nothing_is_written(node, settings, ephemeral_instance) -> None:
    connect_warehouse(settings.warehouse_path).close()
    result = _ingest(settings, ephemeral_instance, DAYS[0], DAYS[0], chains=[])
    assert result.success
    assert _rows(settings, "select count(*) from raw.jobs union all select count(*) from raw.staking_snapshots") == [
        (0,), (0,)]
    assert node.requests == []


def test_a_missing_rest_url_names_the_variable_to_set(settings, ephemeral_instance, monkeypatch) -> None:
    monkeypatch.delenv("DEPINLENS_REST_AKASH_LOCAL", raising=False)
    result = _ingest(settings, ephemeral_instance, DAYS[0], DAYS[0])
    assert not result.success
    cause = _failure(result)
    assert cause.cls_name == "ConfigError" and "set DEPINLENS_REST_AKASH_LOCAL" in cause.message


def test_the_staging_model_prices_leases_per_hour_like_the_adapter(ledger, node, settings, ephemeral_instance) -> None:
    assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[1]).success
    _build_akash_staging(settings)
    rows = _rows(settings, "select job_id, price_per_block, price_per_hour, gpu_count, price_per_gpu_hour, "
                           "hours_leased from staging.stg_akash__leases")
    assert len(rows) == len(ledger.leases_active_on(DAYS[0], DAYS[1]))
    for _, per_block, per_hour, gpus, per_gpu_hour, hours in rows:
        assert per_hour == pytest.approx(float(price_per_hour(per_block)), rel=1e-12)
        assert per_gpu_hour == (pytest.approx(per_hour / gpus) if gpus else None)
        assert hours is None or hours > 0


AUDITS = "/akash/audit/v1/audit/attributes/list"


def test_each_provider_seen_is_stored_audited_by_its_auditor_or_not_audited_from_one_audit_list_a_run(
        ledger, node, settings, ephemeral_instance) -> None:
    assert _ingest(settings, ephemeral_instance, DAYS[0], DAYS[1], staking=False).success

    seen = {p for (p,) in _rows(settings, "select distinct provider from raw.jobs")}
    stored = _rows(settings, "select provider, auditor, attributes, block_number, observed_day from raw.provider_audits")
    auditors = {p.address: p.auditor for p in ledger.providers}
    # every provider of the leases the run read (those running in the window among them), with the ledger's auditor
    assert {p for p, *_ in stored} >= seen and len(stored) == len({p for p, *_ in stored})
    assert all(a == auditors[p] for p, a, *_ in stored)
    assert {a is None for _, a, *_ in stored} == {True, False}  # the demo ledger audits some providers, not all
    assert all(json.loads(attributes) for _, a, attributes, *_ in stored if a)  # the signed attributes are kept
    assert len({(block, day) for *_, block, day in stored}) == 1  # one read, at the latest block
    audited = sum(1 for p in ledger.providers if p.auditor)
    pages = -(-audited // 5)  # page_limit 5: the list's pages, however many leases the run read
    assert [path for path, _ in node.requests].count(AUDITS) == pages


def test_a_node_without_the_audit_module_stores_no_audit_rather_than_not_audited(
        ledger, settings, ephemeral_instance, monkeypatch) -> None:
    def no_audit_module(path, query, headers):
        return (501, b'{"code": 12, "message": "Not Implemented", "details": []}') if path == AUDITS else None

    with AkashRestServer(ledger, intercept=no_audit_module) as server:
        monkeypatch.setenv("DEPINLENS_REST_AKASH_LOCAL", server.url)
        result = _ingest(settings, ephemeral_instance, DAYS[0], DAYS[0], staking=False)
    assert result.success
    assert _rows(settings, "select count(*) from raw.jobs")[0][0] > 0
    assert _rows(settings, "select count(*) from raw.provider_audits") == [(0,)]
