-- The provider identities the chain data shows, one row per network x address x source label:
-- Akash lease providers (stg_akash__leases.provider, bech32 account addresses) and Nosana job
-- nodes (stg_solana__jobs.node, base58 keys). A gpu_bench run whose key binding the verifier
-- checked (gpu_bench.binding) is bound only when its provider is one of these, under the run's
-- own source label (marts.benchmark_results): a demo chain's provider never vouches for a live run.
with

akash as (

    select 'akash' as network, provider as address, source, started_at as seen_at
    from {{ ref('stg_akash__leases') }}
    where provider is not null

),

nosana as (

    select 'nosana' as network, node as address, source, coalesce(started_at, fetched_at) as seen_at
    from {{ ref('stg_solana__jobs') }}
    where network = 'nosana' and node is not null

),

identities as (

    select
        network || ':' || source || ':' || address as identity_key,
        network,
        address,
        source,
        count(*) as jobs,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at

    from (select * from akash union all select * from nosana)
    group by all

)

select * from identities
