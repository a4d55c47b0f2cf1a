-- One row per network × network_daily metric: measured, not measured on-chain (the registry's
-- reason), or not applicable (why), and the accounts the live path reads it through. Pages and
-- reports show the reason in place of an empty or zero figure.
--
-- Not measured: networks.toml names the metric, its stem or a measure it rests on (the nearest
-- wins: NodeAI's revenue is not measured because its stakers' rewards are not); an off-chain
-- network's fees and revenue; the real yield of a network whose rewards' funding is unknown.
-- Not applicable: job metrics of a network that settles no job on-chain (its revenue model is
-- not job_fees), staking metrics of a network with no staking, rewards of a vault.
with

traced as (

    select * from {{ ref('int_network_metrics_traced') }}

),

networks as (

    select * from {{ ref('stg_registry__networks') }}

),

not_measured as (

    select * from {{ ref('stg_registry__not_measured') }}

),

signals as (

    select * from {{ ref('stg_registry__signals') }}

),

metrics as (

    select distinct network, metric, stem, metric_order
    from traced

),

-- the nearest registry entry each metric falls under: its own name or stem first, then its inputs
registry_gaps as (

    select
        traced.network,
        traced.metric,
        traced.measure,
        traced.depth,
        not_measured.reason

    from traced
    inner join not_measured on not_measured.network = traced.network and not_measured.metric = traced.measure
    qualify row_number() over (partition by traced.network, traced.metric order by traced.depth, traced.measure) = 1

),

-- which measures a signal's metric reads (networks.toml [[networks.<id>.signals]] metric names)
signal_measures (signal_metric, measure) as (

    values
        ('burns', 'burns'),
        ('movements', 'emissions'),
        ('movements', 'burns'),
        ('jobs', 'jobs'),
        ('leases', 'jobs'),
        ('stakes', 'staked'),
        ('staking', 'staked')

),

-- the live accounts each metric is read through, and what a day of them costs
read_through as (

    select
        traced.network,
        traced.metric,
        -- ordered, so two builds of the same registry give the same text
        string_agg(
            distinct signals.chain || ' ' || signals.account || ': ' || signals.method || ' (a day: ' || signals.cost || ')',
            '; '
            order by signals.chain || ' ' || signals.account || ': ' || signals.method || ' (a day: ' || signals.cost || ')'
        ) as read_through

    from traced
    inner join signal_measures on signal_measures.measure = traced.measure
    inner join signals
        on signals.network = traced.network
        and signals.metric = signal_measures.signal_metric
        and not signals.local_chain
    group by all

),

-- rules in order: the registry's entry first, then what the network's economics imply
decided as (

    select
        metrics.network,
        metrics.metric,
        metrics.stem,
        metrics.metric_order,
        case when registry_gaps.depth > 0 then registry_gaps.measure end as via,
        case
            when registry_gaps.reason is not null then 'not_measured'
            when networks.revenue_model = 'off_chain' and metrics.stem in ('fees', 'revenue', 'supply_side_revenue')
                then 'not_measured'
            when networks.rewards_source = 'unknown' and metrics.stem in ('revenue_backed_rewards', 'real_yield')
                then 'not_measured'
            when networks.revenue_model <> 'job_fees'
                and metrics.stem in ('active_providers', 'active_jobs', 'jobs_started', 'gpu_hours', 'utilization')
                then 'not_applicable'
            when networks.rewards_source is null
                and metrics.stem in ('staked', 'rewards', 'revenue_backed_rewards', 'nominal_apy', 'real_yield')
                then 'not_applicable'
            when networks.revenue_model = 'vault_yield' and metrics.stem = 'rewards' then 'not_applicable'
            else 'measured'
        end as status,
        case
            when registry_gaps.reason is not null then registry_gaps.reason
            when networks.revenue_model = 'off_chain' and metrics.stem in ('fees', 'revenue', 'supply_side_revenue')
                then networks.revenue_definition
            when networks.rewards_source = 'unknown' and metrics.stem in ('revenue_backed_rewards', 'real_yield')
                then 'what funds ' || networks.network_name
                     || '''s staking rewards is not established (networks.toml: rewards_source = "unknown")'
            when networks.revenue_model <> 'job_fees'
                and metrics.stem in ('active_providers', 'active_jobs', 'jobs_started', 'gpu_hours', 'utilization')
                then 'jobs are not settled on-chain (revenue model: ' || networks.revenue_model || ')'
            when networks.rewards_source is null
                and metrics.stem in ('staked', 'rewards', 'revenue_backed_rewards', 'nominal_apy', 'real_yield')
                then networks.network_name || ' has no staking in the registry'
            when networks.revenue_model = 'vault_yield' and metrics.stem = 'rewards'
                then 'a vault pays no rewards: its yield is the growth of its share price'
        end as reason

    from metrics
    inner join networks using (network)
    left join registry_gaps using (network, metric)

)

select
    -- ids
    decided.network || ':' || decided.metric as coverage_key,
    decided.network,
    decided.metric,
    decided.stem,
    decided.metric_order,

    -- what pages and reports show in place of a figure
    decided.status,
    decided.reason,
    decided.via,

    -- how the live path reads it
    read_through.read_through

from decided
left join read_through using (network, metric)
