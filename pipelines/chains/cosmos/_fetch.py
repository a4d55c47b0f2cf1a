"""Fetch one window of UTC days from an Akash node: its leases (with GPU facts) and daily staking state."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from pipelines.chains.cosmos._client import NOT_SERVED, AkashClient
from pipelines.chains.cosmos._gpus import (
    GpuNames,
    decode_deployment_gpus,
    decode_provider_gpus,
    lease_gpu_model,
)
from pipelines.chains.cosmos._leases import Lease, LeaseGpus, decode_leases, lease_rows
from pipelines.chains.cosmos._staking import staking_rows
from pipelines.chains.errors import DecodeError, RpcRefused
from pipelines.chains.raw_schemas import JOBS_SCHEMA, STAKING_SNAPSHOTS_SCHEMA


@dataclass(frozen=True)
class FetchedLeases:
    """Leases created in the window, and what was read to get them."""

    rows: pa.Table
    first_height: int | None
    last_height: int | None
    leases_listed: int
    market_version: str | None
    unmapped_gpu_models: Counter = field(default_factory=Counter)


def _all_leases(client: AkashClient) -> list[Lease]:
    leases: list[Lease] = []
    for number, page in enumerate(client.lease_pages()):
        try:
            leases += decode_leases(page, client.market_version or "v1beta5")
        except DecodeError as exc:
            raise DecodeError(f"{client.chain} {client.market_version} leases/list page {number} "
                              f"({client.rest_url}): {exc}") from exc
    return leases


def _gpus(client: AkashClient, leases: list[Lease], names: GpuNames) -> dict[str, LeaseGpus]:
    """GPU count and model per lease, from deployment groups and provider attributes."""
    try:
        providers = decode_provider_gpus(client.providers(), names)
    except RpcRefused as exc:
        if exc.code not in NOT_SERVED:
            raise
        providers = {}  # this node serves no provider API: models come from deployments alone
    groups = {}
    for owner, dseq in sorted({(lease.owner, lease.dseq) for lease in leases}):
        answer = client.deployment(owner, dseq)
        groups[(owner, dseq)] = {} if answer is None else decode_deployment_gpus(
            answer, names, where=f"{client.chain} deployment {owner}/{dseq}")
    result = {}
    for lease in leases:
        group = groups[(lease.owner, lease.dseq)].get(lease.gseq)
        result[lease.job_id] = LeaseGpus(None if group is None else group.count,
                                         lease_gpu_model(group, providers.get(lease.provider)))
    return result


def fetch_akash_leases(client: AkashClient, first_day: date, last_day: date, *, network: str,
                       source: str) -> FetchedLeases:
    """Every lease active on UTC days first_day..last_day, with start/end times and GPU facts.

    Active: created by the window's last block and not closed before its first. The lease list
    has no height filter, so every page is read and the window's leases are kept by height;
    times come from the headers of their created/closed heights. A lease still open is thus
    observed again by every later window it runs into, and the newest observation (its state,
    its close) is the one the marts use.
    """
    fetched_at = datetime.now(UTC)
    latest = client.latest_block()
    heights = client.heights_of_days(first_day, last_day, latest)
    if heights is None:
        return FetchedLeases(JOBS_SCHEMA.empty_table(), None, None, 0, None)
    listed = _all_leases(client)
    leases = [lease for lease in listed
              if lease.created_height <= heights[1] and not (lease.closed_height and lease.closed_height < heights[0])]
    needed = {h for lease in leases for h in (lease.created_height, lease.closed_height) if h}
    beyond = sorted(h for h in needed if h > latest[0])
    if beyond:
        raise DecodeError(f"{client.chain}: leases name heights {beyond[:3]} above the latest block {latest[0]}")
    times = {height: client.block_time(height) for height in sorted(needed)}
    names = GpuNames()
    gpus = _gpus(client, leases, names) if leases else {}
    rows = lease_rows(leases, network=network, chain=client.chain, source=source, block_times=times, gpus=gpus,
                      fetched_at=fetched_at, first_day=first_day)
    return FetchedLeases(rows, heights[0], heights[1], len(listed), client.market_version, names.unmapped)


@dataclass(frozen=True)
class FetchedStaking:
    """One staking snapshot per day of the window that has blocks, and the heights read."""

    rows: pa.Table
    heights: dict[date, int]


def fetch_akash_staking(client: AkashClient, first_day: date, last_day: date, *, network: str,
                        source: str) -> FetchedStaking:
    """Staking state at the last block of each UTC day (the latest block for today)."""
    fetched_at = datetime.now(UTC)
    latest = client.latest_block()
    tables, heights = [], {}
    day = first_day
    while day <= last_day:
        span = client.heights_of_days(day, day, latest)
        if span is not None:
            height = span[1]
            answers = client.staking_state(height)
            tables.append(staking_rows(answers, network=network, chain=client.chain, source=source, height=height,
                                       block_time=client.block_time(height), day=day, fetched_at=fetched_at))
            heights[day] = height
        day += timedelta(days=1)
    rows = pa.concat_tables(tables) if tables else STAKING_SNAPSHOTS_SCHEMA.empty_table()
    return FetchedStaking(rows, heights)
