"""Days given on the command line: YYYY-MM-DD or a usage error that says so."""

from __future__ import annotations

from datetime import date, datetime

import typer


def parse_day(text: str, option: str) -> date:
    """`text` as a calendar day, or a BadParameter naming `option` and the expected form."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a day; write it as YYYY-MM-DD", param_hint=option) from exc
