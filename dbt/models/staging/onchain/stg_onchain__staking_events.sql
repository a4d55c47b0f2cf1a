with

source as (

    select * from {{ source('raw', 'staking_events') }}

),

renamed as (

    select
        -- ids
        chain || ':' || tx_hash || ':' || log_index || coalesce(':' || inner_index, '') as staking_event_key,
        network,
        chain,
        source,
        contract,
        staker,
        tx_hash,
        log_index,
        block_number,

        -- numerics
        event,
        token_symbol,
        decimals,
        amount_raw,
        amount_raw::double / pow(10, decimals) as amount,

        -- timestamps
        block_time,
        block_day,
        fetched_at

    from source

)

select * from renamed
