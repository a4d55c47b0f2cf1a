-- Every network_daily metric of every registry network, with each measure it rests on and how
-- far down: depth 0 is the metric's own name and its stem (emissions_usd -> emissions), depth 1
-- a direct input, and so on. The inputs follow network_daily's formulas, which depend on the
-- network's economics in networks.toml: Render's fees rest on its burns, NodeAI's revenue on
-- its stakers' rewards, Akash's nominal APY on its chain's inflation and bonded tokens.
with

networks as (

    select * from {{ ref('stg_registry__networks') }}

),

contracts as (

    select * from {{ ref('stg_registry__contracts') }}

),

-- network_daily's metric columns in its order, each with its stem (the name without its unit)
metrics (metric, stem, metric_order) as (

    values
        ('fees_usd', 'fees', 1),
        ('revenue_usd', 'revenue', 2),
        ('supply_side_revenue_usd', 'supply_side_revenue', 3),
        ('holders_revenue_usd', 'holders_revenue', 4),
        ('emissions_tokens', 'emissions', 5),
        ('burns_tokens', 'burns', 6),
        ('net_issuance_tokens', 'net_issuance', 7),
        ('emissions_usd', 'emissions', 8),
        ('burns_usd', 'burns', 9),
        ('net_issuance_usd', 'net_issuance', 10),
        ('staked_tokens', 'staked', 11),
        ('staked_usd', 'staked', 12),
        ('rewards_tokens', 'rewards', 13),
        ('rewards_usd', 'rewards', 14),
        ('revenue_backed_rewards_usd', 'revenue_backed_rewards', 15),
        ('nominal_apy', 'nominal_apy', 16),
        ('real_yield', 'real_yield', 17),
        ('active_providers', 'active_providers', 18),
        ('active_jobs', 'active_jobs', 19),
        ('jobs_started', 'jobs_started', 20),
        ('gpu_hours', 'gpu_hours', 21),
        ('utilization', 'utilization', 22),
        ('token_price_usd', 'token_price', 23)

),

-- inputs every network's metric has
fixed_inputs (stem, input) as (

    values
        ('supply_side_revenue', 'fees'),
        ('supply_side_revenue', 'revenue'),
        ('holders_revenue', 'burns'),
        ('net_issuance', 'emissions'),
        ('net_issuance', 'burns'),
        ('real_yield', 'revenue_backed_rewards'),
        ('real_yield', 'staked'),
        ('active_providers', 'jobs'),
        ('active_jobs', 'jobs'),
        ('jobs_started', 'jobs'),
        ('gpu_hours', 'jobs'),
        ('utilization', 'jobs')

),

-- what a network's fees and revenue count, by its revenue model
revenue_sources as (

    select
        network,
        case revenue_model
            when 'burn_mint' then 'burns'
            when 'buyback_burn' then 'burns'
            when 'job_fees' then 'jobs'
            when 'revenue_share' then 'rewards'
            when 'vault_yield' then 'vault'
        end as input

    from networks

),

-- networks staked on a Cosmos chain: their nominal APY comes from inflation and the bonded ratio
cosmos_staking as (

    select distinct network
    from contracts
    where role = 'token' and chain_family = 'cosmos'

),

inputs as (

    select networks.network, fixed_inputs.stem, fixed_inputs.input
    from networks
    cross join fixed_inputs

    union all
    select network, 'fees', input from revenue_sources where input is not null
    union all
    select network, 'revenue', input from revenue_sources where input is not null
    union all
    -- an off-chain network's fees are its revenue: one `revenue` entry covers both
    select network, 'fees', 'revenue' from networks where revenue_model = 'off_chain'
    union all
    -- a vault's staked value is its own reading of its assets
    select network, 'staked', 'vault' from networks where revenue_model = 'vault_yield'
    union all
    select network, 'revenue_backed_rewards', 'rewards' from networks where rewards_source = 'revenue'
    union all
    select network, 'revenue_backed_rewards', 'vault'
    from networks where rewards_source = 'revenue' and revenue_model = 'vault_yield'
    union all
    select network, 'revenue_backed_rewards', 'revenue' from networks where rewards_source = 'emissions_and_fees'
    union all
    select network, 'nominal_apy', 'vault' from networks where revenue_model = 'vault_yield'
    union all
    select network, 'nominal_apy', 'staked' from networks where revenue_model <> 'vault_yield'
    union all
    select network, 'nominal_apy', 'rewards'
    from networks
    where revenue_model <> 'vault_yield' and network not in (select network from cosmos_staking)

),

own_names as (

    select networks.network, metrics.metric, metrics.stem, metrics.metric_order, metrics.metric as measure, 0 as depth
    from networks
    cross join metrics

    union

    select networks.network, metrics.metric, metrics.stem, metrics.metric_order, metrics.stem as measure, 0 as depth
    from networks
    cross join metrics

),

-- network_daily's formulas nest three deep at most (real yield <- revenue-backed rewards <- revenue <- jobs)
depth_1 as (

    select own_names.network, own_names.metric, own_names.stem, own_names.metric_order, inputs.input as measure,
        1 as depth
    from own_names
    inner join inputs on inputs.network = own_names.network and inputs.stem = own_names.measure

),

depth_2 as (

    select depth_1.network, depth_1.metric, depth_1.stem, depth_1.metric_order, inputs.input as measure, 2 as depth
    from depth_1
    inner join inputs on inputs.network = depth_1.network and inputs.stem = depth_1.measure

),

depth_3 as (

    select depth_2.network, depth_2.metric, depth_2.stem, depth_2.metric_order, inputs.input as measure, 3 as depth
    from depth_2
    inner join inputs on inputs.network = depth_2.network and inputs.stem = depth_2.measure

),

traced as (

    select * from own_names
    union all select * from depth_1
    union all select * from depth_2
    union all select * from depth_3

)

select
    network || ':' || metric || ':' || measure as trace_key,
    network,
    metric,
    stem,
    metric_order,
    measure,
    depth

from traced
-- a measure reached along several paths counts at its nearest
qualify row_number() over (partition by network, metric, measure order by depth) = 1
