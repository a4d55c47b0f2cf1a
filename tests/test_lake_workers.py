"""Parallel ingestion workers writing one DuckLake at once (pipelines/parallel.py, `depinlens run --workers`).

Real parts: the session's PostgreSQL server holds each lake's catalog, mainnet-shaped providers on
127.0.0.1 serve the registry's Ethereum, Solana and Akash addresses in their wire formats, and every
worker is a real process running a real Dagster run. One provider fleet serves every test; a 1-worker
ingest of the window into its own lake is the reference each lake is compared with, row for row, on
every raw table (without the columns that say when a row was written).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from depinlens.settings import PROJECT_ROOT
from harness.mainnet import AkashVolumes, EvmVolumes, SolanaVolumes, Volumes
from harness.mainnet.fleet import FleetLimits, mainnet_fleet
from pipelines.parallel import (
    BALANCE_SLACK,
    READER_COST,
    Share,
    busiest_over_average,
    chain_readers,
    ingest_in_workers,
    plan_shares,
    prepare_lake,
    reader_costs,
    reader_record_kinds,
    run_worker,
    split_days,
    split_readers,
    worker_command,
    worker_env,
)
from tests.conftest import SHARED_DIR, fresh_lake
from warehouse import (
    BlockDay,
    Lake,
    connect_serving,
    connect_warehouse,
    publish,
    read_block_days,
    read_cursor,
    settle_progress,
)
from warehouse._lake import connect_lake_plain
from warehouse._progress import settle_cursors

FIRST = date(2025, 5, 1)
LAST = FIRST + timedelta(days=1)  # a day for each of two workers: the time goes to each run's setup, not its days
VOLUMES = Volumes(
    evm=EvmVolumes(transfers_per_day=8, mints_per_day=1, burns_per_day=2, holder_transfers_per_day=2,
                   vault_deposits_per_day=1, vault_withdrawals_per_day=1),
    solana=SolanaVolumes(mint_signatures_per_day=10, burns_per_day=3, incoming_per_day=1, job_transactions_per_day=4,
                         stake_accounts=5, failed_fraction=0.1),
    akash=AkashVolumes(active_leases=12, leases_created_per_day=3, leases_closed_per_day=2, providers=3,
                       closed_history=4),
)
WRITE_TIMES = ("fetched_at", "updated_at")  # when a row was written: differs between any two runs

Raw = dict[str, list[tuple]]


@pytest.fixture(scope="module")
def fleet(registry):
    with mainnet_fleet(registry, FIRST, LAST, volumes=VOLUMES, limits=FleetLimits(window_s=0.2)) as providers:
        yield providers


def _point_at_lake(env: pytest.MonkeyPatch, fleet, postgres, data_dir: Path) -> str:
    """This process's environment (and so the workers') names a fresh lake and the fleet; the lake's location."""
    for name in list(os.environ):
        if name.startswith(("DEPINLENS_", "DAGSTER_")):
            env.delenv(name)
    location = fresh_lake(postgres, data_dir)
    for name, value in {**fleet.env(), "DEPINLENS_DATA_DIR": str(data_dir), "DEPINLENS_WAREHOUSE": location,
                        "DEPINLENS_LAKE_DATA": str(data_dir / "lake"), "DEPINLENS_AKASH_SCAN_CLOSED": "1",
                        # what the CLI's setup exports (Settings.export), set here so that it is restored
                        "DEPINLENS_REGISTRY": str(PROJECT_ROOT / "networks.toml"), "DEPINLENS_SERVING": location,
                        "DEPINLENS_SHARED_DIR": str(SHARED_DIR), "DEPINLENS_DBT_TARGET": "lake"}.items():
        env.setenv(name, value)
    return location


def _raw(location: str, *, at_snapshot: bool = False) -> Raw:
    """Every raw table's rows, sorted, without their write times (`at_snapshot`: as the last publish pinned it)."""
    conn = connect_serving(location) if at_snapshot else connect_lake_plain(Lake(location, None))
    try:
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute("select table_name, column_name from information_schema.columns where "
                                          "table_catalog = 'lake' and table_schema = 'raw' order by table_name, "
                                          "ordinal_position").fetchall():
            columns.setdefault(table, []).append(column)
        return {table: conn.execute(f"select {', '.join(c for c in cols if c not in WRITE_TIMES)} from raw.{table} "
                                    "order by all").fetchall() for table, cols in columns.items()}
    finally:
        conn.close()


