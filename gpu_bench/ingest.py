"""Pipeline side: verify every not-yet-loaded inbox file and load the verdicts in one transaction.

A file is identified by (path, SHA-256 of its bytes): re-running loads nothing twice, a file
replaced in place is judged again, and nothing is ever deleted from the inbox. Accepted runs
become one raw.bench_runs row per measurement; refused files one raw.bench_rejections row.
All files are read and verified before the transaction starts, so a failure (an unreadable
inbox, a missing peak table) leaves the warehouse as it was.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gpu_bench.inbox import list_inbox, read_head
from gpu_bench.peaks import PeakSpec
from gpu_bench.verify import DEFAULT_POLICY, Accepted, Rejected, VerifyPolicy, verify_submission

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


@dataclass
class IngestReport:
    """What one pass over the inbox did."""

    files_seen: int = 0
    already_loaded: int = 0
    accepted: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # path -> reason code
    measurement_rows: int = 0

    def reasons(self) -> dict[str, int]:
        return dict(Counter(self.rejected.values()))


class LazyPeaks(Mapping[str, PeakSpec]):
    """The peak table, read on first use: a pass with only CPU runs needs no table at all."""

    def __init__(self, load: Callable[[], dict[str, PeakSpec]]) -> None:
        self._load, self._table = load, None

    def _get(self) -> dict[str, PeakSpec]:
        if self._table is None:
            self._table = self._load()
        return self._table

    def __getitem__(self, key: str) -> PeakSpec:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def ingest_inbox(
    conn: duckdb.DuckDBPyConnection,
    inbox: str,
    *,
    peaks: Mapping[str, PeakSpec],
    canonical_model: Callable[[str], str],
    now: datetime,
    source: str,
    policy: VerifyPolicy = DEFAULT_POLICY,
) -> IngestReport:
    """Verify and load every file of `inbox` not loaded before.

    Args:
        conn: read-write warehouse connection (schema applied).
        inbox: directory or fsspec URL.
        peaks, canonical_model, policy: passed to verify_submission.
        now: verification time, also recorded as received_at.
        source: provenance label of the rows (live, local, demo).
    """
    report = IngestReport()
    loaded = set(conn.execute("select submission_path, submission_sha256 from raw.bench_runs "
                              "union select submission_path, submission_sha256 from raw.bench_rejections").fetchall())
    seen = set(conn.execute("select distinct operator_pubkey, nonce from raw.bench_runs").fetchall())
    runs: list[dict[str, Any]] = []
    rejections: list[dict[str, Any]] = []
    for entry in list_inbox(inbox):
        report.files_seen += 1
        head, sha, size = read_head(entry.path, policy.max_bytes)
        if (entry.path, sha) in loaded:
            report.already_loaded += 1
            continue
        verdict = verify_submission(head, seen_nonces=seen, peaks=peaks, canonical_model=canonical_model, now=now,
                                    policy=policy, file_size=size, file_sha256=sha)
        loaded.add((entry.path, sha))
        if isinstance(verdict, Accepted):
            seen.add((verdict.submission.public_key, verdict.submission.nonce))
            runs += run_rows(verdict, entry.path, now, source)
            report.accepted.append(entry.path)
        else:
            rejections.append(rejection_row(verdict, entry.path, size, now, source))
            report.rejected[entry.path] = verdict.code
    _load(conn, runs, rejections)
    report.measurement_rows = len(runs)
    return report


def run_rows(verdict: Accepted, path: str, received_at: datetime, source: str) -> list[dict[str, Any]]:
    """raw.bench_runs rows of an accepted submission, one per measurement."""
    sub, result = verdict.submission, verdict.submission.result
    index = int(result.device.split(":")[1]) if result.device.startswith("cuda:") else None
    gpu = next((g for g in result.fingerprint.gpus if g.index == index), None)
    fingerprint = result.fingerprint.model_dump(mode="json", exclude={"packages"})
    versions = {**result.fingerprint.packages, "gpu_bench": result.tool_version}
    return [{
        "run_id": result.run_id, "measurement_index": i, "submission_path": path,
        "submission_sha256": verdict.file_sha256, "operator_pubkey": sub.public_key, "key_type": sub.key_type,
        "nonce": sub.nonce, "signed_at": sub.signed_at, "received_at": received_at,
        "provider": result.operator.provider, "venue": result.operator.venue, "gpu_model": result.gpu_model,
        "gpu_name": gpu.name if gpu else None, "device": m.device, "quick": result.quick, "suite": m.suite,
        "metric": m.metric, "precision": m.precision, "engine": m.engine, "params": json.dumps(m.params),
        "value": m.value, "unit": m.unit, "best_of_sweep": m.best_of_sweep, "median_s": m.stats.median_s,
        "p5_s": m.stats.p5_s, "p95_s": m.stats.p95_s, "warmup": m.stats.warmup, "reps": m.stats.reps,
        "calls_per_rep": m.stats.calls_per_rep, "pct_of_peak": verdict.pct_of_peak[i],
        "fingerprint": json.dumps(fingerprint), "software_versions": json.dumps(versions),
        "schema_version": sub.schema_version, "source": source,
    } for i, m in enumerate(result.measurements)]


def rejection_row(verdict: Rejected, path: str, size: int, received_at: datetime, source: str) -> dict[str, Any]:
    """The raw.bench_rejections row of a refused file."""
    return {
        "submission_path": path, "submission_sha256": verdict.file_sha256, "size_bytes": size,
        "reason_code": verdict.code, "reason_text": verdict.text, "key_type": verdict.key_type,
        "operator_pubkey": verdict.public_key, "nonce": verdict.nonce, "run_id": verdict.run_id,
        "received_at": received_at, "source": source,
    }


def _arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_SCHEMAS[table]())


def _load(conn: duckdb.DuckDBPyConnection, runs: list[dict[str, Any]], rejections: list[dict[str, Any]]) -> None:
    """Insert both kinds of rows in one transaction (replacing any earlier rows of the same files)."""
    if not runs and not rejections:
        return
    from warehouse import insert_rows, transaction  # the warehouse side only; operators' gpu_bench never loads

    with transaction(conn):
        for table, rows, key in (("raw.bench_runs", runs, "submission_sha256"),
                                 ("raw.bench_rejections", rejections, "submission_sha256")):
            if not rows:
                continue
            pairs = sorted({(r["submission_path"], r[key]) for r in rows})
            conn.execute(f"delete from {table} where (submission_path, submission_sha256) in "
                         "(select unnest(?), unnest(?))", [[p for p, _ in pairs], [s for _, s in pairs]])
            insert_rows(conn, table, _arrow(table, rows))


def _runs_schema() -> pa.Schema:
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    return pa.schema([
        ("run_id", pa.string()), ("measurement_index", pa.int32()), ("submission_path", pa.string()),
        ("submission_sha256", pa.string()), ("operator_pubkey", pa.string()), ("key_type", pa.string()),
        ("nonce", pa.string()), ("signed_at", ts), ("received_at", ts), ("provider", pa.string()),
        ("venue", pa.string()), ("gpu_model", pa.string()), ("gpu_name", pa.string()), ("device", pa.string()),
        ("quick", pa.bool_()), ("suite", pa.string()), ("metric", pa.string()), ("precision", pa.string()),
        ("engine", pa.string()), ("params", pa.string()), ("value", pa.float64()), ("unit", pa.string()),
        ("best_of_sweep", pa.bool_()), ("median_s", pa.float64()), ("p5_s", pa.float64()), ("p95_s", pa.float64()),
        ("warmup", pa.int32()), ("reps", pa.int32()), ("calls_per_rep", pa.int32()), ("pct_of_peak", pa.float64()),
        ("fingerprint", pa.string()), ("software_versions", pa.string()), ("schema_version", pa.string()),
        ("source", pa.string()),
    ])


def _rejections_schema() -> pa.Schema:
    import pyarrow as pa

    ts = pa.timestamp("us", tz="UTC")
    return pa.schema([
        ("submission_path", pa.string()), ("submission_sha256", pa.string()), ("size_bytes", pa.int64()),
        ("reason_code", pa.string()), ("reason_text", pa.string()), ("key_type", pa.string()),
        ("operator_pubkey", pa.string()), ("nonce", pa.string()), ("run_id", pa.string()), ("received_at", ts),
        ("source", pa.string()),
    ])


_SCHEMAS = {"raw.bench_runs": _runs_schema, "raw.bench_rejections": _rejections_schema}
