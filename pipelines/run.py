"""Run the daily pipeline in-process over a window of days (used by the CLI and the tests)."""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Mapping
from datetime import date

import dagster as dg

from pipelines.stale_runs import launch_tags
from pipelines.window import check_window

ASSET_PARTITION_RANGE_START = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END = "dagster/asset_partition_range_end"

# Dagster plans a ranged run with one event per asset and day unless told to plan it per
# asset (one event carrying the range): 45 assets x 1,063 days (2024-01-01 to late 2026)
# are 48,000 planning events, written one synced SQLite insert at a time before the first
# step can start (measured: 63 days, 2,835 events, first step after 121 s; planned per
# asset, 45 events, first step after 13 s). Read by the instance at run creation.
PLAN_PER_ASSET = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}


@dg.logger(description="Warnings that steps log, one plain line each; errors are left to the caller.")
def plain_warnings(init_context: dg.InitLoggerContext) -> logging.Logger:
    """The CLI's quiet console: what a step warns about (e.g. an unverified contract skipped) without
    Dagster's event lines, and without the tracebacks of failed steps, which the CLI summarises."""
    logger = logging.Logger("depinlens.run", level=logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_is_user_message)
    handler.setFormatter(_StepFormatter())
    logger.addHandler(handler)
    return logger


def _is_user_message(record: logging.LogRecord) -> bool:
    """A step's own warning: WARNING level and no Dagster event (Dagster logs its own news as ERROR or as events)."""
    meta = getattr(record, "dagster_meta", None) or {}
    return record.levelno == logging.WARNING and meta.get("dagster_event") is None


class _StepFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        message = meta.get("orig_message") or record.getMessage()
        return f"{meta['step_key']}: {message}" if meta.get("step_key") else message


def run_pipeline(
    first_day: date,
    last_day: date,
    *,
    resources: Mapping[str, object] | None = None,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    log_level: str = "DEBUG",
    quiet: bool = False,
    selection: dg.AssetSelection | None = None,
    run_id: str | None = None,
    snapshots: bool | None = None,
    definitions: dg.Definitions | None = None,
) -> dg.ExecuteInProcessResult:
    """Ingest -> dbt build -> publish for UTC days first_day..last_day, as one Dagster run.

    The state snapshots (stake accounts, open jobs, staking pools, supplies: current state, not
    partitioned) are taken first, in their own run, so the build includes them. Runs are tagged
    with this process's identity (`pipelines.stale_runs.launch_tags`), so a later run can tell
    when this one's process is gone and free its pool slot. When the run fails, the reference
    tables it rewrote are put back (pipelines.reference.snapshots).

    Args:
        resources: overrides of the code location's resources (tests point them at a
            temporary warehouse and a local node).
        instance: the Dagster instance that records the run (DAGSTER_HOME's by default,
            so `dagster dev` shows it); tests pass an ephemeral one.
        log_level: console log level of the run (its events are stored in full either way).
        quiet: print only the warnings steps log, one plain line each, instead of Dagster's console log.
        selection: run only these assets (and what they need to run); all of them by default.
        run_id: the run's id, chosen by the caller so it can end the run if this process is stopped.
        snapshots: take the state snapshots first (default: when no selection is given).
        definitions: the assets, checks, jobs and resources to run from (default: the whole code
            location, `pipelines.definitions`); an ingestion worker passes only the chain readers.

    Raises:
        pipelines.window.WindowTooLong: the window is longer than one run may cover (nothing has run).
    """
    if definitions is None:
        from pipelines.definitions import defs
    else:
        defs = definitions

    check_window(first_day, last_day)
    os.environ.update(PLAN_PER_ASSET)
    job_name = "daily_pipeline"
    jobs = list(defs.jobs or [])
    if selection is not None:
        from pipelines.defs.partitions import daily

        job_name = "daily_pipeline_selection"
        jobs.append(dg.define_asset_job(job_name, selection=selection, partitions_def=daily))
    defs = dg.Definitions(assets=defs.assets, asset_checks=defs.asset_checks, jobs=jobs,
                          schedules=defs.schedules, sensors=defs.sensors,
                          resources={**(defs.resources or {}), **(resources or {})},
                          loggers={"console": dg.colored_console_logger, "plain_warnings": plain_warnings})
    instance = instance or dg.DagsterInstance.get()
    loggers = {"plain_warnings": {}} if quiet else {"console": {"config": {"log_level": log_level}}}
    if snapshots if snapshots is not None else selection is None:
        taken = defs.resolve_job_def("state_snapshots").execute_in_process(
            instance=instance, tags=launch_tags(), raise_on_error=raise_on_error, run_config={"loggers": loggers})
        if not taken.success:
            return taken
    run_id = run_id or str(uuid.uuid4())
    warehouse = _warehouse_path(resources)
    try:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            tags={ASSET_PARTITION_RANGE_START: first_day.isoformat(), ASSET_PARTITION_RANGE_END: last_day.isoformat(),
                  **launch_tags()},
            raise_on_error=raise_on_error,
            run_config={"loggers": loggers},
            run_id=run_id,
        )
    except BaseException:
        _settle(warehouse, run_id, succeeded=False)
        raise
    _settle(warehouse, run_id, succeeded=result.success)
    return result


def _warehouse_path(resources: Mapping[str, object] | None) -> str:
    warehouse = (resources or {}).get("warehouse")
    if warehouse is not None and hasattr(warehouse, "path"):
        return str(warehouse.path)
    from depinlens.settings import Settings

    return str(Settings.from_env().warehouse_path)


def _settle(warehouse: str, run_id: str, *, succeeded: bool) -> None:
    """Put back the reference tables a failed run rewrote (drop the copies of one that succeeded)."""
    from warehouse import is_lake

    if not is_lake(warehouse) and not os.path.exists(warehouse):
        return
    from pipelines.reference.snapshots import settle_reference_tables

    try:
        settle_reference_tables(warehouse, run_id, succeeded=succeeded)
    except Exception:  # noqa: BLE001 - a damaged or locked warehouse is the run's own error to report
        if succeeded:
            raise
