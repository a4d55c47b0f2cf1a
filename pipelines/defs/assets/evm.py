"""EVM ingestion assets: token transfers, staking and vault events, GPU loan router events, and state
at each day's last block (vault NAV and share prices, token supply, staking holders' balances).

Each asset walks the run's days in order and stores each day in its own transaction together
with its progress: the day's blocks (raw.block_days, where the next search starts), which scopes
finished it (raw.ingest_days) and the cursor (raw.ingest_state, forward only). A re-run reads only
unfinished days; a chain with nothing to read for an asset is not asked anything.
"""


from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa

from depinlens.registry import Program, Token
from pipelines.chains.evm import (
    DayBlocks,
    DayRows,
    EvmClient,
    day_blocks,
    read_holder_balances,
    read_loan_events,
    read_staking_events,
    read_supplies,
    read_transfers,
    read_vault_navs,
    read_vault_prices,
)
from pipelines.defs.daywise import ChainSummary, days_between, rows_per_scope, summary_metadata
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import EvmResource, WarehouseResource
from warehouse import BlockDay, Cursor, IngestDay, Progress, read_block_days, read_ledger, replace_partition

Item = Token | Program


@dataclass(frozen=True)
class EvmReader:
    """What one EVM asset reads per day, and where it stores it."""

    table: str
    record_kind: str
    day_column: str
    scope_column: str
    items: Callable[[EvmResource, str], Sequence[Item]]
    read: Callable[[EvmClient, Sequence[Item], dict[str, Token], DayBlocks, str, EvmResource], DayRows | pa.Table]


