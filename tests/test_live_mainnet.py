"""Live mode against mainnet-shaped providers: the registry's real addresses served in the real wire
formats, at volumes and limits shaped like public endpoints (harness/mainnet), read by the pipeline
exactly as it reads mainnet. Nothing here reaches the internet: the providers are on 127.0.0.1.

The providers' request windows are shrunk (0.2 s instead of 10 s) with their per-method and
overall caps kept, so a 30-day backfill of every network runs in CI; the pipeline's budgets are
set from the same figures (DEPINLENS_BUDGET_<CHAIN>), as a user sets them from a provider's plan.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from depinlens.registry import load_registry
from depinlens.settings import PROJECT_ROOT
from harness.mainnet import AkashVolumes, EvmVolumes, SolanaVolumes, Volumes
from harness.mainnet.fleet import PLANTED_KEY, Fleet, FleetLimits, mainnet_fleet
from tests._live_run import early_exit_report
from tests.conftest import NEEDS_SHARED_REASON, SHARED_DIR

FIRST = date(2025, 5, 1)
LAST = FIRST + timedelta(days=29)
VOLUMES = Volumes(
    evm=EvmVolumes(transfers_per_day=16, mints_per_day=2, burns_per_day=3, holder_transfers_per_day=3,
                   vault_deposits_per_day=2, vault_withdrawals_per_day=1),
    solana=SolanaVolumes(mint_signatures_per_day=24, burns_per_day=8, incoming_per_day=2,
                         job_transactions_per_day=9, stake_accounts=20, failed_fraction=0.05),
    akash=AkashVolumes(active_leases=40, leases_created_per_day=4, leases_closed_per_day=4, providers=6,
                       closed_history=10),
)
LIMITS = FleetLimits(window_s=0.2)
RAW_TABLES = ("token_transfers", "jobs", "staking_snapshots", "staking_events", "vault_snapshots",
              "supply_snapshots", "block_days", "ingest_days", "ingest_state")


@pytest.fixture(scope="module")
def registry():
    return load_registry(PROJECT_ROOT / "networks.toml")


def _env(fleet: Fleet, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    return {**env, **fleet.env(), "DEPINLENS_DATA_DIR": str(data_dir), "DEPINLENS_SHARED_DIR": str(SHARED_DIR),
            "DEPINLENS_AKASH_SCAN_CLOSED": "1", **extra}


def _start(env: dict[str, str], first: date = FIRST, last: date = LAST) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests._live_run", first.isoformat(), last.isoformat()],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def _query(data_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    conn = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def _raw(data_dir: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows, without the columns that say when they were written."""
    return {table: _query(data_dir, f"select * exclude ({'updated_at' if table == 'ingest_state' else 'fetched_at'}) "
                                    f"from raw.{table} order by all") for table in RAW_TABLES}


def _days() -> list[date]:
    return [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]


@pytest.fixture(scope="module")
def backfill(registry, tmp_path_factory):
    """One uninterrupted 30-day backfill of every network (and the fleet, for its truth and stats)."""
    data_dir = tmp_path_factory.mktemp("uninterrupted")
    # most providers leave blockTimestamp out of logs, and some answer a log from a dropped block
    # (`removed: true`) that must not count: both here
    with mainnet_fleet(registry, FIRST, LAST, volumes=VOLUMES, limits=LIMITS,
                       evm={"removed_fraction": 0.03, "block_timestamp_in_logs": False}) as fleet:
        code, output = _finish(_start(_env(fleet, data_dir)))
        assert code == 0, output[-4000:]
        yield fleet, data_dir, output


