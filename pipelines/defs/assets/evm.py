"""EVM ingestion assets: token transfers, staking/vault events and vault NAV snapshots."""

from collections.abc import Callable
from datetime import date

import dagster as dg
import pyarrow as pa

from pipelines.chains.evm import fetch_staking_events, fetch_token_transfers, fetch_vault_snapshots
from pipelines.defs.partitions import daily, single_run, window_days
from pipelines.defs.resources import EvmResource, WarehouseResource
from warehouse import Cursor, replace_partition


def _load_per_chain(context: dg.AssetExecutionContext, evm: EvmResource, warehouse: WarehouseResource, *,
                    table: str, record_kind: str, day_column: str,
                    fetch: Callable[[str, date, date], tuple[pa.Table, list[str], str, int | None]]) -> dg.MaterializeResult:
    """Fetch every configured chain for the window, then replace each chain's partition in one transaction."""
    first_day, last_day = window_days(context)
    counts: dict[str, int] = {}
    skipped = [line for chain in evm.chains for line in evm.unverified_skipped(chain)]
    for line in skipped:
        context.log.warning(line)
    for chain in evm.chains:
        rows, contracts, scope_column, last_block = fetch(chain, first_day, last_day)
        registry = evm.registry()
        networks = {t.address: t.network for t in registry.tokens_on(chain)}
        networks |= {p.address: p.network for p in registry.programs_on(chain)}
        cursors = [Cursor(network=networks.get(c, "?"), chain=chain, contract=c, record_kind=record_kind,
                          last_block=last_block, last_day=last_day, source=evm.source)
                   for c in contracts if last_block is not None]
        with warehouse.get_connection() as conn:
            counts[chain] = replace_partition(
                conn, table, rows, scope={"chain": chain, "source": evm.source, scope_column: contracts},
                day_column=day_column, first_day=first_day, last_day=last_day, cursors=cursors)
        context.log.info(f"{chain}: {counts[chain]} rows into {table} for {first_day}..{last_day}")
    return dg.MaterializeResult(metadata={"rows": sum(counts.values()), "rows_per_chain": counts,
                                          "first_day": str(first_day), "last_day": str(last_day),
                                          "source": evm.source, "skipped_unverified": skipped})


@dg.asset(key=["raw", "evm_token_transfers"], partitions_def=daily, backfill_policy=single_run,
          group_name="evm", kinds={"ethereum", "duckdb"}, pool="warehouse")
def evm_token_transfers(context: dg.AssetExecutionContext, evm: EvmResource,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
    """ERC-20 Transfer logs (mints, burns, transfers) of every registry token, one partition per UTC day."""

    def fetch(chain: str, first: date, last: date):
        tokens = evm.tokens(chain)
        got = fetch_token_transfers(evm.get_client(chain), tokens, first, last, source=evm.source,
                                    confirmations=evm.confirmations(chain), chunk_blocks=evm.chunk_blocks)
        return got.rows, [t.address for t in tokens], "token_address", got.last_block

    return _load_per_chain(context, evm, warehouse, table="raw.token_transfers", record_kind="erc20_transfer",
                           day_column="block_day", fetch=fetch)


@dg.asset(key=["raw", "evm_staking_events"], partitions_def=daily, backfill_policy=single_run,
          group_name="evm", kinds={"ethereum", "duckdb"}, pool="warehouse")
def evm_staking_events(context: dg.AssetExecutionContext, evm: EvmResource,
                       warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Staking pool (Staked/Withdrawn/RewardPaid) and ERC-4626 (Deposit/Withdraw) events of registry programs."""

    def fetch(chain: str, first: date, last: date):
        programs = [p for p in evm.programs(chain) if p.abi]
        tokens = {t.network: t for t in evm.tokens(chain)}
        got = fetch_staking_events(evm.get_client(chain), programs, tokens, first, last, source=evm.source,
                                   confirmations=evm.confirmations(chain), chunk_blocks=evm.chunk_blocks)
        return got.rows, [p.address for p in programs], "contract", got.last_block

    return _load_per_chain(context, evm, warehouse, table="raw.staking_events", record_kind="staking_event",
                           day_column="block_day", fetch=fetch)


@dg.asset(key=["raw", "evm_vault_snapshots"], partitions_def=daily, backfill_policy=single_run,
          group_name="evm", kinds={"ethereum", "duckdb"}, pool="warehouse")
def evm_vault_snapshots(context: dg.AssetExecutionContext, evm: EvmResource,
                        warehouse: WarehouseResource) -> dg.MaterializeResult:
    """NAV of every registry ERC-4626 vault at the last block of each day (totalAssets, supply, assets per share)."""

    def fetch(chain: str, first: date, last: date):
        vaults = [p for p in evm.programs(chain) if p.kind == "vault"]
        tokens = {t.network: t for t in evm.tokens(chain)}
        rows = fetch_vault_snapshots(evm.get_client(chain), vaults, tokens, first, last, source=evm.source,
                                     confirmations=evm.confirmations(chain))
        last_block = max(rows.column("block_number").to_pylist(), default=None)
        return rows, [v.address for v in vaults], "vault", last_block

    return _load_per_chain(context, evm, warehouse, table="raw.vault_snapshots", record_kind="vault_nav",
                           day_column="block_day", fetch=fetch)
