-- GPU financing per loan router per currency per day: what was lent, repaid, paid as interest to
-- lenders, taken as fees, and lost to defaults, and what is outstanding at the day's end. Every day
-- from a router's first loan event to the last day read on its chain has a row (quiet days: zeros,
-- the outstanding principal carried).
-- Outstanding = principal originated - principal repaid to lenders - principal written off, all
-- cumulative; a loan's write-off is its principal not recovered when its collateral is sold.
with

events as (

    select * from {{ ref('int_loan_events_joined_to_currencies') }}

),

loans as (

    -- per loan: what it borrowed, what lenders got back, and the day its collateral was sold
    select
        network, chain, source, contract, loan_terms_hash,
        sum(case when event = 'originated' then principal_raw else 0 end) as originated_raw,
        sum(case when event in ('lender_repaid', 'lender_liquidation_repaid') then principal_raw else 0 end)
            as recovered_raw,
        max(case when event = 'collateral_liquidated' then block_day end) as settled_day

    from events
    group by all

),

write_offs as (

    select network, chain, source, contract, settled_day as day,
           sum(greatest(originated_raw - recovered_raw, 0)) as written_off_raw
    from loans
    where settled_day is not null
    group by all

),

per_day as (

    select
        network, chain, source, contract, currency_token, currency_symbol, currency_decimals,
        block_day as day,
        sum(case when event = 'originated' then principal_raw else 0 end) as originated_raw,
        sum(case when event = 'originated' then fee_raw else 0 end) as origination_fees_raw,
        sum(case when event in ('lender_repaid', 'lender_liquidation_repaid') then principal_raw else 0 end)
            as repaid_raw,
        sum(case when event in ('lender_repaid', 'lender_liquidation_repaid') then interest_raw else 0 end)
            as interest_to_lenders_raw,
        sum(case when event = 'repaid' then fee_raw else 0 end) as exit_fees_raw,
        sum(case when event = 'collateral_liquidated' then fee_raw else 0 end) as liquidation_fees_raw,
        sum(case when event = 'collateral_liquidated' then surplus_raw else 0 end) as liquidation_surplus_raw,
        count(case when event = 'originated' then 1 end) as loans_originated,
        count(case when event = 'repaid' and is_repaid then 1 end) as loans_repaid,
        count(case when event = 'liquidated' then 1 end) as defaults

    from events
    group by all

),

chain_days as (

    select chain, source, max(day) as last_day from {{ ref('stg_onchain__block_days') }} group by all

),

spine as (

    select
        routers.network, routers.chain, routers.source, routers.contract, routers.currency_token,
        routers.currency_symbol, routers.currency_decimals,
        unnest(generate_series(routers.first_day, greatest(routers.last_day, coalesce(chain_days.last_day,
                                                                                        routers.last_day)),
                               interval 1 day))::date as day

    from (
        select network, chain, source, contract, currency_token, currency_symbol, currency_decimals,
               min(day) as first_day, max(day) as last_day
        from per_day
        group by all
    ) as routers
    left join chain_days on chain_days.chain = routers.chain and chain_days.source = routers.source

),

with_write_offs as (

    select
        spine.*,
        coalesce(per_day.originated_raw, 0) as originated_raw,
        coalesce(per_day.origination_fees_raw, 0) as origination_fees_raw,
        coalesce(per_day.repaid_raw, 0) as repaid_raw,
        coalesce(per_day.interest_to_lenders_raw, 0) as interest_to_lenders_raw,
        coalesce(per_day.exit_fees_raw, 0) as exit_fees_raw,
        coalesce(per_day.liquidation_fees_raw, 0) as liquidation_fees_raw,
        coalesce(per_day.liquidation_surplus_raw, 0) as liquidation_surplus_raw,
        coalesce(per_day.loans_originated, 0) as loans_originated,
        coalesce(per_day.loans_repaid, 0) as loans_repaid,
        coalesce(per_day.defaults, 0) as defaults,
        coalesce(write_offs.written_off_raw, 0) as written_off_raw

    from spine
    left join per_day
        on per_day.network = spine.network and per_day.chain = spine.chain and per_day.source = spine.source
        and per_day.contract = spine.contract and per_day.currency_token is not distinct from spine.currency_token
        and per_day.day = spine.day
    left join write_offs
        on write_offs.network = spine.network and write_offs.chain = spine.chain
        and write_offs.source = spine.source and write_offs.contract = spine.contract
        and write_offs.day = spine.day

),

running as (

    select
        *,
        sum(originated_raw - repaid_raw - written_off_raw) over (
            partition by network, chain, source, contract, currency_token order by day
            rows between unbounded preceding and current row) as outstanding_raw

    from with_write_offs

),

final as (

    select
        -- ids
        network || ':' || chain || ':' || contract || ':' || coalesce(currency_token, '?') || ':' || day || ':' || source
            as gpu_financing_day_key,
        network,
        chain,
        source,
        contract as loan_router,
        currency_token,
        coalesce(currency_symbol, 'unknown currency') as currency_symbol,
        day,

        -- numerics: currency units (null when the currency is not a registry token), and exact base units
        originated_raw::double / pow(10, currency_decimals) as principal_originated,
        repaid_raw::double / pow(10, currency_decimals) as principal_repaid,
        outstanding_raw::double / pow(10, currency_decimals) as principal_outstanding,
        interest_to_lenders_raw::double / pow(10, currency_decimals) as interest_to_lenders,
        origination_fees_raw::double / pow(10, currency_decimals) as origination_fees,
        exit_fees_raw::double / pow(10, currency_decimals) as exit_fees,
        liquidation_fees_raw::double / pow(10, currency_decimals) as liquidation_fees,
        liquidation_surplus_raw::double / pow(10, currency_decimals) as liquidation_surplus,
        (origination_fees_raw + exit_fees_raw + liquidation_fees_raw + liquidation_surplus_raw)::double
            / pow(10, currency_decimals) as protocol_revenue,
        written_off_raw::double / pow(10, currency_decimals) as principal_written_off,
        loans_originated,
        loans_repaid,
        defaults,
        originated_raw,
        repaid_raw,
        outstanding_raw,
        interest_to_lenders_raw,
        written_off_raw
        -- collateral is per loan, not per day: marts.gpu_loans

    from running

)

select * from final
