"""Investor comparison reports: one content gathering, four formats (HTML, PDF, XLSX, zip of CSVs).

    content = gather(conn, networks=["akash", "render"], start=..., end=...)   # pure, from warehouse.queries
    data = render(content, "pdf")                                              # bytes

`build_report` does both from the serving file; the CLI and the dashboard page both call it,
so they produce the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reports._content import DEMO_WARNING, Column, ReportContent, Table, gather, revenue_growth
from reports._format import format_value
from reports._palette import network_colour, venue_colour

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "DEMO_WARNING",
    "FORMATS",
    "Column",
    "ReportContent",
    "Table",
    "build_report",
    "file_name",
    "format_value",
    "gather",
    "methodology_text",
    "network_colour",
    "render",
    "revenue_growth",
    "venue_colour",
]

Format = Literal["pdf", "html", "xlsx", "csv"]
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "html": ("html", "text/html"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("zip", "application/zip"),
}


def methodology_text() -> str:
    """docs/methodology.md, the one place metric definitions live (empty if the checkout lacks it)."""
    from depinlens.settings import PROJECT_ROOT

    path = PROJECT_ROOT / "docs" / "methodology.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def render(content: ReportContent, fmt: Format) -> bytes:
    """Lay the content out in one format and return the file's bytes."""
    if fmt == "html":
        from reports._html import render_html

        return render_html(content).encode("utf-8")
    if fmt == "pdf":
        from reports._pdf import render_pdf

        return render_pdf(content)
    if fmt == "xlsx":
        from reports._xlsx import render_xlsx

        return render_xlsx(content)
    if fmt == "csv":
        from reports._csv import render_csv_zip

        return render_csv_zip(content)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def file_name(fmt: Format, start: date | None, end: date | None) -> str:
    """A default file name, e.g. depinlens-report-2025-06-01_2025-06-30.pdf."""
    span = "_".join(d.isoformat() for d in (start, end) if d) or "all"
    return f"depinlens-report-{span}.{FORMATS[fmt][0]}"


def build_report(source: duckdb.DuckDBPyConnection | str | Path, fmt: Format, *, networks: list[str] | None = None,
                 start: date | None = None, end: date | None = None, generated_at: datetime | None = None,
                 progress: Callable[[str], None] | None = None) -> bytes:
    """Gather the report from the serving file and render it.

    Args:
        source: an open connection on the serving file, or its path (opened read-only).
        fmt: pdf, html, xlsx or csv (a zip of CSVs).
        networks: networks to compare (None: all published).
        start: first UTC day (None: the first published).
        end: last UTC day (None: the last published).
        generated_at: the timestamp printed on the report (default: now).
        progress: called with a short step description before each step.

    Returns:
        The file's bytes.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    step = progress or (lambda _message: None)
    if isinstance(source, (str, Path)):
        from warehouse import connect_serving

        step("opening the serving file")
        connection = connect_serving(source)
        try:
            return build_report(connection, fmt, networks=networks, start=start, end=end,
                                generated_at=generated_at, progress=progress)
        finally:
            connection.close()
    step("reading the marts")
    content = gather(source, networks=networks, start=start, end=end, methodology_md=methodology_text(),
                     generated_at=generated_at)
    step(f"rendering {fmt.upper()}")
    return render(content, fmt)
