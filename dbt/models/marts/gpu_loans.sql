-- GPU loans, one per loan router × loan terms hash × source label: who borrowed how much and when,
-- how the loan stands, and its collateral as the loan terms state it (the borrow() calldata of the
-- origination's transaction: collateral token and token id, e.g. a bundle of GPU NFTs) or
-- "unknown" with the reason. The router's events themselves name no collateral.
with

events as (

    select * from {{ ref('int_loan_events_joined_to_currencies') }}

),

originations as (

    select
        network, chain, source, contract as loan_router, loan_terms_hash, borrower,
        currency_token, currency_symbol, currency_decimals,
        block_day as originated_day, tx_hash as origination_tx,
        principal_raw, principal, fee_raw as origination_fee_raw, fee as origination_fee,
        collateral_status, collateral_token, collateral_token_id, collateral_wrapper_context, collateral_reason

    from events
    where event = 'originated'

),

outcomes as (

    select
        chain, source, contract as loan_router, loan_terms_hash,
        sum(case when event in ('lender_repaid', 'lender_liquidation_repaid') then principal_raw else 0 end)
            as principal_recovered_raw,
        bool_or(event = 'repaid' and is_repaid) as repaid,
        bool_or(event = 'liquidated') as defaulted,
        bool_or(event = 'collateral_liquidated') as collateral_sold

    from events
    group by all

),

final as (

    select
        -- ids
        originations.chain || ':' || originations.loan_router || ':' || originations.loan_terms_hash || ':'
            || originations.source as gpu_loan_key,
        originations.network,
        originations.chain,
        originations.source,
        originations.loan_router,
        originations.loan_terms_hash,
        originations.borrower,
        originations.currency_token,
        originations.currency_symbol,
        originations.origination_tx,

        -- numerics: the currency's units (null when it is not a registry token) and exact base units
        originations.principal,
        originations.origination_fee,
        originations.principal_raw,
        originations.origination_fee_raw,
        outcomes.principal_recovered_raw,
        case
            when outcomes.collateral_sold then 'collateral sold'
            when outcomes.defaulted then 'in liquidation'
            when outcomes.repaid then 'repaid'
            else 'active'
        end as loan_status,

        -- collateral: as the terms state it, or unknown and why
        coalesce(originations.collateral_status, 'unknown') as collateral_status,
        originations.collateral_token,
        originations.collateral_token_id,
        originations.collateral_wrapper_context,
        case
            when originations.collateral_status = 'stated' then null
            else coalesce(originations.collateral_reason,
                          'not read: the day was ingested before collateral was read; re-ingest it')
        end as collateral_reason,
        case
            when originations.collateral_status = 'stated'
                then originations.collateral_token || ' #' || originations.collateral_token_id
            else 'unknown'
        end as collateral,

        -- timestamps
        originations.originated_day

    from originations
    left join outcomes
        on outcomes.chain = originations.chain and outcomes.source = originations.source
        and outcomes.loan_router = originations.loan_router and outcomes.loan_terms_hash = originations.loan_terms_hash

)

select * from final
