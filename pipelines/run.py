"""Run the daily pipeline in-process over a window of days (used by the CLI and the tests)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import dagster as dg

ASSET_PARTITION_RANGE_START = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END = "dagster/asset_partition_range_end"


def run_pipeline(
    first_day: date,
    last_day: date,
    *,
    resources: Mapping[str, object] | None = None,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
    selection: dg.AssetSelection | None = None,
    snapshots: bool | None = None,
) -> dg.ExecuteInProcessResult:
    """Ingest -> dbt build -> publish for UTC days first_day..last_day, as one Dagster run.

    The state snapshots (stake accounts, open jobs, staking pools, supplies: current state, not
    partitioned) are taken first, in their own run, so the build includes them.

    Args:
        resources: overrides of the code location's resources (tests point them at a
            temporary warehouse and a local node).
        instance: the Dagster instance that records the run (DAGSTER_HOME's by default,
            so `dagster dev` shows it); tests pass an ephemeral one.
        log_level: console log level of the run (its events are stored in full either way).
        selection: run only these assets (and what they need to run); all of them by default.
        snapshots: take the state snapshots first (default: when no selection is given).
    """
    from pipelines.definitions import defs

    job_name = "daily_pipeline"
    jobs = list(defs.jobs or [])
    if selection is not None:
        from pipelines.defs.partitions import daily

        job_name = "daily_pipeline_selection"
        jobs.append(dg.define_asset_job(job_name, selection=selection, partitions_def=daily))
    if resources or selection is not None:
        defs = dg.Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=jobs,
                              schedules=defs.schedules, sensors=defs.sensors,
                              resources={**(defs.resources or {}), **(resources or {})})
    if snapshots if snapshots is not None else selection is None:
        taken = defs.resolve_job_def("state_snapshots").execute_in_process(
            instance=instance or dg.DagsterInstance.get(), raise_on_error=raise_on_error,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
        if not taken.success:
            return taken
    job = defs.resolve_job_def(job_name)
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.get(),
        tags={ASSET_PARTITION_RANGE_START: first_day.isoformat(), ASSET_PARTITION_RANGE_END: last_day.isoformat()},
        raise_on_error=raise_on_error,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
