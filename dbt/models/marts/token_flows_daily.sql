-- One row per day x network x chain x token x source: tokens minted, burned and transferred.
-- Incremental: a run rebuilds every day from its window's first day (less the lookback) on
-- (macros/window.sql, strategy rebuild_from_window).
{{ config(materialized='incremental', incremental_strategy='rebuild_from_window') }}

with

transfers as (

    select * from {{ ref('stg_onchain__token_transfers') }}
    {% if is_incremental() %}
    -- the days this run rebuilds: its window's first day (less the lookback) and every later day
    where block_day >= {{ window_start() }}
    {% endif %}

),

daily_flows as (

    select
        -- ids
        block_day as day,
        network,
        chain,
        source,
        token_symbol,
        token_address,
        any_value(decimals) as decimals,

        -- numerics: exact base units
        coalesce(sum(amount_raw) filter (where kind = 'mint'), 0)::decimal(38, 0) as minted_raw,
        coalesce(sum(amount_raw) filter (where kind = 'burn'), 0)::decimal(38, 0) as burned_raw,
        coalesce(sum(amount_raw) filter (where kind = 'transfer'), 0)::decimal(38, 0) as transferred_raw,
        count(*) filter (where kind = 'mint') as mint_count,
        count(*) filter (where kind = 'burn') as burn_count,
        count(*) filter (where kind = 'transfer') as transfer_count,
        min(block_number) as first_block,
        max(block_number) as last_block,
        -- on-chain references a reader can look up: the day's first and last transaction
        arg_min(tx_hash, block_number * 100000 + log_index) as first_tx,
        arg_max(tx_hash, block_number * 100000 + log_index) as last_tx

    from transfers
    group by all

),

with_token_units as (

    select
        *,
        (minted_raw - burned_raw)::decimal(38, 0) as net_issuance_raw,
        minted_raw::double / pow(10, decimals) as minted,
        burned_raw::double / pow(10, decimals) as burned,
        transferred_raw::double / pow(10, decimals) as transferred,
        (minted_raw - burned_raw)::double / pow(10, decimals) as net_issuance,
        day || ':' || network || ':' || chain || ':' || token_address || ':' || source as flow_key

    from daily_flows

)

select * from with_token_units
