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

        -- timestamps
        block_time,
        block_day,
        fetched_at

    from source

)

select * from renamed
