-- depinlens raw layer: the warehouse contract (see docs/architecture.md).
-- One place for the schema: the loaders, dbt's sources and the tests read this file.
-- Every row carries its provenance: network, chain, source, block, tx, log index, fetched_at.
-- Natural keys are documented per table; loads replace whole partitions, so a re-run
-- never duplicates (no PRIMARY KEY: DuckDB checks it eagerly inside a delete-then-insert).

create schema if not exists raw;

-- ERC-20 / SPL token movements. kind: transfer | mint (from the zero address) | burn (to it).
-- amount_raw: exact base units as DECIMAL(38,0); a uint256 of 10^38 or more is refused at
-- decode time with a clear error rather than wrapped or rounded.
-- natural key: (chain, tx_hash, log_index)
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
    block_hash     varchar      not null,
    block_time     timestamptz  not null,
    block_day      date         not null,
    tx_hash        varchar      not null,
    log_index      integer      not null,
    fetched_at     timestamptz  not null
);

-- Per source cursor: how far ingestion has read, and when.
-- natural key: (network, chain, contract, record_kind)
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
