-- One row per published claim: the claim, what our data measures for the same thing, the
-- basis of that measurement (period covered, annualized or not, source label) and the gap.
-- A claim with no on-chain counterpart keeps a null measurement and says why.
with

claims as (select * from {{ ref('stg_reference__network_claims') }}),
daily as (select * from {{ ref('network_daily') }}),

-- how each claimed metric is measured; `scale` turns a daily figure into the claim's period
evidence_map (metric, measure, scale, note) as (

    values
        ('revenue', 'revenue_usd', 'period', 'protocol revenue on-chain; off-chain revenue is invisible'),
        ('onchain_revenue_at_least', 'revenue_usd', 'period', 'protocol revenue on-chain'),
        ('gpu_utilization', 'utilization', 'average', 'observed-fleet utilization of job-settling networks'),
        ('gpu_utilization_at_least', 'utilization', 'average', 'observed-fleet utilization of job-settling networks'),
        ('staking_apy_approx', 'nominal_apy', 'average', 'nominal APY of on-chain staking rewards'),
        ('eth_paid_to_stakers_at_least', 'rewards_usd', 'cumulative', 'staking rewards paid on-chain'),
        ('deployments', 'jobs_started', 'period', 'jobs/leases started on-chain'),
        ('gpus_at_least', 'busy_gpus', 'average', 'GPUs busy at once on average (GPU-hours / 24): a lower bound of the fleet'),
        ('verified_gpus', 'busy_gpus', 'average', 'GPUs busy at once on average (GPU-hours / 24): a lower bound of the fleet'),
        ('verified_gpus_average', 'busy_gpus', 'average', 'GPUs busy at once on average (GPU-hours / 24): a lower bound of the fleet'),
        ('gpu_nodes', 'active_providers', 'average', 'providers observed serving jobs')

),

-- per network and source label; never summed across labels
coverage_by_source as (

    select
        network,
        source as sources,
        min(day) as first_day,
        max(day) as last_day,
        count(distinct day) as days,
        sum(revenue_usd) as revenue_usd,
        avg(utilization) as utilization,
        avg(nominal_apy) as nominal_apy,
        sum(rewards_usd) as rewards_usd,
        sum(jobs_started) as jobs_started,
        -- no job records at all means no evidence, not zero GPUs
        avg(nullif(gpu_hours, 0) / 24) as busy_gpus,
        avg(nullif(active_providers, 0)) as active_providers

    from daily
    group by all

),

-- one label per network: live evidence if there is any, else local, else demo
coverage as (

    select *
    from coverage_by_source
    qualify row_number() over (
        partition by network order by case sources when 'live' then 1 when 'local' then 2 else 3 end
    ) = 1

),

period_days as (

    select
        claims.*,
        case
            when period like '%-Q_' then 91.25
            when regexp_matches(period, '^\d{4}$') then 365
            else null
        end as claim_period_days

    from claims

),

measured as (

    select
        period_days.*,
        evidence_map.measure,
        evidence_map.note as evidence_note,
        coverage.sources as evidence_sources,
        coverage.first_day as evidence_from,
        coverage.last_day as evidence_to,
        coverage.days as evidence_days,
        case evidence_map.measure
            when 'revenue_usd' then coverage.revenue_usd
            when 'utilization' then coverage.utilization * 100
            when 'nominal_apy' then coverage.nominal_apy * 100
            when 'rewards_usd' then coverage.rewards_usd
            when 'jobs_started' then coverage.jobs_started
            when 'busy_gpus' then coverage.busy_gpus
            when 'active_providers' then coverage.active_providers
        end as measured_raw,
        evidence_map.scale

    from period_days
    left join evidence_map using (metric)
    left join coverage using (network)

),

scaled as (

    select
        *,
        case
            when measured_raw is null then null
            when scale = 'period' and claim_period_days is not null
                then measured_raw / evidence_days * claim_period_days
            else measured_raw
        end as measured_value,
        case
            when measure is null then 'no on-chain counterpart ingested for this claim'
            when measured_raw is null then 'no data for this network in the warehouse'
            when scale = 'period' and claim_period_days is not null
                then 'scaled from ' || evidence_days || ' days (' || evidence_from || '..' || evidence_to
                     || ') to the claim''s ' || claim_period_days || ' days'
            when scale = 'cumulative' then 'sum over ' || evidence_days || ' days ingested'
            else 'average over ' || evidence_days || ' days (' || evidence_from || '..' || evidence_to || ')'
        end as measurement_basis

    from measured

)

select
    claim_key,
    network,
    metric,
    claim_text,
    value as claimed_value,
    value_high as claimed_value_high,
    unit,
    period,
    as_of,
    source_name,
    source_ref,
    measure,  -- the network_daily metric measured (or busy_gpus: GPU-hours / 24); pages look up its coverage
    measured_value,
    measurement_basis,
    evidence_note,
    evidence_sources,
    measured_value - value as gap,
    (measured_value - value) / nullif(value, 0) as gap_ratio

from scaled
