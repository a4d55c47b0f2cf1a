-- Token supply as the chain states it (ERC-20 totalSupply at a day's last block, SPL getTokenSupply
-- right after the day): one row per chain, source, token and day, in exact base units.
with

source as (

    select * from {{ source('raw', 'supply_snapshots') }}

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || token_address || ':' || block_number as supply_key,
        network,
        chain,
        source,
        token_symbol,
        token_address,

        -- numerics
        decimals,
        supply_raw,
        block_number,

        -- timestamps
        block_time,
        snapshot_day,
        fetched_at

    from source

)

select * from renamed
