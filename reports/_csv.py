"""Render the report as a zip of CSVs: one per table (raw values), a README with scope, sources and caveats."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from depinlens.text_safety import inert_frame
from reports._content import DEMO_WARNING
from reports._format import cell_value

if TYPE_CHECKING:
    from reports._content import ReportContent, Table

# fixed member time: the same content gives the same zip
_STAMP = (2020, 1, 1, 0, 0, 0)


def _flat(value: object) -> object:
    """A list cell (e.g. source labels) as 'a, b'; anything else unchanged."""
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0):
        return ", ".join(map(str, list(value)))
    return value


def _csv(table: Table) -> str:
    """Raw values; a cell without a figure holds '—' where a note says why, and `notes` gives the reasons."""
    frame = table.shown().copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(_flat)
    if table.cell_notes:
        for (position, key), note in table.cell_notes.items():
            if key in frame:
                value = cell_value(frame[key].iloc[position], note)
                if isinstance(value, str) and value == "—":
                    frame[key] = frame[key].astype(object)
                    frame.iloc[position, frame.columns.get_loc(key)] = value
        notes = table.row_notes()
        if any(notes):
            frame["notes"] = notes
    return inert_frame(frame).to_csv(index=False, date_format="%Y-%m-%d")  # no cell a spreadsheet runs


def readme(content: ReportContent) -> str:
    """What the zip holds and how far its numbers can be trusted."""
    lines = []
    if content.is_demo:
        lines += [DEMO_WARNING, ""]
    lines += ["DePIN GPU networks compared (depinlens report)", "",
              f"Networks: {', '.join(content.networks)}", f"Period: {content.period}",
              f"Data published: {content.published_at:%Y-%m-%d %H:%M UTC}" if content.published_at else "Data published: unknown",
              f"Report generated: {content.generated_at:%Y-%m-%d %H:%M UTC}",
              f"Source labels: {', '.join(content.sources)}", "", "Files:"]
    lines += [f"  {t.name}.csv: {t.title}. {t.note}" for t in content.tables.values()]
    lines += ["  methodology.md: how each metric is defined and computed, and its limits.", ""]
    return "\n".join(lines)


def render_csv_zip(content: ReportContent) -> bytes:
    """The report as a zip: README.txt, methodology.md and <table>.csv per table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        members = {"README.txt": readme(content), "methodology.md": content.methodology_md}
        members |= {f"{t.name}.csv": _csv(t) for t in content.tables.values()}
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_STAMP), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
        if content.is_demo:
            archive.comment = DEMO_WARNING.encode("utf-8")
    return buffer.getvalue()
