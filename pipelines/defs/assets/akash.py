"""Akash ingestion assets over Cosmos REST: leases (raw.jobs) and the audits of their providers
(raw.provider_audits, once per run), each day's heights (raw.block_days),
staking state at each day's last block on archive nodes (raw.staking_snapshots), and a daily
snapshot of the current staking state that needs no archive node.

Leases are read without history scans (pipelines/chains/cosmos/_fetch.py): the active ones,
plus the close of every lease stored as open that is no longer active. Each day of the window
is stored in its own transaction with its progress; a re-run reads only unfinished days.
"""

import os
from collections import Counter
from datetime import UTC, date, datetime

import dagster as dg
import duckdb

from depinlens.settings import Settings
from pipelines.chains.cosmos import (
    AkashClient,
    DayHeights,
    GpuNames,
    KnownLease,
    Lease,
    LeaseGpus,
    day_heights,
    day_rows,
    read_lease_gpus,
    read_lease_state,
    read_provider_audits,
    read_staking,
)
from pipelines.chains.endpoints import endpoint_url
from pipelines.chains.errors import ConfigError
from pipelines.defs.daywise import ChainSummary, days_between, summary_metadata
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import ChainReaderResource, WarehouseResource, chains_from_env, refresh_from_env
from warehouse import BlockDay, Cursor, IngestDay, Progress, read_block_days, read_ledger, replace_partition

LEASES_KIND = "akash_lease"
STAKING_KIND = "akash_staking_day_end"


class AkashResource(ChainReaderResource):
    """Which Akash chains to read, how, and what provenance label their rows get.

    `chains` are registry chain ids of family cosmos (none: the assets write nothing); each
    chain's REST URL comes from the environment variable the registry names for it
    (DEPINLENS_REST_AKASH, DEPINLENS_REST_AKASH_LOCAL). `scan_closed` also walks every closed
    lease once (a history scan: its cost grows with the chain; the demo's small chain uses it).
    `backfill` (`FIRST..LAST`) is the window of the backfill a run is one share of (parallel
    workers, pipelines/parallel.py): a lease created on an earlier share's days then gets its start
    time, as in one run over the whole window, though this run has not seen it yet; and only the
    share that ends the window reads the providers' audits (the chain's current list, read once).
    """

    chains: list[str] = ["akash-local"]
    page_limit: int = 1000
    earliest_height: int = 1
    scan_closed: bool = False
    backfill: str = ""

    def backfill_window(self) -> tuple[date, date] | None:
        """The (first, last) day of the backfill this run is a share of; None when it is a run of its own."""
        if not self.backfill:
            return None
        first, _, last = self.backfill.partition("..")
        return date.fromisoformat(first), date.fromisoformat(last or first)

    def get_client(self, chain: str) -> AkashClient:
        """A REST client for `chain`, or a ConfigError naming the missing variable."""
        spec = self.chain_of_family(chain, "cosmos", "DEPINLENS_AKASH_CHAINS")
        return AkashClient(chain, endpoint_url(spec), page_limit=self.page_limit,
                           earliest_height=self.earliest_height, budget=self.budget_of(chain),
                           timeout_s=self.timeout_s, max_attempts=self.max_attempts, max_wait_s=self.max_wait_s)

    def network_of(self, chain: str) -> str:
        """The registry network whose tokens live on `chain` (akash)."""
        networks = {t.network for t in self.registry().tokens_on(chain)}
        if len(networks) != 1:
            raise ConfigError(f"chain {chain!r} must carry the tokens of exactly one network in networks.toml; "
                              f"found {sorted(networks) or 'none'}")
        return networks.pop()


def build_akash_resource(settings: Settings | None = None) -> AkashResource:
    """The Akash resource for this process's environment (the loopback chain unless overridden).

    DEPINLENS_AKASH_SCAN_CLOSED=1 walks every closed lease once (first load of a chain's history).
    DEPINLENS_BACKFILL (FIRST..LAST) is set by pipelines/parallel.py for its workers (see the resource).
    """
    settings = settings or Settings.from_env()
    chains = chains_from_env("DEPINLENS_AKASH_CHAINS", "akash-local")
    return AkashResource(chains=chains, source=os.environ.get("DEPINLENS_SOURCE", "local"),
                         registry_path=str(settings.registry_path), refresh=refresh_from_env(),
                         scan_closed=os.environ.get("DEPINLENS_AKASH_SCAN_CLOSED", "") == "1",
                         backfill=os.environ.get("DEPINLENS_BACKFILL", ""))


