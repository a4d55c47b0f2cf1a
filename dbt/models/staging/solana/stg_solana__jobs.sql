-- Nosana jobs (JobAccount) from raw.jobs: one row per job, its latest observation.
-- price is NOS base units per second of running time; a job pays price x seconds run,
-- and the network fee is a tenth of that (Nosana's market fee = price / 10).
with

source as (

    select * from {{ source('raw', 'jobs') }}
    where chain in ('solana', 'solana-local')

),

latest as (

    -- a job re-observed on a later day (queued, then started) keeps its newest row; read day by day,
    -- the listing transaction and the closing slot are known only to the days that saw them
    select
        * replace (
            max(tx_hash) over job as tx_hash,
            max(created_height) over job as created_height,
            max(closed_height) over job as closed_height
        )
    from source
    window job as (partition by network, chain, source, job_id)
    qualify row_number() over (partition by network, chain, source, job_id order by fetched_at desc, observed_day desc) = 1

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || job_id as job_key,
        network,
        chain,
        source,
        job_id,
        market,
        provider as node,
        client as payer,
        tx_hash as listed_in_signature,
        created_height as listed_slot,
        closed_height as closed_slot,
        state,

        -- numerics
        price as price_per_second_raw,
        price_denom,
        price_unit,
        case when started_at is not null and ended_at is not null
             then datediff('second', started_at, ended_at) end as duration_seconds,
        case when started_at is not null and ended_at is not null
             then (price * (datediff('second', started_at, ended_at)))::decimal(38, 0) end as payment_raw,
        case when started_at is not null and ended_at is not null
             then (price * (datediff('second', started_at, ended_at)) / 10)::decimal(38, 0) end as network_fee_raw,

        -- timestamps
        started_at,
        ended_at,
        observed_day,
        fetched_at

    from latest

)

select * from renamed
