-- One price per token per day: reviewed reference files first, then live APIs, then demo.
with

prices as (

    select * from {{ ref('stg_reference__token_prices') }}

),

ranked as (

    select
        token,
        day,
        usd,
        source as price_source,
        source_name as price_source_name,
        row_number() over (
            partition by token, day
            order by case source when 'reference' then 1 when 'live' then 2 when 'local' then 3 else 4 end
        ) as preference

    from prices

)

select token, day, usd, price_source, price_source_name from ranked where preference = 1