def known_leases(conn: duckdb.DuckDBPyConnection, *, network: str, chain: str, source: str) -> dict[str, KnownLease]:
    """The newest stored observation of every lease of one chain: open or not, start, GPU facts."""
    rows = conn.execute("""
        select job_id, coalesce(closed_height, 0) = 0 and state in ('active', 'insufficient_funds') as open,
               started_at, gpu_model, gpu_count
        from raw.jobs where network = ? and chain = ? and source = ?
        qualify row_number() over (partition by job_id order by fetched_at desc, observed_day desc) = 1
        """, [network, chain, source]).fetchall()
    return {job_id: KnownLease(job_id, is_open, started, model, count)
            for job_id, is_open, started, model, count in rows}


def _block_day(chain: str, source: str, heights: DayHeights) -> list[BlockDay]:
    if not heights.complete or heights.first is None:
        return []
    return [BlockDay(chain, source, heights.day, heights.first, heights.last, heights.first_time, heights.last_time,
                     heights.next_time)]


def _seed_times(client: AkashClient, conn: duckdb.DuckDBPyConnection, chain: str, source: str) -> None:
    times = {}
    for b in read_block_days(conn, chain=chain, source=source):
        times[b.first_block], times[b.last_block] = b.first_block_time, b.last_block_time
        if b.next_block_time is not None:
            times[b.last_block + 1] = b.next_block_time
    client.remember_block_times(times)


def _running_within(client: AkashClient, leases: list[Lease], days: list[date],
                    latest: tuple[int, datetime]) -> list[Lease]:
    """The leases that run at some point of `days` (first to last): the only ones whose GPUs this run's rows
    name, so the only deployments worth reading (a share of a backfill, or an old window, needs fewer)."""
    span = client.heights_of_days(days[0], days[-1], latest)
    if span is None:
        return []
    first, last = span
    return [lease for lease in leases
            if lease.created_height <= last and not (lease.closed_height and lease.closed_height < first)]


def _backfill_first_height(akash: AkashResource, client: AkashClient, first_pending: date,
                           latest: tuple[int, datetime]) -> int | None:
    """The first height of the backfill this run is a later share of (None: the run's own first day's, found
    in the loop): creation heights from there on are read, as one run over the whole window reads them."""
    window = akash.backfill_window()
    if window is None:
        return None
    return day_heights(client, window[0], latest).first if window[0] < first_pending else None


def _partitioned(name: str, **kwargs):
    return dg.asset(key=["raw", name], partitions_def=daily, backfill_policy=single_run, group_name="akash",
                    kinds={"cosmos", "duckdb"}, pool="warehouse", **kwargs)


