"""Chain ingestion in parallel worker processes: N Dagster runs that write one DuckLake at the
same time, each a share of the work: a set of chain readers over the whole window, or every
reader over a share of its days.

Ingestion is bound by RPC round trips, so it scales with the requests in flight, not with cores.
`ingest_in_workers` plans N shares (`plan_shares`) and starts one process per share; each runs
its chain ingestion assets (EVM, Solana and Akash readers; the state snapshots are left to the
build run) over its days as one in-process Dagster run, through `pipelines.run.run_pipeline`:
the same code path as every other run, given only the readers' definitions
(`ingestion_definitions`: a worker imports no dbt). So each day is still
stored in one transaction with its progress (one DuckLake transaction: all or nothing), a day
a reader finished is still skipped (raw.ingest_days), and cursors stay per (network, chain,
contract, kind) and only move forward (a load appends its cursor row and readers take the
furthest, and a load that loses a write conflict to another worker is run again from the
start: warehouse/_progress.py, warehouse/_lake.py). The caller then runs the normal pipeline over the
whole window once, whose readers find every day finished and whose dbt build and publish see
all of it. What every worker would create at the same time (the lake's catalog, the raw schema)
is created first (`prepare_lake`).

Ways to share the work (`split`):
  * `readers`: each worker runs a set of whole readers (assets) over the whole window, the sets
    balanced by what each reader costs a day (`READER_COST`, costliest first onto the least
    loaded worker). Nothing is done twice: a reader's once-per-run requests (the Akash lease list and
    the deployments of the leases running on the first day, an EVM block search from nothing)
    are paid once, as with one worker. Measured with benchmarks/scale_out.py (30 days, 50 ms
    round trips, 2 workers): 1,539 requests as with one worker, against 1,726 with shares of
    days, whose second worker reads again what the first one's days hold.
  * `days`: each worker runs every reader over a contiguous share of the days.
  * `auto` (the default): readers in G balanced groups, each group's days shared by workers/G of the
    workers, G as large as keeps the busiest group within `BALANCE_SLACK` of the average
    (`split_groups`). G = N is `readers`; on the registry's readers 4 workers are 2 groups of 2
    shares of days (each reader runs twice, not 4 times): 815 requests over 12 days against 1,114 with
    shares of days (676 for one worker; benchmarks/scale_out.py --workers 4). With no such G (a prime N
    above the readers' balance, a window with fewer days than a group's workers), `days`.

Why these choices:
  * Processes, each one Dagster run: a worker has its own HTTP clients, request budgets and
    DuckDB connection, can be killed alone (its open transaction leaves nothing), and is what
    a Dagster run queue runs across machines: a backfill's partition ranges as runs under a
    QueuedRunCoordinator with `max_concurrent_runs`, steps on a Celery or Kubernetes executor.
    Here this module is that coordinator: N runs at once, N the worker count.
  * Not the multiprocess executor inside one run: it needs a reconstructable job and a
    persistent instance (run_pipeline builds its Definitions with resource overrides at call
    time), and starts a process per step: each would pay a worker's start (imports, the lake's
    connection) for every reader; a worker here pays it once for its whole share.
  * Contiguous shares: an EVM day search starts from known neighbouring blocks, and Solana
    pages signatures newest first between the anchors of finished days; interleaved days would
    make every worker page through the others' days.
  * Pools: with the DuckDB file every warehouse-writing step takes the one slot of the
    `warehouse` pool (the CLI's dagster.yaml: `default_limit: 1`). Worker runs load that same
    instance seeing its pools at `run` granularity (`worker_instance`): there the run
    coordinator enforces pools when it launches runs, and steps claim no slot, so N workers do
    not queue behind each other, while the stored limit stays 1 for the file backend's runs.
  * One DuckDB file admits one writer, so more than one worker needs a DuckLake
    (`check_workers`).
  * Every worker knows the whole window (DEPINLENS_BACKFILL=FIRST..LAST): the Akash lease reader
    reads the creation time of leases created inside the window, so a later share's rows equal
    those of one run over the window, and only the last share reads the providers' audits (the
    chain's current list, filed under today: every worker writing it would race)
    (pipelines/defs/assets/akash.py).
  * Cursors are appended by every load, never rewritten (warehouse/_progress.py): appends never
    conflict on a DuckLake, readers take the furthest row of a key, and `settle_cursors` keeps
    only that one (each pipeline connection when its work is done, and this coordinator before
    the workers start and after they end). Block days are settled there too (`settle_block_days`):
    two workers running readers of one chain may record the same day at the same moment.

Run one worker by hand: `python -m pipelines.parallel FIRST LAST [--readers raw/x,raw/y]` (the
environment names the warehouse and the chains, as for `depinlens run`).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING

from depinlens.settings import PROJECT_ROOT, Settings
from warehouse import is_lake
from warehouse._progress import settle_progress

if TYPE_CHECKING:
    import dagster as dg
    import duckdb

BACKFILL = "DEPINLENS_BACKFILL"  # FIRST..LAST: the window each worker's run is a share of (Akash leases)
FAILED_STEP = "failed step "  # how a worker's line about a failed step starts: `failed step <key>: <error>`
POLL_S = 1.0
STOP_GRACE_S = 10.0


class NeedsLake(ValueError):
    """More than one worker was asked for a warehouse that admits one writer (the DuckDB file)."""


def check_workers(warehouse: Path | str, workers: int) -> None:
    """Refuse several workers on a DuckDB file, saying why and what to do.

    Raises:
        NeedsLake: `workers` > 1 and `warehouse` is not a DuckLake location.
    """
    if workers > 1 and not is_lake(warehouse):
        raise NeedsLake(f"{workers} ingestion workers need a warehouse that takes several writers at once, and the "
                        f"DuckDB file {warehouse} admits one writer at a time: set DEPINLENS_WAREHOUSE="
                        "ducklake:postgres:<dsn> (docs/architecture.md, \"Parallel workers\"), or use one worker")


class Split(str, Enum):
    """How the workers share the work (module docstring, "Ways to share the work")."""

    auto = "auto"
    readers = "readers"
    days = "days"


SPLITS = tuple(split.value for split in Split)
BALANCE_SLACK = 0.15  # `auto` shares readers when the busiest worker's estimate is within 15% of the average

# What each chain reader costs a day, relative to the others: the seconds a day each took in one worker over
# 15 days of benchmarks/scale_out.py's mainnet-shaped providers (TEST_VOLUMES, every request 50 ms late),
# measured 2026-11-30. Only the proportions matter: they decide which readers share a worker
# (`split_readers`). A reader not listed counts as the average of those listed. Other volumes have other
# proportions (a busy Solana account pages more signatures): the workers are then less evenly busy, and every
# reader still runs exactly once.
READER_COST = {
    "raw/akash_leases": 0.615, "raw/evm_supply_snapshots": 0.376, "raw/solana_token_transfers": 0.230,
    "raw/evm_holder_balances": 0.215, "raw/evm_vault_snapshots": 0.213, "raw/nosana_jobs": 0.193,
    "raw/evm_token_transfers": 0.133, "raw/evm_staking_events": 0.113, "raw/evm_loan_events": 0.004,
    "raw/evm_vault_prices": 0.003, "raw/akash_staking": 0.001,
}


@dataclass(frozen=True)
class Share:
    """One worker's work: its readers over a contiguous block of the window's days."""

    worker: int  # 1-based
    first_day: date
    last_day: date
    readers: tuple[str, ...] = ()  # asset keys ("raw/akash_leases"); empty: every chain reader

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def __str__(self) -> str:
        return str(self.first_day) if self.days == 1 else f"{self.first_day}..{self.last_day}"

    def describe(self) -> str:
        """Its days, and its readers when it does not run them all (progress lines and errors)."""
        if not self.readers:
            return f"days {self}"
        return f"days {self}, readers {', '.join(key.removeprefix('raw/') for key in self.readers)}"


def split_days(first_day: date, last_day: date, workers: int) -> list[Share]:
    """The window as `workers` contiguous shares, earlier days first, sizes differing by at most one day
    (never more shares than days)."""
    total = (last_day - first_day).days + 1
    if total < 1 or workers < 1:
        raise ValueError(f"no days to share: {first_day}..{last_day} among {workers} workers")
    count = min(workers, total)
    size, extra = divmod(total, count)
    shares, start = [], first_day
    for index in range(count):
        days = size + (1 if index < extra else 0)
        shares.append(Share(index + 1, start, start + timedelta(days=days - 1)))
        start += timedelta(days=days)
    return shares


def split_readers(first_day: date, last_day: date, workers: int, costs: Mapping[str, float]) -> list[Share]:
    """The readers in `costs` (asset key -> cost a day) as `workers` sets over the whole window: costliest
    first, each onto the least loaded worker (longest-processing-time-first scheduling).

    Raises:
        ValueError: fewer readers than workers, or a cost that is not positive.
    """
    if workers < 1 or len(costs) < workers:
        raise ValueError(f"{len(costs)} chain readers cannot be shared among {workers} workers")
    if any(cost <= 0 for cost in costs.values()):
        raise ValueError(f"reader costs must be positive: {dict(costs)}")
    loads, sets = [0.0] * workers, [[] for _ in range(workers)]
    for key in sorted(costs, key=lambda k: (-costs[k], k)):
        least = min(range(workers), key=lambda w: (loads[w], w))
        sets[least].append(key)
        loads[least] += costs[key]
    return [Share(index + 1, first_day, last_day, tuple(sorted(keys))) for index, keys in enumerate(sets)]


def busiest_over_average(shares: Sequence[Share], costs: Mapping[str, float]) -> float:
    """How much more the busiest share's readers cost than the average share's (0.0: perfectly even)."""
    loads = [sum(costs[key] for key in share.readers) for share in shares]
    return max(loads) / (sum(loads) / len(loads)) - 1


def plan_shares(first_day: date, last_day: date, workers: int, costs: Mapping[str, float],
                split: str = "auto") -> list[Share]:
    """The workers' shares of first_day..last_day (module docstring, "Ways to share the work").

    Args:
        costs: asset key -> cost a day of every chain reader to run (`reader_costs`).
        split: `readers`, `days`, or `auto`: readers in as many balanced groups as the workers allow, each
            group's days shared among its workers (`split_groups`; readers alone where they balance), else days.

    Raises:
        ValueError: an unknown `split`, or `readers` with fewer readers than workers.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    if workers > 1 and split == "readers":
        return split_readers(first_day, last_day, workers, costs)
    if workers > 1 and split == "auto":
        shares = split_groups(first_day, last_day, workers, costs)
        if shares is not None:
            return shares
    return split_days(first_day, last_day, workers)


