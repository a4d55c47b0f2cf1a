"""Freshness checks: yesterday's partition of every chain asset should be in by 03:00 UTC."""

import dagster as dg

from pipelines.defs.assets.evm import (
    evm_holder_balances,
    evm_staking_events,
    evm_supply_snapshots,
    evm_token_transfers,
    evm_vault_snapshots,
)

CHAIN_ASSET_KEYS = [
    evm_token_transfers, evm_staking_events, evm_vault_snapshots, evm_supply_snapshots, evm_holder_balances,
    dg.AssetKey(["raw", "solana_token_transfers"]), dg.AssetKey(["raw", "nosana_jobs"]),
    dg.AssetKey(["raw", "akash_leases"]), dg.AssetKey(["raw", "akash_staking"]),
]
# raw/nosana_stakes is a state snapshot (unpartitioned, pipelines/defs/jobs.py): a time-partition
# check on it fails every state_snapshots run ("None is not a TimeWindowPartitionsDefinition").

# The daily schedule runs at 01:00 UTC; two hours later the previous day's partition must exist.
chain_freshness_checks = dg.build_time_partition_freshness_checks(
    assets=CHAIN_ASSET_KEYS, deadline_cron="0 3 * * *", timezone="UTC")

freshness_checks_sensor = dg.build_sensor_for_freshness_checks(freshness_checks=chain_freshness_checks)
