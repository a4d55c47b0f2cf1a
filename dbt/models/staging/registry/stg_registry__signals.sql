with

source as (

    select * from {{ source('raw', 'registry_signals') }}

),

renamed as (

    select
        -- ids
        network || ':' || metric || ':' || chain || ':' || account as signal_key,
        network,
        metric,
        chain,
        chain_family,
        account,
        token,

        -- how it is read
        method,
        cost,

        -- flags
        local_chain,
        verified,
        reference,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