def split_groups(first_day: date, last_day: date, workers: int, costs: Mapping[str, float]) -> list[Share] | None:
    """Readers in G balanced groups, each group's days shared among workers/G of the workers, with G as large
    as balances (G = workers: readers alone); None when no G of 2 or more divides the workers and balances.

    Each reader runs once per worker of its group, so the fewer workers share a group the fewer once-per-run
    requests are repeated: 4 workers on the registry's readers are 2 groups of 2 shares of days (each reader
    read twice), where shares of days alone would read each 4 times.
    """
    for groups in range(min(workers, len(costs)), 1, -1):
        per_group = workers // groups
        if workers % groups or per_group > (last_day - first_day).days + 1:
            continue
        sets = split_readers(first_day, last_day, groups, costs)
        if busiest_over_average(sets, costs) > BALANCE_SLACK:
            continue
        blocks = split_days(first_day, last_day, per_group)
        return [Share(len(blocks) * g + b + 1, block.first_day, block.last_day, readers.readers)
                for g, readers in enumerate(sets) for b, block in enumerate(blocks)]
    return None


@functools.cache
def chain_readers() -> tuple[str, ...]:
    """The asset keys ("raw/akash_leases") of every chain reader a worker runs (`chain_ingestion`), sorted."""
    keys = chain_ingestion().resolve(_ingestion_assets())
    return tuple(sorted(key.to_user_string() for key in keys))


