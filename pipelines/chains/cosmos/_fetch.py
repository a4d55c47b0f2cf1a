"""Read an Akash node without scanning its history: the active leases now, the leases that closed
since they were last seen, each day's heights, and the staking state.

A run lists only active leases (`filters.state=active`); a lease the warehouse knows as open but
the node no longer lists as active has closed since, and its close is read with `leases/info`.
Creation times of old leases come from what earlier runs stored; headers are read only for the
heights the window needs (leases created or closed in it, and each day's first and last block,
which also give each day's seconds per block). So a run costs about the same on day 1 and day
500, and needs no archive node. Leases that opened and closed before the first run are never
seen, unless `scan_closed` walks every closed lease once (its cost grows with history).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa

from pipelines.chains.cosmos._audits import audit_rows, decode_audits
from pipelines.chains.cosmos._blocks import day_start
from pipelines.chains.cosmos._client import NOT_SERVED, AkashClient
from pipelines.chains.cosmos._gpus import GpuNames, decode_deployment_gpus, decode_provider_gpus, lease_gpu_model
from pipelines.chains.cosmos._leases import DECODERS, Lease, LeaseGpus, decode_leases, lease_rows
from pipelines.chains.cosmos._staking import staking_rows
from pipelines.chains.errors import DecodeError, RpcRefused


# A lease out of funds stops paying and is closed by its provider; it is found through `leases/info`
# once the warehouse knows it as open. Listing that state would be a history scan in disguise:
# leases can sit in it long after they stopped.
CURRENT_STATES = ("active",)
HISTORY_STATES = ("closed", "insufficient_funds")


@dataclass(frozen=True)
class KnownLease:
    """What the warehouse already holds of a lease: enough to never read its old heights again."""

    job_id: str
    open: bool
    started_at: datetime | None
    gpu_model: str | None
    gpu_count: int | None


def lease_key(job_id: str) -> tuple[str, int, int, int, str, int | None]:
    """owner, dseq, gseq, oseq, provider, bseq of an Akash job id (owner/dseq/gseq/oseq/provider[/bseq])."""
    parts = job_id.split("/")
    if len(parts) not in (5, 6):
        raise DecodeError(f"{job_id!r} is not an Akash lease id (owner/dseq/gseq/oseq/provider[/bseq])")
    return parts[0], int(parts[1]), int(parts[2]), int(parts[3]), parts[4], int(parts[5]) if len(parts) == 6 else None


@dataclass(frozen=True)
class LeaseState:
    """The leases a run needs: active now, closed since last seen (and, with a scan, every closed one)."""

    leases: list[Lease]
    active: int
    closed_since: int
    vanished: list[str]
    pages: int
    market_version: str | None


def _decode(client: AkashClient, items: list, where: str) -> list[Lease]:
    try:
        return decode_leases(items, client.market_version or "v1beta5")
    except DecodeError as exc:
        raise DecodeError(f"{client.label} {client.market_version} {where}: {exc}") from exc


def read_lease_state(client: AkashClient, known: Mapping[str, KnownLease], *, scan_closed: bool = False) -> LeaseState:
    """Active leases, plus the close of every lease `known` as open that is no longer active (and, with
    `scan_closed`, every lease ever closed or out of funds: a one-time history scan)."""
    leases: dict[str, Lease] = {}
    pages = 0
    for state in CURRENT_STATES:
        for number, page in enumerate(client.lease_pages(state)):
            pages += 1
            leases.update((lease.job_id, lease) for lease in _decode(client, page, f"{state} leases page {number}"))
    active = len(leases)
    if scan_closed:
        for state in HISTORY_STATES:
            for number, page in enumerate(client.lease_pages(state)):
                pages += 1
                leases.update((lease.job_id, lease) for lease in _decode(client, page,
                                                                         f"{state} leases page {number}"))
    vanished: list[str] = []
    closed_since = 0
    for job_id, lease in sorted(known.items()):
        if not lease.open or job_id in leases:
            continue
        answer = client.lease_info(*lease_key(job_id))
        if answer is None:
            vanished.append(job_id)  # the node forgot it (pruned): its last observation stands
            continue
        decoded = DECODERS[client.market_version or "v1beta5"](answer, f"lease {job_id}")
        leases[decoded.job_id] = decoded
        closed_since += 1
    return LeaseState(list(leases.values()), active, closed_since, vanished, pages, client.market_version)


def read_lease_gpus(client: AkashClient, leases: Sequence[Lease], names: GpuNames) -> dict[str, LeaseGpus]:
    """GPU count and model per lease, from its deployment group and its provider's attributes
    (one deployment read per deployment, one providers list)."""
    if not leases:
        return {}
    try:
        providers = decode_provider_gpus(client.providers(), names)
    except RpcRefused as exc:
        if exc.code not in NOT_SERVED:
            raise
        providers = {}  # this node serves no provider API: models come from deployments alone
    deployments = sorted({(lease.owner, lease.dseq) for lease in leases})
    answers = client.endpoint.map_concurrently(lambda key: client.deployment(*key), deployments)  # a round trip each
    groups = {(owner, dseq): {} if answer is None else decode_deployment_gpus(
                  answer, names, where=f"{client.label} deployment {owner}/{dseq}")
              for (owner, dseq), answer in zip(deployments, answers, strict=True)}
    result = {}
    for lease in leases:
        group = groups[(lease.owner, lease.dseq)].get(lease.gseq)
        result[lease.job_id] = LeaseGpus(None if group is None else group.count,
                                         lease_gpu_model(group, providers.get(lease.provider)))
    return result


def read_provider_audits(client: AkashClient, providers: Iterable[str], latest: tuple[int, datetime], *,
                         network: str, source: str) -> pa.Table | None:
    """raw.provider_audits rows of the providers a run saw, from one audit list (a page per 1000 audited
    providers, whatever the number of leases), as of the `latest` block; None when the node serves no
    audit module (then nothing is said of any provider, rather than "not audited")."""
    wanted = sorted(set(providers))
    if not wanted:
        return None
    try:
        audits = decode_audits(client.audited_attributes(), f"{client.label} audit attributes")
    except RpcRefused as exc:
        if exc.code not in NOT_SERVED:
            raise
        return None
    height, stamp = latest
    return audit_rows(audits, wanted, network=network, chain=client.chain, source=source, block_number=height,
                      block_time=stamp, fetched_at=datetime.now(UTC))


@dataclass(frozen=True)
class DayHeights:
    """The heights of one UTC day up to the node's head; `complete` when the day has ended there."""

    day: date
    first: int | None
    last: int | None
    complete: bool
    first_time: datetime | None = None
    last_time: datetime | None = None
    next_time: datetime | None = None

    @property
    def seconds_per_block(self) -> float | None:
        """The day's average block time, measured from its first and last block headers."""
        if self.first is None or self.last is None or self.last <= self.first:
            return None
        return (self.last_time - self.first_time).total_seconds() / (self.last - self.first)


