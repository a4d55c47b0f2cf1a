-- Akash staking state from raw.staking_snapshots: one row per chain, source, day and metric,
-- read at the last block of the UTC day. Amounts (bonded, not bonded, total supply) are exact
-- base units of the bond denom (`unit`); rates (inflation, community tax) are in `value`.
with

source as (

    select * from {{ source('raw', 'staking_snapshots') }}
    where network = 'akash'

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || snapshot_day || ':' || account || ':' || metric as snapshot_key,
        network,
        chain,
        source,
        account,
        metric,

        -- numerics
        amount_raw,
        value,
        unit,
        block_number,

        -- timestamps
        snapshot_time,
        snapshot_day,
        fetched_at

    from source

)

select * from renamed
