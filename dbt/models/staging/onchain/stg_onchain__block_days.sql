-- The blocks (heights) of each UTC day per chain and source label, measured from the headers of
-- the day's first and last block; `seconds_per_block` is that day's average block time (Akash
-- prices leases per block, so a day's payments are its seconds over this, not over a constant).
with

source as (

    select * from {{ source('raw', 'block_days') }}

),

renamed as (

    select
        chain || ':' || source || ':' || day as block_day_key,
        chain,
        source,
        day,
        first_block,
        last_block,
        last_block - first_block + 1 as blocks,
        case when last_block > first_block
             then epoch(last_block_time - first_block_time) / (last_block - first_block) end as seconds_per_block,
        first_block_time,
        last_block_time

    from source

)

select * from renamed
