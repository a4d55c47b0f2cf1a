"""Jobs and schedules."""

import dagster as dg

from pipelines.defs.partitions import daily

# The submissions inbox runs in its own job (bench_ingest, requested by its sensor): a file in
# the inbox, however hostile, can then never stop the daily build and publish.
SUBMISSIONS = dg.AssetSelection.assets(dg.AssetKey(["raw", "bench_runs"]))

# Ingest -> dbt build -> publish, over one day or a range of days in a single run.
daily_pipeline = dg.define_asset_job("daily_pipeline", selection=dg.AssetSelection.all() - SUBMISSIONS,
                                     partitions_def=daily)

# Every day at 01:00 UTC, for the day that just ended.
daily_pipeline_schedule = dg.build_schedule_from_partitioned_job(daily_pipeline, hour_of_day=1)