def reader_costs(readers: Sequence[str]) -> dict[str, float]:
    """Each reader's cost a day (READER_COST; the average of those listed for one it does not list)."""
    average = sum(READER_COST.values()) / len(READER_COST)
    return {key: READER_COST.get(key, average) for key in readers}


def reader_record_kinds() -> dict[str, tuple[str, ...]]:
    """The kinds of raw.ingest_days rows each chain reader writes: how a worker's committed day loads are
    counted while it runs."""
    from pipelines.defs.assets import akash, evm, solana

    return {
        "raw/akash_leases": (akash.LEASES_KIND,), "raw/akash_staking": (akash.STAKING_KIND,),
        "raw/evm_token_transfers": (evm.TRANSFERS.record_kind,),
        "raw/evm_staking_events": (evm.STAKING_EVENTS.record_kind,),
        "raw/evm_vault_snapshots": (evm.VAULT_NAVS.record_kind,),
        "raw/evm_supply_snapshots": (evm.SUPPLIES.record_kind,),
        "raw/evm_holder_balances": (evm.HOLDER_BALANCES.record_kind,),
        "raw/evm_loan_events": (evm.LOAN_EVENTS.record_kind,), "raw/evm_vault_prices": (evm.VAULT_PRICES.record_kind,),
        "raw/solana_token_transfers": (solana.TOKEN_KIND, solana.SIGNATURES_KIND),
        "raw/nosana_jobs": (solana.JOBS_KIND,),
    }


