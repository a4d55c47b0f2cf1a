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

NETWORKS = "select distinct network from marts.token_flows_daily order by 1"

PUBLISHED_AT = "select max(published_at) from meta.published"
