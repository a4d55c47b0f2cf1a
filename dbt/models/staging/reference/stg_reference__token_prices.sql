-- Token prices from raw.token_prices: one row per token x day x source (reference, demo, live).
with

source as (

    select * from {{ source('raw', 'token_prices') }}

),

renamed as (

    select
        -- ids
        token || ':' || day || ':' || source as price_key,
        token,
        source,
        source_name,
        source_ref,

        -- numerics
        usd,

        -- timestamps
        day,
        fetched_at

    from source

)

select * from renamed
