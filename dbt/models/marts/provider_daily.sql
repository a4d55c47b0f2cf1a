-- One row per network × provider × GPU model × UTC day × source label: the leases (jobs) a
-- provider served, the GPU-hours they took, what tenants paid, the protocol's take and what the
-- provider kept, and the price per GPU-hour that implies. Akash leases carry their canonical GPU
-- model (null when neither the deployment nor the provider states it); Nosana jobs carry none.
-- Priced exactly as network_daily's fees and revenue (macros/job_payments.sql), on the days
-- network_daily holds.
with

priced as (

    {{ priced_job_payments(ref('int_jobs_daily_by_provider')) }}

),

covered_days as (select network, day, source from {{ ref('network_daily') }}),

per_provider as (

    select
        network,
        provider,
        gpu_model,
        day,
        source,
        sum(active_jobs)::bigint as active_jobs,  -- counts: BIGINT, not the HUGEINT sum() gives (DuckLake, Parquet)
        sum(jobs_started)::bigint as jobs_started,
        sum(gpu_hours) as gpu_hours,
        sum(fees_usd) as payments_usd,
        sum(revenue_usd) as protocol_revenue_usd,
        sum(fees_usd) - sum(revenue_usd) as provider_earnings_usd,
        -- false when a payment of the day had no registry token or no price (then the USD figures are partial)
        bool_and(fees_usd is not null or payments_base_units = 0) as payments_complete

    from priced
    semi join covered_days using (network, day, source)
    group by all

)

select
    network || ':' || provider || ':' || coalesce(gpu_model, '-') || ':' || day || ':' || source as provider_day_key,
    *,
    payments_usd / nullif(gpu_hours, 0) as usd_per_gpu_hour

from per_provider
