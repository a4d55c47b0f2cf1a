"""How a value of each column kind is written in the HTML and PDF (the XLSX keeps raw numbers)."""

from __future__ import annotations

import math
from datetime import date, datetime

from reports._content import ColumnKind


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
        return f"{number:,.0f}" if abs(number) >= 100 else f"{number:,.2f}"
    if kind == "date":
        if isinstance(value, (datetime, date)):
            return f"{value:%Y-%m-%d}"
        return str(value)[:10]
    return str(value)
