-- Akash leases from raw.jobs: one row per lease. Raw holds a lease once per day it ran (each run
-- observes the leases running on its days); the newest observation wins. A lease created before
-- anything the pipeline measured has no start time in raw: it counts from the start of its first
-- observed day (`started_before_observation`). Prices are per block in the lease's denom, exactly
-- as the chain states them; `price_per_hour` here uses Akash's stated 6.088 s per block (the
-- constant of pipelines/chains/cosmos/_blocks.py; a test checks the two agree), while payments per
-- day use each day's measured seconds per block (int_jobs_daily_by_provider).
with

source as (

    select
        *,
        min(observed_day) over (partition by chain, source, job_id) as first_observed_day
    from {{ source('raw', 'jobs') }}
    where network = 'akash'
    qualify row_number() over (partition by chain, source, job_id order by fetched_at desc, observed_day desc) = 1

),

renamed as (

    select
        -- ids
        chain || ':' || source || ':' || job_id as lease_key,
        network,
        chain,
        source,
        job_id,
        client as tenant,
        provider,
        split_part(job_id, '/', 2)::bigint as dseq,
        split_part(job_id, '/', 3)::integer as gseq,
        split_part(job_id, '/', 4)::integer as oseq,
        state,
        gpu_model,
        gpu_count,

        -- numerics: price per block (exact) and per hour (denom units)
        price as price_per_block,
        price_denom,
        price::double * 3600 / {{ var('akash_seconds_per_block', 6.088) }} as price_per_hour,
        case when gpu_count > 0
            then price::double * 3600 / {{ var('akash_seconds_per_block', 6.088) }} / gpu_count
        end as price_per_gpu_hour,
        created_height,
        closed_height,
        closed_height - created_height as blocks_leased,

        -- timestamps
        coalesce(started_at, first_observed_day::timestamptz) as started_at,
        started_at is null as started_before_observation,
        ended_at,
        epoch(ended_at - coalesce(started_at, first_observed_day::timestamptz)) / 3600.0 as hours_leased,
        started_at::date as created_day,
        fetched_at

    from source

)

select * from renamed