def _counts(raw: Raw) -> dict[str, int]:
    return {table: len(rows) for table, rows in raw.items() if rows}


def _dated(location: str) -> dict[str, list[tuple[tuple, tuple[date, ...]]]]:
    """Every raw row (without write times) with the dates it carries (its DATE columns)."""
    conn = connect_lake_plain(Lake(location, None))
    try:
        out = {}
        for table in [t for (t,) in conn.execute("select distinct table_name from information_schema.columns where "
                                                 "table_catalog = 'lake' and table_schema = 'raw'").fetchall()]:
            cols = conn.execute("select column_name, data_type from information_schema.columns where table_catalog = "
                                "'lake' and table_schema = 'raw' and table_name = ? order by ordinal_position",
                                [table]).fetchall()
            kept = [name for name, _ in cols if name not in WRITE_TIMES]
            dates = [kept.index(name) for name, kind in cols if kind == "DATE"]
            out[table] = [(row, tuple(row[i] for i in dates if row[i] is not None))
                          for row in conn.execute(f"select {', '.join(kept)} from raw.{table} order by all").fetchall()]
        return out
    finally:
        conn.close()


def _within(dated: dict[str, list[tuple[tuple, tuple[date, ...]]]], share: Share) -> Raw:
    """The rows all of whose dates fall on the share's days."""
    return {table: [row for row, days in rows if days and all(share.first_day <= d <= share.last_day for d in days)]
            for table, rows in dated.items()}


def _touching(dated: dict[str, list[tuple[tuple, tuple[date, ...]]]], share: Share) -> Raw:
    """The rows with any date on the share's days."""
    return {table: found for table, rows in dated.items()
            if (found := [row for row, days in rows if any(share.first_day <= d <= share.last_day for d in days)])}


@pytest.fixture(scope="module")
def one_worker(fleet, postgres, tmp_path_factory) -> tuple[Raw, dict]:
    """The window ingested by one worker (its function, run in this process) into its own lake: every raw
    table, and every row with its dates."""
    with pytest.MonkeyPatch.context() as env:
        location = _point_at_lake(env, fleet, postgres, tmp_path_factory.mktemp("one_worker"))
        assert run_worker(FIRST, LAST) == 0
    reference = _raw(location)
    assert all(reference[t] for t in ("token_transfers", "jobs", "ingest_days", "ingest_state", "block_days"))
    return reference, _dated(location)


def test_a_worker_loads_the_chain_readers_without_dbt(tmp_path: Path) -> None:
    """A worker runs no dbt, so it imports neither dagster-dbt nor dbt (about 1.5 s of each worker's start)."""
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys\n"
         "from pipelines.parallel import ingestion_definitions\n"
         "from pipelines.defs.resources import build_resources\n"
         "definitions, resources = ingestion_definitions(), build_resources(dbt=False)\n"
         "groups = {g for a in definitions.assets for g in a.group_names_by_key.values()}\n"
         "print(','.join(sorted(groups)), 'dbt' in resources, sorted({m.split('.')[0] for m in sys.modules} & "
         "{'dbt', 'dagster_dbt'}))"],
        cwd=PROJECT_ROOT, env={**os.environ, "DEPINLENS_DATA_DIR": str(tmp_path)}, capture_output=True, text=True,
        timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    groups, has_dbt, modules = loaded.stdout.split(maxsplit=2)
    assert groups == "akash,evm,solana" and has_dbt == "False" and modules.strip() == "[]", loaded.stdout


def test_the_days_are_shared_in_contiguous_blocks_that_cover_the_window_once() -> None:
    shares = split_days(date(2025, 1, 1), date(2025, 1, 30), 4)
    assert [s.days for s in shares] == [8, 8, 7, 7]
    assert shares[0].first_day == date(2025, 1, 1) and shares[-1].last_day == date(2025, 1, 30)
    assert all(b.first_day == a.last_day + timedelta(days=1) for a, b in zip(shares, shares[1:], strict=False))
    assert [str(s) for s in split_days(date(2025, 1, 1), date(2025, 1, 2), 3)] == ["2025-01-01", "2025-01-02"]


