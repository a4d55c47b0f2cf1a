"""Render the report as PDF: WeasyPrint lays out the same HTML, so both carry the same figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports._html import render_html

if TYPE_CHECKING:
    from reports._content import ReportContent


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (A4 landscape, page numbers, demo notice in every footer)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    html = render_html(content, for_print=True)
    return HTML(string=html).write_pdf()
