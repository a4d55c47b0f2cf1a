-- Nosana StakeAccount snapshots from raw.staking_snapshots: one row per staker, metric and day.
with

source as (

    select * from {{ source('raw', 'staking_snapshots') }}
    where chain in ('solana', 'solana-local')

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || snapshot_day || ':' || account || ':' || metric as snapshot_key,
        network,
        chain,
        source,
        account as staker,
        metric,
        unit,

        -- numerics: amounts in exact base units, durations and times as numbers
        amount_raw,
        value,
        block_number as slot,

        -- timestamps
        snapshot_time,
        snapshot_day,
        fetched_at

    from source

)

select * from renamed
