"""SQL texts of the query layer: one place, parameters bound, never built from user text."""

# base units as exact integer text: a DECIMAL(38,0) becomes a float (rounded) when it reaches pandas
TOKEN_FLOWS_DAILY = """
select
    day, network, chain, source, token_symbol, token_address,
    minted_raw::varchar as minted_raw, burned_raw::varchar as burned_raw,
    transferred_raw::varchar as transferred_raw, net_issuance_raw::varchar as net_issuance_raw,
    minted, burned, transferred, net_issuance,
    mint_count, burn_count, transfer_count, first_block, last_block
from marts.token_flows_daily
where (? is null or list_contains(?, network))
  and (? is null or day >= ?)
  and (? is null or day <= ?)
order by day, network, chain, token_symbol
"""

DATA_SOURCES = """
select
    source, network, chain,
    min(day) as first_day, max(day) as last_day,
    sum(mint_count + burn_count + transfer_count) as records
from marts.token_flows_daily
group by all
order by source, network, chain
"""

NETWORKS = "select network from marts.dim_network order by 1"

DAY_SPAN = "select min(day), max(day) from marts.network_daily"

PUBLISHED_AT = "select max(published_at) from meta.published"

NETWORK_DAILY = """
select *
from marts.network_daily
where (? is null or list_contains(?, network))
  and (? is null or day >= ?)
  and (? is null or day <= ?)
order by day, network
"""

NETWORK_SUMMARY = """
with window_rows as (
    select * from marts.network_daily
    where (? is null or list_contains(?, network))
      and (? is null or day >= ?)
      and (? is null or day <= ?)
)
-- one row per network and source label: demo and live figures are never summed together
select
    network,
    source,
    list(distinct source order by source) as sources,
    count(distinct day) as days,
    sum(revenue_usd) as revenue_usd,
    sum(fees_usd) as fees_usd,
    sum(burns_usd) as burns_usd,
    sum(emissions_usd) as emissions_usd,
    avg(real_yield) as real_yield,
    avg(nominal_apy) as nominal_apy,
    avg(utilization) as utilization,
    sum(gpu_hours) as gpu_hours,
    list(revenue_usd order by day) as revenue_trend,
    -- days whose job payments were not all priced, and the denoms behind them
    count(*) filter (where payments_complete = false) as incomplete_days,
    list_sort(list_distinct(flatten(list(coalesce(unpriced_denoms, []::varchar[]))))) as unpriced_denoms
from window_rows
group by network, source
order by revenue_usd desc nulls last, network, source
"""

METRIC_COVERAGE = """
select network, metric, stem, status, reason, via, read_through
from marts.network_metric_coverage
where (? is null or list_contains(?, network))
order by network, metric_order
"""

GPU_PRICES = """
select *
from marts.gpu_prices
where (? is null or gpu_model = ?)
order by day, venue_kind, venue, gpu_model
"""

# a network's price on its latest day inside the window; a cloud's latest list price on or before
# the window's end (catalog prices hold until the next catalog read)
LATEST_GPU_PRICE_BY_VENUE = """
select venue, venue_kind, gpu_model, source, day, usd_per_gpu_hour, median_usd_per_gpu_hour, offers, price_source
from marts.gpu_prices
where (? is null or list_contains(?, gpu_model))
  and (? is null or day <= ?)
  and (venue_kind = 'cloud' or ? is null or day >= ?)
qualify row_number() over (partition by venue, gpu_model, source order by day desc) = 1
order by gpu_model, usd_per_gpu_hour, venue, source
"""

GPU_MODELS = "select distinct gpu_model from marts.gpu_prices order by 1"

BENCHMARK_RESULTS = """
select *
from marts.benchmark_results
where (? is null or gpu_model = ?)
order by signed_at desc
"""

COST_PER_COMPUTE = """
select * from marts.cost_per_compute
where (? is null or gpu_model = ?)
order by usd_per_pflop_hour nulls last, cost_key  -- the key breaks ties, so every backend lists rows alike
"""

CLAIMS_VS_EVIDENCE = """
select *
from marts.claims_vs_evidence
where (? is null or list_contains(?, network))
order by network, metric, claim_key
"""

NETWORKS_DIM = "select * from marts.dim_network order by network"

GPU_SPECS = "select * from marts.dim_gpu_model order by gpu_model"

FRESHNESS = """
select 'network_daily' as mart, source, max(day) as latest_day, count(*) as rows from marts.network_daily group by all
union all
select 'gpu_prices', source, max(day), count(*) from marts.gpu_prices group by all
union all
select 'benchmark_results', source, max(signed_day), count(*) from marts.benchmark_results group by all
order by 1, 2
"""