@_partitioned("akash_leases")
def akash_leases(context: dg.AssetExecutionContext, akash: AkashResource,
                 warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Akash leases running on each UTC day (provider, tenant, GPUs, price per block, start and end), read from
    the active leases and those closed since last seen; each day's heights and seconds per block measured; the
    audit module's word on each provider seen (one list per run, filed under the latest block's day)."""
    first_day, last_day = window_days(context)
    summaries: dict[str, ChainSummary] = {}
    for chain in akash.chains:
        summary = summaries[chain] = ChainSummary()
        network, source = akash.network_of(chain), akash.source_of(chain)
        denoms = {t.address for t in akash.registry().tokens_on(chain)}
        with warehouse.get_connection() as conn:
            ledger = read_ledger(conn, chain=chain, source=source, record_kind=LEASES_KIND)
            pending_days = [d for d in days_between(first_day, last_day)
                            if ledger.pending(["market"], d, refresh=akash.refresh)]
            summary.days_skipped = (last_day - first_day).days + 1 - len(pending_days)
            if not pending_days:
                continue
            known = known_leases(conn, network=network, chain=chain, source=source)
            with akash.get_client(chain) as client:
                _seed_times(client, conn, chain, source)
                latest = client.latest_block()
                state = read_lease_state(client, known, scan_closed=akash.scan_closed)
                names = GpuNames()
                new = [lease for lease in _running_within(client, state.leases, pending_days, latest)
                       if lease.job_id not in known]
                gpus = read_lease_gpus(client, new, names)
                for lease in state.leases:
                    if lease.job_id in known and lease.job_id not in gpus:
                        stored = known[lease.job_id]
                        gpus[lease.job_id] = LeaseGpus(stored.gpu_count, stored.gpu_model)
                window = akash.backfill_window()
                if window is not None and last_day < window[1]:
                    audits, audit_note = None, {"provider_audits": "not read: the backfill's last share reads them"}
                else:
                    audits = read_provider_audits(client, (lease.provider for lease in state.leases), latest,
                                                  network=network, source=source)
                    audit_note = {"provider_audits": "not read: the node serves no audit module"}
                if audits is not None:
                    replace_partition(conn, "raw.provider_audits", audits,
                                      scope={"network": network, "chain": chain, "source": source},
                                      day_column="observed_day", first_day=latest[1].date(), last_day=latest[1].date())
                    audit_note = {"providers_audited": len(set(audits.filter(
                        audits["auditor"].is_valid())["provider"].to_pylist()))}
                started = {job_id: k.started_at for job_id, k in known.items() if k.started_at is not None}
                unknown_denoms = Counter(lease.price.denom for lease in state.leases if lease.price.denom not in denoms)
                if unknown_denoms:
                    context.log.warning(f"{chain}: leases priced in denoms the registry does not list (their payments "
                                        f"stay unpriced and their days are marked incomplete): {dict(unknown_denoms)}")
                window_first = _backfill_first_height(akash, client, pending_days[0], latest)
                for number, day in enumerate(pending_days, start=1):
                    heights = day_heights(client, day, latest)
                    if heights.first is not None and window_first is None:
                        window_first = heights.first
                    rows = day_rows(client, state.leases, heights, window_first_height=window_first or 0,
                                    network=network, source=source, gpus=gpus, started=started)
                    progress = Progress(
                        cursors=[Cursor(network, chain, "market", LEASES_KIND, heights.last, day, source)]
                        if heights.last is not None else [],
                        days=[IngestDay(network, chain, source, LEASES_KIND, "market", day, rows.num_rows,
                                        heights.complete, heights.first, heights.last)],
                        block_days=_block_day(chain, source, heights))
                    summary.rows += replace_partition(
                        conn, "raw.jobs", rows, scope={"network": network, "chain": chain, "source": source},
                        day_column="observed_day", first_day=day, last_day=day, progress=progress)
                    summary.days_read += 1
                    context.log.info(f"{chain} {day} ({number}/{len(pending_days)}): {rows.num_rows} leases running, "
                                     f"heights {heights.first}-{heights.last}, "
                                     f"{heights.seconds_per_block or 0:.3f} s per block")
                    if not heights.complete:
                        summary.days_incomplete += 1
                        break
                summary.notes.update({"active_leases": state.active, "closed_since_last_run": state.closed_since,
                                      "list_pages": state.pages, "new_leases": len(new),
                                      "market_api": state.market_version})
                for key, value in audit_note.items():  # assigned: Counter.update would add to a text value
                    summary.notes[key] = value
                if state.vanished:
                    summary.notes["vanished_leases"] = len(state.vanished)
                if names.unmapped:
                    summary.notes["unmapped_gpu_models"] = sum(names.unmapped.values())
                    context.log.warning(f"{chain}: GPU models not in the canonical list (gpu_model left empty): "
                                        f"{dict(names.unmapped)}; add them to gpu_bench/gpu_models.py")
                summary.notes["unknown_denom_leases"] = sum(unknown_denoms.values())
                summary.take_stats(client.endpoint.stats)
    return dg.MaterializeResult(metadata=summary_metadata(summaries, first_day=str(first_day), last_day=str(last_day)))


@_partitioned("akash_staking")
def akash_staking(context: dg.AssetExecutionContext, akash: AkashResource,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Akash staking pool, supply, inflation and distribution parameters at the last block of each UTC day, on
    archive nodes only (a pruned node serves no past state: the daily akash_staking_now snapshot covers it)."""
    first_day, last_day = window_days(context)
    summaries: dict[str, ChainSummary] = {}
    for chain in akash.chains:
        summary = summaries[chain] = ChainSummary()
        if not akash.archive(chain):
            context.log.info(f"{chain}: not an archive node (registry `archive`, DEPINLENS_ARCHIVE_"
                             f"{akash.registry().chain(chain).env_suffix}=1 to override): past staking state is not "
                             "read; the akash_staking_now snapshot records it from now on. No request made.")
            summary.notes["skipped"] = "not an archive node"
            continue
        network, source = akash.network_of(chain), akash.source_of(chain)
        with warehouse.get_connection() as conn:
            ledger = read_ledger(conn, chain=chain, source=source, record_kind=STAKING_KIND)
            pending_days = [d for d in days_between(first_day, last_day)
                            if ledger.pending(["staking"], d, refresh=akash.refresh)]
            summary.days_skipped = (last_day - first_day).days + 1 - len(pending_days)
            if not pending_days:
                continue
            with akash.get_client(chain) as client:
                _seed_times(client, conn, chain, source)
                latest = client.latest_block()
                for day in pending_days:
                    heights = day_heights(client, day, latest)
                    if not heights.complete or heights.last is None:
                        summary.days_incomplete += 1
                        break
                    fetched = read_staking(client, network=network, source=source, at=heights)
                    summary.rows += replace_partition(
                        conn, "raw.staking_snapshots", fetched.rows,
                        scope={"network": network, "chain": chain, "source": source},
                        day_column="snapshot_day", first_day=day, last_day=day,
                        progress=Progress(
                            cursors=[Cursor(network, chain, "staking", STAKING_KIND, heights.last, day, source)],
                            days=[IngestDay(network, chain, source, STAKING_KIND, "staking", day,
                                            fetched.rows.num_rows, True, heights.first, heights.last)],
                            block_days=_block_day(chain, source, heights)))
                    summary.days_read += 1
                summary.take_stats(client.endpoint.stats)
    return dg.MaterializeResult(metadata=summary_metadata(summaries, first_day=str(first_day), last_day=str(last_day)))


