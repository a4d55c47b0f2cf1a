with

source as (

    select * from {{ source('raw', 'vault_prices') }}

),

renamed as (

    select
        -- ids
        chain || ':' || vault || ':' || block_number || ':' || source as vault_price_key,
        network,
        chain,
        source,
        vault,
        block_number,

        -- numerics: exact reads; NAV in asset units, prices 18-decimal fixed point -> asset per share
        nav_raw,
        deposit_share_price_raw,
        redemption_share_price_raw,
        asset_decimals,
        nav_raw::double / pow(10, asset_decimals) as nav,
        deposit_share_price_raw::double / 1e18 as deposit_share_price,
        redemption_share_price_raw::double / 1e18 as redemption_share_price,

        -- timestamps
        block_time,
        block_day,
        fetched_at

    from source

)

select * from renamed
