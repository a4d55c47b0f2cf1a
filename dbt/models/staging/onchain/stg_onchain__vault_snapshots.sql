with

source as (

    select * from {{ source('raw', 'vault_snapshots') }}

),

renamed as (

    select
        -- ids
        chain || ':' || vault || ':' || block_number || ':' || source as vault_snapshot_key,
        network,
        chain,
        source,
        vault,
        block_number,

        -- numerics: exact reads, and the share price in asset units
        total_assets_raw,
        total_supply_raw,
        assets_per_share_raw,
        asset_decimals,
        total_assets_raw::double / pow(10, asset_decimals) as total_assets,
        assets_per_share_raw::double / pow(10, asset_decimals) as assets_per_share,

        -- timestamps
        block_time,
        block_day,
        fetched_at

    from source

)

select * from renamed
