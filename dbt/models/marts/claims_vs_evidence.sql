-- One row per published claim: the claim, what our data measures for it on the claim's own terms,
-- the basis of that measurement and the gap. A claim is only ever set against days inside its own
-- period, measured the way it is stated:
--   * a total over a period (2025 revenue, Q3 revenue, deployments in 2025): the sum over the
--     whole period, or, when at least `claims_min_days` of its days are measured, that sum scaled
--     to the period's length and labelled so (annualised for a year);
--   * a level (utilization, APY, GPUs at once): the average over the period's measured days, with
--     at least `claims_min_days` of them (or the whole period);
--   * a cumulative figure ("through 2025"): every day since the network began would be needed,
--     which the warehouse never holds, so it is "not comparable yet".
-- A period without dates ("late 2025") is not comparable; a claim whose counterpart is not measured
-- on-chain for the network carries the coverage mart's reason. Nothing else gets a measured value.
with

claims as (select * from {{ ref('stg_reference__network_claims') }}),
daily as (select * from {{ ref('network_daily') }}),
coverage as (select network, metric, status, reason from {{ ref('network_metric_coverage') }}),

-- how each claimed metric is measured: the network_daily figure (or busy_gpus = GPU-hours / 24),
-- the coverage metric it rests on, and whether the claim states a total or a level
evidence_map (metric, measure, coverage_metric, kind, note) as (

    values
        ('revenue', 'revenue_usd', 'revenue_usd', 'total', 'protocol revenue on-chain; off-chain revenue is invisible'),
        ('onchain_revenue_at_least', 'revenue_usd', 'revenue_usd', 'total', 'protocol revenue on-chain'),
        ('gpu_utilization', 'utilization', 'utilization', 'level', 'observed-fleet utilization of job-settling networks'),
        ('gpu_utilization_at_least', 'utilization', 'utilization', 'level', 'observed-fleet utilization of job-settling networks'),
        ('staking_apy_approx', 'nominal_apy', 'nominal_apy', 'level', 'nominal APY of on-chain staking rewards'),
        ('eth_paid_to_stakers_at_least', 'rewards_usd', 'rewards_usd', 'total', 'staking rewards paid on-chain'),
        ('deployments', 'jobs_started', 'jobs_started', 'total', 'jobs/leases started on-chain'),
        ('gpus_at_least', 'busy_gpus', 'gpu_hours', 'level', 'GPUs busy at once on average (GPU-hours / 24): a lower bound of the fleet'),
        ('verified_gpus', 'busy_gpus', 'gpu_hours', 'level', 'GPUs busy at once on average (GPU-hours / 24): a lower bound of the fleet'),
        ('verified_gpus_average', 'busy_gpus', 'gpu_hours', 'level', 'GPUs busy at once on average (GPU-hours / 24): a lower bound of the fleet'),
        ('gpu_nodes', 'active_providers', 'active_providers', 'level', 'providers observed serving jobs')

),

-- the claim's own period as dates: a year (2025), a quarter (2025-Q3), or cumulative through a year
periods as (

    select
        claims.*,
        case
            when regexp_matches(period, '^\d{4}$') then 'period'
            when regexp_matches(period, '^\d{4}-Q[1-4]$') then 'period'
            when regexp_matches(period, '^cumulative through \d{4}$') then 'cumulative'
            else 'undated'
        end as period_kind,
        case
            when regexp_matches(period, '^\d{4}$') then make_date(period::int, 1, 1)
            when regexp_matches(period, '^\d{4}-Q[1-4]$')
                then make_date(left(period, 4)::int, (right(period, 1)::int - 1) * 3 + 1, 1)
        end as period_start,
        case
            when regexp_matches(period, '^\d{4}$') then make_date(period::int, 12, 31)
            when regexp_matches(period, '^\d{4}-Q[1-4]$')
                then last_day(make_date(left(period, 4)::int, right(period, 1)::int * 3, 1))
            when regexp_matches(period, '^cumulative through \d{4}$')
                then make_date(right(period, 4)::int, 12, 31)
        end as period_end

    from claims

),

-- the days of the claim's period the warehouse holds, one source label per claim (live, else local, else demo)
in_period as (

    select
        periods.claim_key,
        daily.source,
        count(distinct daily.day) as days,
        min(daily.day) as first_day,
        max(daily.day) as last_day,
        sum(daily.revenue_usd) as revenue_usd,
        avg(daily.utilization) as utilization,
        avg(daily.nominal_apy) as nominal_apy,
        sum(daily.rewards_usd) as rewards_usd,
        sum(daily.jobs_started) as jobs_started,
        -- no job records at all means no evidence, not zero GPUs
        avg(nullif(daily.gpu_hours, 0) / 24) as busy_gpus,
        avg(nullif(daily.active_providers, 0)) as active_providers

    from periods
    join daily
        on daily.network = periods.network
        and daily.day between periods.period_start and periods.period_end
    group by periods.claim_key, daily.source
    qualify row_number() over (
        partition by periods.claim_key order by case daily.source when 'live' then 1 when 'local' then 2 else 3 end
    ) = 1

),

