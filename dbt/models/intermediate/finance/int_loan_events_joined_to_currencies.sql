-- Loan router events with their loan's currency (stated only by the origination) and its decimals
-- from the registry; amounts in currency units. A currency the registry does not list keeps its
-- address and null amounts: it is shown as such, never guessed.
with

events as (

    select * from {{ ref('stg_onchain__loan_events') }}

),

contracts as (

    select chain, address, label, decimals from {{ ref('stg_registry__contracts') }} where role = 'token'

),

loan_currencies as (

    select chain, source, contract, loan_terms_hash, any_value(currency_token) as currency_token
    from events
    where event = 'originated'
    group by all

),

joined as (

    select
        events.* exclude (currency_token),
        loan_currencies.currency_token,
        contracts.label as currency_symbol,
        contracts.decimals as currency_decimals

    from events
    left join loan_currencies
        on loan_currencies.chain = events.chain and loan_currencies.source = events.source
        and loan_currencies.contract = events.contract and loan_currencies.loan_terms_hash = events.loan_terms_hash
    left join contracts
        on contracts.chain = events.chain and contracts.address = loan_currencies.currency_token

)

select
    *,
    principal_raw::double / pow(10, currency_decimals) as principal,
    interest_raw::double / pow(10, currency_decimals) as interest,
    fee_raw::double / pow(10, currency_decimals) as fee,
    proceeds_raw::double / pow(10, currency_decimals) as proceeds,
    surplus_raw::double / pow(10, currency_decimals) as surplus

from joined
