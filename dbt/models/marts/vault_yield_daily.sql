-- Realised yield of GPU-backed yield products from their share price (NAV per share), per vault
-- per day, beside the yield their sources claim. sUSDai: its deposit and redemption share prices
-- (raw.vault_prices); other ERC-4626 vaults (GAIB's sAID): convertToAssets(1 share).
-- Realised yield is compounded and annualised: (price / earlier price) ^ (365 / days) - 1, since the
-- vault's first reading and over the trailing 30 days (from the earliest reading in them).
with

prices as (

    select network, chain, source, vault, block_day as day, nav,
           deposit_share_price as share_price, redemption_share_price
    from {{ ref('stg_onchain__vault_prices') }}

),

navs as (

    select snapshots.network, snapshots.chain, snapshots.source, snapshots.vault, snapshots.block_day as day,
           snapshots.total_assets as nav, snapshots.assets_per_share as share_price,
           null::double as redemption_share_price
    from {{ ref('stg_onchain__vault_snapshots') }} as snapshots
    anti join prices
        on prices.chain = snapshots.chain and prices.vault = snapshots.vault and prices.source = snapshots.source

),

readings as (

    select * from prices
    union all
    select * from navs

),

with_baselines as (

    select
        *,
        first_value(share_price) over vault_days as first_share_price,
        first_value(day) over vault_days as first_day,
        first_value(share_price) over trailing_30d as trailing_share_price,
        first_value(day) over trailing_30d as trailing_day

    from readings
    window
        vault_days as (partition by chain, vault, source order by day
                       rows between unbounded preceding and current row),
        trailing_30d as (partition by chain, vault, source order by day
                         range between interval 30 days preceding and current row)

),

claims as (

    -- what the product's sources claim lenders or holders earn (percent a year)
    select network, min(value) / 100 as claimed_yield_low, max(coalesce(value_high, value)) / 100 as claimed_yield_high,
           any_value(claim_text) as claimed_yield_text
    from {{ ref('stg_reference__network_claims') }}
    where metric in ('lender_yield', 'vault_yield', 'holder_yield') and unit = 'percent'
    group by all

),

final as (

    select
        -- ids
        with_baselines.network || ':' || chain || ':' || vault || ':' || day || ':' || source as vault_yield_day_key,
        with_baselines.network,
        chain,
        source,
        vault,
        day,

        -- numerics
        nav,
        share_price,
        redemption_share_price,
        case when day > first_day and first_share_price > 0
             then pow(share_price / first_share_price, 365.0 / datediff('day', first_day, day)) - 1 end
            as realised_yield_since_start,
        case when day > trailing_day and trailing_share_price > 0
             then pow(share_price / trailing_share_price, 365.0 / datediff('day', trailing_day, day)) - 1 end
            as realised_yield_30d,
        datediff('day', first_day, day) as days_measured,
        claims.claimed_yield_low,
        claims.claimed_yield_high,
        claims.claimed_yield_text

    from with_baselines
    left join claims on claims.network = with_baselines.network

)

select * from final
