with

source as (

    select * from {{ source('raw', 'registry_networks') }}

),

renamed as (

    select
        -- ids
        network,
        name as network_name,

        -- economics (networks.toml)
        revenue_definition,
        revenue_model,
        burn_share_of_fees,
        rewards_source,
        primary_token,

        -- timestamps
        fetched_at

    from source

)

select * from renamed