ONCHAIN_REFERENCES = """
select
    network, chain, source, token_symbol, token_address,
    min(day) as first_day, max(day) as last_day,
    min(first_block) as first_block, max(last_block) as last_block,
    arg_min(first_tx, first_block) as first_tx, arg_max(last_tx, last_block) as last_tx,
    sum(mint_count + burn_count + transfer_count) as records
from marts.token_flows_daily
where (? is null or list_contains(?, network))
  and (? is null or day >= ?)
  and (? is null or day <= ?)
group by all
order by network, chain, token_symbol, source
"""

# weekly or monthly totals per network and source label, with the change of revenue (and fees)
# per day against the period before: per day, so a period the window cuts short is comparable
NETWORK_PERIODS = """
with window_rows as (
    select * from marts.network_daily
    where (? is null or list_contains(?, network))
      and (? is null or day >= ?)
      and (? is null or day <= ?)
),
periods as (
    select
        network,
        source,
        date_trunc(?, day)::date as period_start,
        count(distinct day) as days,
        sum(revenue_usd) as revenue_usd,
        sum(fees_usd) as fees_usd,
        sum(burns_usd) as burns_usd,
        sum(emissions_usd) as emissions_usd,
        sum(net_issuance_usd) as net_issuance_usd,
        sum(gpu_hours) as gpu_hours,
        sum(jobs_started) as jobs_started,
        avg(utilization) as utilization,
        count(*) filter (where payments_complete = false) as incomplete_days,
        list_sort(list_distinct(flatten(list(coalesce(unpriced_denoms, []::varchar[]))))) as unpriced_denoms
    from window_rows
    group by all
)
select
    *,
    (period_start + ('1 ' || ?)::interval - interval 1 day)::date as period_end,
    date_diff('day', period_start, (period_start + ('1 ' || ?)::interval)::date) as period_days,
    revenue_usd / days as revenue_usd_per_day,
    revenue_usd / days / nullif(lag(revenue_usd / days) over w, 0) - 1 as revenue_change,
    fees_usd / days / nullif(lag(fees_usd / days) over w, 0) - 1 as fees_change
from periods
window w as (partition by network, source order by period_start)
order by period_start, network, source
"""

# per provider of one network over the window: GPUs it leased by model, leases, what tenants paid,
# what it kept and the protocol's take, and the price per GPU-hour that implies
PROVIDER_SUMMARY = """
with window_rows as (
    select * from marts.provider_daily
    where network = ?
      and (? is null or day >= ?)
      and (? is null or day <= ?)
),
by_model as (
    select provider, source, coalesce(gpu_model, 'model not stated') as gpu_model,
           sum(gpu_hours) / 24 / count(distinct day) as gpus
    from window_rows
    group by all
    having sum(gpu_hours) > 0  -- leases without GPUs (CPU-only) are leases, not GPUs
)
select
    provider,
    source,
    count(distinct day) as days,
    sum(active_jobs) as lease_days,
    sum(jobs_started) as leases_started,
    sum(gpu_hours) as gpu_hours,
    sum(payments_usd) as payments_usd,
    sum(provider_earnings_usd) as provider_earnings_usd,
    sum(protocol_revenue_usd) as protocol_revenue_usd,
    sum(payments_usd) / nullif(sum(gpu_hours), 0) as usd_per_gpu_hour,
    bool_and(payments_complete) as payments_complete,
    (select string_agg(gpu_model || ' × ' || round(gpus, 1), ', ' order by gpus desc)
     from by_model where by_model.provider = window_rows.provider and by_model.source = window_rows.source) as gpus_by_model,
    -- "audited by <auditor>" / "not audited" at the latest read of the audit module; null: never read
    any_value(audits.audit_status) as audit_status,
    any_value(audits.read_at) as audit_read_at
from window_rows
left join marts.provider_audits as audits using (network, provider, source)
group by provider, source
order by payments_usd desc nulls last, provider
"""

# market value of the primary token's supply at the window's last day with a supply figure, beside
# fees and revenue over the window, annualised per day, and their ratios
VALUATION = """
with window_supply as (
    select * from marts.token_supply_daily
    where (? is null or list_contains(?, network))
      and (? is null or day >= ?)
      and (? is null or day <= ?)
      and market_cap_usd is not null
    qualify row_number() over (partition by network, source order by day desc) = 1
),
window_flows as (
    select network, source, count(distinct day) as days, sum(fees_usd) as fees_usd, sum(revenue_usd) as revenue_usd
    from marts.network_daily
    where (? is null or list_contains(?, network))
      and (? is null or day >= ?)
      and (? is null or day <= ?)
    group by all
)
select
    window_flows.network,
    window_flows.source,
    window_supply.day as supply_day,
    window_supply.token,
    window_supply.supply_chain,
    window_supply.supply_tokens,
    window_supply.token_price_usd,
    window_supply.market_cap_usd,
    window_supply.max_supply_tokens,
    window_supply.fully_diluted_value_usd,
    case when window_supply.fully_diluted_value_usd is null
         then coalesce(window_supply.fully_diluted_value_gap, 'no supply or price of the primary token in the window')
    end as fully_diluted_value_gap,
    window_supply.max_supply_source,
    window_supply.max_supply_as_of,
    window_flows.days,
    window_flows.fees_usd,
    window_flows.revenue_usd,
    window_flows.fees_usd / window_flows.days * 365 as annualised_fees_usd,
    window_flows.revenue_usd / window_flows.days * 365 as annualised_revenue_usd,
    window_supply.market_cap_usd / nullif(window_flows.fees_usd / window_flows.days * 365, 0) as price_to_fees,
    window_supply.market_cap_usd / nullif(window_flows.revenue_usd / window_flows.days * 365, 0) as price_to_sales
from window_flows
left join window_supply using (network, source)
order by market_cap_usd desc nulls last, network
"""

