with

source as (

    select * from {{ source('raw', 'loan_events') }}

),

renamed as (

    select
        -- ids
        chain || ':' || tx_hash || ':' || log_index || ':' || source as loan_event_key,
        network,
        chain,
        source,
        contract,
        event,
        loan_terms_hash,
        borrower,
        lender,
        currency_token,
        tranche_index,
        block_number,
        tx_hash,
        log_index,

        -- numerics: exact base units of the loan's currency token
        principal_raw,
        interest_raw,
        prepay_raw,
        fee_raw,
        proceeds_raw,
        surplus_raw,
        is_repaid,

        -- collateral as the origination's borrow() calldata states it (originations only; null before
        -- it was read): 'stated' or 'unknown' with the reason
        collateral_status,
        collateral_token,
        collateral_token_id,
        collateral_wrapper_context,
        collateral_reason,

        -- timestamps
        block_time,
        block_day,
        fetched_at

    from source

)

select * from renamed
