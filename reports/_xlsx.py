"""Render the report as XLSX: an About sheet, then one formatted sheet per table with raw numbers."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from depinlens.text_safety import formula_like
from reports._content import DEMO_WARNING
from reports._format import cell_value

if TYPE_CHECKING:
    from reports._content import ReportContent, Table

NUMBER_FORMATS = {"usd": '"$"#,##0.00', "pct": "0.00%", "ratio": '0.00"×"', "int": "#,##0",
                  "number": "#,##0.00", "date": "yyyy-mm-dd"}
HEADER_ROW = 2  # row 1 holds the table's title (and the demo notice)


def sheet_title(table: Table) -> str:
    """Excel's sheet name of a table (31 characters at most)."""
    return table.name[:31]


def _cell(value: object) -> object:
    """A value openpyxl can write: lists joined, numpy scalars unwrapped, NaN/NaT empty, timestamps naive UTC."""
    import pandas as pd

    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0):
        return ", ".join(map(str, list(value)))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return (value.tz_convert(None) if value.tzinfo else value).to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _about(sheet, content: ReportContent) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet["A1"] = "DePIN GPU networks compared (depinlens)"
    sheet["A1"].font = Font(bold=True, size=14, color="264653")
    lines = [("Networks", ", ".join(content.networks)), ("Period", content.period),
             ("Data published", f"{content.published_at:%Y-%m-%d %H:%M UTC}" if content.published_at else "unknown"),
             ("Report generated", f"{content.generated_at:%Y-%m-%d %H:%M UTC}"),
             ("Source labels", ", ".join(content.sources))]
    row = 3
    if content.is_demo:
        sheet.cell(row, 1, DEMO_WARNING).font = Font(bold=True, color="B3261E", size=12)
        sheet.cell(row, 1).fill = PatternFill("solid", fgColor="FDECEA")
        row += 2
    for label, value in lines:
        sheet.cell(row, 1, label).font = Font(bold=True)
        sheet.cell(row, 2, value)
        row += 1
    row += 1
    sheet.cell(row, 1, "Sheets").font = Font(bold=True)
    for table in content.tables.values():
        row += 1
        sheet.cell(row, 1, sheet_title(table))
        sheet.cell(row, 2, f"{table.title}. {table.note}").alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    sheet.cell(row, 1, "Methodology (docs/methodology.md)").font = Font(bold=True)
    for line in content.methodology_md.splitlines():
        row += 1
        sheet.cell(row, 1, line)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 110


def _table(sheet, table: Table, demo: bool) -> None:
    """One table: its title, a header on row 2, raw figures; a cell without a figure holds '—' and a
    cell note says why (not measured on-chain, not applicable, incomplete), as does the `notes` column."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    title = table.title + ("  (DEMO DATA: simulated, not real network figures)" if demo else "")
    sheet.cell(1, 1, title).font = Font(bold=True, size=12, color="B3261E" if demo else "264653")
    fill = PatternFill("solid", fgColor="264653")
    notes = table.row_notes() if table.cell_notes else []
    labels = [c.label for c in table.columns] + (["notes"] if any(notes) else [])
    for index, label in enumerate(labels, start=1):
        cell = sheet.cell(HEADER_ROW, index, label)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        kind = table.columns[index - 1].kind if index <= len(table.columns) else "text"
        width = max(len(label), 10 if kind != "text" else 14)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 12), 48)
    for position, record in enumerate(table.shown().itertuples(index=False)):
        row = HEADER_ROW + 1 + position
        for index, (column, value) in enumerate(zip(table.columns, record, strict=True), start=1):
            note = table.cell_notes.get((position, column.key))
            cell = sheet.cell(row, index, _cell(cell_value(value, note)))
            if column.kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[column.kind]
            if note:
                cell.comment = Comment(note, "depinlens")
        if any(notes):
            sheet.cell(row, len(labels), notes[position] or None)
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    if len(table.frame):
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(labels))}{HEADER_ROW + len(table.frame)}"


def _keep_text(cell) -> None:
    """A text cell stays inert text: typed as a string (openpyxl writes '=…' as a formula) and, where a
    spreadsheet would read it as a formula, with Excel's quote prefix (the text itself is unchanged)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        cell.quotePrefix = formula_like(cell.value)


def render_xlsx(content: ReportContent) -> bytes:
    """The report as an XLSX workbook: 'about' first, then one sheet per table (header on row 2)."""
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    about.title = "about"
    _about(about, content)
    for table in content.tables.values():
        _table(book.create_sheet(sheet_title(table)), table, content.is_demo)
    for sheet in book.worksheets:  # every text cell, whatever wrote it (depinlens/text_safety.py)
        for row in sheet.iter_rows():
            for cell in row:
                _keep_text(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
