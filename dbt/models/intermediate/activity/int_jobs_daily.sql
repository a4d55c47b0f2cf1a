-- Jobs per network per day per source: activity, GPU-hours, payments (fees) and protocol
-- revenue (payments x the payment token's take rate) in USD, and observed-fleet utilization.
-- A payment in a denom with no registry token, or with no price of the row's label that day,
-- adds nothing to fees and revenue: the day lists the denom in `unpriced_denoms` and is not
-- `payments_complete`, so pages mark it incomplete instead of showing a smaller total.
with

by_provider as (

    select * from {{ ref('int_jobs_daily_by_provider') }}

),

-- payments in tokens, fees and revenue in USD (macros/job_payments.sql, shared with provider_daily)
priced as (

    {{ priced_job_payments(ref('int_jobs_daily_by_provider')) }}

),

provider_days as (

    select network, source, provider, day, sum(gpu_hours) as gpu_hours
    from by_provider
    group by all

),

network_days as (select distinct network, source, day from by_provider),

provider_first_days as (

    select network, source, provider, min(day) as first_day
    from provider_days
    group by all

),

-- every provider on every active day of its network from its first day on, idle days at 0 GPU-hours,
-- so a provider idle today still counts in today's fleet
provider_spine as (

    select
        network_days.network,
        network_days.source,
        provider_first_days.provider,
        network_days.day,
        coalesce(provider_days.gpu_hours, 0) as gpu_hours

    from network_days
    inner join provider_first_days
        on provider_first_days.network = network_days.network
        and provider_first_days.source = network_days.source
        and network_days.day >= provider_first_days.first_day
    left join provider_days
        on provider_days.network = network_days.network
        and provider_days.source = network_days.source
        and provider_days.provider = provider_first_days.provider
        and provider_days.day = network_days.day

),

-- a provider's observed fleet: the whole GPUs its busiest day in the trailing window implies
provider_fleet as (

    select
        *,
        24 * ceil(max(gpu_hours) over (
            partition by network, source, provider
            order by day
            range between interval ({{ var('utilization_fleet_window_days') }} - 1) day preceding and current row
        ) / 24) as fleet_gpu_hours

    from provider_spine

),

fleet as (

    select network, source, day, sum(fleet_gpu_hours) as fleet_gpu_hours
    from provider_fleet
    group by all

),

daily as (

    select
        network,
        day,
        source,
        sum(active_jobs)::bigint as active_jobs,  -- counts: BIGINT, not the HUGEINT sum() gives (DuckLake, Parquet)
        sum(jobs_started)::bigint as jobs_started,
        count(distinct provider) as active_providers,
        sum(gpu_hours) as gpu_hours,
        sum(fees_usd) as fees_usd,
        sum(revenue_usd) as revenue_usd,
        bool_and(fees_usd is not null) as all_payments_priced,
        -- denoms as the chain states them; a payment of nothing needs no price
        coalesce(list(distinct denom order by denom) filter (where fees_usd is null and payments_base_units > 0),
                 []::varchar[]) as unpriced_denoms,
        coalesce(list(distinct denom order by denom) filter (where token is null and payments_base_units > 0),
                 []::varchar[]) as unregistered_denoms

    from priced
    group by all

)

select
    daily.*,
    len(daily.unpriced_denoms) = 0 as payments_complete,
    fleet.fleet_gpu_hours,
    daily.gpu_hours / nullif(fleet.fleet_gpu_hours, 0) as utilization

from daily
left join fleet using (network, source, day)