def day_heights(client: AkashClient, day: date, latest: tuple[int, datetime]) -> DayHeights:
    """Find the heights of `day` (a few header reads next to a known height)."""
    span = client.heights_of_days(day, day, latest)
    complete = latest[1] >= day_start(day + timedelta(days=1))
    if span is None:
        return DayHeights(day, None, None, complete)
    first, last = span
    next_time = client.known_block_time(last + 1) if complete else None
    return DayHeights(day, first, last, complete, client.block_time(first), client.block_time(last), next_time)


def active_on(leases: Iterable[Lease], heights: DayHeights) -> list[Lease]:
    """The leases running during the day: created by its last block, not closed before its first."""
    if heights.first is None:
        return []
    return [lease for lease in leases if lease.created_height <= heights.last
            and not (lease.closed_height and lease.closed_height < heights.first)]


def day_rows(client: AkashClient, leases: Sequence[Lease], heights: DayHeights, *, window_first_height: int,
             network: str, source: str, gpus: Mapping[str, LeaseGpus], started: Mapping[str, datetime]) -> pa.Table:
    """raw.jobs rows of the leases active on one day; headers read only for heights in the window."""
    running = active_on(leases, heights)
    needed = {h for lease in running for h in (lease.created_height, lease.closed_height)
              if h and h >= window_first_height and not (h == lease.created_height and lease.job_id in started)}
    times = client.block_times(needed)
    return lease_rows(running, network=network, chain=client.chain, source=source, day=heights.day,
                      block_times=times, gpus=gpus, started=started, fetched_at=datetime.now(UTC))


@dataclass(frozen=True)
class FetchedStaking:
    """Staking state rows, and the height and time they were read at."""

    rows: pa.Table
    height: int
    time: datetime


def read_staking(client: AkashClient, *, network: str, source: str, at: DayHeights | None = None) -> FetchedStaking:
    """Staking state at the last block of `at` (needs an archive node for old days), or now (`at` None)."""
    if at is None:
        height, stamp = client.latest_block()
        answers = client.staking_state(None)
        day = stamp.date()
    else:
        assert at.last is not None and at.last_time is not None
        height, stamp, day = at.last, at.last_time, at.day
        answers = client.staking_state(height)
    rows = staking_rows(answers, network=network, chain=client.chain, source=source, height=height,
                        block_time=stamp, day=day, fetched_at=datetime.now(UTC))
    return FetchedStaking(rows, height, stamp)
