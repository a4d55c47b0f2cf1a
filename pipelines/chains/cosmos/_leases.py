"""Decode Akash leases (with their escrow payments) from the REST JSON of either market version.

v1beta5 (`/akash/market/v1beta5/leases/list`, mainnet since 2025):
    {"lease": {"id": {owner, dseq, gseq, oseq, provider[, bseq]}, state, price: {denom, amount},
               created_at, closed_on[, reason]},
     "escrow_payment": {"id": {"aid": {scope, xid}, xid},
                        "state": {owner, state, rate, balance, unsettled, withdrawn}}}
v1beta4:
    {"lease": {"lease_id": {...}, state, price, created_at, closed_on},
     "escrow_payment": {"account_id": {scope, xid}, payment_id, owner, state, rate, balance, withdrawn}}

Both become one `Lease`; `lease_rows` turns leases plus block times and GPU facts into rows
of raw.jobs. Prices stay exact (DecCoin strings -> Decimal, 18 places) and per block.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

from pipelines.chains.cosmos._blocks import AKASH_SECONDS_PER_BLOCK
from pipelines.chains.errors import DecodeError
from pipelines.chains.raw_schemas import JOBS_SCHEMA


LEASE_STATES = ("invalid", "active", "insufficient_funds", "closed")  # enum order: numbers map by index
KNOWN_STATES = {*LEASE_STATES, "reclaiming"}
_DEC = re.compile(r"^\d{1,20}(\.\d{1,18})?$")


@dataclass(frozen=True)
class Coin:
    """An exact DecCoin (or Coin) amount in one denom."""

    denom: str
    amount: Decimal


@dataclass(frozen=True)
class Lease:
    """One lease as the chain states it, whichever API version carried it."""

    owner: str
    dseq: int
    gseq: int
    oseq: int
    provider: str
    bseq: int | None  # newer chains number bids per order; None where absent or 0
    state: str
    price: Coin
    created_height: int
    closed_height: int | None
    payment_state: str | None
    withdrawn: Coin | None

    @property
    def job_id(self) -> str:
        """Akash's own lease id: owner/dseq/gseq/oseq/provider (then bseq, where the chain has one)."""
        base = f"{self.owner}/{self.dseq}/{self.gseq}/{self.oseq}/{self.provider}"
        return f"{base}/{self.bseq}" if self.bseq else base


def price_per_hour(price_per_block: Decimal | float, seconds_per_block: float = AKASH_SECONDS_PER_BLOCK) -> Decimal:
    """A price per block as a price per hour, at the documented average block time."""
    return Decimal(str(price_per_block)) * Decimal(3600) / Decimal(str(seconds_per_block))


def _describe(i: int, item: Any) -> str:
    lease = item.get("lease") if isinstance(item, dict) else None
    ident = (lease.get("id") or lease.get("lease_id")) if isinstance(lease, dict) else None
    if isinstance(ident, dict):
        return f"lease #{i} ({ident.get('owner')}/{ident.get('dseq')}/{ident.get('gseq')}/{ident.get('oseq')})"
    return f"lease #{i}"