def test_a_30_day_backfill_of_every_network_loads_exactly_what_the_providers_hold_within_their_limits(
        backfill, registry) -> None:
    fleet, data_dir, _ = backfill
    for chain, stats in fleet.stats().items():
        assert stats.served_calls > 0, chain
        assert stats.throttled == 0 and stats.window_violations == 0, (chain, stats)

    # EVM: every token's Transfer logs, day by day, and its totalSupply at each day's last block
    for token in registry.tokens_on("ethereum"):
        if not token.verified:
            continue
        rows = _query(data_dir, "select block_day, tx_hash, log_index, kind, amount_raw from raw.token_transfers "
                                "where chain = 'ethereum' and token_address = ? order by block_number, log_index",
                      [token.address])
        truth = [(day, t["tx_hash"], t["log_index"], t["kind"], Decimal(t["amount"]))
                 for day in _days() for t in fleet.evm.transfers(token.address, day)]
        assert rows == truth and rows, token.symbol
        supplies = _query(data_dir, "select snapshot_day, block_number, supply_raw from raw.supply_snapshots "
                                    "where token_address = ? order by snapshot_day", [token.address])
        assert supplies == [(day, fleet.evm.day_blocks(day)[1],
                             Decimal(fleet.evm.supply(token.address, fleet.evm.day_blocks(day)[1]))) for day in _days()]

    # Solana: RENDER through its burn wallet, IO through its mint, failed transactions left out
    for token in registry.tokens_on("solana"):
        accounts = [g.account for g in registry.signals_on("solana") if g.token == token.symbol]
        if not accounts:
            continue
        rows = _query(data_dir, "select tx_hash, log_index, coalesce(inner_index, -1), kind, amount_raw "
                                "from raw.token_transfers where chain = 'solana' and token_address = ? order by all",
                      [token.address])
        truth = sorted({(m["signature"], m["instruction_index"],
                         -1 if m["inner_index"] is None else m["inner_index"], m["kind"], Decimal(m["amount"]))
                        for account in accounts for day in _days()
                        for m in fleet.solana.movements(account, day) if m["mint"] == token.address})
        assert rows == truth and rows, token.symbol
    assert not _query(data_dir, "select 1 from raw.token_transfers where chain = 'solana' and block_hash is not null")

    # Nosana: every job listed in the window is observed, with its final price and times
    jobs = dict(_query(data_dir, "select job_id, arg_max(price, observed_day) from raw.jobs "
                                 "where network = 'nosana' group by 1"))
    listed = {j["address"]: j for day in _days() for j in fleet.solana.jobs_on(day)}
    assert listed and set(listed) <= set(jobs)
    assert all(jobs[a] == Decimal(j["price"]) for a, j in listed.items())

    # Akash: each lease once per day it ran, and each day's seconds per block from its headers
    for day in (FIRST, FIRST + timedelta(days=13), LAST):
        observed = {r[0] for r in _query(data_dir, "select job_id from raw.jobs where network = 'akash' "
                                                   "and observed_day = ?", [day])}
        assert observed == {lease["job_id"] for lease in fleet.akash.leases_active_on(day)}, day
    measured = _query(data_dir, "select day, epoch(last_block_time - first_block_time) / (last_block - first_block) "
                                "from raw.block_days where chain = 'akash' order by day")
    assert [d for d, _ in measured] == _days()
    spread = {round(seconds, 3) for _, seconds in measured}
    assert len(spread) > 5 and all(6.0 < s < 6.2 for s in spread)  # measured per day, not one constant


def test_eth_get_logs_ranges_the_provider_refuses_with_http_413_are_split_until_they_fit(registry, tmp_path) -> None:
    first, last = FIRST, FIRST + timedelta(days=1)
    with mainnet_fleet(registry, first, last, volumes=VOLUMES, limits=LIMITS,
                       evm={"logs_refusal": "http", "max_logs": 6}) as fleet:
        env = _env(fleet, tmp_path / "data", DEPINLENS_SOLANA_CHAINS="", DEPINLENS_AKASH_CHAINS="")
        code, output = _finish(_start(env, first, last))
        assert code == 0, output[-3000:]
        assert fleet.evm.stats().statuses[413] > 0  # the provider did refuse ranges
        token = next(t for t in registry.tokens_on("ethereum") if t.symbol == "ATH")
        rows = _query(tmp_path / "data", "select tx_hash, log_index, amount_raw from raw.token_transfers "
                                         "where token_address = ? order by block_number, log_index", [token.address])
        assert rows == [(t["tx_hash"], t["log_index"], Decimal(t["amount"]))
                        for day in (first, last) for t in fleet.evm.transfers(token.address, day)]


