"""How a value of each column kind is written in the HTML and PDF (the XLSX keeps raw numbers), and the
one way every format marks a cell with no figure or an incomplete one: '—' or the figure, with a
numbered note saying why (not measured on-chain: <reason>; incomplete: payments in uact not priced)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import TYPE_CHECKING

from reports._content import ColumnKind

if TYPE_CHECKING:
    from reports._content import Table


def _missing(value: object) -> bool:
    import pandas as pd

    if value is None or isinstance(value, (list, tuple, str)):
        return value is None
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_value(kind: ColumnKind, value: object) -> str:
    """One cell as text: '$500,300', '$82.92', '14.4%', '2026-11-20'; '—' when missing."""
    if _missing(value):
        return "—"
    if kind == "usd":
        number = float(value)
        sign = "-" if number < 0 else ""
        return f"{sign}${abs(number):,.0f}" if abs(number) >= 100 or number == 0 else f"{sign}${abs(number):,.2f}"
    if kind == "pct":
        return f"{float(value) * 100:,.1f}%"
    if kind == "ratio":
        return f"{float(value):,.2f}×"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "number":
        number = float(value)
        if math.isinf(number):
            return "∞"
        return f"{number:,.0f}" if abs(number) >= 100 or number == 0 else f"{number:,.2f}"
    if kind == "date":
        if isinstance(value, (datetime, date)):
            return f"{value:%Y-%m-%d}"
        return str(value)[:10]
    return str(value)


SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def numbered_notes(table: Table) -> tuple[dict[tuple[int, str], int], list[str]]:
    """The table's cell notes numbered in reading order (rows, then the declared columns), each text once.

    Returns:
        ({(row position, column key): note number}, [note text of number 1, 2, ...]).
    """
    order = {c.key: i for i, c in enumerate(table.columns)}
    texts: list[str] = []
    numbers: dict[tuple[int, str], int] = {}
    for (position, key), text in sorted(table.cell_notes.items(), key=lambda item: (item[0][0], order.get(item[0][1], 0))):
        if key not in order:
            continue
        if text not in texts:
            texts.append(text)
        numbers[(position, key)] = texts.index(text) + 1
    return numbers, texts


def cell_text(kind: ColumnKind, value: object, note: int | None = None) -> str:
    """One cell as the HTML and PDF print it: the figure ('—' without one) and its note's number, '—¹'."""
    text = format_value(kind, value)
    return f"{text}{str(note).translate(SUPERSCRIPTS)}" if note else text


def cell_value(value: object, note: str | None) -> object:
    """One cell as the XLSX and CSV hold it: the raw figure, or '—' where a note says why there is none."""
    import pandas as pd

    missing = value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))
    return "—" if missing and note else value