GPU_FINANCING_DAILY = """
select
    day, network, chain, source, loan_router, currency_symbol,
    principal_originated, principal_repaid, principal_outstanding, interest_to_lenders, protocol_revenue,
    origination_fees, exit_fees, liquidation_fees, liquidation_surplus, principal_written_off,
    loans_originated, loans_repaid, defaults,
    originated_raw::varchar as originated_raw, outstanding_raw::varchar as outstanding_raw,
    interest_to_lenders_raw::varchar as interest_to_lenders_raw
from marts.gpu_financing_daily
where (? is null or list_contains(?, network))
  and (? is null or day >= ?)
  and (? is null or day <= ?)
order by day, network, chain, loan_router, currency_symbol
"""

GPU_LOANS = """
select
    originated_day, network, chain, source, loan_router, loan_terms_hash, borrower, currency_symbol,
    principal, origination_fee, loan_status, collateral, collateral_status, collateral_token,
    collateral_token_id, collateral_wrapper_context, collateral_reason, origination_tx,
    principal_raw::varchar as principal_raw
from marts.gpu_loans
where (? is null or list_contains(?, network))
  and (? is null or originated_day >= ?)
  and (? is null or originated_day <= ?)
order by originated_day, network, chain, loan_router, origination_tx, loan_terms_hash
"""

VAULT_YIELD_DAILY = """
select
    day, network, chain, source, vault, nav, share_price, redemption_share_price,
    realised_yield_since_start, realised_yield_30d, days_measured,
    claimed_yield_low, claimed_yield_high, claimed_yield_text
from marts.vault_yield_daily
where (? is null or list_contains(?, network))
  and (? is null or day >= ?)
  and (? is null or day <= ?)
order by day, network, chain, vault
"""

GPU_FINANCE_SUMMARY = """
-- one row per product (vault) and source label over the window: its share price at the window's
-- start and end, the realised yield between them (compounded, annualised), the claimed yield,
-- and the financing of the loan routers of the same network over the window
with window_yield as (
    select * from marts.vault_yield_daily
    where (? is null or list_contains(?, network))
      and (? is null or day >= ?)
      and (? is null or day <= ?)
),
products as (
    select
        network, chain, source, vault,
        arg_min(share_price, day) as start_share_price, min(day) as first_day,
        arg_max(share_price, day) as end_share_price, max(day) as last_day,
        arg_max(redemption_share_price, day) as end_redemption_share_price,
        arg_max(nav, day) as nav,
        any_value(claimed_yield_low) as claimed_yield_low, any_value(claimed_yield_high) as claimed_yield_high,
        any_value(claimed_yield_text) as claimed_yield_text
    from window_yield
    group by all
),
financing as (
    select
        network, source,
        sum(principal_originated) as principal_originated, sum(principal_repaid) as principal_repaid,
        arg_max(principal_outstanding, day) as principal_outstanding,
        sum(interest_to_lenders) as interest_to_lenders, sum(protocol_revenue) as protocol_revenue,
        sum(defaults) as defaults, sum(principal_written_off) as principal_written_off
    from marts.gpu_financing_daily
    where (? is null or list_contains(?, network))
      and (? is null or day >= ?)
      and (? is null or day <= ?)
    group by all
)
select
    products.network, products.chain, products.source, products.vault, first_day, last_day,
    datediff('day', first_day, last_day) as days_measured,
    start_share_price, end_share_price, end_redemption_share_price, nav,
    case when last_day > first_day and start_share_price > 0
         then pow(end_share_price / start_share_price, 365.0 / datediff('day', first_day, last_day)) - 1 end
        as realised_yield,
    claimed_yield_low, claimed_yield_high, claimed_yield_text,
    financing.principal_originated, financing.principal_repaid, financing.principal_outstanding,
    financing.interest_to_lenders, financing.protocol_revenue, financing.defaults, financing.principal_written_off
from products
left join financing on financing.network = products.network and financing.source = products.source
order by products.network, products.chain, products.source
"""
