"""Partitions, defined once and imported by every asset and job."""

from datetime import date, timedelta

import dagster as dg

# One partition per UTC day. Ingestion assets and dbt models accept a range of days in
# one run (single-run backfills), so a 30-day backfill is one run, not thirty.
daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone="UTC")
single_run = dg.BackfillPolicy.single_run()


def window_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """The first and last UTC day of the run's partition range (the window's end is exclusive)."""
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()
