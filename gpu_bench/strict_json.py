"""Strict, bounded JSON for untrusted submission files: UTF-8, no NaN/Infinity, no repeated keys,
nesting capped before any parser runs.

Why not `json.loads`: the stdlib decoder recurses once per nesting level, bounded only by
Python's recursion limit, and a dependency of the EVM signer (py_ecc, through eth_account)
raises that limit to 100,000 at import, so a file of nested brackets overflows the C stack and
the process dies with SIGSEGV. Here one linear, iterative scan of the text measures the depth
and finds repeated keys (one set per open object) before orjson, a C parser with its own fixed
depth limit, builds the value. Neither step depends on the recursion limit.

* ValueError
  + JsonRejected     - not strict JSON (bad UTF-8, syntax, NaN/Infinity, a repeated key)
    - TooDeep        - nested deeper than the caller allows
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# A string (to its closing quote, or to the end if it never closes) or one structural character.
# Numbers, literals, commas and whitespace are left to the parser.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}:]', re.DOTALL)
_NOT_JSON_CONSTANTS = ("NaN", "Infinity", "-Infinity")


class JsonRejected(ValueError):
    """The bytes are not strict JSON; the message says what and where."""


class TooDeep(JsonRejected):
    """Arrays and objects nest deeper than the caller's limit."""

    def __init__(self, message: str, *, depth: int, limit: int) -> None:
        super().__init__(message)
        self.depth, self.limit = depth, limit


def loads_strict(data: bytes, *, max_depth: int) -> Any:
    """Parse untrusted bytes as strict JSON (I-JSON: RFC 7493) with nesting at most `max_depth`.

    Args:
        data: the whole document.
        max_depth: most arrays/objects open at once (at most 1024, orjson's own limit).

    Returns:
        The value (dict, list, str, int, float, bool or None).

    Raises:
        TooDeep: nesting beyond max_depth (found before any parsing).
        JsonRejected: anything else that is not strict JSON.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonRejected(f"not UTF-8: byte {exc.start} is {data[exc.start:exc.start + 1]!r}") from None
    scan_structure(text, max_depth=max_depth)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise JsonRejected(_describe(exc, text)) from None


def scan_structure(text: str, *, max_depth: int) -> None:
    """One pass over `text`: raise TooDeep past max_depth, JsonRejected for a key repeated in one object.

    Linear in the text: each string and bracket is visited once, and each object keeps one set
    of its keys (compared after unescaping, so "a" and "\\u0061" are the same key). Not a
    validator: malformed text that passes this scan is refused by the parser afterwards.
    """
    open_objects: list[set[str] | None] = []  # one entry per open bracket: an object's keys, or None for an array
    last = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "{" or token == "[":
            open_objects.append(set() if token == "{" else None)
            if len(open_objects) > max_depth:
                line, column = _where(text, match.start())
                raise TooDeep(f"arrays and objects nest more than {max_depth} levels deep "
                              f"(line {line} column {column})", depth=len(open_objects), limit=max_depth)
        elif token == "}" or token == "]":
            if open_objects:
                open_objects.pop()
        elif token == ":":
            keys = open_objects[-1] if open_objects else None
            if keys is not None and last.startswith('"'):
                key = _unescape(last)
                if key in keys:
                    line, column = _where(text, match.start())
                    raise JsonRejected(f"key {key!r} appears more than once in one object "
                                       f"(line {line} column {column})")
                keys.add(key)
        last = token


def _unescape(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        return json.loads(token)  # one string literal: no nesting, no recursion
    except ValueError:
        return token  # a bad escape; the parser will say so


def _where(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def _describe(exc: orjson.JSONDecodeError, text: str) -> str:
    start = exc.pos - 1 if text[exc.pos - 1:exc.pos] == "-" else exc.pos  # orjson points past a minus sign
    constant = next((c for c in _NOT_JSON_CONSTANTS if text.startswith(c, start)), None)
    what = f"{constant} is not JSON" if constant else exc.msg
    return f"not JSON: {what} at line {exc.lineno} column {exc.colno}"