def ingestion_definitions() -> dg.Definitions:
    """What a worker loads: the chain readers and their checks, not the whole code location.

    The code location (`pipelines.definitions`) also holds the dbt models, and loading it imports
    dagster-dbt and dbt and reads the dbt manifest, about 1.5 s of every worker's start, for
    assets a worker never runs. The readers' upstream assets (the registry) stand outside these
    definitions, as assets of another code location would.
    """
    import dagster as dg

    from pipelines.defs import checks

    return dg.Definitions(assets=_ingestion_assets(), asset_checks=dg.load_asset_checks_from_modules([checks]))


def _ingestion_assets() -> list:
    """The EVM, Solana and Akash assets (readers and state snapshots)."""
    import dagster as dg

    from pipelines.defs.assets import akash, evm, solana

    return list(dg.load_assets_from_modules([evm, solana, akash]))


def chain_ingestion() -> dg.AssetSelection:
    """What a worker runs: the EVM, Solana and Akash readers, without the state snapshots (current state,
    taken once by the build run)."""
    import dagster as dg

    from pipelines.defs.jobs import STATE_SNAPSHOTS

    return dg.AssetSelection.groups("evm", "solana", "akash") - STATE_SNAPSHOTS


def reader_selection(readers: Sequence[str]) -> dg.AssetSelection:
    """The chain readers `readers` names (asset keys, "raw/akash_leases"), or all of them when empty.

    Raises:
        ValueError: a key that is not a chain reader, naming the ones there are.
    """
    import dagster as dg

    if not readers:
        return chain_ingestion()
    known = chain_readers()
    unknown = sorted(set(readers) - set(known))
    if unknown:
        raise ValueError(f"not chain readers: {', '.join(unknown)} (there are: {', '.join(known)})")
    return dg.AssetSelection.assets(*(dg.AssetKey.from_user_string(key) for key in readers))


def worker_command(share: Share) -> list[str]:
    """The command line of the worker process for `share` (run from the project root)."""
    readers = ["--readers", ",".join(share.readers)] if share.readers else []
    return [sys.executable, "-m", "pipelines.parallel", share.first_day.isoformat(), share.last_day.isoformat(),
            *readers]


def worker_env(first_day: date, last_day: date, base: dict[str, str] | None = None) -> dict[str, str]:
    """A worker's environment: this process's (or `base`), plus the window it is a share of."""
    return {**(os.environ if base is None else base), BACKFILL: f"{first_day.isoformat()}..{last_day.isoformat()}"}


@dataclass
class WorkerState:
    """A worker as the coordinator sees it while it runs."""

    share: Share
    process: subprocess.Popen
    log: IO[bytes]
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    loads: int = 0  # day loads it has committed (raw.ingest_days rows of its days written since it started)

    @property
    def returncode(self) -> int | None:
        return self.process.returncode

    @property
    def seconds(self) -> float:
        return (self.ended or time.monotonic()) - self.started


@dataclass(frozen=True)
class WorkerResult:
    """How one worker ended."""

    share: Share
    returncode: int
    seconds: float
    loads: int
    lines: tuple[str, ...]  # what it printed: its steps' warnings, and a `failed step` line per failed step

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def warnings(self) -> list[str]:
        """What its steps warned about (the lines that are not about a failed step)."""
        return [line for line in self.lines if not line.startswith(FAILED_STEP)]

    def failure(self) -> str:
        """One line: which worker, its days, how it ended, and why (each distinct error once, with its steps)."""
        if self.returncode < 0:
            how = f"was stopped by {signal.Signals(-self.returncode).name}"
        else:
            how = f"failed (exit {self.returncode})"
        steps: dict[str, list[str]] = {}
        for line in self.lines:
            if line.startswith(FAILED_STEP):
                step, _, error = line.removeprefix(FAILED_STEP).partition(": ")
                steps.setdefault(error, []).append(step)
        said = "; ".join(f"{', '.join(keys)}: {error}" for error, keys in steps.items()) \
            or " | ".join(self.lines[-3:]) or "it printed nothing"
        return f"worker {self.share.worker} ({self.share.describe()}) {how} after {self.loads} day loads: {said}"


