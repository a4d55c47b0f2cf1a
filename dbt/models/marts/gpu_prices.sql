-- One row per day x venue x GPU model x source: the hourly price of one GPU.
-- Clouds: list prices (the cheapest instance type per model and venue on its as-of day).
-- Networks: Akash leases active that day, priced at the payment token's USD price of the lease's
-- own source label, on the days network_daily holds for the network (never a day after the last
-- one a run covered, which a lease seen after midnight reaches only in part).
with

offers as (

    select * from {{ ref('stg_reference__gpu_offers') }}
    where usd_per_gpu_hour is not null and not excludes_vm

),

cloud as (

    select
        as_of as day,
        venue,
        'cloud' as venue_kind,
        gpu_model,
        source,
        min(usd_per_gpu_hour) as usd_per_gpu_hour,
        median(usd_per_gpu_hour) as median_usd_per_gpu_hour,
        count(*) as offers,
        any_value(source_name) as price_source

    from offers
    group by all

),

leases as (

    select * from {{ ref('stg_akash__leases') }}
    where gpu_model is not null and gpu_count > 0 and started_at is not null

),

tokens as (

    select distinct address, label as token, decimals
    from {{ ref('stg_registry__contracts') }}
    where role = 'token'

),

prices as (select * from {{ ref('int_token_prices_daily') }}),

covered_days as (select network, day, source from {{ ref('network_daily') }}),

block_days as (select chain, source, day, seconds_per_block from {{ ref('stg_onchain__block_days') }}),

lease_days as (

    select
        leases.*,
        unnest(generate_series(started_at::date, ({{ running_until('ended_at', 'fetched_at') }} - interval 1 microsecond)::date, interval 1 day))::date as day

    from leases

),

network as (

    select
        lease_days.day,
        lease_days.network as venue,
        'network' as venue_kind,
        lease_days.gpu_model,
        lease_days.source,
        -- a lease's price per block over the day's measured seconds per block (Akash's stated 6.088 s if unmeasured)
        min(lease_days.price_per_block::double * 3600 / coalesce(block_days.seconds_per_block,
            {{ var('akash_seconds_per_block') }}) / lease_days.gpu_count / pow(10, tokens.decimals) * prices.usd)
            as usd_per_gpu_hour,
        median(lease_days.price_per_block::double * 3600 / coalesce(block_days.seconds_per_block,
            {{ var('akash_seconds_per_block') }}) / lease_days.gpu_count / pow(10, tokens.decimals) * prices.usd)
            as median_usd_per_gpu_hour,
        count(*) as offers,
        'on-chain leases priced at ' || any_value(prices.price_source) || ' token prices' as price_source

    from lease_days
    semi join covered_days
        on covered_days.network = lease_days.network
        and covered_days.day = lease_days.day
        and covered_days.source = lease_days.source
    left join block_days
        on block_days.chain = lease_days.chain and block_days.source = lease_days.source
        and block_days.day = lease_days.day
    join tokens on tokens.address = lease_days.price_denom
    join prices
        on prices.token = tokens.token and prices.day = lease_days.day and prices.source = lease_days.source
    group by all

)

select
    day || ':' || venue || ':' || gpu_model || ':' || source as gpu_price_key,
    *
from (
    select * from cloud
    union all by name
    select * from network
)