@dg.asset(key=["raw", "akash_staking_now"], group_name="akash", kinds={"cosmos", "duckdb"}, pool="warehouse")
def akash_staking_now(context: dg.AssetExecutionContext, akash: AkashResource,
                      warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Akash staking pool, supply, inflation and distribution parameters as of the latest block, filed under that
    block's UTC day (taken daily by the state-snapshot schedule; no archive node needed)."""
    per_chain = {}
    for chain in akash.chains:
        network, source = akash.network_of(chain), akash.source_of(chain)
        with akash.get_client(chain) as client:
            fetched = read_staking(client, network=network, source=source)
            calls = client.endpoint.stats.as_metadata()["calls"]
        day = fetched.time.date()
        with warehouse.get_connection() as conn:
            rows = replace_partition(conn, "raw.staking_snapshots", fetched.rows,
                                     scope={"network": network, "chain": chain, "source": source},
                                     day_column="snapshot_day", first_day=day, last_day=day,
                                     progress=Progress(cursors=[Cursor(network, chain, "staking", "akash_staking_now",
                                                                       fetched.height, day, source)]))
        per_chain[chain] = {"rows": rows, "height": fetched.height, "observed_at": fetched.time.isoformat(),
                            "calls": calls}
        context.log.info(f"{chain}: staking state at height {fetched.height} ({fetched.time:%Y-%m-%d %H:%M} UTC)")
    return dg.MaterializeResult(metadata={"rows": sum(c["rows"] for c in per_chain.values()), "per_chain": per_chain,
                                          "taken_at": datetime.now(UTC).isoformat()})


@dg.definitions
def akash_definitions() -> dg.Definitions:
    """This module's assets and the Akash resource (a module with a definitions function is loaded through it)."""
    return dg.Definitions(assets=[akash_leases, akash_staking, akash_staking_now],
                          resources={"akash": build_akash_resource()})
