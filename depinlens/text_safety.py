"""Text that people typed, made safe to show and to export: one place for both rules.

Why: operators' free text (a provider name, a venue) reaches investor spreadsheets and pages. A
cell that starts with `=`, `+`, `-` or `@` is a live formula when a spreadsheet opens a CSV
(`=HYPERLINK("http://x", "click")` becomes a link, `=cmd|...` worse), and openpyxl writes any
string starting with `=` as a formula into an XLSX. Control characters in a name (a newline, a
terminal escape, a bidi override) break tables and logs or disguise what is shown.

* `display_text`: a name as pages, reports and the warehouse show it: control, format and
  line-separator characters removed (the whitespace ones become a space), spaces collapsed.
* `formula_like` / `inert_csv_cell` / `inert_frame`: every text cell of a CSV export starts with
  a `'` when a spreadsheet would read it as a formula (OWASP "CSV Injection": prefix cells
  starting with = + - @ tab or carriage return). XLSX cells are written as typed text with
  Excel's quote prefix instead (reports/_xlsx.py), so their text is unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# What a spreadsheet reads as the start of a formula (and the whitespace that can hide one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_SPACE_LIKE = {"\t", "\n", "\r", "\v", "\f", "\x85", "\u2028", "\u2029"}
_SPACES = re.compile(r" {2,}")


def _dropped(ch: str) -> bool:
    """Control (Cc), format (Cf: bidi overrides, zero-width), line and paragraph separators, surrogates."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def display_text(text: str | None) -> str | None:
    """`text` without control or format characters: whitespace ones become one space, the rest go.

    >>> display_text("evil\\tname\\n\\x1b[2Jhere\\u202e")
    'evil name [2Jhere'
    """
    if text is None:
        return None
    if text.isprintable():
        return text
    out = [" " if ch in _SPACE_LIKE else "" if _dropped(ch) else ch for ch in text]
    return _SPACES.sub(" ", "".join(out)).strip()


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula (also after leading spaces)."""
    return text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_STARTS)


def inert_csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a formula-like string gets a leading `'`; anything else as is."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose every text cell is inert (for CSV downloads and exports)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("string", "str"):
            out[column] = out[column].map(inert_csv_cell).astype(object)
    out.columns = [inert_csv_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out
