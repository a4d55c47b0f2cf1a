-- The primary token's maximum supply per network (networks.toml token `max_supply`): whole tokens as the
-- token's own docs or contract state them, or why it has none (uncapped), with the source and the day read.
with

source as (

    select * from {{ source('raw', 'registry_max_supplies') }}

),

renamed as (

    select
        -- ids
        network,
        token,

        -- numerics
        max_supply_tokens,

        -- provenance
        uncapped_reason,
        source as max_supply_source,
        as_of as max_supply_as_of,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
