-- Registry contracts: a bridged copy of a network's token (networks.toml `bridged = true`, Gensyn's AI on
-- Ethereum): its mints and burns are bridge movements, left out of emissions and burns. Added here,
-- by ALTER, so warehouses made before it gain the column too.
alter table raw.registry_contracts add column if not exists bridged boolean;

-- GPU finance (issue 16): loan router events and a lending vault's share prices.

-- raw.loan_events: one row per loan router log (USD.AI loan router v1's events, exact signatures
-- from metastreet-labs/usdai-loan-router-contracts src/interfaces/ILoanRouter.sol). Amounts are the
-- currency token's base units; only `originated` names the currency token (join by loan_terms_hash).
-- fee_raw: origination fee (originated), exit fee (repaid), liquidation fee (collateral_liquidated).
-- natural key: (chain, tx_hash, log_index)
create table if not exists raw.loan_events (
    network            varchar      not null,
    chain              varchar      not null,
    source             varchar      not null check (source in ('live', 'local', 'demo', 'reference')),
    contract           varchar      not null,
    event              varchar      not null check (event in ('originated', 'lender_repaid', 'repaid', 'liquidated',
                                                              'lender_liquidation_repaid', 'collateral_liquidated')),
    loan_terms_hash    varchar      not null,
    borrower           varchar,
    lender             varchar,
    currency_token     varchar,
    tranche_index      integer,
    principal_raw      decimal(38, 0),
    interest_raw       decimal(38, 0),
    prepay_raw         decimal(38, 0),
    fee_raw            decimal(38, 0),
    proceeds_raw       decimal(38, 0),
    surplus_raw        decimal(38, 0),
    is_repaid          boolean,
    block_number       bigint       not null,
    block_hash         varchar      not null,
    block_time         timestamptz  not null,
    block_day          date         not null,
    tx_hash            varchar      not null,
    log_index          integer      not null,
    fetched_at         timestamptz  not null
);

-- The collateral an origination's loan terms state (the events name none): read from the borrow()
-- calldata of the row's own transaction (tx_hash), so tx_hash is its provenance. Originations only.
-- collateral_status: 'stated' (decoded from a direct borrow() call of the router whose terms name the
-- event's borrower and currency) or 'unknown' (collateral_reason says why: a multicall or another
-- contract called the router, ...). collateral_token_id is the uint256 in decimal (wrapper token ids are
-- hashes, wider than DECIMAL(38,0)); collateral_wrapper_context is LoanTerms.collateralWrapperContext
-- as 0x-hex (a BundleCollateralWrapper's encoded bundle). Added by ALTER, so warehouses made before it
-- gain the columns too.
alter table raw.loan_events add column if not exists collateral_status varchar;
alter table raw.loan_events add column if not exists collateral_token varchar;
alter table raw.loan_events add column if not exists collateral_token_id varchar;
alter table raw.loan_events add column if not exists collateral_wrapper_context varchar;
alter table raw.loan_events add column if not exists collateral_reason varchar;

-- raw.vault_prices: a lending vault's own valuation at the last block of a day (sUSDai's reads):
-- nav() and depositSharePrice() value loans at their balance, redemptionSharePrice() conservatively;
-- prices are 18-decimal fixed point. natural key: (chain, source, vault, block_day)
create table if not exists raw.vault_prices (
    network                    varchar        not null,
    chain                      varchar        not null,
    source                     varchar        not null check (source in ('live', 'local', 'demo', 'reference')),
    vault                      varchar        not null,
    asset_decimals             utinyint       not null,
    nav_raw                    decimal(38, 0) not null,
    deposit_share_price_raw    decimal(38, 0) not null,
    redemption_share_price_raw decimal(38, 0) not null,
    block_number               bigint         not null,
    block_time                 timestamptz    not null,
    block_day                  date           not null,
    fetched_at                 timestamptz    not null
);
