"""Reading reviewed CSV files with errors that name the file, the line and the column."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from depinlens.bounds import Bound

SOURCES = ("live", "local", "demo", "reference")


class ReferenceDataError(ValueError):
    """A reference file is missing, or one of its records cannot be used; the message says where."""


@dataclass(frozen=True)
class Record:
    """One CSV row with its position, so every value error can point at it."""

    path: Path
    line: int
    values: dict[str, str]

    def where(self, column: str | None = None) -> str:
        """`file:line` (and the column) for error messages."""
        return f"{self.path}:{self.line}" + (f" column {column!r}" if column else "")

    def text(self, column: str, *, required: bool = True) -> str | None:
        """The stripped text of `column`; empty is None, or an error when `required`."""
        value = (self.values.get(column) or "").strip()
        if not value:
            if required:
                raise ReferenceDataError(f"{self.where(column)}: value missing")
            return None
        return value

    def number(self, column: str, bound: Bound, *, required: bool = True) -> float | None:
        """`column` as a float within `bound` (finite, and inside the range depinlens.bounds gives)."""
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise ReferenceDataError(f"{self.where(column)}: {value!r} is not a number") from None
        problem = bound.problem(number)
        if problem:
            raise ReferenceDataError(f"{self.where(column)}: {value!r} {problem}")
        return number

    def day(self, column: str) -> date:
        """`column` as an ISO date (YYYY-MM-DD)."""
        value = self.text(column)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ReferenceDataError(f"{self.where(column)}: {value!r} is not a date (YYYY-MM-DD)") from None

    def source(self, column: str = "source") -> str:
        """`column` as a provenance label (live, local, demo, reference)."""
        value = self.text(column)
        if value not in SOURCES:
            raise ReferenceDataError(f"{self.where(column)}: source {value!r} is not one of {', '.join(SOURCES)}")
        return value


def read_records(path: Path | str, required_columns: Sequence[str]) -> Iterator[Record]:
    """Rows of the CSV at `path`, after checking that its header has every required column.

    Lines starting with `#` are comments (reviewed files explain themselves in place); they
    become blank lines, which the reader skips, so line numbers in errors stay true.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceDataError(f"reference file {path} not found") from None
    with handle:
        lines = ("\n" if line.lstrip().startswith("#") else line for line in handle)
        reader = csv.reader(lines)
        header: list[str] = []
        for row in reader:
            if row:
                header = [cell.strip() for cell in row]
                break
        missing = [c for c in required_columns if c not in header]
        if missing:
            raise ReferenceDataError(
                f"{path}: header lacks column(s) {', '.join(missing)}; it has {', '.join(header) or 'nothing'}"
            )
        for row in reader:
            if not row:
                continue
            if len(row) > len(header):
                raise ReferenceDataError(f"{path}:{reader.line_num}: more cells than the header has columns")
            yield Record(path, reader.line_num, dict(zip(header, row, strict=False)))


def refuse_empty(path: Path | str, rows: int, table: str) -> None:
    """Refuse a file with a header and no rows: loading it would empty `table` (a truncated file?)."""
    if rows == 0:
        raise ReferenceDataError(f"{path}: no rows under the header; loading it would empty {table}. Restore the "
                                 "file, or leave it out of the configuration to keep the rows already loaded")
