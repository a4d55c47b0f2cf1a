"""SQL texts of the query layer: one place, parameters bound, never built from user text."""

TOKEN_FLOWS_DAILY = """
select
    day, network, chain, source, token_symbol, token_address,
    minted_raw, burned_raw, transferred_raw, net_issuance_raw,
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
order by revenue_usd desc nulls last
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

LATEST_GPU_PRICE_BY_VENUE = """
select venue, venue_kind, gpu_model, source, day, usd_per_gpu_hour, median_usd_per_gpu_hour, offers, price_source
from marts.gpu_prices
where list_contains(?, gpu_model)
qualify row_number() over (partition by venue, gpu_model, source order by day desc) = 1
order by gpu_model, usd_per_gpu_hour
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
order by usd_per_pflop_hour nulls last
"""

CLAIMS_VS_EVIDENCE = """
select *
from marts.claims_vs_evidence
where (? is null or list_contains(?, network))
order by network, metric
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
