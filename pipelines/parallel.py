"""Chain ingestion in parallel worker processes: a window's days split among N Dagster runs that
write one DuckLake at the same time.

Ingestion is bound by RPC round trips, so it scales with the requests in flight, not with cores.
`ingest_in_workers` splits the window into N contiguous shares of days and starts one process
per share; each runs the chain ingestion assets (EVM, Solana and Akash readers; the state
snapshots are left to the build run) over its days as one in-process Dagster run, through
`pipelines.run.run_pipeline`: the same code path as every other run, given only the readers'
definitions (`ingestion_definitions`: a worker imports no dbt). So each day is still
stored in one transaction with its progress (one DuckLake transaction: all or nothing), a day
a reader finished is still skipped (raw.ingest_days), and cursors stay per (network, chain,
contract, kind) and only move forward (a load appends its cursor row and readers take the
furthest, and a load that loses a write conflict to another worker is run again from the
start: warehouse/_progress.py, warehouse/_lake.py). The caller then runs the normal pipeline over the
whole window once, whose readers find every day finished and whose dbt build and publish see
all of it. What every worker would create at the same time (the lake's catalog, the raw schema)
is created first (`prepare_lake`).

Why these choices:
  * Processes, each one Dagster run: a worker has its own HTTP clients, request budgets and
    DuckDB connection, can be killed alone (its open transaction leaves nothing), and is what
    a Dagster run queue runs across machines: a backfill's partition ranges as runs under a
    QueuedRunCoordinator with `max_concurrent_runs`, steps on a Celery or Kubernetes executor.
    Here this module is that coordinator: N runs at once, N the worker count.
  * Not the multiprocess executor inside one run: it needs a reconstructable job and a
    persistent instance (run_pipeline builds its Definitions with resource overrides at call
    time), starts a process per step, and would parallelise chain families only; splitting
    days gives every worker a share of every family's requests.
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
    the workers start and after they end).

Run one worker by hand: `python -m pipelines.parallel FIRST LAST` (the environment names the
warehouse and the chains, as for `depinlens run`).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from depinlens.settings import PROJECT_ROOT, Settings
from warehouse import is_lake
from warehouse._progress import settle_cursors

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


@dataclass(frozen=True)
class Share:
    """One worker's days: a contiguous block of the window."""

    worker: int  # 1-based
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def __str__(self) -> str:
        return str(self.first_day) if self.days == 1 else f"{self.first_day}..{self.last_day}"


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


def ingestion_definitions() -> dg.Definitions:
    """What a worker loads: the chain readers and their checks, not the whole code location.

    The code location (`pipelines.definitions`) also holds the dbt models, and loading it imports
    dagster-dbt and dbt and reads the dbt manifest, about 1.5 s of every worker's start, for
    assets a worker never runs. The readers' upstream assets (the registry) stand outside these
    definitions, as assets of another code location would.
    """
    import dagster as dg

    from pipelines.defs import checks
    from pipelines.defs.assets import akash, evm, solana

    return dg.Definitions(assets=dg.load_assets_from_modules([evm, solana, akash]),
                          asset_checks=dg.load_asset_checks_from_modules([checks]))


def chain_ingestion() -> dg.AssetSelection:
    """What a worker runs: the EVM, Solana and Akash readers, without the state snapshots (current state,
    taken once by the build run)."""
    import dagster as dg

    from pipelines.defs.jobs import STATE_SNAPSHOTS

    return dg.AssetSelection.groups("evm", "solana", "akash") - STATE_SNAPSHOTS


def worker_command(share: Share) -> list[str]:
    """The command line of the worker process for `share` (run from the project root)."""
    return [sys.executable, "-m", "pipelines.parallel", share.first_day.isoformat(), share.last_day.isoformat()]


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
        return f"worker {self.share.worker} (days {self.share}) {how} after {self.loads} day loads: {said}"


def ingest_in_workers(first_day: date, last_day: date, workers: int, *,
                      on_progress: Callable[[Sequence[WorkerState]], None] | None = None,
                      poll_s: float = POLL_S) -> list[WorkerResult]:
    """Ingest first_day..last_day with the chain readers in `workers` processes at once, each a share of the days.

    The warehouse, chains and Dagster home come from this process's environment, as for `depinlens run`.
    Every worker runs to its end even when another fails (what it commits is kept, and skipped by the
    next run); nothing is built or published here.

    Args:
        on_progress: called about every `poll_s` seconds with every worker's state (committed day loads,
            running or ended), and once more at the end.

    Returns:
        One result per worker, in the order of their days.

    Raises:
        NeedsLake: several workers on the DuckDB file (nothing has started).
    """
    warehouse = Settings.from_env().warehouse_path
    check_workers(warehouse, workers)
    shares = split_days(first_day, last_day, workers)
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
                    _count_loads(conn, states, since)
                if on_progress is not None:
                    on_progress(states)
                if not running:
                    break
                time.sleep(poll_s)
            results = [WorkerResult(s.share, s.process.returncode, s.seconds, s.loads, _lines(s.log)) for s in states]
        if conn is not None:
            settle_cursors(conn)
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
        settle_cursors(conn)  # what a parallel ingestion stopped before its end may have left
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


def _count_loads(conn: duckdb.DuckDBPyConnection, states: Sequence[WorkerState], since: datetime) -> None:
    """Each worker's committed day loads: rows of raw.ingest_days in its days written since the workers started."""
    for state in states:
        state.loads = conn.execute(
            "select count(*) from raw.ingest_days where day between ? and ? and fetched_at >= ?",
            [state.share.first_day, state.share.last_day, since]).fetchone()[0]


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


def run_worker(first_day: date, last_day: date) -> int:
    """One worker: the chain readers over its days as one Dagster run. Prints one line per failed step.

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
                          selection=chain_ingestion(), snapshots=False, raise_on_error=False, quiet=True,
                          definitions=ingestion_definitions())
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            error = one_line(chain_of_error_info(event.step_failure_data.error))
            print(f"{FAILED_STEP}{event.step_key}: {error}", file=sys.stderr)
    return 0 if result.success else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.parallel",
        description="One ingestion worker: the chain readers over FIRST..LAST as one Dagster run, into the warehouse "
                    "DEPINLENS_WAREHOUSE names. `depinlens run --workers N` starts N of these, a share of days each.")
    parser.add_argument("first", type=date.fromisoformat, help="first UTC day, YYYY-MM-DD")
    parser.add_argument("last", type=date.fromisoformat, help="last UTC day, YYYY-MM-DD")
    args = parser.parse_args(argv)
    return run_worker(args.first, args.last)


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's beta notices at import: noise in a worker's log
        import pipelines.defs.assets.akash, pipelines.defs.assets.evm, pipelines.defs.assets.solana  # noqa: E401, F401
    sys.exit(main())
