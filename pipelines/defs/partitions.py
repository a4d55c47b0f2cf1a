"""Partitions, defined once and imported by every asset and job."""

import dagster as dg

# One partition per UTC day. Ingestion assets and dbt models accept a range of days in
# one run (single-run backfills), so a 30-day backfill is one run, not thirty.
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone="UTC")
single_run = dg.BackfillPolicy.single_run()