def test_a_rerun_of_a_finished_window_makes_no_request(backfill) -> None:
    fleet, data_dir, _ = backfill
    before = fleet.served_calls()
    code, output = _finish(_start(_env(fleet, data_dir)))
    assert code == 0, output[-3000:]
    # every day of every reader is finished: no client is even made (snapshots are not part of this run)
    assert fleet.served_calls() == before, {chain: s.calls for chain, s in fleet.stats().items()}


def test_a_daily_akash_run_costs_the_same_whatever_the_chains_history(registry, tmp_path) -> None:
    """Active leases are listed, closes read one by one: 200 times more closed leases in the chain's past
    change nothing, day for day. (The first run reads every active lease's deployment once; later
    runs only new ones.)"""
    costs: dict[int, list[int]] = {}
    for history in (10, 2_000):
        volumes = Volumes(VOLUMES.evm, VOLUMES.solana, AkashVolumes(40, 4, 4, 6, history))
        with mainnet_fleet(registry, FIRST, FIRST + timedelta(days=3), volumes=volumes, limits=LIMITS) as fleet:
            env = _env(fleet, tmp_path / f"history-{history}", DEPINLENS_AKASH_SCAN_CLOSED="",
                       DEPINLENS_EVM_CHAINS="", DEPINLENS_SOLANA_CHAINS="")
            for day in (FIRST + timedelta(days=1), FIRST + timedelta(days=2)):
                before = fleet.akash.stats().served_calls
                code, output = _finish(_start(env, day, day))
                assert code == 0, output[-3000:]
                costs.setdefault(history, []).append(fleet.akash.stats().served_calls - before)
            states = {q for q in fleet.akash.stats().calls if "leases/list" in q}
    first, steady = zip(*costs.values(), strict=True)
    assert all(abs(a - b) <= 0.15 * max(a, b) + 3 for a, b in (first, steady)), costs
    assert max(steady) < max(first) < 100, costs  # about 2 calls per active lease once, then a few a day
    assert states == {"/akash/market/v1beta5/leases/list"}


def _complete_days(data_dir: Path) -> dict[tuple, object]:
    """(chain, record kind, scope, day) -> when it was written, for every finished day."""
    if not (data_dir / "warehouse.duckdb").exists():
        return {}
    try:
        rows = _query(data_dir, "select chain, record_kind, scope, day, fetched_at from raw.ingest_days where complete")
    except duckdb.CatalogException:  # killed before it made the raw schema; a file it cannot open is an error
        return {}
    return {tuple(r[:4]): r[4] for r in rows}


@pytest.mark.timeout(900)
def test_killed_mid_fetch_and_mid_load_at_random_points_reruns_end_identical_and_refetch_no_finished_day(
        backfill, registry, tmp_path) -> None:
    _, reference_dir, _ = backfill
    reference = _raw(reference_dir)
    rng = random.Random(20251129)
    data_dir = tmp_path / "killed"
    kills = ["fetch", "load", "fetch", "load", "fetch"]
    with mainnet_fleet(registry, FIRST, LAST, volumes=VOLUMES, limits=LIMITS,
                       evm={"removed_fraction": 0.03, "block_timestamp_in_logs": False}) as fleet:
        for kind in kills:
            finished_before = _complete_days(data_dir)
            marker = data_dir / ".load_in_progress"
            marker.unlink(missing_ok=True)
            env = _env(fleet, data_dir, DEPINLENS_PAUSE_IN_LOAD="0.6" if kind == "load" else "")
            served = fleet.served_calls()
            process = _start(env)
            if kind == "fetch":
                # kill once the providers have answered a random number of this run's requests: the next one
                # is on its way, so the kill lands inside a fetch
                target = served + rng.randint(20, 300)
                deadline = time.monotonic() + 300
                while fleet.served_calls() < target and process.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert process.poll() is None, f"the run ended before the kill point: {early_exit_report(process)}"
                assert fleet.served_calls() > served  # the providers answered this run: the kill is mid-fetch
            else:
                # the loader pauses inside its transaction, rows inserted, not committed: kill there
                deadline = time.monotonic() + 300
                skip = rng.randint(0, 3)
                while time.monotonic() < deadline and process.poll() is None:
                    if marker.exists():
                        if skip == 0:
                            break
                        skip -= 1
                        while marker.exists() and process.poll() is None:
                            time.sleep(0.005)
                    time.sleep(0.005)
                assert process.poll() is None and marker.exists(), \
                    f"the kill did not land inside a load: {early_exit_report(process)}"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            print(f"killed {kind} at {fleet.served_calls()} calls, {len(_complete_days(data_dir))} days finished",
                  flush=True)
            # every day finished before this run was left alone by it (not read again, not rewritten)
            after = _complete_days(data_dir)
            assert {k: after.get(k) for k in finished_before} == finished_before
        # a last run completes the window; a run started while a killed one's requests still count in the
        # providers' windows may meet a 429 (and waits as asked): this one starts after a window has passed
        time.sleep(2 * LIMITS.window_s)
        throttled = {chain: s.throttled for chain, s in fleet.stats().items()}
        code, output = _finish(_start(_env(fleet, data_dir)))
        assert code == 0, output[-4000:]
        assert {chain: s.throttled for chain, s in fleet.stats().items()} == throttled
    assert len(_complete_days(data_dir)) == len(_complete_days(reference_dir))
    assert _raw(data_dir) == reference


