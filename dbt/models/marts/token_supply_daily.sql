-- One row per network × UTC day × source label: the supply of the network's primary token as the
-- chain states it (EVM totalSupply, SPL getTokenSupply, Akash bank supply), its price that day and
-- their product on the days network_daily holds: the market value of the supply issued (market cap on total supply). A token
-- bridged to several chains is counted once: the largest supply one chain states (its home chain,
-- which holds what the bridges lock). Circulating supply (less locked and unvested balances) is
-- not on-chain and is not estimated. Fully diluted value: the price × the maximum supply the registry
-- cites (networks.toml token max_supply); none for a token without a verified cap, with the reason.
with

networks as (select network, primary_token from {{ ref('stg_registry__networks') }}),

tokens as (

    select distinct chain, address, label as token, decimals
    from {{ ref('stg_registry__contracts') }}
    where role = 'token'

),

evm_and_solana as (

    select network, chain, source, snapshot_day as day, token_symbol as token,
           max_by(supply_raw::double / pow(10, decimals), block_number) as supply_tokens
    from {{ ref('stg_onchain__supply_snapshots') }}
    group by all

),

akash as (

    select snapshots.network, snapshots.chain, snapshots.source, snapshots.snapshot_day as day, tokens.token,
           max(snapshots.amount_raw::double / pow(10, tokens.decimals)) as supply_tokens
    from {{ ref('stg_akash__staking_snapshots') }} as snapshots
    join tokens on tokens.chain = snapshots.chain and tokens.address = snapshots.unit
    where snapshots.metric = 'total_supply'
    group by all

),

supplies as (

    select * from evm_and_solana
    union all by name
    select * from akash

),

primary_supply as (

    select
        supplies.network,
        supplies.day,
        supplies.source,
        supplies.token,
        max(supplies.supply_tokens) as supply_tokens,
        arg_max(supplies.chain, supplies.supply_tokens) as supply_chain

    from supplies
    join networks on networks.network = supplies.network and networks.primary_token = supplies.token
    group by all

),

prices as (select * from {{ ref('int_token_prices_daily') }}),

max_supplies as (select * from {{ ref('stg_registry__max_supplies') }}),

-- the days network_daily holds: no supply figure for a day no run covered whole
covered_days as (select network, day, source from {{ ref('network_daily') }})

select
    primary_supply.network || ':' || primary_supply.day || ':' || primary_supply.source as supply_day_key,
    primary_supply.network,
    primary_supply.day,
    primary_supply.source,
    primary_supply.token,
    primary_supply.supply_chain,
    primary_supply.supply_tokens,
    prices.usd as token_price_usd,
    primary_supply.supply_tokens * prices.usd as market_cap_usd,
    max_supplies.max_supply_tokens::double as max_supply_tokens,
    max_supplies.max_supply_tokens::double * prices.usd as fully_diluted_value_usd,
    -- why there is no fully diluted value, where there is none
    case
        when max_supplies.uncapped_reason is not null
            then 'no maximum supply: ' || max_supplies.uncapped_reason
        when max_supplies.max_supply_tokens is null
            then 'no maximum supply of ' || primary_supply.token || ' verified from its own docs or contract '
                 || '(networks.toml states none)'
        when prices.usd is null then 'no ' || primary_supply.token || ' price that day'
    end as fully_diluted_value_gap,
    max_supplies.max_supply_source,
    max_supplies.max_supply_as_of

from primary_supply
semi join covered_days using (network, day, source)
left join prices
    on prices.token = primary_supply.token and prices.day = primary_supply.day
    and prices.source = primary_supply.source
left join max_supplies
    on max_supplies.network = primary_supply.network and max_supplies.token = primary_supply.token
