"""Jobs and schedules."""

import dagster as dg

from pipelines.defs.partitions import daily

# Ingest -> dbt build -> publish, over one day or a range of days in a single run.
daily_pipeline = dg.define_asset_job("daily_pipeline", selection=dg.AssetSelection.all(), partitions_def=daily)

# Every day at 01:00 UTC, for the day that just ended.
daily_pipeline_schedule = dg.build_schedule_from_partitioned_job(daily_pipeline, hour_of_day=1)
