with

source as (

    select * from {{ source('raw', 'registry_take_rates') }}

),

renamed as (

    select
        -- ids
        network || ':' || token as take_rate_key,
        network,
        token,

        -- numerics
        take_rate,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
