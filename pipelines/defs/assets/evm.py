"""EVM ingestion assets."""

from datetime import timedelta

import dagster as dg

from pipelines.chains.evm import fetch_token_transfers
from pipelines.defs.partitions import daily, single_run
from pipelines.defs.resources import EvmResource, WarehouseResource
from warehouse import Cursor, replace_partition


@dg.asset(
    key=["raw", "evm_token_transfers"],
    partitions_def=daily,
    backfill_policy=single_run,
    group_name="evm",
    kinds={"ethereum", "duckdb"},
    pool="warehouse",
)
def evm_token_transfers(context: dg.AssetExecutionContext, evm: EvmResource,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    """ERC-20 Transfer logs (mints, burns, transfers) of every registry token, one partition per UTC day."""
    window = context.partition_time_window
    first_day, last_day = window.start.date(), (window.end - timedelta(days=1)).date()
    registry = evm.registry()
    counts: dict[str, int] = {}
    for chain in evm.chains:
        tokens = registry.tokens_on(chain)
        confirmations = registry.chain(chain).confirmations
        fetched = fetch_token_transfers(evm.get_client(chain), tokens, first_day, last_day, source=evm.source,
                                        confirmations=confirmations, chunk_blocks=evm.chunk_blocks)
        cursors = [
            Cursor(network=t.network, chain=chain, contract=t.address, record_kind="erc20_transfer",
                   last_block=fetched.last_block, last_day=last_day, source=evm.source)
            for t in tokens if fetched.last_block is not None
        ]
        with warehouse.get_connection() as conn:
            counts[chain] = replace_partition(
                conn, "raw.token_transfers", fetched.rows,
                scope={"chain": chain, "source": evm.source, "token_address": [t.address for t in tokens]},
                day_column="block_day", first_day=first_day, last_day=last_day, cursors=cursors,
            )
        context.log.info(f"{chain}: {counts[chain]} transfers in blocks {fetched.first_block}-{fetched.last_block} "
                         f"for {first_day}..{last_day}")
    return dg.MaterializeResult(metadata={
        "rows": sum(counts.values()),
        "rows_per_chain": counts,
        "first_day": str(first_day),
        "last_day": str(last_day),
        "source": evm.source,
    })
