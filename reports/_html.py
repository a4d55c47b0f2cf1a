"""Render the report as one self-contained HTML file: inline CSS, inline SVG charts, no external URL."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from reports._charts import build_charts
from reports._content import DEMO_WARNING
from reports._format import cell_text, numbered_notes

if TYPE_CHECKING:
    from reports._content import ReportContent, Table


LONG_WORD = 20  # characters: a hash, an address or a signature, which may break anywhere to fit the page


def _css(kind: str, text: str) -> str:
    """A cell's class: a figure (right-aligned) and a date stay on one line; a long word (tx hash, address)
    may break anywhere, so a table of them still fits the page's width; other text wraps between words."""
    if kind not in ("text", "date"):
        return "num"
    if kind == "date":
        return "date"
    return "long" if any(len(word) > LONG_WORD for word in text.split()) else ""


def _rows(table: Table) -> list[list[tuple[str, str]]]:
    """Cells as (text, css class): numbers right-aligned, '—' or a figure with its note's number."""
    numbers, _texts = numbered_notes(table)
    rows = []
    for position, record in enumerate(table.shown().itertuples(index=False)):
        cells = [cell_text(c.kind, v, numbers.get((position, c.key))) for c, v in zip(table.columns, record, strict=True)]
        rows.append([(text, _css(c.kind, text)) for c, text in zip(table.columns, cells, strict=True)])
    return rows


def _methodology_html(markdown: str) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return body.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h4>").replace("</h2>", "</h4>")


def render_html(content: ReportContent, *, for_print: bool = False) -> str:
    """The report as an HTML document (UTF-8 text).

    Args:
        content: what `gather` returned.
        for_print: True lays it out for WeasyPrint (A4 landscape pages, running footer).
    """
    import jinja2
    from markupsafe import Markup

    template_text = resources.files("reports").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = environment.from_string(template_text)
    tables = [t for t in content.tables.values() if t.in_document]
    return template.render(
        content=content, tables=tables, rows={t.name: _rows(t) for t in tables},
        footnotes={t.name: numbered_notes(t)[1] for t in tables},
        charts={name: Markup(svg) for name, svg in build_charts(content).items()},
        demo_warning=DEMO_WARNING if content.is_demo else None, for_print=for_print,
        methodology=Markup(_methodology_html(content.methodology_md)),
        xlsx_only=[t for t in content.tables.values() if not t.in_document],
    )