def ingest_in_workers(first_day: date, last_day: date, workers: int, *, split: str = "auto",
                      on_progress: Callable[[Sequence[WorkerState]], None] | None = None,
                      poll_s: float = POLL_S) -> list[WorkerResult]:
    """Ingest first_day..last_day with the chain readers in `workers` processes at once, each a share of the work
    (`plan_shares`: a set of readers over the whole window, or every reader over a share of the days).

    The warehouse, chains and Dagster home come from this process's environment, as for `depinlens run`.
    Every worker runs to its end even when another fails (what it commits is kept, and skipped by the
    next run); nothing is built or published here.

    Args:
        split: `auto`, `readers` or `days` (`plan_shares`).
        on_progress: called about every `poll_s` seconds with every worker's state (committed day loads,
            running or ended), and once more at the end.

    Returns:
        One result per worker, in the order of their shares.

    Raises:
        NeedsLake: several workers on the DuckDB file (nothing has started).
        ValueError: an unknown `split`, or `readers` with more workers than readers.
    """
    warehouse = Settings.from_env().warehouse_path
    check_workers(warehouse, workers)
    shares = plan_shares(first_day, last_day, workers, reader_costs(chain_readers()), split)
    kinds = reader_record_kinds()
    counted = {share.worker: sorted({kind for key in share.readers for kind in kinds.get(key, ())})
               for share in shares if share.readers}
    conn = None
    if is_lake(warehouse):
        from warehouse._lake import connect_lake_plain

        prepare_lake(warehouse)
        conn = connect_lake_plain(str(warehouse))  # reads each worker's progress
    since = datetime.now(UTC)
    try:
        with _started(shares, worker_env(first_day, last_day)) as states:
            while True:
                running = [s for s in states if s.process.poll() is None]
                for state in states:
                    if state.returncode is not None and state.ended is None:
                        state.ended = time.monotonic()
                if conn is not None:
                    _count_loads(conn, states, since, counted)
                if on_progress is not None:
                    on_progress(states)
                if not running:
                    break
                time.sleep(poll_s)
            results = [WorkerResult(s.share, s.process.returncode, s.seconds, s.loads, _lines(s.log)) for s in states]
        if conn is not None:
            settle_progress(conn)
        return results
    finally:
        if conn is not None:
            conn.close()


def prepare_lake(lake: Path | str) -> None:
    """Create, before any worker starts, what every worker would otherwise create at the same time (and
    settle the cursors an earlier parallel ingestion stopped early may have doubled).

    The DuckLake catalog itself (two first attaches of a new catalog race to create its tables), the
    raw schema, and the catalog of kept reference tables that each run settles when it ends
    (pipelines/reference/snapshots.py): two transactions creating one schema conflict on a DuckLake,
    where deleting no rows, or creating what exists, does not.
    """
    from pipelines.reference.snapshots import unsettled_runs
    from warehouse import connect_warehouse

    conn = connect_warehouse(lake)
    try:
        unsettled_runs(conn)  # creates the catalog when missing
        settle_progress(conn)  # what a parallel ingestion stopped before its end may have left
    finally:
        conn.close()


@contextmanager
def _started(shares: Sequence[Share], env: dict[str, str]) -> Iterator[list[WorkerState]]:
    """One process per share; on the way out, any still running is stopped (SIGTERM, then SIGKILL)."""
    states: list[WorkerState] = []
    with tempfile.TemporaryDirectory(prefix="depinlens-workers-") as folder:
        try:
            for share in shares:
                log = open(Path(folder) / f"worker-{share.worker}.log", "w+b")  # noqa: SIM115 - closed below
                process = subprocess.Popen(worker_command(share), cwd=PROJECT_ROOT, env=env, stdout=log,
                                           stderr=subprocess.STDOUT)
                states.append(WorkerState(share, process, log))
            yield states
        finally:
            for state in states:
                if state.process.poll() is None:
                    state.process.terminate()
            deadline = time.monotonic() + STOP_GRACE_S
            for state in states:
                try:
                    state.process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    state.process.kill()
                    state.process.wait()
                state.log.close()


