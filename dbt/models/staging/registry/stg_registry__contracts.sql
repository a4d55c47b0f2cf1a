with

source as (

    select * from {{ source('raw', 'registry_contracts') }}

),

renamed as (

    select
        -- ids
        chain || ':' || address as contract_key,
        network,
        chain,
        chain_family,
        address,
        role,
        label,

        -- flags and numerics
        local_chain,
        verified,
        coalesce(bridged, false) as bridged,
        decimals,
        reference,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
