"""gpu_bench submissions: a sensor on the inbox, and the asset that verifies and loads them.

The inbox is a queue, not a time series, so the asset is not partitioned: each run takes every
file not loaded before (by path and SHA-256), and re-running changes nothing. It runs only in
its own job, `bench_ingest`, which the sensor requests when files arrive; the daily pipeline
leaves it out (pipelines/defs/jobs.py), so whatever anyone drops in the inbox can never stop the
daily build and publish. dbt reads raw.bench_runs / raw.bench_rejections as they stand; accepted
runs reach the marts at the next daily build.
"""

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta

import dagster as dg

from depinlens.settings import Settings
from gpu_bench.inbox import list_inbox, printable
from pipelines.bench.ingest import LazyPeaks, ingest_inbox
from gpu_bench.peaks import load_peak_specs
from gpu_bench.verify import VerifyPolicy
from pipelines.defs.resources import WarehouseResource


class BenchInboxResource(dg.ConfigurableResource):
    """Where submissions arrive and the limits they are judged by.

    Empty `inbox` means $DEPINLENS_BENCH_INBOX, else <data dir>/submissions, resolved when used
    (so a test's or a CLI's DEPINLENS_DATA_DIR applies). Empty `peak_specs_path` means
    reference/gpu_peak_specs.csv.
    """

    inbox: str = ""
    peak_specs_path: str = ""
    source: str = "live"
    max_bytes: int = 1 << 20
    max_age_days: int = 30

    def location(self) -> str:
        """The inbox directory or URL."""
        if self.inbox:
            return self.inbox
        return os.environ.get("DEPINLENS_BENCH_INBOX") or str(Settings.from_env().data_dir / "submissions")

    def policy(self) -> VerifyPolicy:
        return VerifyPolicy(max_bytes=self.max_bytes, max_age=timedelta(days=self.max_age_days))

    def peaks(self) -> LazyPeaks:
        return LazyPeaks(lambda: load_peak_specs(self.peak_specs_path or None))


@dg.asset(
    key=["raw", "bench_runs"],
    group_name="gpu_bench",
    kinds={"duckdb"},
    pool="warehouse",
)
def bench_runs(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
               bench_inbox: BenchInboxResource) -> dg.MaterializeResult:
    """Verified gpu_bench submissions: accepted runs to raw.bench_runs, refused files to raw.bench_rejections."""
    from pipelines.reference.gpu_models import canonical_gpu_model

    inbox = bench_inbox.location()
    with warehouse.get_connection() as conn:
        report = ingest_inbox(conn, inbox, peaks=bench_inbox.peaks(), canonical_model=canonical_gpu_model,
                              now=datetime.now(UTC), source=bench_inbox.source, policy=bench_inbox.policy())
    for path, code in report.rejected.items():
        context.log.warning(f"rejected {path}: {code}")
    for path in report.vanished:
        context.log.info(f"{path} disappeared before it was read; nothing recorded")
    context.log.info(f"{inbox}: {report.files_seen} files, {len(report.accepted)} accepted, "
                     f"{len(report.rejected)} rejected, {report.already_loaded} already loaded")
    return dg.MaterializeResult(metadata={
        "inbox": inbox,
        "files_seen": report.files_seen,
        "accepted": len(report.accepted),
        "rejected": len(report.rejected),
        "already_loaded": report.already_loaded,
        "measurement_rows": report.measurement_rows,
        "rejection_reasons": report.reasons(),
    })


# Runs the bench asset alone; requested by the sensor when files arrive (never part of the daily pipeline).
bench_ingest = dg.define_asset_job("bench_ingest", selection=dg.AssetSelection.assets(bench_runs))


@dg.sensor(job=bench_ingest, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def bench_submissions_sensor(context: dg.SensorEvaluationContext,
                             bench_inbox: BenchInboxResource) -> dg.SensorResult | dg.SkipReason:
    """Request a bench_ingest run when inbox files appear or change (cursor: path → mtime:size or ETag)."""
    inbox = bench_inbox.location()
    files = list_inbox(inbox)
    known: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    new = [f for f in files if known.get(f.path) != f.version]
    if not new:
        return dg.SkipReason(f"no new submissions in {inbox} ({len(files)} known)")
    run_key = hashlib.sha256("\n".join(f"{printable(f.path)}:{f.version}" for f in new).encode()).hexdigest()[:32]
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key, tags={"depinlens/new_submissions": str(len(new))})],
        cursor=json.dumps({f.path: f.version for f in files}, sort_keys=True),
    )


@dg.definitions
def bench_definitions() -> dg.Definitions:
    """This module's asset, job, sensor and the inbox resource (from DEPINLENS_BENCH_INBOX, DEPINLENS_BENCH_SOURCE)."""
    return dg.Definitions(
        assets=[bench_runs],
        jobs=[bench_ingest],
        sensors=[bench_submissions_sensor],
        resources={"bench_inbox": BenchInboxResource(
            inbox=os.environ.get("DEPINLENS_BENCH_INBOX", ""),
            source=os.environ.get("DEPINLENS_BENCH_SOURCE", "live"),
        )},
    )
