"""Freshness checks: yesterday's partition of every chain asset by 03:00 UTC, and today's state
snapshots by 02:00 UTC."""

import datetime

import dagster as dg

CHAIN_ASSET_KEYS = [
    dg.AssetKey(["raw", name]) for name in (
        "evm_token_transfers", "evm_staking_events", "evm_vault_snapshots", "evm_supply_snapshots",
        "evm_holder_balances", "evm_loan_events", "evm_vault_prices", "solana_token_transfers", "nosana_jobs",
        "akash_leases", "akash_staking")]
SNAPSHOT_ASSET_KEYS = [
    dg.AssetKey(["raw", name]) for name in (
        "nosana_stakes", "nosana_open_jobs", "solana_supply_snapshots", "akash_staking_now")]

# The daily schedule runs at 01:00 UTC; two hours later the previous day's partition must exist.
chain_freshness_checks = dg.build_time_partition_freshness_checks(
    assets=CHAIN_ASSET_KEYS, deadline_cron="0 3 * * *", timezone="UTC")

# The snapshot schedule runs at 00:05 UTC; by 02:00 the day's snapshot must have been taken.
snapshot_freshness_checks = dg.build_last_update_freshness_checks(
    assets=SNAPSHOT_ASSET_KEYS, lower_bound_delta=datetime.timedelta(hours=26), deadline_cron="0 2 * * *",
    timezone="UTC")

freshness_checks_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=[*chain_freshness_checks, *snapshot_freshness_checks])
