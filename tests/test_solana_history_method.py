"""Solana account histories through Helius' getTransactionsForAddress (DEPINLENS_HISTORY_SOLANA): the same
rows as getSignaturesForAddress + getTransaction, for a call per 100 transactions instead of one each.

Everything runs against the mainnet-shaped Solana provider (harness/mainnet) serving the registry's real
addresses on 127.0.0.1, built with Helius' method (or without it, as a standard node is), behind request
windows shrunk to 0.2 s with their per-method and overall caps kept.
"""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import httpx
import orjson
import pytest

from depinlens.failures import chain_of_error_info, one_line
from depinlens.settings import PROJECT_ROOT
from harness.loopback import LoopbackServer, Request
from harness.mainnet import UNLIMITED, Limits, SolanaMainnet
from harness.mainnet._seeded import day_start
from harness.mainnet.fleet import Fleet, FleetLimits, mainnet_fleet
from harness.mainnet.volumes import AkashVolumes, EvmVolumes, SolanaVolumes, Volumes
from pipelines.defs.assets.solana import SolanaResource, nosana_jobs, solana_token_transfers
from pipelines.defs.resources import WarehouseResource
from pipelines.run import ASSET_PARTITION_RANGE_END, ASSET_PARTITION_RANGE_START
from tests._live_run import early_exit_report

FIRST = date(2025, 5, 1)
LAST = FIRST + timedelta(days=5)
# Render's burn wallet makes 265 transactions a day here (3 pages of 100), the IO mint 150, Nosana's Jobs
# program about 30; some fail (listed, not decoded)
VOLUMES = Volumes(
    evm=EvmVolumes(transfers_per_day=4, mints_per_day=1, burns_per_day=1, holder_transfers_per_day=1,
                   vault_deposits_per_day=1, vault_withdrawals_per_day=1),
    solana=SolanaVolumes(mint_signatures_per_day=150, burns_per_day=230, incoming_per_day=35,
                         job_transactions_per_day=30, stake_accounts=10, failed_fraction=0.05),
    akash=AkashVolumes(active_leases=4, leases_created_per_day=1, leases_closed_per_day=1, providers=2,
                       closed_history=2),
)
LIMITS = FleetLimits(window_s=0.2)
HELIUS = "getTransactionsForAddress"
ASSETS = [solana_token_transfers, nosana_jobs]
TABLES = ("token_transfers", "jobs", "ingest_days", "ingest_state")


def _days() -> list[date]:
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