def _strings_in_warehouse(path: Path, needle: str) -> list[str]:
    """Every table.column of a DuckDB file holding `needle` in any text cell."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        columns = conn.execute("select table_schema, table_name, column_name from information_schema.columns "
                               "where data_type = 'VARCHAR' and table_catalog = current_database()").fetchall()
        return [f"{s}.{t}.{c}" for s, t, c in columns
                if conn.execute(f'select count(*) from "{s}"."{t}" where "{c}" like ?', [f"%{needle}%"]).fetchone()[0]]
    finally:
        conn.close()


@pytest.mark.skipif(not SHARED_DIR.is_dir(), reason=NEEDS_SHARED_REASON)
@pytest.mark.timeout(900)
def test_a_planted_api_key_never_appears_in_any_output_log_event_or_table(registry, tmp_path) -> None:
    """`depinlens run` (ingest, dbt, publish) through flaky providers, then through a provider that refuses the
    key: every byte the runs printed or left behind is searched for the key."""
    data_dir = tmp_path / "data"
    first, last = FIRST, FIRST + timedelta(days=1)
    wrong = "sk_live_WRONGKEY_9d8c7b6a5f4e3d2c1b0a"
    outputs = []
    with mainnet_fleet(registry, first, last, volumes=VOLUMES,
                       limits=FleetLimits(window_s=0.2, flaky=0.08)) as fleet:
        env = _env(fleet, data_dir)
        cli = [sys.executable, "-m", "depinlens.cli", "run", "--from", first.isoformat(), "--to", last.isoformat()]
        done = subprocess.run(cli, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, outputs[-1][-4000:]
        assert sum(s.faults.total() for s in fleet.stats().values()) > 0  # the providers did fail some requests
        refused = {**env, "DEPINLENS_REST_AKASH": f"{fleet.akash.url}/{wrong}", "DEPINLENS_REFRESH": "1"}
        for verbose in ([], ["--verbose"]):
            done = subprocess.run(cli + verbose, cwd=PROJECT_ROOT, env=refused, capture_output=True, text=True,
                                  timeout=600)
            outputs.append(done.stdout + done.stderr)
            assert done.returncode != 0 and "HTTP 403" in outputs[-1], outputs[-1][-3000:]
    assert "http://127.0.0.1" in "".join(outputs)  # endpoints are named, by scheme and host
    for key in (PLANTED_KEY, wrong, "PLANTEDKEY", "WRONGKEY"):
        assert all(key not in text for text in outputs), key
        holders = [p for p in data_dir.rglob("*") if p.is_file() and key.encode() in p.read_bytes()]
        assert holders == [], (key, holders)
        for duck in [p for p in data_dir.rglob("*.duckdb") if not p.is_symlink()]:
            assert _strings_in_warehouse(duck, key) == [], (key, duck)
