-- Staked amount (end of day) and rewards per network per day per source label, in tokens.
-- Pools and vaults: net flows (stake + deposit - unstake - withdraw) accumulated since the
-- first ingested day. Akash: bonded tokens from the staking pool snapshot. Nosana: the sum
-- of stake accounts. Staking holders (Aethir): their token balance at the day's last block.
-- Vault totals come from NAV snapshots where those exist.
with

events as (

    select * from {{ ref('stg_onchain__staking_events') }}

),

event_days as (

    select
        network,
        block_day as day,
        source,
        sum(case when event in ('stake', 'deposit') then amount
                 when event in ('unstake', 'withdraw') then -amount else 0 end) as net_staked,
        sum(amount) filter (where event = 'reward') as rewards

    from events
    group by all

),

pool_balances as (

    select
        network,
        day,
        source,
        sum(net_staked) over (partition by network, source order by day) as staked_tokens,
        coalesce(rewards, 0) as rewards_tokens

    from event_days

),

-- snapshot amounts are base units of the token their `unit` names; decimals from the registry
token_decimals as (

    select distinct chain, address, decimals
    from {{ ref('stg_registry__contracts') }}
    where role = 'token'

),

akash_bonded as (

    select
        snapshots.network,
        snapshots.snapshot_day as day,
        snapshots.source,
        max(snapshots.amount_raw::double / pow(10, token_decimals.decimals)) as staked_tokens,
        0.0 as rewards_tokens

    from {{ ref('stg_akash__staking_snapshots') }} as snapshots
    left join token_decimals on token_decimals.chain = snapshots.chain and token_decimals.address = snapshots.unit
    where snapshots.metric = 'bonded_tokens'
    group by all

),

nosana_stakes as (

    select
        snapshots.network,
        snapshots.snapshot_day as day,
        snapshots.source,
        sum(snapshots.amount_raw::double / pow(10, token_decimals.decimals)) as staked_tokens,
        0.0 as rewards_tokens

    from {{ ref('stg_solana__stake_snapshots') }} as snapshots
    left join token_decimals on token_decimals.chain = snapshots.chain and token_decimals.address = snapshots.unit
    where snapshots.metric = 'stake_amount'
    group by all

),

holder_balances as (

    select
        balances.network,
        balances.day,
        balances.source,
        sum(balances.amount_raw::double / pow(10, token_decimals.decimals)) as staked_tokens,
        0.0 as rewards_tokens

    from {{ ref('stg_onchain__holder_balances') }} as balances
    left join token_decimals on token_decimals.chain = balances.chain and token_decimals.address = balances.token_address
    group by all

),

vault_totals as (

    select
        network,
        block_day as day,
        source,
        sum(total_assets) as staked_tokens

    from {{ ref('stg_onchain__vault_snapshots') }}
    group by all

),

combined as (

    select * from pool_balances
    union all by name select * from akash_bonded
    union all by name select * from nosana_stakes
    union all by name select * from holder_balances

)

select
    combined.network,
    combined.day,
    combined.source,
    -- a vault's own reading of its assets beats the sum of its flows
    coalesce(max(vault_totals.staked_tokens), sum(combined.staked_tokens)) as staked_tokens,
    sum(combined.rewards_tokens) as rewards_tokens

from combined
left join vault_totals using (network, day, source)
group by all
