-- One row per network per UTC day per source label: the metrics analysts compare.
-- Every formula is defined in docs/methodology.md; the per-network economics (what counts
-- as revenue, take rates, what pays stakers) come from networks.toml via the registry.
-- Incremental: a run rebuilds every day from its window's first day (less the lookback) on
-- (macros/window.sql, strategy rebuild_from_window); later days too, as their staked balances,
-- fleets and NAV growth carry earlier days. No row is built for a day after the last day a run
-- covered: a job seen after midnight has only part of that day.
-- on_schema_change: a warehouse built before a column was added gets it (null on days no run rebuilt since).
{{ config(materialized='incremental', incremental_strategy='rebuild_from_window', on_schema_change='append_new_columns') }}
{%- set rebuilt_days = 'where day >= ' ~ window_start() if is_incremental() else '' %}

with

networks as (

    select * from {{ ref('stg_registry__networks') }}

),

-- an incremental run reads its inputs only from the first day it rebuilds (the spine keeps no
-- earlier day, and every join is on the day); DuckDB pushes the filter down to the raw scans where
-- it can (not below running balances), so a one-day build does not aggregate the whole history
supply as (select * from {{ ref('int_supply_flows_daily') }} {{ rebuilt_days }}),
staking as (select * from {{ ref('int_staking_daily') }} {{ rebuilt_days }}),
jobs as (select * from {{ ref('int_jobs_daily') }} {{ rebuilt_days }}),
vaults as (select * from {{ ref('int_vault_daily') }} {{ rebuilt_days }}),
prices as (select * from {{ ref('int_token_prices_daily') }} {{ rebuilt_days }}),

akash_params as (

    select
        network, snapshot_day as day, source,
        max(value) filter (where metric = 'inflation') as inflation,
        max(value) filter (where metric = 'community_tax') as community_tax,
        max(amount_raw::double) filter (where metric = 'bonded_tokens')
            / nullif(max(amount_raw::double) filter (where metric = 'total_supply'), 0) as bonded_ratio

    from {{ ref('stg_akash__staking_snapshots') }}
    {% if is_incremental() %} where snapshot_day >= {{ window_start() }} {% endif %}
    group by all

),

{% if is_incremental() %}
-- the last day each source label's rows were built through (by this run's window or a later one)
built as (

    select source, max(day) as last_day
    from {{ this }}
    group by all

),
{% endif %}

network_days as (

    select network, day, source from supply
    union select network, day, source from staking
    union select network, day, source from jobs
    union select network, day, source from vaults

),

-- cumulative inputs (staked balances, trailing fleets) are computed over all history upstream;
-- here only the days this run builds are kept
spine as (

    select network_days.network, network_days.day, network_days.source
    from network_days
    {% if is_incremental() %}
    left join built using (source)
    where network_days.day >= {{ window_start() }}
        and network_days.day <= greatest({{ window_end() }}, coalesce(built.last_day, {{ window_end() }}))
    {% else %}
    where network_days.day <= {{ window_end() }}
    {% endif %}

),

joined as (

    select
        spine.network,
        spine.day,
        spine.source,
        networks.revenue_model,
        networks.rewards_source,
        networks.primary_token,
        prices.usd as token_price_usd,
        prices.price_source,

        coalesce(supply.emissions_tokens, 0) as emissions_tokens,
        coalesce(supply.burns_tokens, 0) as burns_tokens,
        coalesce(supply.emissions_usd, 0) as emissions_usd,
        coalesce(supply.burns_usd, 0) as burns_usd,
        staking.staked_tokens,
        coalesce(staking.rewards_tokens, 0) as rewards_tokens,
        coalesce(staking.rewards_tokens, 0) * prices.usd as rewards_usd,
        coalesce(vaults.vault_revenue_tokens, 0) * prices.usd as vault_revenue_usd,
        vaults.share_price_growth,
        jobs.fees_usd as job_fees_usd,
        jobs.revenue_usd as job_revenue_usd,
        coalesce(jobs.active_jobs, 0) as active_jobs,
        coalesce(jobs.jobs_started, 0) as jobs_started,
        coalesce(jobs.active_providers, 0) as active_providers,
        coalesce(jobs.gpu_hours, 0) as gpu_hours,
        jobs.utilization,
        jobs.payments_complete,
        coalesce(jobs.unpriced_denoms, []::varchar[]) as unpriced_denoms,
        coalesce(jobs.unregistered_denoms, []::varchar[]) as unregistered_denoms,
        networks.burn_share_of_fees,
        akash_params.inflation,
        akash_params.community_tax,
        akash_params.bonded_ratio

    from spine
    join networks using (network)
    left join supply using (network, day, source)
    left join staking using (network, day, source)
    left join jobs using (network, day, source)
    left join vaults using (network, day, source)
    left join akash_params using (network, day, source)
    -- the price of the row's own label (int_token_prices_daily: which price labels serve which rows)
    left join prices
        on prices.token = networks.primary_token and prices.day = spine.day and prices.source = spine.source

),

metrics as (

    select
        *,
        emissions_tokens - burns_tokens as net_issuance_tokens,
        emissions_usd - burns_usd as net_issuance_usd,
        case revenue_model
            when 'burn_mint' then burns_usd / burn_share_of_fees
            when 'buyback_burn' then burns_usd
            when 'job_fees' then job_fees_usd
            when 'revenue_share' then rewards_usd
            when 'vault_yield' then vault_revenue_usd
        end as fees_usd,
        case revenue_model
            when 'burn_mint' then burns_usd
            when 'buyback_burn' then burns_usd
            when 'job_fees' then job_revenue_usd
            when 'revenue_share' then rewards_usd
            when 'vault_yield' then vault_revenue_usd
        end as revenue_usd,
        staked_tokens * token_price_usd as staked_usd

    from joined

),

yields as (

    select
        *,
        fees_usd - revenue_usd as supply_side_revenue_usd,
        case rewards_source
            when 'revenue' then rewards_usd + vault_revenue_usd
            when 'emissions_and_fees' then revenue_usd
            when 'emissions' then 0
        end as revenue_backed_rewards_usd,
        case
            when revenue_model = 'vault_yield' then share_price_growth * 365
            when inflation is not null and bonded_ratio > 0 then inflation * (1 - coalesce(community_tax, 0)) / bonded_ratio
            else rewards_usd * 365 / nullif(staked_usd, 0)
        end as nominal_apy

    from metrics

)

select
    -- ids
    network || ':' || day || ':' || source as network_day_key,
    network,
    day,
    source,
    revenue_model,

    -- revenue (DefiLlama vocabulary), USD
    fees_usd,
    revenue_usd,
    supply_side_revenue_usd,
    burns_usd as holders_revenue_usd,

    -- supply
    emissions_tokens,
    burns_tokens,
    net_issuance_tokens,
    emissions_usd,
    burns_usd,
    net_issuance_usd,

    -- staking
    staked_tokens,
    staked_usd,
    rewards_tokens,
    rewards_usd,
    revenue_backed_rewards_usd,
    nominal_apy,
    revenue_backed_rewards_usd * 365 / nullif(staked_usd, 0) as real_yield,

    -- activity
    active_providers,
    active_jobs,
    jobs_started,
    gpu_hours,
    utilization,

    -- prices
    primary_token,
    token_price_usd,
    price_source,

    -- completeness: false when some job payments had no registry token or no price that day
    -- (fees and revenue then count only the priced ones); null on a day without job payments
    payments_complete,
    unpriced_denoms,
    unregistered_denoms

from yields
