"""The `depinlens` command line: set up the embedded default, run the pipeline, serve dashboards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import traceback
import uuid
import warnings
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from depinlens.failures import chain_of_error_info, chain_of_exception, one_line
from depinlens.interrupts import StopWatch, Stopped, stop_on_signals
from depinlens.settings import PROJECT_ROOT, Settings
from pipelines.parallel import Split
from pipelines.window import MAX_WINDOW_DAYS, WindowTooLong, check_window

if TYPE_CHECKING:
    import dagster as dg


class _Options:
    """The global options, set once by `main` for every command."""

    verbose = False


class _App(typer.Typer):
    """A Typer app whose failures end in one plain line; the traceback only with --verbose."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        try:
            return super().__call__(*args, **kwargs)
        except Stopped as stop:
            _say_error(f"depinlens: stopped by {stop.signal_name}" + "".join(f"; {d}" for d in stop.details))
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(stop.exit_code)  # skip joining threads a stopped step left behind
        except Exception as exc:  # noqa: BLE001 - the one place every unexpected failure is reported
            if _Options.verbose:
                traceback.print_exception(exc)
            _say_error(f"depinlens: {one_line(chain_of_exception(exc))}")
            if not _Options.verbose:
                _say_error("(run again with `depinlens --verbose ...` for the full traceback)", style="dim")
            sys.exit(1)


