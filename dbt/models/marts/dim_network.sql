-- One row per network: identity, economics from networks.toml, and what the warehouse holds.
with

networks as (select * from {{ ref('stg_registry__networks') }}),
contracts as (select * from {{ ref('stg_registry__contracts') }}),
daily as (select * from {{ ref('network_daily') }}),

contract_summary as (

    select
        network,
        list(distinct chain order by chain) filter (where not local_chain) as live_chains,
        list(distinct label order by label) filter (where role = 'token') as tokens,
        count(*) filter (where not verified) as unverified_identifiers

    from contracts
    group by all

),

coverage as (

    select
        network,
        list(distinct source order by source) as data_sources,
        min(day) as first_day,
        max(day) as last_day

    from daily
    group by all

)

select
    networks.network,
    networks.network_name,
    networks.revenue_definition,
    networks.revenue_model,
    networks.rewards_source,
    networks.primary_token,
    contract_summary.live_chains,
    contract_summary.tokens,
    contract_summary.unverified_identifiers,
    coverage.data_sources,
    coverage.first_day,
    coverage.last_day

from networks
left join contract_summary using (network)
left join coverage using (network)
