"""Decode Akash's audit module (`/akash/audit/v1/audit/attributes/list`) into raw.provider_audits rows.

An auditor signs a provider's attributes (region, GPU models, tier) on-chain; a tenant can require
them in a deployment. The list pages over every audited provider, one entry per provider and
auditor: `{"owner", "auditor", "attributes": [{"key", "value"}]}` (recorded real answer:
../shared/fixtures/akash/getblock_audit_v1_attributes_list.json). Rows are kept for the providers
a run saw in its leases; one it saw with no entry is stored with auditor null (not audited).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from pipelines.chains.errors import DecodeError
from pipelines.chains.raw_schemas import PROVIDER_AUDITS_SCHEMA


@dataclass(frozen=True)
class ProviderAudit:
    """One auditor's signature over one provider's attributes."""

    provider: str
    auditor: str
    attributes: tuple[tuple[str, str], ...]


def _address(entry: dict, field: str, where: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.startswith("akash1"):
        raise DecodeError(f"{where}: {field} {value!r:.60} is not an akash1… address")
    return value


def decode_audits(items: Any, where: str = "audit attributes") -> list[ProviderAudit]:
    """The entries of one or more `attributes/list` pages (their `providers` lists joined)."""
    if not isinstance(items, list):
        raise DecodeError(f"{where}: expected a list of audited providers, got {type(items).__name__}")
    audits = []
    for position, entry in enumerate(items):
        at = f"{where} entry {position}"
        if not isinstance(entry, dict):
            raise DecodeError(f"{at}: expected an object, got {type(entry).__name__}")
        attributes = entry.get("attributes") or []
        if not isinstance(attributes, list) or not all(
                isinstance(a, dict) and isinstance(a.get("key"), str) and isinstance(a.get("value"), str)
                for a in attributes):
            raise DecodeError(f"{at}: attributes must be a list of {{key, value}} strings")
        audits.append(ProviderAudit(_address(entry, "owner", at), _address(entry, "auditor", at),
                                    tuple((a["key"], a["value"]) for a in attributes)))
    return audits


def audit_rows(audits: Iterable[ProviderAudit], providers: Iterable[str], *, network: str, chain: str, source: str,
               block_number: int, block_time: datetime, fetched_at: datetime) -> pa.Table:
    """raw.provider_audits rows of `providers`: one per auditor that signed it, or one with auditor null."""
    by_provider: dict[str, list[ProviderAudit]] = {}
    for audit in audits:
        by_provider.setdefault(audit.provider, []).append(audit)
    rows = []
    for provider in sorted(set(providers)):
        signed = sorted(by_provider.get(provider, []), key=lambda a: a.auditor)
        for audit in signed or [None]:
            rows.append({"network": network, "chain": chain, "source": source, "provider": provider,
                         "auditor": None if audit is None else audit.auditor,
                         "attributes": json.dumps([{"key": k, "value": v} for k, v in audit.attributes]
                                                  if audit else [], separators=(",", ":")),
                         "block_number": block_number, "block_time": block_time,
                         "observed_day": block_time.date(), "fetched_at": fetched_at})
    return pa.Table.from_pylist(rows, schema=PROVIDER_AUDITS_SCHEMA)
