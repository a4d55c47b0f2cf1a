-- Emissions (mints) and burns per network per day per source label, in tokens and USD.
with

transfers as (

    select * from {{ ref('stg_onchain__token_transfers') }}

),

prices as (

    select * from {{ ref('int_token_prices_daily') }}

),

per_token as (

    select
        network,
        block_day as day,
        source,
        token_symbol,
        sum(amount) filter (where kind = 'mint') as minted,
        sum(amount) filter (where kind = 'burn') as burned,
        count(*) filter (where kind = 'transfer') as transfers

    from transfers
    group by all

),

priced as (

    select
        per_token.*,
        prices.usd as token_price_usd,
        coalesce(per_token.minted, 0) * prices.usd as minted_usd,
        coalesce(per_token.burned, 0) * prices.usd as burned_usd

    from per_token
    left join prices
        on prices.token = per_token.token_symbol and prices.day = per_token.day and prices.source = per_token.source

)

select
    network,
    day,
    source,
    sum(coalesce(minted, 0)) as emissions_tokens,
    sum(coalesce(burned, 0)) as burns_tokens,
    sum(minted_usd) as emissions_usd,
    sum(burned_usd) as burns_usd,
    sum(transfers) as transfers,
    bool_and(token_price_usd is not null) as all_flows_priced

from priced
group by all