def test_every_chain_reader_has_a_cost_and_the_record_kinds_its_loads_are_counted_by() -> None:
    readers = chain_readers()
    assert len(readers) >= 10 and all(key.startswith("raw/") for key in readers)
    assert set(READER_COST) == set(readers) == set(reader_record_kinds())
    assert all(kinds for kinds in reader_record_kinds().values())


def test_readers_are_shared_whole_over_the_window_each_once_and_evenly_by_cost() -> None:
    first, last = date(2025, 5, 1), date(2025, 5, 30)
    costs = reader_costs(chain_readers())
    for workers in (2, 3):
        shares = plan_shares(first, last, workers, costs)
        assert [s.worker for s in shares] == list(range(1, workers + 1))
        assert all((s.first_day, s.last_day) == (first, last) and s.readers for s in shares)
        assigned = [key for s in shares for key in s.readers]
        assert sorted(assigned) == sorted(costs)  # each reader exactly once
        assert busiest_over_average(shares, costs) <= BALANCE_SLACK
    two = plan_shares(first, last, 2, costs)
    costliest = sorted(costs, key=costs.get)[-2:]
    assert {s.worker for s in two for key in costliest if key in s.readers} == {1, 2}  # apart
    assert "readers akash_leases" in two[0].describe() and str(two[0]) == "2025-05-01..2025-05-30"
    assert "--readers" in worker_command(two[0]) and ",".join(two[0].readers) in worker_command(two[0])


