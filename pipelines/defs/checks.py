"""Asset checks that reconcile stocks with flows: a token's supply change equals its mints minus burns.

Supply snapshots (ERC-20 totalSupply at a day's last block, SPL getTokenSupply after a day ends)
are exact integers, and so are the summed mints and burns between two snapshots; any difference
means a missed or doubled movement (a gap in ingestion, a decoder bug, a reorg not repaired).
Only pairs of snapshots whose whole span was read completely are compared, and only tokens whose
every mint and burn is read (EVM logs of the token contract; SPL tokens read through the mint
account itself); Render's RENDER, read through its burn wallet, cannot be reconciled that way.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets.evm import evm_supply_snapshots
from pipelines.defs.assets.solana import SolanaResource, solana_supply_snapshots
from pipelines.defs.resources import EvmResource, WarehouseResource

RECONCILE_SQL = """
with snaps as (
    select chain, source, token_symbol, token_address, block_number, block_time, supply_raw,
           lag(block_number) over w as prev_block, lag(block_time) over w as prev_time,
           lag(supply_raw) over w as prev_supply
    from raw.supply_snapshots
    where token_address in (select unnest(?))
    window w as (partition by chain, source, token_address order by block_number)
),
pairs as (select * from snaps where prev_block is not null),
flows as (
    select p.chain, p.source, p.token_address, p.block_number,
           coalesce(sum(case t.kind when 'mint' then t.amount_raw when 'burn' then -t.amount_raw else 0 end), 0)
               as net_flow
    from pairs p
    left join raw.token_transfers t
        on t.chain = p.chain and t.source = p.source and t.token_address = p.token_address
       and t.block_number > p.prev_block and t.block_number <= p.block_number
    group by all
),
days_read as (
    select p.chain, p.source, p.token_address, p.block_number, count(distinct d.day) as complete_days
    from pairs p
    left join raw.ingest_days d
        on d.chain = p.chain and d.source = p.source and d.scope = p.token_address and d.complete
       and d.record_kind in ('erc20_transfer', 'spl_token_instruction')
       and d.day between p.prev_time::date and p.block_time::date
    group by p.chain, p.source, p.token_address, p.block_number
),
coverage as (
    select r.chain, r.source, r.token_address, r.block_number,
           r.complete_days = date_diff('day', p.prev_time::date, p.block_time::date) + 1 as covered
    from days_read r join pairs p using (chain, source, token_address, block_number)
)
select p.chain, p.source, p.token_symbol, p.token_address, p.prev_block, p.block_number,
       (p.supply_raw - p.prev_supply)::decimal(38, 0) as supply_change, f.net_flow::decimal(38, 0) as net_flow,
       c.covered
from pairs p join flows f using (chain, source, token_address, block_number)
join coverage c using (chain, source, token_address, block_number)
order by all
"""


def reconcile(warehouse: WarehouseResource, tokens: list[str]) -> dg.AssetCheckResult:
    """Compare every covered pair of snapshots of `tokens`; the check fails on any difference."""
    with warehouse.get_connection() as conn:
        rows = conn.execute(RECONCILE_SQL, [tokens]).fetchall()
    covered = [r for r in rows if r[8]]
    differences = [r for r in covered if r[6] != r[7]]
    return dg.AssetCheckResult(
        passed=not differences,
        metadata={
            "pairs_compared": len(covered),
            "pairs_not_fully_read": len(rows) - len(covered),
            "differences": [f"{chain} {symbol} blocks {b1}..{b2}: supply changed by {change}, mints - burns = {flow}"
                            for chain, _, symbol, _, b1, b2, change, flow, _ in differences[:20]],
        },
        description=(f"{len(differences)} of {len(covered)} supply changes differ from summed mints and burns"
                     if differences else f"{len(covered)} supply changes equal summed mints and burns"),
    )


@dg.asset_check(asset=evm_supply_snapshots, description="Each day's totalSupply change equals its mints minus burns.")
def evm_supply_matches_flows(evm: EvmResource, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """EVM tokens: every Transfer log of the token contract is read, so every pair of day-end supplies reconciles."""
    return reconcile(warehouse, [t.address for chain in evm.chains for t in evm.tokens(chain)])


@dg.asset_check(asset=solana_supply_snapshots,
                description="Supply changes between snapshots equal the mints minus burns read in between.")
def solana_supply_matches_flows(solana: SolanaResource, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """SPL tokens read through their mint account only (a wallet sees only its own burns)."""
    registry = solana.registry()
    whole = [g.account for chain in solana.chains for g in registry.signals_on(chain)
             if g.token and any(t.address == g.account for t in registry.tokens_on(chain))]
    return reconcile(warehouse, whole)
