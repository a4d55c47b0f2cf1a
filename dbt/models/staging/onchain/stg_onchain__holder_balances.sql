-- Tokens held by staking contracts that keep stakes as plain token balances (e.g. Aethir's ATH
-- staking contract): balanceOf at each day's last block, from raw.staking_snapshots.
with

source as (

    select * from {{ source('raw', 'staking_snapshots') }}
    where metric = 'staked_balance'

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || account || ':' || snapshot_day as holder_day_key,
        network,
        chain,
        source,
        account as holder,
        unit as token_address,

        -- numerics: exact base units
        amount_raw,

        -- where and when
        block_number,
        snapshot_time,
        snapshot_day as day,
        fetched_at

    from source

)

select * from renamed
