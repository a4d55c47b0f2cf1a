"""`depinlens report …`: write an investor comparison report (PDF, HTML, XLSX or a zip of CSVs).

Mounted by depinlens/cli.py with `app.command("report")(report_command)`; also runs alone as
`python -m reports.cli`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from depinlens.days import parse_day

console = Console(stderr=True)


def _day(text: str | None, option: str) -> date | None:
    return None if text is None else parse_day(text, option)


def report_command(
    networks: Annotated[str | None, typer.Option(
        "--networks", help="Comma-separated networks to compare (e.g. akash,render); default: every published one.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First UTC day, YYYY-MM-DD (default: first published).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last UTC day, YYYY-MM-DD (default: last published).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf, html, xlsx or csv (a zip of CSVs).")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: depinlens-report-<from>_<to>.<ext>, or depinlens-report-all.<ext> without dates).")] = None,
    serving: Annotated[Path | None, typer.Option(help="Serving file to read (default: DEPINLENS_SERVING or data/serving.duckdb).")] = None,
) -> None:
    """Investor comparison report: networks side by side with charts, methodology, sources and on-chain references.

    Reads only the published serving file; every figure comes from the named queries of warehouse.queries.

    Demo data is flagged on the PDF/HTML's first page, the XLSX's every sheet and the zip's README.
    """
    from depinlens.settings import Settings
    from reports import FORMATS, build_report, file_name
    from warehouse import ServingFileMissing

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}: use one of {', '.join(FORMATS)}", param_hint="--format")
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and first > last:
        raise typer.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
    chosen = [n.strip() for n in networks.split(",") if n.strip()] if networks else None
    path = serving or Settings.from_env().serving_path
    target = out or Path(file_name(fmt, first, last))
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("starting", total=None)
        try:
            data = build_report(path, fmt, networks=chosen, start=first, end=last,
                                progress=lambda message: progress.update(task, description=message))
        except ServingFileMissing as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=1) from exc
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(code=2) from exc
        progress.update(task, description=f"writing {target}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    console.print(f"[green]wrote {target}[/green] ({len(data):,} bytes, {fmt})")


def main() -> None:
    """Run the command alone (without the depinlens app)."""
    typer.run(report_command)


if __name__ == "__main__":
    main()
