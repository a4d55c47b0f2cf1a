-- depinlens raw layer: the warehouse contract (see docs/architecture.md).
-- One place for the schema: warehouse/schema/*.sql, applied in name order by
-- warehouse.connect_warehouse(); each file owns one domain's tables.
-- Every row carries its provenance: network, chain, source, block, tx, log index, fetched_at.
-- Natural keys are documented per table; loads replace whole partitions, so a re-run
-- never duplicates (no PRIMARY KEY: DuckDB checks it eagerly inside a delete-then-insert).

create schema if not exists raw;

-- ERC-20 / SPL token movements. kind: transfer | mint (from the zero address) | burn (to it).
-- amount_raw: exact base units as DECIMAL(38,0); a uint256 of 10^38 or more is refused at
-- decode time with a clear error rather than wrapped or rounded.
-- EVM: block_number = block, tx_hash = tx hash, log_index = log index, inner_index null.
-- Solana: block_number = slot, block_hash null (only finalized slots are read, and they never
--         reorg, so no per-slot getBlock is spent on a hash), tx_hash = signature,
--         log_index = top-level instruction index, inner_index = inner instruction index (null if top-level).
-- natural key: (chain, tx_hash, log_index, inner_index)
create table if not exists raw.token_transfers (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    token_symbol   varchar      not null,
    token_address  varchar      not null,
    decimals       utinyint     not null,
    kind           varchar      not null check (kind in ('transfer', 'mint', 'burn')),
    from_address   varchar      not null,
    to_address     varchar      not null,
    amount_raw     decimal(38, 0) not null check (amount_raw >= 0),
    block_number   bigint       not null,
    block_hash     varchar,
    block_time     timestamptz  not null,
    block_day      date         not null,
    tx_hash        varchar      not null,
    log_index      integer      not null,
    inner_index    integer,
    fetched_at     timestamptz  not null
);
alter table raw.token_transfers alter column block_hash drop not null;  -- warehouses made before Solana rows dropped it

-- Staking actions: stake, unstake, withdraw, reward, claim (per contract/program in the registry).
-- natural key: (chain, tx_hash, log_index, inner_index)
create table if not exists raw.staking_events (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    contract       varchar      not null,
    event          varchar      not null,
    staker         varchar,
    token_symbol   varchar      not null,
    decimals       utinyint     not null,
    amount_raw     decimal(38, 0) not null check (amount_raw >= 0),
    block_number   bigint       not null,
    block_hash     varchar      not null,
    block_time     timestamptz  not null,
    block_day      date         not null,
    tx_hash        varchar      not null,
    log_index      integer      not null,
    inner_index    integer,
    fetched_at     timestamptz  not null
);

-- Point-in-time staking state: a pool's bonded tokens, inflation, a stake account's amount.
-- metric names are per network (e.g. bonded_tokens, inflation, community_tax, stake_amount, xnos).
-- amount_raw holds exact base units when the metric is an amount; value holds ratios and rates.
-- natural key: (network, chain, source, snapshot_day, account, metric)
create table if not exists raw.staking_snapshots (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    account        varchar      not null,
    metric         varchar      not null,
    amount_raw     decimal(38, 0),
    value          double,
    unit           varchar      not null,
    block_number   bigint,
    snapshot_time  timestamptz  not null,
    snapshot_day   date         not null,
    fetched_at     timestamptz  not null
);

-- ERC-4626 vault state per block read: the NAV series behind GAIB-style yields.
-- natural key: (chain, vault, block_number)
create table if not exists raw.vault_snapshots (
    network            varchar      not null,
    chain              varchar      not null,
    source             varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    vault              varchar      not null,
    asset_decimals     utinyint     not null,
    total_assets_raw   decimal(38, 0) not null,
    total_supply_raw   decimal(38, 0) not null,
    assets_per_share_raw decimal(38, 0) not null,  -- convertToAssets(10^share_decimals)
    block_number       bigint       not null,
    block_time         timestamptz  not null,
    block_day          date         not null,
    fetched_at         timestamptz  not null
);

-- Compute jobs and leases: Akash leases, Nosana jobs.
-- price is per `price_unit` (per_block for Akash, per_second for Nosana) in `price_denom`
-- (uakt, uact, NOS base units...), exact as the chain states it (Akash prices are DecCoins).
-- natural key: (network, chain, job_id)
create table if not exists raw.jobs (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    job_id         varchar      not null,
    provider       varchar,
    client         varchar,
    market         varchar,
    gpu_model      varchar,
    gpu_count      integer,
    state          varchar      not null,
    price          decimal(38, 18) not null,
    price_denom    varchar      not null,
    price_unit     varchar      not null check (price_unit in ('per_block', 'per_second', 'per_hour', 'total')),
    usd_per_hour   double,
    started_at     timestamptz,
    ended_at       timestamptz,
    created_height bigint,
    closed_height  bigint,
    tx_hash        varchar,
    observed_day   date         not null,
    fetched_at     timestamptz  not null
);

-- Akash provider audits: what Akash's audit module (/akash/audit/v1/audit/attributes/list) says of each
-- provider that a run saw in its leases, read once per run at the node's latest block. One row per
-- provider and auditor that signed its attributes (attributes: the signed key/value pairs as JSON text);
-- a provider the module lists no audit for gets one row with auditor null, so "not audited" is a
-- reading, not an absence of one.
-- natural key: (network, chain, source, observed_day, provider, auditor)
create table if not exists raw.provider_audits (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    provider       varchar      not null,
    auditor        varchar,
    attributes     varchar      not null,
    block_number   bigint       not null,
    block_time     timestamptz  not null,
    observed_day   date         not null,
    fetched_at     timestamptz  not null
);

-- Per source cursor: how far ingestion has read, and when. It only moves forward: a backfill
-- of an older window leaves it where it is. last_ref is the newest signature read (Solana),
-- the `until` of the next run's paging. Loads append a row per cursor; the cursor is the row
-- with the highest last_block (then the newest updated_at), and settle_cursors keeps only it.
-- natural key: (network, chain, contract, record_kind), after settle_cursors
create table if not exists raw.ingest_state (
    network        varchar      not null,
    chain          varchar      not null,
    contract       varchar      not null,
    record_kind    varchar      not null,
    last_block     bigint       not null,
    last_day       date         not null,
    source         varchar      not null,
    updated_at     timestamptz  not null
);
alter table raw.ingest_state add column if not exists last_ref varchar;

-- The days each reader has finished, per scope (a token, program, account, market): a re-run
-- skips a complete day unless asked to refresh. A day read while its end was newer than the
-- chain's safe head is stored but not complete, so the next run reads it again.
-- oldest_ref / newest_ref: the day's oldest and newest signature (Solana paging anchors).
-- natural key: (chain, source, record_kind, scope, day)
create table if not exists raw.ingest_days (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null,
    record_kind    varchar      not null,
    scope          varchar      not null,
    day            date         not null,
    row_count      integer      not null,
    complete       boolean      not null,
    first_block    bigint,
    last_block     bigint,
    oldest_ref     varchar,
    newest_ref     varchar,
    fetched_at     timestamptz  not null
);

-- The blocks (EVM), heights (Cosmos) of each UTC day, measured from block headers: where later
-- runs start their searches, and Akash's seconds per block per day.
-- natural key: (chain, source, day)
create table if not exists raw.block_days (
    chain            varchar      not null,
    source           varchar      not null,
    day              date         not null,
    first_block      bigint       not null,
    last_block       bigint       not null,
    first_block_time timestamptz  not null,
    last_block_time  timestamptz  not null,
    next_block_time  timestamptz,          -- time of last_block + 1 (the next day's first block), when known
    fetched_at       timestamptz  not null
);

-- Total supply of a token as the chain states it at one block/slot: ERC-20 totalSupply() at a
-- day's last block; SPL getTokenSupply observed right after a day ends. The cross-check of
-- summed mints and burns (the `supply_matches_flows` asset check).
-- natural key: (chain, source, token_address, block_number)
create table if not exists raw.supply_snapshots (
    network        varchar      not null,
    chain          varchar      not null,
    source         varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    token_symbol   varchar      not null,
    token_address  varchar      not null,
    decimals       utinyint     not null,
    supply_raw     decimal(38, 0) not null check (supply_raw >= 0),
    block_number   bigint       not null,
    block_time     timestamptz  not null,
    snapshot_day   date         not null,   -- the UTC day whose end the supply stands for
    fetched_at     timestamptz  not null
);

-- The registry (networks.toml) as tables, so marts can join network names, revenue
-- definitions and contract roles; reloaded whole on every run. source = 'reference'.
-- natural keys: network / (network, chain, address)
create table if not exists raw.registry_networks (
    network            varchar  not null,
    name               varchar  not null,
    revenue_definition varchar  not null,
    revenue_model      varchar  not null,
    burn_share_of_fees double,
    rewards_source     varchar,
    primary_token      varchar,
    fetched_at         timestamptz not null
);

-- Protocol take per payment token (networks.toml take_rates). natural key: (network, token)
create table if not exists raw.registry_take_rates (
    network        varchar  not null,
    token          varchar  not null,
    take_rate      double   not null,
    fetched_at     timestamptz not null
);

create table if not exists raw.registry_contracts (
    network        varchar  not null,
    chain          varchar  not null,
    chain_family   varchar  not null,
    local_chain    boolean  not null,
    role           varchar  not null,   -- token | staking | staking_holder | vault | jobs | rewards | licence_nft
    label          varchar  not null,   -- token symbol or program name
    address        varchar  not null,
    decimals       utinyint,
    verified       boolean  not null,
    reference      varchar  not null,
    fetched_at     timestamptz not null
);

-- What the live path cannot measure for a network, and why (networks.toml [networks.<id>.not_measured]):
-- pages and reports show the reason instead of an empty or zero figure. metric: a network_daily
-- column (`emissions_usd`), its stem (`emissions`) or a measure it rests on (`jobs`, `vault`).
-- natural key: (network, metric)
create table if not exists raw.registry_not_measured (
    network        varchar  not null,
    metric         varchar  not null,
    reason         varchar  not null,
    fetched_at     timestamptz not null
);

-- The account each metric is read through on a chain (networks.toml [[networks.<id>.signals]]),
-- the RPC methods and what a day costs, so pages can cite how a figure is read.
-- natural key: (network, metric, chain, account)
create table if not exists raw.registry_signals (
    network        varchar  not null,
    metric         varchar  not null,
    chain          varchar  not null,
    chain_family   varchar  not null,
    local_chain    boolean  not null,
    account        varchar  not null,
    token          varchar,
    method         varchar  not null,
    cost           varchar  not null,
    verified       boolean  not null,
    reference      varchar  not null,
    fetched_at     timestamptz not null
);

-- The primary token's maximum supply (networks.toml token `max_supply`), whole tokens, with its source and
-- the day it was read; or, for an uncapped (inflationary) token, why it has none. A network without a row
-- has no verified cap: it shows no fully diluted value.
-- natural key: (network)
create table if not exists raw.registry_max_supplies (
    network            varchar  not null,
    token              varchar  not null,
    max_supply_tokens  decimal(38, 8),
    uncapped_reason    varchar,
    source             varchar  not null,
    as_of              date     not null,
    fetched_at         timestamptz not null
);
