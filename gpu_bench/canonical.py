"""Canonical JSON (RFC 8785, JCS) and the digests taken over it.

Signer and verifier hash the same bytes only if they serialize the same way; JCS fixes key
order, whitespace, string escapes and number formatting, so a file pretty-printed, re-indented
or re-ordered on the way still verifies, while any change of a value does not.
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


class NotCanonicalizable(ValueError):
    """A value outside I-JSON (NaN, infinity, an integer beyond 2^53) cannot be canonicalized."""


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON-compatible value (dicts, lists, str, int, float, bool, None)."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        raise NotCanonicalizable(f"not canonicalizable as RFC 8785 JSON: {exc}") from exc


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON of `value`."""
    return sha256_hex(canonical_json(value))
