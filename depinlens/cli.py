"""The `depinlens` command line: set up the embedded default, run the pipeline, serve dashboards."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from depinlens.settings import PROJECT_ROOT, Settings

app = typer.Typer(
    help="depinlens: on-chain revenue, staking and jobs of DePIN GPU networks, from chain to dashboard.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

from gpu_bench.cli import bench_app  # noqa: E402  (light import: torch loads only when a suite runs)

app.add_typer(bench_app, name="bench")

from reports.cli import report_command  # noqa: E402

app.command("report")(report_command)


def _instance():
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


def _run(first: date, last: date) -> None:
    _refuse_a_damaged_warehouse(Settings.from_env())
    from pipelines.defs.assets.akash import build_akash_resource
    from pipelines.defs.assets.reference import build_reference_resource
    from pipelines.defs.assets.solana import solana_resource_from_env
    from pipelines.defs.resources import build_resources
    from pipelines.run import run_pipeline

    resources = {**build_resources(), "solana": solana_resource_from_env(), "akash": build_akash_resource(),
                 "reference": build_reference_resource()}
    with console.status(f"Dagster run: ingest → dbt build → publish for {first}..{last}"):
        started = time.monotonic()
        result = run_pipeline(first, last, resources=resources, instance=_instance(), raise_on_error=False,
                              log_level="WARNING")
    if not result.success:
        failures = [e for e in result.all_events if e.is_step_failure]
        for event in failures:
            console.print(f"[red]step {event.step_key} failed:[/red] {event.step_failure_data.error.message.strip()}")
        raise typer.Exit(code=1)
    console.print(f"[green]pipeline run {result.run_id[:8]} succeeded[/green] in {time.monotonic() - started:.1f} s")


@app.command()
def up(
    days: Annotated[int, typer.Option(help="Days of simulated activity on the local chains.", min=1, max=365)] = 30,
    port: Annotated[int, typer.Option(help="Port for the dashboards on 127.0.0.1 (a free one if taken).")] = 8501,
    serve: Annotated[bool, typer.Option(help="Serve the dashboards when the pipeline is done.")] = True,
) -> None:
    """Embedded default, end to end: local chains → demo activity → ingest → dbt → publish → dashboards.

    Starts anvil on 127.0.0.1 (EVM networks), a LiteSVM ledger behind a loopback Solana JSON-RPC server (Render, io.net, Nosana) and a loopback Akash REST server, and simulates DAYS of activity and demo token prices, labelled source='demo' everywhere.

    Then it loads the reference data (cloud GPU prices from DEPINLENS_SHARED_DIR, GPU specs, claims), runs the Dagster pipeline into the DuckDB file under data/, publishes the serving file, stops the local chains and serves Streamlit.
    """  # noqa: E501  (typer keeps docstring line breaks: one line per paragraph)
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
    with ExitStack() as local_chains:
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
        _run(first, last)
    console.print(f"warehouse {settings.warehouse_path}\nserving   {settings.serving_path}")
    if serve:
        serve_dashboards(port)


@app.command()
def run(
    first: Annotated[str, typer.Option("--from", help="First UTC day, YYYY-MM-DD.")],
    last: Annotated[str, typer.Option("--to", help="Last UTC day, YYYY-MM-DD (default: --from).")] = "",
) -> None:
    """Run the pipeline for a window of days against the configured chains.

    Chains come from DEPINLENS_EVM_CHAINS, DEPINLENS_SOLANA_CHAINS and DEPINLENS_AKASH_CHAINS; each chain's URL from the variable networks.toml names (e.g. DEPINLENS_RPC_ETHEREUM); rows are labelled with DEPINLENS_SOURCE (live, local or demo). See README, "Live chains".
    """  # noqa: E501
    first_day = _partition_day(first, "--from")
    last_day = _partition_day(last, "--to") if last else first_day
    if last_day < first_day:
        raise typer.BadParameter(f"--to {last_day} is before --from {first_day}", param_hint="--to")
    _run(first_day, last_day)


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
