"""`gpu-bench …`: the operator's commands (keys, bind, run, submit, schedule) as a Typer app.

The `gpu-bench` script of the gpu_bench distribution runs it (`main`); the pipeline's CLI mounts
the same app as `depinlens bench` (depinlens/cli.py: `app.add_typer(bench_app, name="bench")`).
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

from gpu_bench.errors import BenchError, InboxError, KeyProblem
from gpu_bench.schema import BINDING_NETWORKS, SUITES, Operator, RunResult
from gpu_bench.signing import OperatorKey

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
    console.print("Submissions are signed by this key. Bind it to your provider identity (`gpu-bench bind akash "
                  "--provider-key FILE` or `gpu-bench bind nosana --node-key FILE`); until then your runs are "
                  "self-attested: shown apart and left out of every headline figure.")


@bench_app.command()
def bind(
    network: Annotated[str, typer.Argument(help=f"The network you provide on: {', '.join(BINDING_NETWORKS)}.")],
    provider_key: Annotated[Path | None, typer.Option(
        help="Akash: a file holding the provider's secp256k1 private key as hex "
             "(`akash keys export NAME --unarmored-hex --unsafe`). Used to sign here, never stored.")] = None,
    node_key: Annotated[Path | None, typer.Option(
        help="Nosana: the node's keypair file (solana-keygen JSON, e.g. ~/.nosana/nosana_key.json). "
             "Used to sign here, never stored.")] = None,
    provider: Annotated[str | None, typer.Option(
        help="Sign in a wallet instead: your provider address (with --issued-at and --wallet-signature; "
             "alone, prints the statement to sign).")] = None,
    issued_at: Annotated[str | None, typer.Option(help="The issue time printed with the statement (UTC, ISO 8601).")]
    = None,
    wallet_signature: Annotated[Path | None, typer.Option(
        help="A JSON file with the wallet's answer: Keplr's signArbitrary {\"pub_key\": {\"value\": …}, "
             "\"signature\": …} for Akash, {\"signature\": base58} for Nosana.")] = None,
) -> None:
    """Bind the operator key to your on-chain provider identity, so your runs count as bound.

    The provider identity signs one line naming this operator key; the pipeline checks the signature
    and that the identity appears in the chain data it reads (Akash leases, Nosana jobs).
    """
    import json
    from datetime import UTC, datetime

    from gpu_bench.binding import BindingProblem, bind_akash, bind_from_wallet, bind_nosana, statement_for
    from gpu_bench.keys import load_key, save_binding

    if network not in BINDING_NETWORKS:
        raise typer.BadParameter(f"choose {' or '.join(BINDING_NETWORKS)}", param_hint="NETWORK")
    home = _home()
    try:
        key = load_key(home)
        if provider and wallet_signature is None:
            when = datetime.fromisoformat(issued_at) if issued_at else datetime.now(UTC).replace(microsecond=0)
            text = statement_for(network, provider, key.key_type, key.public_key, when)  # type: ignore[arg-type]
            console.print("Sign this line in your provider's wallet (Akash: Keplr signArbitrary; Nosana: the node "
                          "key), save the answer as JSON, then run:", markup=False)
            console.print(text, markup=False, highlight=False, soft_wrap=True)
            console.print(f"gpu-bench bind {network} --provider {provider} --issued-at {when.isoformat()} "
                          "--wallet-signature ANSWER.json", markup=False, soft_wrap=True)
            return
        if wallet_signature is not None:
            if not provider or not issued_at:
                raise BindingProblem("--wallet-signature needs --provider and the --issued-at printed with the statement")
            binding = bind_from_wallet(network, provider, json.loads(wallet_signature.read_text()), key,  # type: ignore[arg-type]
                                       issued_at=datetime.fromisoformat(issued_at))
        elif network == "akash" and provider_key is not None:
            binding = bind_akash(provider_key.read_text(), key)
        elif network == "nosana" and node_key is not None:
            binding = bind_nosana(node_key.read_text(), key)
        else:
            option = "--provider-key FILE" if network == "akash" else "--node-key FILE"
            raise BindingProblem(f"say how to sign: {option}, or --provider ADDRESS to sign in a wallet")
        path = save_binding(home, binding)
    except (BenchError, BindingProblem, OSError, ValueError) as exc:
        raise _fail(exc) from exc
    console.print(f"[green]bound[/green] operator key {key.public_key} to {network} provider "
                  f"[bold]{binding.provider}[/bold]\nbinding     {path}")
    console.print("Every run now carries this binding; it counts as bound once the provider appears in the "
                  f"{network} chain data the pipeline reads.")


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
    from gpu_bench.signing import sign_result, to_file_bytes

    chosen = _suites(suite)
    home = _home()
    if submit and not inbox:
        raise _fail(InboxError("--submit needs an inbox: pass --inbox or set DEPINLENS_BENCH_INBOX"))
    try:
        key = load_key(home)  # before minutes of measuring, not after
        operator = _operator(home, key, provider, venue)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as bar:
            task = bar.add_task("suites", total=len(chosen))

            def on_progress(name: str, phase: str) -> None:
                if phase == "start":
                    bar.update(task, description=f"running {name}")
                else:
                    bar.advance(task)

            result = run_suites(chosen, device=device, quick=quick, operator=operator, progress=on_progress)
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
    tier = (f"bound to {operator.binding.network} provider {operator.binding.provider}" if operator.binding
            else "self-attested (no provider binding: `gpu-bench bind`)")
    console.print(f"signed by {key.key_type} {key.public_key}, {tier}\nresult    {path}")
    if submit:
        _submit_files([path], inbox or "", home)


def _operator(home: Path, key: OperatorKey, provider: str | None, venue: str | None) -> Operator:
    """Who the run is for: the stored binding's provider and network, or the free text given (self-attested)."""
    from gpu_bench.keys import load_binding

    binding = load_binding(home, key)
    if binding is None:
        return Operator(provider=provider, venue=venue)
    if provider not in (None, binding.provider) or venue not in (None, binding.network):
        raise KeyProblem(f"this key is bound to {binding.network} provider {binding.provider}; --provider/--venue "
                         f"({provider}, {venue}) contradict it (the pipeline would refuse the run). Leave them out, or "
                         "bind again")
    return Operator(provider=binding.provider, venue=binding.network, binding=binding)


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
    """Write a recurring `gpu-bench run --submit` entry (cron or systemd user timer) and print how to enable it."""
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
        args = [*default_command(), "run", "--submit", "--inbox", inbox, "--device", device]
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


def main() -> None:
    """The `gpu-bench` script."""
    bench_app(prog_name="gpu-bench")
