-- One price per token per day per source label of the rows it prices (`source`): the one place
-- that decides which price labels may price which rows. Simulated and test amounts get only
-- their own label's prices; mainnet amounts get market prices, reviewed reference files first,
-- then the live API. A row with no price of an allowed label stays unpriced (USD null).
with

prices as (

    select * from {{ ref('stg_reference__token_prices') }}

),

-- row label -> price label that may price it, and its rank (1 = preferred)
price_labels (source, price_source, preference) as (

    values
        ('demo', 'demo', 1),
        ('local', 'local', 1),
        ('live', 'reference', 1),
        ('live', 'live', 2)

),

ranked as (

    select
        price_labels.source,
        prices.token,
        prices.day,
        prices.usd,
        prices.source as price_source,
        prices.source_name as price_source_name,
        row_number() over (
            partition by price_labels.source, prices.token, prices.day
            order by price_labels.preference
        ) as rank

    from prices
    inner join price_labels on price_labels.price_source = prices.source

)

select source, token, day, usd, price_source, price_source_name
from ranked
where rank = 1
