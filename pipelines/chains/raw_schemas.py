"""Arrow schemas of the raw tables the chain adapters fill, one place for all of them.

They mirror `warehouse/schema/00_core.sql` column for column (tests/test_raw_schemas.py checks
that they agree), so a decoder's table loads into DuckDB without a cast guessing at types.
Amounts are exact DECIMAL(38,0) base units; times are UTC microseconds.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")
AMOUNT = pa.decimal128(38, 0)

# raw.token_transfers. EVM: one row per Transfer log. Solana: block_number = slot, block_hash =
# null (finalized slots only), tx_hash = signature, log_index = top-level instruction index,
# inner_index = position inside that instruction's inner instructions (null at top level).
TOKEN_TRANSFERS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()),
    ("token_symbol", pa.string()), ("token_address", pa.string()), ("decimals", pa.uint8()),
    ("kind", pa.string()), ("from_address", pa.string()), ("to_address", pa.string()),
    ("amount_raw", AMOUNT),
    ("block_number", pa.int64()), ("block_hash", pa.string()),
    ("block_time", TIMESTAMP), ("block_day", pa.date32()),
    ("tx_hash", pa.string()), ("log_index", pa.int32()), ("inner_index", pa.int32()),
    ("fetched_at", TIMESTAMP),
])

# raw.staking_events: pool and vault events (EVM), decoded per ABI fragment.
STAKING_EVENTS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("contract", pa.string()),
    ("event", pa.string()), ("staker", pa.string()), ("token_symbol", pa.string()), ("decimals", pa.uint8()),
    ("amount_raw", AMOUNT), ("block_number", pa.int64()), ("block_hash", pa.string()),
    ("block_time", TIMESTAMP), ("block_day", pa.date32()), ("tx_hash", pa.string()),
    ("log_index", pa.int32()), ("inner_index", pa.int32()), ("fetched_at", TIMESTAMP),
])

# raw.vault_snapshots: an ERC-4626 vault's NAV at the last block of a day.
VAULT_SNAPSHOTS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("vault", pa.string()),
    ("asset_decimals", pa.uint8()), ("total_assets_raw", AMOUNT),
    ("total_supply_raw", AMOUNT), ("assets_per_share_raw", AMOUNT),
    ("block_number", pa.int64()), ("block_time", TIMESTAMP), ("block_day", pa.date32()),
    ("fetched_at", TIMESTAMP),
])

# raw.jobs: Akash leases and Nosana jobs, one row per job per window it was active in.
JOBS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("job_id", pa.string()),
    ("provider", pa.string()), ("client", pa.string()), ("market", pa.string()),
    ("gpu_model", pa.string()), ("gpu_count", pa.int32()), ("state", pa.string()),
    ("price", pa.decimal128(38, 18)), ("price_denom", pa.string()), ("price_unit", pa.string()),
    ("usd_per_hour", pa.float64()), ("started_at", TIMESTAMP), ("ended_at", TIMESTAMP),
    ("created_height", pa.int64()), ("closed_height", pa.int64()), ("tx_hash", pa.string()),
    ("observed_day", pa.date32()), ("fetched_at", TIMESTAMP),
])

# raw.staking_snapshots: state reads (Akash pool and parameters, Nosana stake accounts).
STAKING_SNAPSHOTS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("account", pa.string()),
    ("metric", pa.string()), ("amount_raw", AMOUNT), ("value", pa.float64()), ("unit", pa.string()),
    ("block_number", pa.int64()), ("snapshot_time", TIMESTAMP), ("snapshot_day", pa.date32()),
    ("fetched_at", TIMESTAMP),
])

# raw.supply_snapshots: a token's total supply at one block (EVM) or slot (Solana).
SUPPLY_SNAPSHOTS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()),
    ("token_symbol", pa.string()), ("token_address", pa.string()), ("decimals", pa.uint8()),
    ("supply_raw", AMOUNT), ("block_number", pa.int64()), ("block_time", TIMESTAMP),
    ("snapshot_day", pa.date32()), ("fetched_at", TIMESTAMP),
])

# raw.loan_events: loan router logs (warehouse/schema/30_gpu_finance.sql), one row per log.
LOAN_EVENTS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("contract", pa.string()),
    ("event", pa.string()), ("loan_terms_hash", pa.string()), ("borrower", pa.string()), ("lender", pa.string()),
    ("currency_token", pa.string()), ("tranche_index", pa.int32()),
    ("principal_raw", AMOUNT), ("interest_raw", AMOUNT), ("prepay_raw", AMOUNT), ("fee_raw", AMOUNT),
    ("proceeds_raw", AMOUNT), ("surplus_raw", AMOUNT), ("is_repaid", pa.bool_()),
    ("block_number", pa.int64()), ("block_hash", pa.string()), ("block_time", TIMESTAMP), ("block_day", pa.date32()),
    ("tx_hash", pa.string()), ("log_index", pa.int32()), ("fetched_at", TIMESTAMP),
    ("collateral_status", pa.string()), ("collateral_token", pa.string()), ("collateral_token_id", pa.string()),
    ("collateral_wrapper_context", pa.string()), ("collateral_reason", pa.string()),
])

# raw.vault_prices: a lending vault's nav() and share prices at the last block of a day.
VAULT_PRICES_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("vault", pa.string()),
    ("asset_decimals", pa.uint8()), ("nav_raw", AMOUNT), ("deposit_share_price_raw", AMOUNT),
    ("redemption_share_price_raw", AMOUNT), ("block_number", pa.int64()), ("block_time", TIMESTAMP),
    ("block_day", pa.date32()), ("fetched_at", TIMESTAMP),
])

# raw.provider_audits: Akash's audit module on each provider a run saw (auditor null: no audit listed).
PROVIDER_AUDITS_SCHEMA = pa.schema([
    ("network", pa.string()), ("chain", pa.string()), ("source", pa.string()), ("provider", pa.string()),
    ("auditor", pa.string()), ("attributes", pa.string()), ("block_number", pa.int64()),
    ("block_time", TIMESTAMP), ("observed_day", pa.date32()), ("fetched_at", TIMESTAMP),
])
