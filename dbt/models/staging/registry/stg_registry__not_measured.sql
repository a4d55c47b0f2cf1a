with

source as (

    select * from {{ source('raw', 'registry_not_measured') }}

),

renamed as (

    select
        -- ids
        network || ':' || metric as not_measured_key,
        network,
        metric,

        -- text
        reason,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