def _as_time(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _block_day(chain: str, source: str, blocks: DayBlocks) -> list[BlockDay]:
    if not (blocks.complete and blocks.has_blocks):
        return []
    return [BlockDay(chain, source, blocks.day, blocks.first, blocks.last, _as_time(blocks.first_time),
                     _as_time(blocks.last_time), _as_time(blocks.next_time))]


def _known_times(days: list[BlockDay]) -> dict[int, int]:
    times: dict[int, int] = {}
    for b in days:
        times[b.first_block] = int(b.first_block_time.timestamp())
        times[b.last_block] = int(b.last_block_time.timestamp())
        if b.next_block_time is not None:
            times[b.last_block + 1] = int(b.next_block_time.timestamp())
    return times


def ingest_days(context: dg.AssetExecutionContext, evm: EvmResource, warehouse: WarehouseResource,
                reader: EvmReader) -> dg.MaterializeResult:
    """Read every configured chain day by day, storing each day with its progress; skip finished days."""
    first_day, last_day = window_days(context)
    days = days_between(first_day, last_day)
    skipped = [line for chain in evm.chains for line in evm.unverified_skipped(chain)]
    for line in skipped:
        context.log.warning(line)
    summaries: dict[str, ChainSummary] = {}
    with warehouse.get_connection() as conn:  # opened first: a damaged warehouse stops the step at once
        for chain in evm.chains:
            summaries[chain] = _ingest_chain(context, evm, conn, reader, chain, days)
    return dg.MaterializeResult(metadata=summary_metadata(summaries, first_day=str(first_day), last_day=str(last_day),
                                                          skipped_unverified=skipped))


def _ingest_chain(context: dg.AssetExecutionContext, evm: EvmResource, conn, reader: EvmReader, chain: str,
                  days: list) -> ChainSummary:
    """One chain of `ingest_days`: its pending days read and stored one by one."""
    items = reader.items(evm, chain)
    summary = ChainSummary()
    if not items:
        context.log.info(f"{chain}: nothing registered for {reader.table}; no request made")
        return summary
    source = evm.source_of(chain)
    tokens = {t.network: t for t in evm.tokens(chain)}
    with evm.get_client(chain) as client:
        ledger = read_ledger(conn, chain=chain, source=source, record_kind=reader.record_kind)
        client.remember_block_times(_known_times(read_block_days(conn, chain=chain, source=source)))
        safe_head: int | None = None
        for number, day in enumerate(days, start=1):
            pending_scopes = set(ledger.pending([i.address for i in items], day, refresh=evm.refresh))
            pending = [i for i in items if i.address in pending_scopes]
            if not pending:
                summary.days_skipped += 1
                continue
            if safe_head is None:
                safe_head = client.block_number() - evm.confirmations(chain)
            blocks = day_blocks(client, day, safe_head)
            got = reader.read(client, pending, tokens, blocks, source, evm)
            got = got if isinstance(got, DayRows) else DayRows(got)
            counts = rows_per_scope(got.rows, reader.scope_column)
            progress = Progress(
                cursors=[Cursor(i.network, chain, i.address, reader.record_kind, blocks.last, day, source)
                         for i in pending] if blocks.has_blocks else [],
                days=[IngestDay(i.network, chain, source, reader.record_kind, i.address, day, counts[i.address],
                                blocks.complete, blocks.first, blocks.last) for i in pending],
                block_days=_block_day(chain, source, blocks))
            summary.rows += replace_partition(
                conn, reader.table, got.rows,
                scope={"chain": chain, "source": source, reader.scope_column: [i.address for i in pending]},
                day_column=reader.day_column, first_day=day, last_day=day, progress=progress)
            summary.days_read += 1
            summary.notes["removed_logs_dropped"] += got.removed_logs
            context.log.info(f"{chain} {day} ({number}/{len(days)}): {got.rows.num_rows} rows into "
                             f"{reader.table}, blocks {blocks.first}-{blocks.last}"
                             + ("" if blocks.complete else " (day not final yet: read again next run)"))
            if not blocks.complete:
                summary.days_incomplete += 1
                break  # the later days are beyond the safe head too
        summary.take_stats(client.endpoint.stats)
    context.log.info(f"{chain}: {summary.rows} rows into {reader.table}, {summary.days_read} days read, "
                     f"{summary.days_skipped} finished days skipped, {summary.requests.get('calls', 0)} calls")
    return summary


def _asset(name: str, **kwargs):
    """The decorator every EVM asset shares: raw/<name>, daily partitions, single-run ranges, one writer."""
    return dg.asset(key=["raw", name], partitions_def=daily, backfill_policy=single_run, group_name="evm",
                    kinds={"ethereum", "duckdb"}, pool="warehouse", **kwargs)


TRANSFERS = EvmReader(
    table="raw.token_transfers", record_kind="erc20_transfer", day_column="block_day", scope_column="token_address",
    items=lambda evm, chain: evm.tokens(chain),
    read=lambda client, items, tokens, blocks, source, evm: read_transfers(
        client, items, blocks, source=source, chunk_blocks=evm.chunk_blocks))

STAKING_EVENTS = EvmReader(
    table="raw.staking_events", record_kind="staking_event", day_column="block_day", scope_column="contract",
    items=lambda evm, chain: [p for p in evm.programs(chain) if p.abi],
    read=lambda client, items, tokens, blocks, source, evm: read_staking_events(
        client, items, tokens, blocks, source=source, chunk_blocks=evm.chunk_blocks))

VAULT_NAVS = EvmReader(
    table="raw.vault_snapshots", record_kind="vault_nav", day_column="block_day", scope_column="vault",
    items=lambda evm, chain: [p for p in evm.programs(chain) if p.kind == "vault"],
    read=lambda client, items, tokens, blocks, source, evm: read_vault_navs(client, items, tokens, blocks,
                                                                            source=source))

SUPPLIES = EvmReader(
    table="raw.supply_snapshots", record_kind="erc20_supply", day_column="snapshot_day", scope_column="token_address",
    items=lambda evm, chain: evm.tokens(chain),
    read=lambda client, items, tokens, blocks, source, evm: read_supplies(client, items, blocks, source=source))

HOLDER_BALANCES = EvmReader(
    table="raw.staking_snapshots", record_kind="holder_balance", day_column="snapshot_day", scope_column="account",
    items=lambda evm, chain: [p for p in evm.programs(chain) if p.kind == "staking_holder"],
    read=lambda client, items, tokens, blocks, source, evm: read_holder_balances(client, items, tokens, blocks,
                                                                                 source=source))

LOAN_EVENTS = EvmReader(
    table="raw.loan_events", record_kind="loan_event", day_column="block_day", scope_column="contract",
    items=lambda evm, chain: [p for p in evm.programs(chain) if p.kind == "loan_router"],
    read=lambda client, items, tokens, blocks, source, evm: read_loan_events(
        client, items, blocks, source=source, chunk_blocks=evm.chunk_blocks))

VAULT_PRICES = EvmReader(
    table="raw.vault_prices", record_kind="vault_prices", day_column="block_day", scope_column="vault",
    items=lambda evm, chain: [p for p in evm.programs(chain) if p.kind == "vault" and p.abi == "erc7540"],
    read=lambda client, items, tokens, blocks, source, evm: read_vault_prices(client, items, tokens, blocks,
                                                                              source=source))


@_asset("evm_token_transfers")
def evm_token_transfers(context: dg.AssetExecutionContext, evm: EvmResource,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
    """ERC-20 Transfer logs (mints, burns, transfers) of every registry token, one partition per UTC day."""
    return ingest_days(context, evm, warehouse, TRANSFERS)


@_asset("evm_staking_events")
def evm_staking_events(context: dg.AssetExecutionContext, evm: EvmResource,
                       warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Staking pool (Staked/Withdrawn/RewardPaid) and ERC-4626 (Deposit/Withdraw) events of registry programs."""
    return ingest_days(context, evm, warehouse, STAKING_EVENTS)


@_asset("evm_vault_snapshots")
def evm_vault_snapshots(context: dg.AssetExecutionContext, evm: EvmResource,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
    """NAV of every registry ERC-4626 vault at the last block of each day (totalAssets, supply, assets per share)."""
    return ingest_days(context, evm, warehouse, VAULT_NAVS)


@_asset("evm_supply_snapshots")
def evm_supply_snapshots(context: dg.AssetExecutionContext, evm: EvmResource,
                         warehouse: WarehouseResource) -> dg.MaterializeResult:
    """totalSupply() of every registry token at the last block of each day (checked against mints and burns)."""
    return ingest_days(context, evm, warehouse, SUPPLIES)


@_asset("evm_holder_balances")
def evm_holder_balances(context: dg.AssetExecutionContext, evm: EvmResource,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Tokens held by registry staking holders (e.g. Aethir's staking contract) at the last block of each day."""
    return ingest_days(context, evm, warehouse, HOLDER_BALANCES)


@_asset("evm_loan_events")
def evm_loan_events(context: dg.AssetExecutionContext, evm: EvmResource,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    """GPU loan router events (originations, repayments with interest, fees, liquidations) of registry loan routers."""
    return ingest_days(context, evm, warehouse, LOAN_EVENTS)


@_asset("evm_vault_prices")
def evm_vault_prices(context: dg.AssetExecutionContext, evm: EvmResource,
                     warehouse: WarehouseResource) -> dg.MaterializeResult:
    """nav(), deposit and redemption share prices of ERC-7540 lending vaults (sUSDai) at the last block of each day."""
    return ingest_days(context, evm, warehouse, VAULT_PRICES)
