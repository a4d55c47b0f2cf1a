"""Endpoint URLs carry API keys in their paths and queries: show scheme and host only, everywhere.

Every endpoint registers its URL here when it is made; `scrub` then removes the URL and any
key-like part of it from a text. The adapter errors scrub their messages, so nothing that
reaches a log line, a Dagster event or a table can carry a key.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qsl, urlsplit

_lock = threading.Lock()
_secrets: dict[str, str] = {}  # text to hide -> what to show instead
_KEY_LIKE = re.compile(r"^(?=.*\d)[A-Za-z0-9_\-.~%+=]{12,}$|^[A-Za-z0-9_\-.~%+=]{20,}$")


def redact_url(url: str) -> str:
    """`scheme://host[:port]` of `url`: no user, password, path, query or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable URL>"
    if not parts.scheme or not host:
        return "<unparseable URL>"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"


def remember_url(url: str) -> str:
    """Register `url`'s secret parts for `scrub`; returns its redacted form."""
    shown = redact_url(url)
    hidden: dict[str, str] = {url: shown, url.rstrip("/"): shown}
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is not None:
        tail = url.split(parts.netloc, 1)[-1] if parts.netloc else ""
        if len(tail.strip("/")) >= 8:
            hidden[tail] = "/<redacted>"
        if parts.password:
            hidden[parts.password] = "<redacted>"
        if parts.username and parts.password:
            hidden[f"{parts.username}:{parts.password}@"] = ""
        pieces = [p for p in parts.path.split("/") if p]
        pieces += [v for _k, v in parse_qsl(parts.query, keep_blank_values=True)]
        for piece in pieces:
            if _KEY_LIKE.match(piece):
                hidden[piece] = "<redacted>"
    with _lock:
        _secrets.update({k: v for k, v in hidden.items() if k})
    return shown


def scrub(text: str) -> str:
    """`text` with every registered URL shown as scheme and host, and key-like parts removed."""
    with _lock:
        secrets = sorted(_secrets.items(), key=lambda item: len(item[0]), reverse=True)
    for secret, shown in secrets:
        if secret in text:
            text = text.replace(secret, shown)
    return text
