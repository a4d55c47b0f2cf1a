"""A failure as one plain line: the cause (type and first line of its message) and where in the code it arose.

Dagster wraps what a step raised in its own error, with the original as the cause, and keeps
the whole chain with formatted stacks (`SerializableErrorInfo`); an exception the CLI itself
catches carries the same chain in `__cause__`/`__context__`. Both become a list of links,
outermost first, and `one_line` reads the line off that list: the error that was raised, the
innermost cause when there is a deeper one (so an empty message still says something), and
the last frame inside this project.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from depinlens.settings import PROJECT_ROOT

_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')
# the line of dagster-dbt's error after which dbt's own error messages follow
_DBT_ERRORS_HEADING = "Errors parsed from dbt logs:"


@dataclass(frozen=True)
class Frame:
    """One stack frame: file, line, function."""

    file: str
    line: int
    function: str


@dataclass(frozen=True)
class Link:
    """One error of a chain: its type, what it said, and its stack (outermost frame first)."""

    type_name: str
    message: str
    frames: tuple[Frame, ...]


class ErrorInfo(Protocol):
    """The fields of Dagster's SerializableErrorInfo that this module reads."""

    message: str
    stack: list[str]
    cls_name: str | None
    cause: ErrorInfo | None
    context: ErrorInfo | None


def chain_of_exception(exc: BaseException) -> list[Link]:
    """The exception and its causes (explicit `from`, else the implicit context), outermost first."""
    links: list[Link] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = tuple(Frame(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(current.__traceback__))
        links.append(Link(type(current).__name__, str(current), frames))
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return links


def chain_of_error_info(error: ErrorInfo) -> list[Link]:
    """Dagster's serialized error and its causes, outermost first."""
    links: list[Link] = []
    current: ErrorInfo | None = error
    while current is not None:
        type_name = current.cls_name or current.message.split(":", 1)[0].strip().rsplit(".", 1)[-1]
        # the message opens with the type, qualified by its module for errors outside builtins
        message = re.sub(rf"^(?:[\w.]+\.)?{re.escape(type_name)}(?::\s*|\s*$)", "", current.message.strip(),
                         count=1)
        frames = tuple(Frame(m["file"], int(m["line"]), m["function"])
                       for entry in current.stack for m in [_FRAME.search(entry)] if m)
        links.append(Link(type_name, message, frames))
        current = current.cause or current.context
    return links


def first_line(message: str) -> str:
    """The first non-empty line of a message; for a failed dbt command, dbt's first error instead."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if _DBT_ERRORS_HEADING in lines and lines.index(_DBT_ERRORS_HEADING) + 1 < len(lines):
        return lines[lines.index(_DBT_ERRORS_HEADING) + 1]
    return lines[0] if lines else ""


def _said(link: Link) -> str:
    text = first_line(link.message)
    return f"{link.type_name}: {text}" if text else link.type_name


def _place(links: list[Link], root: Path) -> str:
    """`file:line in function` of the innermost frame inside the project (else the innermost frame at all)."""
    frames = [frame for link in reversed(links) for frame in reversed(link.frames)]
    inside = [f for f in frames if _relative(f.file, root) is not None and ".venv" not in Path(f.file).parts]
    frame = (inside or frames or [None])[0]
    if frame is None:
        return ""
    return f"{_relative(frame.file, root) or frame.file}:{frame.line} in {frame.function}"


def _relative(file: str, root: Path) -> str | None:
    try:
        return str(Path(file).resolve().relative_to(root))
    except ValueError:
        return None


def one_line(links: list[Link], *, root: Path = PROJECT_ROOT) -> str:
    """`Type: first line [(cause: Type: first line)] (at file:line in function)` for an error chain.

    Dagster's wrapper around a step's error (a `Dagster...Error` with a cause) is left out: the
    step's own error is what the user needs.
    """
    while len(links) > 1 and links[0].type_name.startswith("Dagster"):
        links = links[1:]
    if not links:
        return "unknown error"
    line = _said(links[0])
    if len(links) > 1:
        line += f" (cause: {_said(links[-1])})"
    place = _place(links, root)
    return f"{line} (at {place})" if place else line
