"""`depinlens bench …`: the operator's commands (keys, run, submit, schedule) as a Typer sub-app.

Mounted by depinlens/cli.py with `app.add_typer(bench_app, name="bench")`.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from gpu_bench.errors import BenchError, InboxError
from gpu_bench.schema import SUITES, RunResult

bench_app = typer.Typer(
    help="gpu_bench: measure this machine (matmul, memory, copies, inference, dataframes), sign the "
         "result with the operator key, and submit it to the depinlens inbox.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

SWEEP_SUITES = ("matmul", "bandwidth", "copy")

SuiteOption = Annotated[list[str] | None, typer.Option(
    "--suite", "-s", help=f"Suite to run (repeat for several): {', '.join(SUITES)}. Default: all.")]
QuickOption = Annotated[bool, typer.Option("--quick", help="Tiny sizes: a smoke test in seconds, not a benchmark.")]
DeviceOption = Annotated[str, typer.Option(help="auto (CUDA if present, else CPU), cpu, cuda or cuda:N.")]
ProviderOption = Annotated[str | None, typer.Option(
    envvar="DEPINLENS_BENCH_PROVIDER", help="Your provider identity on the network (e.g. node or provider address).")]
VenueOption = Annotated[str | None, typer.Option(
    envvar="DEPINLENS_BENCH_VENUE", help="Where the machine is offered: a network (nosana, akash…) or a cloud.")]
InboxOption = Annotated[str | None, typer.Option(
    envvar="DEPINLENS_BENCH_INBOX", help="Submissions inbox: a directory or an fsspec URL (s3://bucket/prefix).")]


def _home() -> Path:
    from gpu_bench.keys import bench_home

    return bench_home()


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {exc}")
    return typer.Exit(code=1)


def _suites(chosen: list[str] | None) -> list[str]:
    chosen = chosen or list(SUITES)
    unknown = [s for s in chosen if s not in SUITES]
    if unknown:
        raise typer.BadParameter(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}", param_hint="--suite")
    return chosen


@bench_app.command()
def keys(
    key_type: Annotated[str, typer.Option("--type", help="ed25519 (a Solana keypair) or secp256k1 (an EVM key).")]
    = "ed25519",
    import_from: Annotated[Path | None, typer.Option(
        "--import", help="Use an existing key: a solana-keygen JSON file (ed25519) or a 0x-hex private key file.")]
    = None,
    replace: Annotated[bool, typer.Option(help="Keep the current key aside (renamed) and make a new one.")] = False,
) -> None:
    """Show the operator key, creating it first if there is none (or importing one with --import)."""
    from gpu_bench.keys import create_key, key_path, load_key

    if key_type not in ("ed25519", "secp256k1"):
        raise typer.BadParameter("choose ed25519 or secp256k1", param_hint="--type")
    home = _home()
    try:
        existing = key_path(home)
        if existing is None or replace or import_from is not None:
            key = create_key(home, key_type, import_from=import_from, replace=replace)  # type: ignore[arg-type]
            console.print(f"[green]{'imported' if import_from else 'created'}[/green] a {key.key_type} operator key")
        else:
            key = load_key(home)
        path = key_path(home)
    except BenchError as exc:
        raise _fail(exc) from exc
    console.print(f"key type    {key.key_type}\npublic key  [bold]{key.public_key}[/bold]\nkey file    {path}")
    console.print("Submissions are signed by this key; register the public key with your provider identity.")


@bench_app.command()
def run(
    suite: SuiteOption = None,
    quick: QuickOption = False,
    device: DeviceOption = "auto",
    provider: ProviderOption = None,
    venue: VenueOption = None,
    submit: Annotated[bool, typer.Option("--submit", help="Submit the signed result to the inbox afterwards.")]
    = False,
    inbox: InboxOption = None,
) -> None:
    """Run the suites, sign the result with the operator key, save it, and print a summary."""
    from gpu_bench.keys import load_key
    from gpu_bench.runner import run_suites
    from gpu_bench.schema import Operator
    from gpu_bench.signing import sign_result, to_file_bytes

    chosen = _suites(suite)
    home = _home()
    if submit and not inbox:
        raise _fail(InboxError("--submit needs an inbox: pass --inbox or set DEPINLENS_BENCH_INBOX"))
    try:
        key = load_key(home)  # before minutes of measuring, not after
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task("suites", total=len(chosen))

            def on_progress(name: str, phase: str) -> None:
                if phase == "start":
                    bar.update(task, description=f"running {name}")
                else:
                    bar.advance(task)

            result = run_suites(chosen, device=device, quick=quick, operator=Operator(provider=provider, venue=venue),
                                progress=on_progress)
            bar.update(task, description="done")
        document = sign_result(result, key)
    except BenchError as exc:
        raise _fail(exc) from exc
    results = home / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{result.run_id}.json"
    path.write_bytes(to_file_bytes(document))
    console.print(summary_table(result))
    for s in result.skipped:
        console.print(f"[yellow]skipped[/yellow] {s.what}: {s.reason}")
    console.print(f"signed by {key.key_type} {key.public_key}\nresult    {path}")
    if submit:
        _submit_files([path], inbox or "", home)


@bench_app.command("submit")
def submit_command(
    files: Annotated[list[Path] | None, typer.Argument(help="Result files (default: every result not yet submitted).")]
    = None,
    inbox: InboxOption = None,
) -> None:
    """Send signed results to the inbox; sent files move to results/submitted/."""
    home = _home()
    if not inbox:
        raise _fail(InboxError("no inbox: pass --inbox or set DEPINLENS_BENCH_INBOX (a directory or s3://… URL)"))
    pending = list(files) if files else sorted((home / "results").glob("*.json"))
    if not pending:
        console.print(f"nothing to submit in {home / 'results'}")
        return
    _submit_files(pending, inbox, home)


def _submit_files(paths: list[Path], inbox: str, home: Path) -> None:
    from gpu_bench.inbox import submit

    sent = home / "results" / "submitted"
    sent.mkdir(parents=True, exist_ok=True)
    for path in paths:
        try:
            where = submit(path.read_bytes(), path.name, inbox)
        except (BenchError, OSError) as exc:
            raise _fail(exc) from exc
        if path.parent == home / "results":
            os.replace(path, sent / path.name)
        console.print(f"[green]submitted[/green] {path.name} → {where}")


@bench_app.command()
def schedule(
    every: Annotated[str, typer.Option(help="Interval: N followed by m, h or d (30m, 6h, 1d).")] = "6h",
    fmt: Annotated[str, typer.Option("--format", help="cron (one crontab line) or systemd (a user timer).")]
    = "cron",
    suite: SuiteOption = None,
    quick: QuickOption = False,
    device: DeviceOption = "auto",
    provider: ProviderOption = None,
    venue: VenueOption = None,
    inbox: InboxOption = None,
) -> None:
    """Write a recurring `bench run --submit` entry (cron or systemd user timer) and print how to enable it."""
    from gpu_bench.keys import load_key
    from gpu_bench.schedule import Every, default_command, write_schedule

    if fmt not in ("cron", "systemd"):
        raise typer.BadParameter("choose cron or systemd", param_hint="--format")
    if not inbox:
        raise _fail(InboxError("a schedule submits every run: pass --inbox or set DEPINLENS_BENCH_INBOX"))
    home = _home()
    try:
        key = load_key(home)
        interval = Every.parse(every)
        args = [*default_command(), "bench", "run", "--submit", "--inbox", inbox, "--device", device]
        for name in _suites(suite) if suite else []:
            args += ["--suite", name]
        args += ["--quick"] if quick else []
        args += ["--provider", provider] if provider else []
        args += ["--venue", venue] if venue else []
        written, enable = write_schedule(fmt, interval, args, home, seed=key.public_key)  # type: ignore[arg-type]
    except BenchError as exc:
        raise _fail(exc) from exc
    for path in written:
        console.print(f"[green]wrote[/green] {path}")
        console.print(path.read_text().rstrip(), markup=False, highlight=False, soft_wrap=True)
    console.print(f"\nEnable it with:\n  {enable}", soft_wrap=True)
    console.print(f"Each run: {' '.join(shlex.quote(a) for a in args)}", markup=False, soft_wrap=True)


def summary_table(result: RunResult) -> Table:
    """Best shape of each sweep and every other figure, with % of peak and the timing spread."""
    title = f"gpu_bench {result.device}" + (f" · {result.gpu_model}" if result.gpu_model else "") + \
            (" · quick: a smoke test, not a benchmark" if result.quick else "")
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for column in ("metric", "prec", "engine", "value", "%peak", "median", "p5–p95"):
        table.add_column(column, justify="right" if column in ("value", "% peak") else "left", no_wrap=True)
    for m in result.measurements:
        if m.suite in SWEEP_SUITES and not m.best_of_sweep:
            continue
        table.add_row(_short_metric(m.metric), m.precision or "", m.engine, f"{_si(m.value)} {m.unit}",
                      f"{m.pct_of_peak:.1f}" if m.pct_of_peak is not None else "",
                      _seconds(m.stats.median_s), f"{_seconds(m.stats.p5_s)}–{_seconds(m.stats.p95_s)}")
    return table


def _short_metric(metric: str) -> str:
    for suffix in ("_rows_per_s", "_tokens_per_s", "_tflops", "_gbs"):
        metric = metric.removesuffix(suffix)
    return metric


def _si(value: float) -> str:
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{value / factor:.3g}{prefix}"
    return f"{value:.4g}" if value >= 1 else f"{value:.3g}"


def _seconds(s: float) -> str:
    return f"{s * 1e6:.0f}µs" if s < 1e-3 else f"{s * 1e3:.2f}ms" if s < 1 else f"{s:.2f}s"
