-- Emissions (mints) and burns per network per day per source label, in tokens and USD.
-- Mints and burns are token transfers from and to the zero address; a transfer to the dead address
-- 0x…dEaD (where Gensyn's buyback sends AI) is a burn too. Mints and burns of a bridged copy of a
-- network's token (registry `bridged`) are tokens crossing chains and are left out. Akash's AKT is minted by the
-- chain's mint module every block, which no transaction records: its emissions are the day's
-- annual inflation × total supply ÷ 365 (the mint module's annual provisions spread over the year),
-- both read from the day's staking snapshot.
with

transfers as (

    select * from {{ ref('stg_onchain__token_transfers') }}

),

prices as (

    select * from {{ ref('int_token_prices_daily') }}

),

token_decimals as (

    select distinct chain, address, label as token, decimals
    from {{ ref('stg_registry__contracts') }}
    where role = 'token'

),

bridged_tokens as (

    select chain, address from {{ ref('stg_registry__contracts') }} where role = 'token' and bridged

),

akash_snapshots as (select * from {{ ref('stg_akash__staking_snapshots') }}),

akash_supply as (

    select snapshots.network, snapshots.chain, snapshots.snapshot_day as day, snapshots.source, token_decimals.token,
           max(snapshots.amount_raw::double / pow(10, token_decimals.decimals)) as supply_tokens
    from akash_snapshots as snapshots
    join token_decimals on token_decimals.chain = snapshots.chain and token_decimals.address = snapshots.unit
    where snapshots.metric = 'total_supply'
    group by all

),

akash_inflation as (

    select network, chain, snapshot_day as day, source, max(value) as inflation
    from akash_snapshots
    where metric = 'inflation'
    group by all

),

mint_module as (

    select
        akash_supply.network,
        akash_supply.day,
        akash_supply.source,
        akash_supply.token as token_symbol,
        akash_inflation.inflation * akash_supply.supply_tokens / 365 as minted,
        null::double as burned,
        0 as transfers

    from akash_supply
    join akash_inflation using (network, chain, day, source)

),

per_token as (

    select
        network,
        block_day as day,
        source,
        token_symbol,
        sum(amount) filter (where kind = 'mint' and not bridged) as minted,
        sum(amount) filter (where (kind = 'burn' and not bridged) or to_dead_address) as burned,
        count(*) filter (where kind = 'transfer' and not to_dead_address) as transfers

    from (
        select
            transfers.*,
            bridged_tokens.address is not null as bridged,
            kind = 'transfer' and to_address = '0x000000000000000000000000000000000000dead' as to_dead_address
        from transfers
        left join bridged_tokens
            on bridged_tokens.chain = transfers.chain and bridged_tokens.address = transfers.token_address
    )
    group by all

    union all by name

    select * from mint_module

),

priced as (

    select
        per_token.*,
        prices.usd as token_price_usd,
        coalesce(per_token.minted, 0) * prices.usd as minted_usd,
        coalesce(per_token.burned, 0) * prices.usd as burned_usd

    from per_token
    left join prices
        on prices.token = per_token.token_symbol and prices.day = per_token.day and prices.source = per_token.source

)

select
    network,
    day,
    source,
    sum(coalesce(minted, 0)) as emissions_tokens,
    sum(coalesce(burned, 0)) as burns_tokens,
    sum(minted_usd) as emissions_usd,
    sum(burned_usd) as burns_usd,
    sum(transfers)::bigint as transfers,  -- a count: BIGINT, not the HUGEINT sum() gives
    bool_and(token_price_usd is not null) as all_flows_priced

from priced
group by all
