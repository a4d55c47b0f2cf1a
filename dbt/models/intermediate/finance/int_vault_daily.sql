-- Vault NAV per network per day: assets per share, its growth since the previous reading,
-- and the revenue that growth stands for (growth x the assets that earned it).
with

snapshots as (

    select * from {{ ref('stg_onchain__vault_snapshots') }}

),

with_previous as (

    select
        *,
        lag(assets_per_share) over (partition by chain, vault, source order by block_day) as previous_assets_per_share,
        lag(total_assets) over (partition by chain, vault, source order by block_day) as previous_total_assets

    from snapshots

)

select
    network,
    block_day as day,
    source,
    sum(total_assets) as vault_assets_tokens,
    avg(assets_per_share) as assets_per_share,
    sum(case when previous_assets_per_share > 0
             then (assets_per_share / previous_assets_per_share - 1) * previous_total_assets end) as vault_revenue_tokens,
    avg(case when previous_assets_per_share > 0 then assets_per_share / previous_assets_per_share - 1 end)
        as share_price_growth

from with_previous
group by all