def _field(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise DecodeError(f"{where}: field {key!r} missing")
    return obj[key]


def _integer(value: Any, where: str, name: str) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise DecodeError(f"{where}: {name} {value!r:.40} is not a non-negative integer")
    return int(value)


def _text(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise DecodeError(f"{where}: {name} {value!r:.40} is not a non-empty string")
    return value


def _coin(value: Any, where: str, name: str) -> Coin:
    if not isinstance(value, dict):
        raise DecodeError(f"{where}: {name} is not a {{denom, amount}} coin")
    denom = _text(value.get("denom"), where, f"{name}.denom")
    amount = value.get("amount")
    if not isinstance(amount, str) or not _DEC.match(amount):
        raise DecodeError(f"{where}: {name}.amount {amount!r:.40} is not a decimal with at most 18 places "
                          "and 20 integer digits")
    return Coin(denom, Decimal(amount))


def _optional_coin(obj: dict | None, key: str, where: str, name: str) -> Coin | None:
    """`obj[key]` as a coin, or None when the payment does not carry it."""
    return _coin(obj[key], where, name) if obj and key in obj else None


def _state(value: Any, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(LEASE_STATES):
        return LEASE_STATES[value]
    if isinstance(value, str) and value in KNOWN_STATES:
        return value
    raise DecodeError(f"{where}: lease state {value!r:.40} is not one of {', '.join(sorted(KNOWN_STATES))}")


def _lease(lease: Any, ident: Any, where: str, payment_state: str | None, withdrawn: Coin | None,
           rate: Coin | None) -> Lease:
    price = _coin(_field(lease, "price", where), where, "price")
    if rate is not None and rate.denom != price.denom:
        raise DecodeError(f"{where}: escrow payment rate is in {rate.denom}, the lease price in {price.denom}")
    closed = _integer(lease.get("closed_on", 0), where, "closed_on")
    bseq = ident.get("bseq")
    return Lease(
        owner=_text(_field(ident, "owner", where), where, "owner"),
        dseq=_integer(_field(ident, "dseq", where), where, "dseq"),
        gseq=_integer(_field(ident, "gseq", where), where, "gseq"),
        oseq=_integer(_field(ident, "oseq", where), where, "oseq"),
        provider=_text(_field(ident, "provider", where), where, "provider"),
        bseq=None if bseq is None else _integer(bseq, where, "bseq") or None,  # 0: no bid sequence
        state=_state(_field(lease, "state", where), where),
        price=price,
        created_height=_integer(_field(lease, "created_at", where), where, "created_at"),
        closed_height=closed or None,
        payment_state=payment_state,
        withdrawn=withdrawn,
    )


def decode_lease_v1beta5(item: Any, where: str = "lease") -> Lease:
    """One element of a v1beta5 `leases` list."""
    lease = _field(item, "lease", where)
    ident = _field(lease, "id", where)
    payment = item.get("escrow_payment") if isinstance(item, dict) else None
    state = payment.get("state") if isinstance(payment, dict) else None
    if payment is not None and not isinstance(state, dict):
        raise DecodeError(f"{where}: escrow_payment.state is not an object (a v1beta4 answer under v1beta5?)")
    withdrawn = _optional_coin(state, "withdrawn", where, "escrow_payment.state.withdrawn")
    rate = _optional_coin(state, "rate", where, "escrow_payment.state.rate")
    return _lease(lease, ident, where, state.get("state") if state else None, withdrawn, rate)


def decode_lease_v1beta4(item: Any, where: str = "lease") -> Lease:
    """One element of a v1beta4 `leases` list."""
    lease = _field(item, "lease", where)
    ident = _field(lease, "lease_id", where)
    payment = item.get("escrow_payment") if isinstance(item, dict) else None
    if payment is not None and not isinstance(payment, dict):
        raise DecodeError(f"{where}: escrow_payment is not an object")
    withdrawn = _optional_coin(payment, "withdrawn", where, "escrow_payment.withdrawn")
    rate = _optional_coin(payment, "rate", where, "escrow_payment.rate")
    state = payment.get("state") if payment else None
    return _lease(lease, ident, where, state if isinstance(state, str) else None, withdrawn, rate)


DECODERS = {"v1beta5": decode_lease_v1beta5, "v1beta4": decode_lease_v1beta4}


def decode_leases(items: Any, version: str) -> list[Lease]:
    """Every element of a `leases` list of API `version` (v1beta5 or v1beta4).

    Raises:
        DecodeError: naming the first lease (position and id) that is malformed.
    """
    if version not in DECODERS:
        raise DecodeError(f"unknown market API version {version!r}; known: {', '.join(DECODERS)}")
    if not isinstance(items, list):
        raise DecodeError(f"expected a list of leases, got {type(items).__name__}")
    decode = DECODERS[version]
    return [decode(item, _describe(i, item)) for i, item in enumerate(items)]


@dataclass(frozen=True)
class LeaseGpus:
    """What is known of the GPUs a lease runs on."""

    count: int | None
    model: str | None


def lease_rows(
    leases: Sequence[Lease],
    *,
    network: str,
    chain: str,
    source: str,
    day: date,
    block_times: Mapping[int, datetime],
    gpus: Mapping[str, LeaseGpus] | None = None,
    started: Mapping[str, datetime] | None = None,
    fetched_at: datetime | None = None,
) -> pa.Table:
    """Rows of raw.jobs observing each lease on `day` (the caller passes the leases active that day).

    Args:
        block_times: height -> block time, read from headers: every closed height and the created
            heights inside the window must be there.
        started: job_id -> start already stored by an earlier run (old creation heights are never
            read again, so no archive node is needed).
        gpus: job_id -> GPU count and canonical model, where the deployment or provider states them.

    A lease created before anything this project measured has no start time (`started_at` null):
    it is known to run from before its first observation, which the marts use instead.

    Raises:
        DecodeError: a closed lease whose closing height has no block time.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    gpus, started = gpus or {}, started or {}
    rows = []
    for lease in leases:
        ended = None
        if lease.closed_height:
            try:
                ended = block_times[lease.closed_height]
            except KeyError:
                raise DecodeError(f"lease {lease.job_id}: no block time for its closing height "
                                  f"{lease.closed_height}") from None
        gpu = gpus.get(lease.job_id, LeaseGpus(None, None))
        rows.append({
            "network": network, "chain": chain, "source": source, "job_id": lease.job_id,
            "provider": lease.provider, "client": lease.owner, "market": None,
            "gpu_model": gpu.model, "gpu_count": gpu.count, "state": lease.state,
            "price": lease.price.amount, "price_denom": lease.price.denom, "price_unit": "per_block",
            "usd_per_hour": None, "started_at": started.get(lease.job_id) or block_times.get(lease.created_height),
            "ended_at": ended, "created_height": lease.created_height, "closed_height": lease.closed_height,
            "tx_hash": None, "observed_day": day, "fetched_at": fetched_at,
        })
    return pa.Table.from_pylist(rows, schema=JOBS_SCHEMA)
