"""Jobs and schedules."""

import dagster as dg

from pipelines.defs.partitions import daily

# Current-state reads (stake accounts, open jobs, staking pools, token supplies): unpartitioned,
# filed under the day they are taken, so they load every day they run.
STATE_SNAPSHOTS = dg.AssetSelection.keys(
    ["raw", "nosana_stakes"], ["raw", "nosana_open_jobs"], ["raw", "solana_supply_snapshots"],
    ["raw", "akash_staking_now"])

# The submissions inbox runs in its own job (bench_ingest, requested by its sensor): a file in
# the inbox, however hostile, can then never stop the daily build and publish.
SUBMISSIONS = dg.AssetSelection.assets(dg.AssetKey(["raw", "bench_runs"]))

# Ingest -> dbt build -> publish, over one day or a range of days in a single run.
daily_pipeline = dg.define_asset_job("daily_pipeline",
                                     selection=dg.AssetSelection.all() - STATE_SNAPSHOTS - SUBMISSIONS,
                                     partitions_def=daily)

# Every day at 01:00 UTC, for the day that just ended.
daily_pipeline_schedule = dg.build_schedule_from_partitioned_job(daily_pipeline, hour_of_day=1)

state_snapshots = dg.define_asset_job("state_snapshots", selection=STATE_SNAPSHOTS)

# Every day at 00:05 UTC (cron "5 0 * * *"): right after a day ends, before the daily pipeline builds it.
state_snapshots_schedule = dg.ScheduleDefinition(job=state_snapshots, cron_schedule="5 0 * * *",
                                                 execution_timezone="UTC")