def _resources(data_dir: Path) -> dict[str, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return {"solana": SolanaResource(chains=["solana"], registry_path=str(PROJECT_ROOT / "networks.toml"),
                                     max_attempts=2, max_wait_s=0.05),
            "warehouse": WarehouseResource(path=str(data_dir / "warehouse.duckdb"),
                                           serving_path=str(data_dir / "serving.duckdb"))}


def _ingest(data_dir: Path, env: dict[str, str], history: str | None) -> dg.ExecuteInProcessResult:
    """The Solana token-transfer and Nosana-jobs assets over FIRST..LAST, in this process."""
    tags = {ASSET_PARTITION_RANGE_START: FIRST.isoformat(), ASSET_PARTITION_RANGE_END: LAST.isoformat()}
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        for name, value in env.items():
            patch.setenv(name, value)
        if history is None:
            patch.delenv("DEPINLENS_HISTORY_SOLANA", raising=False)
        else:
            patch.setenv("DEPINLENS_HISTORY_SOLANA", history)
        return dg.materialize(ASSETS, resources=_resources(data_dir), instance=instance, raise_on_error=False,
                              tags=tags)


def _query(data_dir: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _raw(data_dir: Path) -> dict[str, list[tuple]]:
    """The tables the Solana readers write, without the columns that say when they were written."""
    return {table: _query(data_dir, f"select * exclude ({'updated_at' if table == 'ingest_state' else 'fetched_at'}) "
                                    f"from raw.{table} order by all") for table in TABLES}


def _calls(fleet: Fleet) -> dict[str, int]:
    return dict(fleet.solana.stats().calls)


def _spent(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {method: n - before.get(method, 0) for method, n in after.items() if n - before.get(method, 0)}


@pytest.fixture(scope="module")
def fleet(registry) -> Any:
    """Providers for the registry's mainnet networks; the Solana one offers Helius' method."""
    with mainnet_fleet(registry, FIRST, LAST, volumes=VOLUMES, limits=LIMITS,
                       solana={"get_transactions_for_address": True}) as running:
        yield running


@pytest.fixture(scope="module")
def env(fleet: Fleet) -> dict[str, str]:
    return {**fleet.env(), "DEPINLENS_EVM_CHAINS": "", "DEPINLENS_AKASH_CHAINS": ""}


@pytest.fixture(scope="module")
def standard(fleet: Fleet, env: dict[str, str], tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The window read through the standard methods: its warehouse and the calls it cost."""
    data_dir = tmp_path_factory.mktemp("standard")
    before = _calls(fleet)
    assert _ingest(data_dir, env, None).success
    return data_dir, _spent(before, _calls(fleet))


@pytest.fixture(scope="module")
def helius(fleet: Fleet, env: dict[str, str], standard, tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The same window read through getTransactionsForAddress."""
    data_dir = tmp_path_factory.mktemp("helius")
    before = _calls(fleet)
    assert _ingest(data_dir, env, HELIUS).success
    return data_dir, _spent(before, _calls(fleet))


def _accounts(registry) -> list[str]:
    """The accounts the two assets page: the token signals' accounts and the Jobs program."""
    signals = [g.account for g in registry.signals_on("solana") if g.token]
    return sorted({*signals, *(p.address for p in registry.programs_on("solana", kind="jobs"))})


# == the pipeline ==================================================================================================

def test_a_window_read_through_get_transactions_for_address_loads_the_rows_the_standard_methods_load(
        standard, helius, fleet: Fleet, registry) -> None:
    reference, through_helius = _raw(standard[0]), _raw(helius[0])

    assert through_helius == reference
    assert all(reference.values()), {table: len(rows) for table, rows in reference.items()}
    # every day of every paged account is finished, counting the failed transactions it listed
    listed = dict(_query(helius[0], "select scope, sum(row_count) from raw.ingest_days "
                                    "where record_kind in ('spl_signatures', 'nosana_job_instructions') "
                                    "and complete group by scope"))
    assert listed == {a: sum(len(fleet.solana.signatures(a, day)) for day in _days()) for a in _accounts(registry)}
    assert any(fleet.solana.failed_signatures(a, day) for a in _accounts(registry) for day in _days())


def test_get_transactions_for_address_needs_a_call_per_100_transactions_and_no_get_transaction(
        standard, helius, fleet: Fleet, registry) -> None:
    _, standard_calls = standard
    _, helius_calls = helius
    transactions = {a: sum(len(fleet.solana.signatures(a, day)) for day in _days()) for a in _accounts(registry)}

    # one newest-first walk per account over the window: full pages of 100, then a last one (empty when the
    # window holds an exact multiple of 100)
    assert helius_calls[HELIUS] <= sum(n // 100 + 1 for n in transactions.values())
    assert helius_calls[HELIUS] >= sum(math.ceil(n / 100) for n in transactions.values())
    assert "getTransaction" not in helius_calls and "getSignaturesForAddress" not in helius_calls
    assert standard_calls["getTransaction"] >= sum(transactions.values()) * 0.9  # one per successful one
    assert sum(helius_calls.values()) * 10 < sum(standard_calls.values()), (helius_calls, standard_calls)
    assert fleet.solana.stats().window_violations == 0  # within the per-method and overall windows throughout


def _complete_days(data_dir: Path) -> dict[tuple, object]:
    """(chain, record kind, scope, day) -> when it was written, for every finished day."""
    if not (data_dir / "warehouse.duckdb").exists():
        return {}
    try:
        rows = _query(data_dir, "select chain, record_kind, scope, day, fetched_at from raw.ingest_days where complete")
    except duckdb.CatalogException:  # killed before it made the raw schema; a file it cannot open is an error
        return {}
    return {tuple(r[:4]): r[4] for r in rows}


def _start(env: dict[str, str], data_dir: Path, **extra: str) -> subprocess.Popen:
    child = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    child.update(env, DEPINLENS_DATA_DIR=str(data_dir), DEPINLENS_HISTORY_SOLANA=HELIUS, **extra)
    return subprocess.Popen([sys.executable, "-m", "tests._live_run", FIRST.isoformat(), LAST.isoformat()],
                            cwd=PROJECT_ROOT, env=child, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.timeout(600)
def test_killed_mid_fetch_and_mid_load_a_helius_run_resumes_to_the_standard_rows_and_refetches_no_finished_day(
        standard, fleet: Fleet, env: dict[str, str], tmp_path: Path) -> None:
    rng = random.Random(20260113)
    data_dir = tmp_path / "killed"
    finished: list[int] = []
    for kind in ("fetch", "load", "fetch"):
        finished_before = _complete_days(data_dir)
        marker = data_dir / ".load_in_progress"
        marker.unlink(missing_ok=True)
        served = fleet.solana.served_calls
        process = _start(env, data_dir, DEPINLENS_PAUSE_IN_LOAD="0.6" if kind == "load" else "")
        deadline = time.monotonic() + 240
        if kind == "fetch":  # the provider answered some of this run's calls and the next one is on its way
            target = served + rng.randint(4, 14)
            while fleet.solana.served_calls < target and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            assert process.poll() is None, f"the run ended before the kill point: {early_exit_report(process)}"
            assert fleet.solana.served_calls > served
        else:  # the loader holds its transaction open, rows inserted and not committed: kill there
            while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            assert process.poll() is None and marker.exists(), \
                f"the kill did not land inside a load: {early_exit_report(process)}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        after = _complete_days(data_dir)
        assert {k: after.get(k) for k in finished_before} == finished_before  # finished days left alone
        finished.append(len(after))
    assert 0 < finished[-1] < len(_complete_days(standard[0])), finished  # the kills left the window part done
    time.sleep(2 * LIMITS.window_s)
    process = _start(env, data_dir)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, (out + err)[-3000:]

    assert _raw(data_dir) == _raw(standard[0])


# == refusals and settings ==========================================================================================

def _failure_line(result: dg.ExecuteInProcessResult) -> tuple[str, str]:
    """(error type, the line `depinlens run` prints) of the run's failed step."""
    error = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    return (error.cause or error).cls_name, one_line(chain_of_error_info(error))


def _refusing_http_403(upstream: str) -> LoopbackServer:
    """A provider that answers getTransactionsForAddress with HTTP 403 (a plan without it) and passes the rest on."""
    def respond(request: Request) -> tuple[int, bytes]:
        if orjson.loads(request.body).get("method") == HELIUS:
            return 403, orjson.dumps({"jsonrpc": "2.0", "id": 1,
                                      "error": {"code": 403, "message": "upgrade your plan to use this method"}})
        return 200, httpx.post(upstream, content=request.body).content
    return LoopbackServer(respond, name="plan-without-gtfa")


@pytest.mark.parametrize("refusal", ["json-rpc-method-not-found", "http-403"])
def test_an_endpoint_without_the_method_fails_in_one_line_naming_the_setting_and_loads_nothing(
        registry, tmp_path: Path, refusal: str) -> None:
    with mainnet_fleet(registry, FIRST, FIRST, volumes=VOLUMES, limits=LIMITS) as standard_node:
        env = {**standard_node.env(), "DEPINLENS_EVM_CHAINS": "", "DEPINLENS_AKASH_CHAINS": ""}
        proxy = _refusing_http_403(standard_node.solana.url) if refusal == "http-403" else None
        if proxy is not None:
            env["DEPINLENS_RPC_SOLANA"] = f"{proxy.start().url}/?api-key=sk_live_secret"
        try:
            result = _ingest(tmp_path, env, HELIUS)
        finally:
            if proxy is not None:
                proxy.stop()

    assert not result.success
    kind, line = _failure_line(result)
    why = "JSON-RPC error -32601, method not found" if refusal != "http-403" else "HTTP 403"
    assert kind == "HistoryMethodRefused"
    assert line.startswith(
        f"HistoryMethodRefused: solana: the endpoint does not offer getTransactionsForAddress ({why}); it is Helius' "
        "own method, on its paid plans (Developer and up); set DEPINLENS_HISTORY_SOLANA=standard (or unset it) to "
        "read through getSignaturesForAddress and getTransaction (at pipelines/"), line
    assert "\n" not in line and "127.0.0.1" not in line and "://" not in line and "sk_live" not in line
    assert _query(tmp_path, "select count(*) from raw.token_transfers union all "
                            "select count(*) from raw.ingest_days") == [(0,), (0,)]


def test_a_history_setting_that_names_no_method_fails_before_any_request(fleet: Fleet, env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    served = fleet.solana.served_calls
    result = _ingest(tmp_path, env, "getTransactionsByAddress")

    assert not result.success
    kind, line = _failure_line(result)
    assert kind == "ConfigError"
    assert line.startswith("ConfigError: DEPINLENS_HISTORY_SOLANA='getTransactionsByAddress' is not a history "
                           "method: set it to standard (any Solana RPC) or getTransactionsForAddress (Helius, paid "
                           "plans), or unset it"), line
    assert fleet.solana.served_calls == served


# == the provider ==================================================================================================

@pytest.fixture(scope="module")
def solana() -> Any:
    with SolanaMainnet(FIRST, LAST, volumes=VOLUMES.solana, seed=3, limits=UNLIMITED,
                       get_transactions_for_address=True) as rpc:
        yield rpc


def _call(client: httpx.Client, method: str, *params: Any) -> dict[str, Any]:
    return client.post("/", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).json()


def _walk(client: httpx.Client, address: str, **config: Any) -> list[dict[str, Any]]:
    """Every page of getTransactionsForAddress, following paginationToken until it is null."""
    out, token = [], None
    while True:
        page = _call(client, HELIUS, address, {**config, **({"paginationToken": token} if token else {})})["result"]
        out += page["data"]
        token = page["paginationToken"]
        if token is None:
            return out


def _signatures(client: httpx.Client, address: str) -> list[dict[str, Any]]:
    """Every getSignaturesForAddress page, newest first."""
    out: list[dict[str, Any]] = []
    while True:
        page = _call(client, "getSignaturesForAddress", address,
                     {"limit": 1000, **({"before": out[-1]["signature"]} if out else {})})["result"]
        if not page:
            return out
        out += page


def test_the_provider_pages_helius_history_through_the_same_signatures_either_way(solana: SolanaMainnet) -> None:
    wallet = solana.mints[0].burn_wallet
    with httpx.Client(base_url=solana.url) as client:
        truth = [e["signature"] for e in _signatures(client, wallet)]
        newest_first = _walk(client, wallet, limit=97)
        oldest_first = _walk(client, wallet, limit=1000, sortOrder="asc")
        day = FIRST + timedelta(days=2)
        one_day = _walk(client, wallet, transactionDetails="full", encoding="jsonParsed",
                        maxSupportedTransactionVersion=0,
                        filters={"blockTime": {"gte": day_start(day), "lt": day_start(day + timedelta(days=1))},
                                 "status": "succeeded"})
        answers = [_call(client, "getTransaction", e["transaction"]["signatures"][0],
                         {"encoding": "jsonParsed", "maxSupportedTransactionVersion": 0})["result"]
                   for e in one_day[:5]]

    assert [e["signature"] for e in newest_first] == truth and truth
    assert [e["signature"] for e in oldest_first] == truth[::-1]
    succeeded = [s["signature"] for s in solana.signatures(wallet, day) if s["err"] is None]
    assert [e["transaction"]["signatures"][0] for e in one_day] == succeeded[::-1]
    assert [{k: e[k] for k in ("slot", "blockTime", "transaction", "meta")} for e in one_day[:5]] == [
        {k: a[k] for k in ("slot", "blockTime", "transaction", "meta")} for a in answers]


def test_the_provider_keeps_helius_limits_and_refuses_the_method_when_built_without_it() -> None:
    limits = Limits(window_s=30, per_method=2)
    with SolanaMainnet(FIRST, FIRST, volumes=VOLUMES.solana, limits=limits, get_transactions_for_address=True) as rpc, \
            SolanaMainnet(FIRST, FIRST, volumes=VOLUMES.solana, limits=UNLIMITED) as plain, httpx.Client() as client:
        wallet = rpc.mints[0].burn_wallet
        config = {"transactionDetails": "full", "encoding": "jsonParsed", "maxSupportedTransactionVersion": 0}
        ask = {"jsonrpc": "2.0", "id": 1, "method": HELIUS, "params": [wallet, config]}
        too_many = {**ask, "params": [wallet, {**config, "limit": 101}]}
        answers = [client.post(rpc.url, json=body) for body in (too_many, ask)]
        throttled = client.post(rpc.url, json=ask)
        refused = client.post(plain.url, json=ask).json()

    assert answers[0].json()["error"]["code"] == -32602  # 100 full transactions a page at most
    assert len(answers[1].json()["result"]["data"]) == 100
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) >= 1  # 2 calls a window per method
    assert refused["error"] == {"code": -32601, "message": "Method not found"}
