"""Render the report as PDF: WeasyPrint lays out the same HTML, so both carry the same figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports._html import render_html

if TYPE_CHECKING:
    from weasyprint.document import Document

    from reports._content import ReportContent


def pdf_layout(content: ReportContent) -> Document:
    """The report laid out on pages (boxes with positions), before it is written: what the PDF shows,
    so a test can measure it (every table within the page's width)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return HTML(string=render_html(content, for_print=True)).render()


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes (A4 landscape, page numbers, demo notice in every footer)."""
    return pdf_layout(content).write_pdf()
