-- Published claims from raw.network_claims: one row per network x metric x period x source.
-- Claims, never facts: marts set them beside what the data measures.
with

source as (

    select * from {{ source('raw', 'network_claims') }}

),

renamed as (

    select
        -- ids
        network || ':' || metric || ':' || period || ':' || source_name as claim_key,
        network,
        metric,
        period,
        source,
        source_name,
        source_ref,
        claim_text,

        -- numerics
        value,
        value_high,
        unit,

        -- timestamps
        as_of,
        fetched_at

    from source

)

select * from renamed