-- what the warehouse holds for the network at all, to say so when it misses the claim's period
held as (

    select network, min(day) as first_day, max(day) as last_day, count(distinct day) as days
    from daily
    group by all

),

judged as (

    select
        periods.*,
        evidence_map.measure,
        evidence_map.kind,
        evidence_map.note as evidence_note,
        coverage.status as coverage_status,
        coverage.reason as coverage_reason,
        date_diff('day', periods.period_start, periods.period_end) + 1 as period_days,
        in_period.source as evidence_sources,
        in_period.first_day as evidence_from,
        in_period.last_day as evidence_to,
        coalesce(in_period.days, 0) as evidence_days,
        held.first_day as held_from,
        held.last_day as held_to,
        held.days as held_days,
        case evidence_map.measure
            when 'revenue_usd' then in_period.revenue_usd
            when 'utilization' then in_period.utilization * 100
            when 'nominal_apy' then in_period.nominal_apy * 100
            when 'rewards_usd' then in_period.rewards_usd
            when 'jobs_started' then in_period.jobs_started
            when 'busy_gpus' then in_period.busy_gpus
            when 'active_providers' then in_period.active_providers
        end as measured_raw

    from periods
    left join evidence_map using (metric)
    left join coverage on coverage.network = periods.network and coverage.metric = evidence_map.coverage_metric
    left join in_period using (claim_key)
    left join held on held.network = periods.network

),

verdicts as (

    select
        *,
        measure is not null
            and coalesce(coverage_status, 'measured') = 'measured'
            and period_kind = 'period'
            and evidence_days >= least(period_days, {{ var('claims_min_days') }})
            and measured_raw is not null as comparable,
        'the warehouse holds ' || coalesce(
            held_days || ' days of ' || network || ' (' || held_from || ' to ' || held_to || ')',
            'no data for ' || network) as holdings

    from judged

),

measured as (

    select
        *,
        case
            when not comparable then null
            when kind = 'total' and evidence_days < period_days then measured_raw / evidence_days * period_days
            else measured_raw
        end as measured_value,
        case
            when measure is null then 'no on-chain counterpart ingested for this claim'
            when coverage_status = 'not_applicable' then 'not applicable: ' || coverage_reason
            when coverage_status = 'not_measured' then 'not measured on-chain: ' || coverage_reason
            when period_kind = 'undated' then 'not comparable: the claim''s period "' || period || '" has no dates to match'
            when period_kind = 'cumulative'
                then 'not comparable yet: a cumulative figure through ' || period_end
                     || ' needs every day since the network began; ' || holdings
            when evidence_days = 0
                then 'not comparable yet: no data in the claim''s period ' || period || ' (' || period_start
                     || ' to ' || period_end || '); ' || holdings
            when not comparable
                then 'not comparable yet: ' || evidence_days || ' of the ' || period_days || ' days of ' || period
                     || ' are measured; at least ' || least(period_days, {{ var('claims_min_days') }}) || ' are needed'
            when kind = 'total' and evidence_days = period_days
                then 'total over the whole period ' || period || ' (' || period_start || ' to ' || period_end || ')'
            when kind = 'total'
                then 'scaled to the claim''s period: the total over ' || evidence_days || ' measured days of '
                     || period || ' (' || evidence_from || ' to ' || evidence_to || ') × ' || period_days || ' ÷ '
                     || evidence_days || (case when period_days >= 365 then ' (annualised)' else '' end)
            else 'average over ' || evidence_days || ' of the ' || period_days || ' days of ' || period
                 || ' (' || evidence_from || ' to ' || evidence_to || ')'
        end as measurement_basis

    from verdicts

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
    period_start,
    period_end,
    as_of,
    source_name,
    source_ref,
    measure,  -- the network_daily metric measured (or busy_gpus: GPU-hours / 24); pages look up its coverage
    comparable,
    measured_value,
    measurement_basis,
    evidence_from,
    evidence_to,
    evidence_days,
    evidence_note,
    case when comparable then evidence_sources end as evidence_sources,
    measured_value - value as gap,
    (measured_value - value) / nullif(value, 0) as gap_ratio

from measured