def test_more_workers_than_the_readers_balance_share_the_days_of_balanced_reader_groups() -> None:
    """4 workers: the registry's readers do not balance in 4 sets, but do in 2: 2 groups, each over 2 shares of
    the days, so each reader runs twice instead of 4 times. Every (reader, day) is read exactly once."""
    first, last = date(2025, 5, 1), date(2025, 5, 30)
    costs = reader_costs(chain_readers())
    assert busiest_over_average(split_readers(first, last, 4, costs), costs) > BALANCE_SLACK
    for workers, groups in ((4, 2), (6, 3)):
        shares = plan_shares(first, last, workers, costs)
        assert [s.worker for s in shares] == list(range(1, workers + 1))
        assert len({s.readers for s in shares}) == groups and all(s.readers for s in shares)
        assert busiest_over_average([s for s in shares if s.first_day == first], costs) <= BALANCE_SLACK
        covered = [(key, s.first_day + timedelta(days=n)) for s in shares for key in s.readers for n in range(s.days)]
        assert sorted(covered) == sorted((key, first + timedelta(days=n)) for key in costs for n in range(30))
        assert {sum(key in s.readers for s in shares) for key in costs} == {workers // groups}
    # a prime count has no groups of equal size: shares of days; one day cannot be split between two workers
    assert plan_shares(first, last, 5, costs) == split_days(first, last, 5)
    assert plan_shares(first, first, 4, costs) == split_days(first, first, 4)


def test_days_are_shared_when_the_readers_cannot_keep_the_workers_evenly_busy() -> None:
    first, last = date(2025, 5, 1), date(2025, 5, 30)
    lopsided = {"raw/a": 10.0, "raw/b": 1.0, "raw/c": 1.0}  # the busiest of 2 workers: 10 against an average of 6
    assert plan_shares(first, last, 2, lopsided) == split_days(first, last, 2)
    assert [s.readers for s in plan_shares(first, last, 2, lopsided, "readers")] == [("raw/a",), ("raw/b", "raw/c")]
    assert plan_shares(first, last, 4, lopsided) == split_days(first, last, 4)  # more workers than readers
    assert plan_shares(first, last, 1, lopsided) == split_days(first, last, 1)  # one worker: every reader
    assert plan_shares(first, last, 2, {"raw/a": 1.0, "raw/b": 1.0}, "days") == split_days(first, last, 2)
    with pytest.raises(ValueError, match="3 chain readers cannot be shared among 4 workers"):
        plan_shares(first, last, 4, lopsided, "readers")
    with pytest.raises(ValueError, match="split must be one of auto, readers, days"):
        plan_shares(first, last, 2, lopsided, "chains")


def test_a_worker_asked_for_a_reader_that_does_not_exist_says_which_exist_before_any_work(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pipelines.parallel", str(FIRST), str(LAST), "--readers",
                           "raw/akash_leases,raw/nope"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DEPINLENS_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not chain readers: raw/nope" in done.stderr and "raw/akash_leases" in done.stderr.split("there are:")[1]


def test_a_cursor_two_workers_inserted_at_the_same_moment_is_read_and_kept_at_its_furthest(
        postgres, tmp_path, monkeypatch) -> None:
    """On a lake, inserts never conflict and no key is unique: two workers seeing a new cursor key at the same
    moment both insert it. Here the two commits are made one after the other, as the race leaves them."""
    monkeypatch.setenv("DEPINLENS_LAKE_DATA", str(tmp_path / "lake"))
    location = fresh_lake(postgres, tmp_path)
    conn = connect_warehouse(location)
    try:
        insert = ("insert into raw.ingest_state (network, chain, contract, record_kind, last_block, last_day, source, "
                  "updated_at, last_ref) values ('akash', 'akash', 'market', 'akash_lease', ?, ?, 'live', now(), null)")
        conn.execute(insert, [200, LAST])
        conn.execute(insert, [100, FIRST])
        assert read_cursor(conn, network="akash", chain="akash", contract="market",
                           record_kind="akash_lease").last_block == 200
        assert settle_cursors(conn) == 1
        assert conn.execute("select last_block, last_day from raw.ingest_state").fetchall() == [(200, LAST)]
        assert settle_cursors(conn) == 0
    finally:
        conn.close()


def test_a_block_day_two_workers_recorded_at_the_same_moment_is_read_once_and_settled_to_its_fullest_row(
        postgres, tmp_path, monkeypatch) -> None:
    """Readers of one chain in two workers may both record a day before either commits: on a lake neither sees
    the other's row, so the day has two. Here the two commits are made one after the other, as the race leaves
    them: one without the next day's first block time, one with it."""
    monkeypatch.setenv("DEPINLENS_LAKE_DATA", str(tmp_path / "lake"))
    location = fresh_lake(postgres, tmp_path)
    conn = connect_warehouse(location)
    start = datetime(2025, 5, 1, tzinfo=UTC)
    fullest = BlockDay("ethereum", "live", FIRST, 100, 199, start, start + timedelta(hours=23),
                       start + timedelta(days=1))
    try:
        for day in (fullest, replace(fullest, next_block_time=None)):
            conn.execute("insert into raw.block_days values (?, ?, ?, ?, ?, ?, ?, ?, now())",
                         [day.chain, day.source, day.day, day.first_block, day.last_block, day.first_block_time,
                          day.last_block_time, day.next_block_time])
        assert read_block_days(conn, chain="ethereum", source="live") == [fullest]
        assert settle_progress(conn) == 1
        assert conn.execute("select count(*) from raw.block_days").fetchone()[0] == 1
        assert read_block_days(conn, chain="ethereum", source="live") == [fullest]
        assert settle_progress(conn) == 0
    finally:
        conn.close()


def test_two_workers_at_once_lose_and_duplicate_nothing_and_a_pinned_reader_sees_one_snapshot_until_publish(
        fleet, postgres, one_worker, tmp_path, monkeypatch) -> None:
    reference, _ = one_worker
    location = _point_at_lake(monkeypatch, fleet, postgres, tmp_path)
    connect_warehouse(location).close()  # the raw schema, empty
    publish(location, location)  # ... pinned
    pinned = connect_serving(location)
    seen: list[tuple[int, int]] = []  # (pinned reader's transfers, the lake's newest), each time the workers are polled
    live = connect_lake_plain(Lake(location, None))
    count = "select count(*) from raw.token_transfers"
    try:
        results = ingest_in_workers(FIRST, LAST, 2, split="days", poll_s=0.5, on_progress=lambda _: seen.append(
            (pinned.execute(count).fetchone()[0], live.execute(count).fetchone()[0])))
        after = (pinned.execute(count).fetchone()[0], live.execute(count).fetchone()[0])
    finally:
        pinned.close()
        live.close()

    assert [(r.share, r.ok) for r in results] == [(s, True) for s in split_days(FIRST, LAST, 2)]
    assert all(r.loads > 0 for r in results)  # each worker committed its own days
    assert _raw(location) == reference
    # while the workers committed, the pinned reader saw the published (empty) snapshot, every time
    assert {p for p, _ in seen} == {0} and after[0] == 0
    assert len({n for _, n in seen}) > 1 and after[1] == len(reference["token_transfers"])
    assert _raw(location, at_snapshot=True) == {t: [] for t in reference}
    publish(location, location)  # the pointer moves: a new reader sees what the workers wrote
    assert _raw(location, at_snapshot=True) == reference


@pytest.mark.parametrize(("workers", "split"), [(2, "readers"), (4, "auto")])  # 4: 2 reader groups, a day each
def test_workers_sharing_the_readers_write_the_same_lake_as_one_and_each_counts_only_its_own_loads(
        fleet, postgres, one_worker, tmp_path, monkeypatch, workers, split) -> None:
    reference, _ = one_worker
    location = _point_at_lake(monkeypatch, fleet, postgres, tmp_path)
    results = ingest_in_workers(FIRST, LAST, workers, split=split, poll_s=0.5)

    assert [r.share for r in results] == plan_shares(FIRST, LAST, workers, reader_costs(chain_readers()), split)
    assert len(results) == workers
    assert all(r.ok and r.share.readers and r.loads > 0 for r in results), [r.failure() for r in results]
    assert sum(r.loads for r in results) == len(reference["ingest_days"])  # every day ledger row, by one worker
    assert _raw(location) == reference


def _kill_in_its_first_load(victim_share: Share, survivor_share: Share, marker: Path) -> None:
    """Start both workers; once the survivor has committed all its work while the victim holds its first load
    open (rows inserted, not committed), kill the victim with SIGKILL."""
    env = worker_env(FIRST, LAST)

    def start(share: Share, **extra: str) -> subprocess.Popen:
        return subprocess.Popen(worker_command(share), cwd=PROJECT_ROOT, env={**env, **extra},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    victim = start(victim_share, DEPINLENS_PAUSE_IN_LOAD="600")
    survivor = start(survivor_share)
    try:
        deadline = time.monotonic() + 300
        while not marker.exists() and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert victim.poll() is None and marker.exists(), f"the victim never reached a load: {victim.poll()}"
        out, _ = survivor.communicate(timeout=300)
        assert survivor.returncode == 0, out[-3000:]
        # the survivor committed every load while the victim held its first one open
        assert victim.poll() is None and marker.exists()
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_a_worker_killed_inside_a_load_leaves_no_trace_while_the_other_commits_and_a_rerun_completes_it(
        fleet, postgres, one_worker, tmp_path, monkeypatch) -> None:
    """Shares of days. The victim holds the earlier days; it is killed inside its first load, after the worker
    with the later days has committed all of them: the re-run of the earlier days must still read them, and
    leave every cursor where the later days put it."""
    reference, reference_dated = one_worker
    location = _point_at_lake(monkeypatch, fleet, postgres, tmp_path)
    # the CLI's Dagster instance, whose `warehouse` pool has one slot: the workers must not queue on it
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    from depinlens.cli import _instance

    _instance()
    assert "default_limit: 1" in (tmp_path / "dagster_home" / "dagster.yaml").read_text()
    victim_share, survivor_share = split_days(FIRST, LAST, 2)
    prepare_lake(location)  # as ingest_in_workers does before it starts workers
    _kill_in_its_first_load(victim_share, survivor_share, tmp_path / ".load_in_progress")

    dated = _dated(location)
    assert _touching(dated, victim_share) == {}  # no row, day ledger, block range or cursor of the victim's days
    assert _within(dated, survivor_share) == _within(reference_dated, survivor_share)
    assert any(_within(dated, survivor_share).values())

    # the re-run (in this process) covers the window, as the build run after the workers does: it reads the
    # victim's days and leaves the survivor's as they were (a day read again would be written again)
    finished = _ingest_days_written(location, survivor_share)
    assert finished
    assert run_worker(FIRST, LAST) == 0
    assert _ingest_days_written(location, survivor_share) == finished
    assert _raw(location) == reference


def test_a_worker_killed_inside_a_load_with_shares_of_readers_leaves_only_the_others_rows_and_a_rerun_completes_it(
        fleet, postgres, one_worker, tmp_path, monkeypatch) -> None:
    """Shares of readers, as `--workers 2` plans them by default. The lake after the kill holds exactly what the
    survivor's readers write alone (so nothing of the victim's, shared tables included); the re-run reads the
    victim's readers and rewrites none of the survivor's days."""
    reference, _ = one_worker
    victim_share, survivor_share = plan_shares(FIRST, LAST, 2, reader_costs(chain_readers()), "readers")
    alone = _point_at_lake(monkeypatch, fleet, postgres, tmp_path / "alone")
    assert run_worker(FIRST, LAST, survivor_share.readers) == 0
    survivor_alone = _raw(alone)
    assert any(survivor_alone.values()) and survivor_alone != reference

    location = _point_at_lake(monkeypatch, fleet, postgres, tmp_path / "killed")
    prepare_lake(location)
    _kill_in_its_first_load(victim_share, survivor_share, tmp_path / "killed" / ".load_in_progress")
    assert _raw(location) == survivor_alone

    finished = _ingest_days_written(location, survivor_share)
    assert finished
    assert run_worker(FIRST, LAST) == 0
    assert _ingest_days_written(location, survivor_share) == finished
    assert _raw(location) == reference


def _ingest_days_written(location: str, share: Share) -> list[tuple]:
    """The day ledger of the share's days (of its readers' record kinds, where it has readers), with when
    each day was written."""
    kinds = sorted({kind for key in share.readers for kind in reader_record_kinds()[key]})
    conn = connect_lake_plain(Lake(location, None))
    try:
        return conn.execute("select * from raw.ingest_days where day between ? and ? "
                            "and (len(?::varchar[]) = 0 or record_kind in (select unnest(?::varchar[]))) order by all",
                            [share.first_day, share.last_day, kinds, kinds]).fetchall()
    finally:
        conn.close()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "depinlens.cli", *args], cwd=PROJECT_ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)


def test_several_workers_on_the_duckdb_file_are_refused_in_one_line_before_anything_runs(settings) -> None:
    done = _cli("run", "--from", str(FIRST), "--to", str(LAST), "--workers", "2")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "one writer at a time" in lines[0] and "DEPINLENS_WAREHOUSE=ducklake:postgres:" in lines[0]
    assert not Path(settings.warehouse_path).exists()


def test_a_failed_worker_is_named_with_its_share_and_nothing_is_built_or_published(
        fleet, postgres, tmp_path, monkeypatch) -> None:
    location = _point_at_lake(monkeypatch, fleet, postgres, tmp_path)
    monkeypatch.delenv("DEPINLENS_RPC_ETHEREUM")  # every EVM step fails, naming the variable
    monkeypatch.setenv("DEPINLENS_SOLANA_CHAINS", "")
    monkeypatch.setenv("DEPINLENS_AKASH_CHAINS", "")
    done = _cli("run", "--from", str(FIRST), "--to", str(LAST), "--workers", "2")
    assert done.returncode == 1, done.stdout + done.stderr
    shares = plan_shares(FIRST, LAST, 2, reader_costs(chain_readers()))  # as the CLI shares them (auto)
    assert all(share.readers for share in shares)  # the readers balance: each worker runs some, EVM ones included
    for share in shares:
        named = [line for line in done.stderr.splitlines() if f"worker {share.worker} ({share.describe()})" in line]
        assert len(named) == 1 and "DEPINLENS_RPC_ETHEREUM" in named[0], done.stderr
    assert "nothing was built or published" in done.stderr
    assert "pipeline run" not in done.stdout
    from warehouse._lake import published_snapshot

    assert published_snapshot(location) is None
    assert _counts(_raw(location)) == {}
