-- Each job's share of each UTC day it ran: busy hours, GPU-hours and payment, per provider, GPU model
-- and payment denom.
-- Akash leases pay price-per-block: a day's payment is its busy seconds over that day's measured
-- seconds per block (stg_onchain__block_days; Akash's stated average where a day is not measured);
-- Nosana jobs pay price-per-second. A job still running is
-- counted up to when it was last seen running (running_until); network_daily leaves out a day
-- after the last one a run covered, which such a job reaches only in part.
with

akash as (

    select
        network, chain, source, job_id, provider, gpu_model,
        coalesce(gpu_count, 0) as gpu_count,
        started_at,
        {{ running_until('ended_at', 'fetched_at') }} as ended_at,
        price_per_block::double as price_per_block_base,
        null::double as price_per_second_base,
        price_denom as denom

    from {{ ref('stg_akash__leases') }}
    where started_at is not null

),

nosana as (

    select
        network, chain, source, job_id, node as provider, null::varchar as gpu_model,
        1 as gpu_count,  -- a Nosana job occupies one GPU node
        started_at,
        {{ running_until('ended_at', 'fetched_at') }} as ended_at,
        null::double as price_per_block_base,
        price_per_second_raw::double as price_per_second_base,
        price_denom as denom

    from {{ ref('stg_solana__jobs') }}
    where started_at is not null

),

jobs as (

    select * from akash
    union all by name
    select * from nosana

),

job_days as (

    select
        jobs.*,
        unnest(generate_series(started_at::date, ended_at::date, interval 1 day))::date as day

    from jobs
    where ended_at >= started_at

),

block_days as (

    select chain, source, day, seconds_per_block from {{ ref('stg_onchain__block_days') }}

),

overlap as (

    select
        job_days.*,
        epoch(least(ended_at, day + interval 1 day) - greatest(started_at, day::timestamptz)) as busy_seconds,
        coalesce(block_days.seconds_per_block, {{ var('akash_seconds_per_block') }}) as seconds_per_block

    from job_days
    left join block_days using (chain, source, day)

)

select
    network,
    chain,
    source,
    day,
    provider,
    gpu_model,  -- Akash: the lease's canonical model (null when unknown); Nosana: null
    denom,
    count(*) as active_jobs,
    count(*) filter (where started_at::date = day) as jobs_started,
    sum(busy_seconds) / 3600.0 as busy_hours,
    sum(busy_seconds * gpu_count) / 3600.0 as gpu_hours,
    sum(busy_seconds * coalesce(price_per_second_base, price_per_block_base / seconds_per_block)) as payments_base_units

from overlap
where busy_seconds > 0
group by all