app = _App(
    help="depinlens: on-chain revenue, staking and jobs of DePIN GPU networks, from chain to dashboard.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)

VerboseOption = Annotated[bool, typer.Option(
    "--verbose", "-v", help="Print Dagster's log and full tracebacks (by default: one line per failure).")]


@app.callback()
def main(verbose: VerboseOption = False) -> None:
    """depinlens: on-chain revenue, staking and jobs of DePIN GPU networks, from chain to dashboard."""
    _Options.verbose = _Options.verbose or verbose


def _say_error(line: str, style: str = "red") -> None:
    """One plain line on stderr (rich markup off: messages may hold brackets)."""
    err_console.print(Text(line, style=style), soft_wrap=True)


from gpu_bench.cli import bench_app  # noqa: E402  (light import: torch loads only when a suite runs)

app.add_typer(bench_app, name="bench")

from reports.cli import report_command  # noqa: E402

app.command("report")(report_command)


def _instance() -> dg.DagsterInstance:
    import dagster as dg

    settings = Settings.from_env()
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    instance_config = settings.dagster_home / "dagster.yaml"
    if not instance_config.exists():
        # one writer at a time: every asset that writes the warehouse is in the `warehouse` pool
        instance_config.write_text("concurrency:\n  pools:\n    default_limit: 1\ntelemetry:\n  enabled: false\n")
    settings.export()
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    return dg.DagsterInstance.get()


def _refuse_a_damaged_warehouse(settings: Settings) -> None:
    """Stop with one line before anything runs when the warehouse file is damaged (it is left as it was)."""
    from warehouse import WarehouseCorrupt, check_warehouse

    try:
        check_warehouse(settings.warehouse_path)
    except WarehouseCorrupt as exc:
        Console(stderr=True).print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from exc


def _quiet_dagster() -> None:
    """Without --verbose, Dagster's beta/preview notices about our own definitions are noise to a user."""
    if _Options.verbose:
        return
    import dagster as dg

    for category in (dg.BetaWarning, dg.PreviewWarning):
        warnings.filterwarnings("ignore", category=category)


def _clear_the_way(instance: dg.DagsterInstance) -> None:
    """End runs whose process is gone (saying so), then wait, saying for whom, while a live run holds a pool."""
    from pipelines.stale_runs import end_stale_runs, pool_holders

    told: set[str] = set()
    while True:
        for ended in end_stale_runs(instance):
            console.print(Text(ended.message(), style="yellow"), soft_wrap=True)
        holders = pool_holders(instance)
        if not holders:
            return
        for holder in holders:
            if holder.run_id not in told:
                console.print(Text(holder.message(), style="yellow"), soft_wrap=True)
                told.add(holder.run_id)
        time.sleep(1.0)


def _run(first: date, last: date, watch: StopWatch) -> None:
    """One Dagster run of the whole pipeline for first..last, reported in plain lines; stoppable by a signal."""
    _quiet_dagster()
    _refuse_a_damaged_warehouse(Settings.from_env())
    from pipelines.defs.assets.akash import build_akash_resource
    from pipelines.defs.assets.reference import build_reference_resource
    from pipelines.defs.assets.solana import solana_resource_from_env
    from pipelines.defs.resources import build_resources
    from pipelines.run import run_pipeline
    from pipelines.stale_runs import end_run

    resources = {**build_resources(), "solana": solana_resource_from_env(), "akash": build_akash_resource(),
                 "reference": build_reference_resource()}
    instance = _instance()
    _clear_the_way(instance)
    run_id = str(uuid.uuid4())

    def end_this_run() -> str | None:
        ended = end_run(instance, run_id, f"depinlens was stopped by {watch.signal_name()}")
        return f"run {run_id[:8]} is marked failed and holds no pool slot" if ended else None

    watch.on_force.append(end_this_run)
    started = time.monotonic()
    try:
        with console.status(f"Dagster run {run_id[:8]}: ingest → dbt build → publish for {first}..{last}"):
            result = run_pipeline(first, last, resources=resources, instance=instance, raise_on_error=False,
                                  log_level="INFO", quiet=not _Options.verbose, run_id=run_id)
    except Stopped as stop:
        said = end_this_run()
        raise Stopped(stop.signum, *([said] if said else []), "run the same command again to finish") from None
    if watch.signum is not None:  # Dagster caught the signal inside a step and ended the run itself
        said = end_this_run()
        _stop_children()
        raise Stopped(watch.signum, *([said] if said else []), "run the same command again to finish")
    if not result.success:
        _report_failure(result, instance)
        raise typer.Exit(code=1)
    console.print(f"[green]pipeline run {result.run_id[:8]} succeeded[/green] in {time.monotonic() - started:.1f} s")


def _stop_children() -> None:
    """Stop whatever this process started that still runs (dbt, Dagster's log tails)."""
    from depinlens.processes import descendants, stop_processes

    stop_processes(descendants(), grace_s=3.0)


def _report_failure(result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance) -> None:
    """One red line per failed step (or for the run, when no step failed), then where to see more."""
    failures = [(e.step_key, e.step_failure_data.error) for e in result.all_events
                if e.is_step_failure and e.step_failure_data.error is not None]
    if not failures:
        failures = [("run", e.job_failure_data.error) for e in result.all_events
                    if e.is_run_failure and e.job_failure_data and e.job_failure_data.error is not None]
    for step, error in failures:
        if _Options.verbose:
            err_console.print(Text(error.to_string()), soft_wrap=True)
        _say_error(f"{step}: {one_line(chain_of_error_info(error))}")
    if not failures:
        _say_error(f"run {result.run_id[:8]} failed without an error Dagster could name")
    home = instance.root_directory
    _say_error(f"run {result.run_id[:8]} failed; full tracebacks: the same command with --verbose; its events: "
               f"`DAGSTER_HOME={home} dagster dev`", style="dim")


@app.command()
def up(
    days: Annotated[int, typer.Option(help="Days of simulated activity on the local chains (one run covers at most "
                                           f"{MAX_WINDOW_DAYS}).", min=1, max=MAX_WINDOW_DAYS)] = 30,
    port: Annotated[int, typer.Option(help="Port for the dashboards on 127.0.0.1 (a free one if taken).")] = 8501,
    serve: Annotated[bool, typer.Option(help="Serve the dashboards when the pipeline is done.")] = True,
    team: Annotated[bool, typer.Option(
        "--team", help="Team mode: the warehouse is a DuckLake on PostgreSQL (DEPINLENS_WAREHOUSE=ducklake:postgres:"
                       "<dsn> if set, else a cluster started under data/postgres/ for this command) and Dagster keeps "
                       "its runs in PostgreSQL. See docs/architecture.md.")] = False,
    verbose: VerboseOption = False,
) -> None:
    """Embedded default, end to end: local chains → demo activity → ingest → dbt → publish → dashboards.

    Starts anvil on 127.0.0.1 (EVM networks), a LiteSVM ledger behind a loopback Solana JSON-RPC server (Render, io.net, Nosana) and a loopback Akash REST server, and simulates DAYS of activity and demo token prices, labelled source='demo' everywhere.

    Then it loads the reference data (cloud GPU prices from DEPINLENS_SHARED_DIR, GPU specs, claims), runs the Dagster pipeline into the DuckDB file under data/, publishes the serving file, stops the local chains and serves Streamlit.

    With --team the same runs into a DuckLake whose catalog is in PostgreSQL (its Parquet files under data/lake/, or DEPINLENS_LAKE_DATA), publishing is a pinned snapshot instead of a copied file, and the PostgreSQL server this command started stops with it.

    Ctrl-C or SIGTERM stops the run and the local chains; a run left unfinished by a process that is gone is marked failed first.
    """  # noqa: E501  (typer keeps docstring line breaks: one line per paragraph)
    _Options.verbose = _Options.verbose or verbose
    if not team:
        _up(days, port, serve)
        return
    from depinlens.team import team_environment
    from warehouse import parse_lake

    with team_environment(Settings.from_env(), on_start=console.print) as setup:
        console.print(f"team mode: warehouse {parse_lake(setup.warehouse).redacted()}, Dagster storage in PostgreSQL")
        _up(days, port, serve)


def _up(days: int, port: int, serve: bool) -> None:
    """`up`'s work, in whichever backend the environment names."""
    from contextlib import ExitStack

    from depinlens.registry import load_registry
    from harness.akash.demo import akash_demo
    from harness.anvil import Anvil
    from harness.demo import day_start, demo_window, simulate_evm, write_demo_token_prices
    from harness.evm import LocalEvm
    from harness.solana.demo import solana_demo
    from warehouse import connect_warehouse, forget_chain, forget_marts_source

    settings = Settings.from_env()
    _refuse_a_damaged_warehouse(settings)
    registry = load_registry(settings.registry_path)
    first, last = demo_window(days)
    prices_csv = settings.data_dir / "demo_token_prices.csv"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    write_demo_token_prices(prices_csv, registry, first, last)
    if not (settings.shared_dir / "reference" / "cloud_gpu_prices.csv").exists():
        os.environ["DEPINLENS_CLOUD_PRICES"] = "off"
        console.print(f"[yellow]no cloud price file under {settings.shared_dir}: cloud prices skipped; "
                      "set DEPINLENS_SHARED_DIR to the folder holding reference/cloud_gpu_prices.csv[/yellow]")
    os.environ.update(DEPINLENS_SOURCE="demo", DEPINLENS_EVM_CHAINS="anvil", DEPINLENS_SOLANA_CHAINS="solana-local",
                      DEPINLENS_AKASH_CHAINS="akash-local", DEPINLENS_TOKEN_PRICES_CSV=str(prices_csv),
                      DEPINLENS_AKASH_SCAN_CLOSED="1")  # the demo chain is new and small: read its closed leases once
    with stop_on_signals() as watch, ExitStack() as local_chains:
        _clear_the_way(_instance())  # a stale run's leftover dbt would hold the warehouse file
        anvil = local_chains.enter_context(Anvil(genesis_timestamp=day_start(first) - 3600))
        os.environ[registry.chain("anvil").rpc_url_env] = anvil.url
        with console.status("building the Solana ledger (LiteSVM) and the Akash ledger"):
            os.environ[registry.chain("solana-local").rpc_url_env] = local_chains.enter_context(
                solana_demo(registry, first, last))
            os.environ[registry.chain("akash-local").rpc_url_env] = local_chains.enter_context(
                akash_demo(registry, first, last))
        console.print(f"local chains: anvil {anvil.url}, Solana {os.environ['DEPINLENS_RPC_SOLANA_LOCAL']}, "
                      f"Akash {os.environ['DEPINLENS_REST_AKASH_LOCAL']}; demo window {first}..{last}")
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task("simulating demo days on anvil", total=days)
            activity = simulate_evm(LocalEvm(anvil.url), registry, first, last,
                                    progress=lambda n: bar.advance(task, n))
        console.print(f"sent {len(activity.sent)} EVM token transactions")
        conn = connect_warehouse(settings.warehouse_path)
        try:
            removed = sum(forget_chain(conn, chain=chain, source="demo")
                          for chain in ("anvil", "solana-local", "akash-local"))
            removed += forget_marts_source(conn, source="demo")
        finally:
            conn.close()
        if removed:
            console.print(f"dropped {removed} rows of the previous demo's local chains")
        _run(first, last, watch)
    console.print(_where(settings))
    if serve:
        serve_dashboards(port)


@app.command()
def run(
    first: Annotated[str, typer.Option("--from", help="First UTC day, YYYY-MM-DD.")],
    last: Annotated[str, typer.Option("--to", help="Last UTC day, YYYY-MM-DD (default: --from); one run covers at "
                                                   f"most {MAX_WINDOW_DAYS} days.")] = "",
    workers: Annotated[int, typer.Option(min=1, help="Ingest in this many processes at once, each a share of the "
                                                     "work, then build and publish once; more than 1 needs a DuckLake "
                                                     "(DEPINLENS_WAREHOUSE=ducklake:postgres:<dsn>).")] = 1,
    split: Annotated[Split, typer.Option(help="How --workers share the work: 'readers' (each worker some chain "
                                            "readers over the whole window: nothing read twice), 'days' (every reader, "
                                            "a share of the days each), or 'auto': the readers in as many groups as "
                                            "keep the workers evenly busy, each group's days shared among its workers "
                                            "(readers alone for 2 or 3 workers), else days.")] = Split.auto,
    verbose: VerboseOption = False,
) -> None:
    """Run the pipeline for a window of days against the configured chains.

    Chains come from DEPINLENS_EVM_CHAINS, DEPINLENS_SOLANA_CHAINS and DEPINLENS_AKASH_CHAINS; each chain's URL from the variable networks.toml names (e.g. DEPINLENS_RPC_ETHEREUM); rows are labelled with DEPINLENS_SOURCE (live, local or demo). See README, "Live chains".

    With --workers N the chain readers first run in N worker processes writing the lake at once (--split: some readers over the whole window each, every reader over a share of the days, or groups of readers each over a share of the days; a line each while they run); a failed worker is named with its share and nothing is built or published. Then one run builds and publishes the whole window, skipping the days the workers finished.

    Runs left unfinished by a process that is gone are marked failed first (their pool slots freed); Ctrl-C or SIGTERM stops the run, dbt included, and marks it failed. Each failed step is one line; --verbose shows the tracebacks.
    """  # noqa: E501
    _Options.verbose = _Options.verbose or verbose
    first_day = _partition_day(first, "--from")
    last_day = _partition_day(last, "--to") if last else first_day
    if last_day < first_day:
        raise typer.BadParameter(f"--to {last_day} is before --from {first_day}", param_hint="--to")
    try:
        check_window(first_day, last_day)
    except WindowTooLong as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from None
    with stop_on_signals() as watch:
        if workers > 1:
            _ingest_in_workers(first_day, last_day, workers, split.value)
        _run(first_day, last_day, watch)


def _where(settings: Settings) -> str:
    """Where the warehouse and what readers see are, as printed (a lake's DSN without its password)."""
    from warehouse import parse_lake, serving_version

    if not settings.lake:
        return f"warehouse {settings.warehouse_path}\nserving   {settings.serving_path}"
    lake = parse_lake(str(settings.warehouse_path))
    return f"warehouse {lake.redacted()}\nserving   snapshot {serving_version(lake)} of that lake (the last published)"


def _ingest_in_workers(first: date, last: date, workers: int, split: str) -> None:
    """The chain readers in `workers` processes (pipelines/parallel.py), a progress line each; exit 1 naming
    each failed worker and its share (nothing built or published), or 2 on the DuckDB file."""
    from rich.progress import SpinnerColumn

    from pipelines.parallel import NeedsLake, WorkerState, check_workers, ingest_in_workers

    try:
        check_workers(Settings.from_env().warehouse_path, workers)
    except NeedsLake as exc:
        _say_error(f"depinlens: {exc}")
        raise typer.Exit(code=2) from None
    _quiet_dagster()
    _clear_the_way(_instance())
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        rows: dict[int, int] = {}

        def show(states: list[WorkerState]) -> None:
            for state in states:
                status = {None: "running", 0: "done"}.get(state.returncode, "failed")
                line = (f"worker {state.share.worker} ({state.share.describe()}): {state.loads} day loads committed, "
                        f"{status}")
                if state.share.worker not in rows:
                    rows[state.share.worker] = bar.add_task(line, total=None)
                bar.update(rows[state.share.worker], description=line,
                           **({"total": 1, "completed": 1} if state.returncode is not None else {}))

        try:
            results = ingest_in_workers(first, last, workers, split=split, on_progress=show)
        except BaseException as exc:
            stop = next((e for e in (exc, exc.__cause__, exc.__context__) if isinstance(e, Stopped)), None)
            if stop is None:  # a signal inside a DuckDB query arrives as DuckDB's "interrupted" error
                raise
            raise Stopped(stop.signum, "the workers were stopped (the days they finished are kept)",
                          "run the same command again to finish") from None
    for line in dict.fromkeys(line for result in results for line in result.warnings):
        console.print(Text(line, style="yellow"), soft_wrap=True)  # what steps warned about
    failed = [result for result in results if not result.ok]
    for result in failed:
        _say_error(f"depinlens: {result.failure()}")
    if failed:
        _say_error("nothing was built or published; run the same command again to finish (the days the workers "
                   "finished are kept and not read again)", style="dim")
        raise typer.Exit(code=1)
    console.print(f"[green]{len(results)} workers ingested {first}..{last}[/green]; building and publishing the window")


def _partition_day(text: str, option: str) -> date:
    """A YYYY-MM-DD day that is a pipeline partition (a whole UTC day from 2024-01-01 to yesterday)."""
    from depinlens.days import parse_day
    from pipelines.defs.partitions import daily

    day = parse_day(text, option)
    if not daily.has_partition_key(day.isoformat()):
        first = daily.start.date()
        raise typer.BadParameter(f"{day} is not a whole past UTC day in the pipeline's range ({first} to yesterday)",
                                 param_hint=option)
    return day


@app.command("serve")
def serve_dashboards(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (a free one if taken).")] = 8501,
) -> None:
    """Serve the Streamlit dashboards on 127.0.0.1 from the published serving file."""
    from harness.anvil import free_port

    import httpx

    settings = Settings.from_env()
    settings.export()
    try:
        httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=0.5)
        port = free_port()  # something already answers there
    except httpx.HTTPError:
        pass
    args = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboards" / "streamlit_app.py"),
            "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
            "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(args, cwd=PROJECT_ROOT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=0.5).text == "ok":
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    console.print(f"\n[bold green]Dashboards: {url}[/bold green]  (Ctrl-C to stop)\n")
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    app()