def _count_loads(conn: duckdb.DuckDBPyConnection, states: Sequence[WorkerState], since: datetime,
                 kinds: Mapping[int, Sequence[str]]) -> None:
    """Each worker's committed day loads: rows of raw.ingest_days in its days written since the workers started
    (of its readers' record kinds, `kinds` by worker, where it runs only some readers)."""
    for state in states:
        sql = "select count(*) from raw.ingest_days where day between ? and ? and fetched_at >= ?"
        params: list = [state.share.first_day, state.share.last_day, since]
        if state.share.worker in kinds:
            sql += " and record_kind in (select unnest(?::varchar[]))"
            params.append(list(kinds[state.share.worker]))
        state.loads = conn.execute(sql, params).fetchone()[0]


def _lines(log: IO[bytes]) -> tuple[str, ...]:
    """The non-empty lines a worker printed, each once, in order."""
    log.flush()
    log.seek(0)
    text = log.read().decode(errors="replace")
    return tuple(dict.fromkeys(line.rstrip() for line in text.splitlines() if line.strip()))


# --- the worker process ----------------------------------------------------------------------------


def worker_instance() -> dg.DagsterInstance:
    """The Dagster instance a worker records its run in: DAGSTER_HOME's (so `dagster dev` shows the run), its
    pools seen at `run` granularity so the steps claim no slot (module docstring); an ephemeral one without
    DAGSTER_HOME."""
    import dagster as dg
    import yaml
    from dagster._core.instance.ref import InstanceRef  # the one way to load an instance with overrides

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    config_file = Path(home) / "dagster.yaml"
    config = (yaml.safe_load(config_file.read_text()) if config_file.exists() else None) or {}
    concurrency = dict(config.get("concurrency") or {})  # overrides replace whole top-level sections
    concurrency["pools"] = {**(concurrency.get("pools") or {}), "granularity": "run"}
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides={"concurrency": concurrency}))


def run_worker(first_day: date, last_day: date, readers: Sequence[str] = ()) -> int:
    """One worker: its chain readers (all when `readers` is empty) over its days as one Dagster run. Prints one
    line per failed step.

    Returns:
        The exit status: 0 when every step succeeded.
    """
    import dagster as dg

    from depinlens.failures import chain_of_error_info, one_line
    from pipelines.defs.assets.akash import build_akash_resource
    from pipelines.defs.assets.solana import solana_resource_from_env
    from pipelines.defs.resources import build_resources
    from pipelines.run import run_pipeline

    for category in (dg.BetaWarning, dg.PreviewWarning):
        warnings.filterwarnings("ignore", category=category)
    resources = {**build_resources(dbt=False), "solana": solana_resource_from_env(), "akash": build_akash_resource()}
    result = run_pipeline(first_day, last_day, resources=resources, instance=worker_instance(),
                          selection=reader_selection(readers), snapshots=False, raise_on_error=False, quiet=True,
                          definitions=ingestion_definitions())
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            error = one_line(chain_of_error_info(event.step_failure_data.error))
            print(f"{FAILED_STEP}{event.step_key}: {error}", file=sys.stderr)
    return 0 if result.success else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.parallel",
        description="One ingestion worker: the chain readers (or those --readers names) over FIRST..LAST as one "
                    "Dagster run, into the warehouse DEPINLENS_WAREHOUSE names. `depinlens run --workers N` starts N "
                    "of these, each a share of the work (a set of readers over the window, or a share of its days).")
    parser.add_argument("first", type=date.fromisoformat, help="first UTC day, YYYY-MM-DD")
    parser.add_argument("last", type=date.fromisoformat, help="last UTC day, YYYY-MM-DD")
    parser.add_argument("--readers", default="", metavar="KEYS",
                        help="only these chain readers, comma-separated asset keys (e.g. raw/akash_leases,"
                             "raw/nosana_jobs); default: every one")
    args = parser.parse_args(argv)
    readers = [key.strip() for key in args.readers.split(",") if key.strip()]
    try:
        reader_selection(readers)  # an unknown key is refused before any work
    except ValueError as exc:
        parser.error(str(exc))
    return run_worker(args.first, args.last, readers)


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's beta notices at import: noise in a worker's log
        import pipelines.defs.assets.akash, pipelines.defs.assets.evm, pipelines.defs.assets.solana  # noqa: E401, F401
    sys.exit(main())
