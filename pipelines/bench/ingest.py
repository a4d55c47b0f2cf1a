"""Pipeline side: verify every not-yet-loaded inbox file and load the verdicts in one transaction.

A file is identified by (path, SHA-256 of its bytes): re-running loads nothing twice, a file
replaced in place is judged again, and nothing is ever deleted from the inbox. Accepted runs
become one raw.bench_runs row per measurement; refused files one raw.bench_rejections row.
All files are read and verified before the transaction starts, so a failure of the whole pass
(an unreadable inbox directory, a peak table that cannot be loaded) leaves the warehouse as it was.

One file can never stop the pass: a symlink, directory, FIFO, socket or device is refused
without being opened (`not_regular_file`), a file that cannot be read is `unreadable_file`, a
name that is not printable UTF-8 is `bad_file_name`, and any exception while judging or loading
one file is `verifier_error`. Each becomes a rejection row like any other verdict, so the next
pass does not try it again. Entries never read have no SHA-256 (null), and are known by path.
Paths are stored escaped (gpu_bench.inbox.printable), so any name can be written to the warehouse;
the provider and venue an operator typed are stored without control or format characters
(depinlens.text_safety.display_text), so no page or report ever shows one.

Lives in the pipeline, not in gpu_bench: it writes the warehouse, and gpu_bench (what an
operator installs) never imports the pipeline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from depinlens.text_safety import display_text
from gpu_bench.errors import ReferenceUnavailable, UnreadableEntry
from gpu_bench.inbox import InboxFile, list_inbox, name_problem, printable, read_head
from gpu_bench.peaks import PeakSpec
from gpu_bench.verify import (
    DEFAULT_POLICY,
    Accepted,
    ReasonCode,
    REASON_CODES,
    Rejected,
    Verdict,
    VerifyPolicy,
    verifier_error,
    verify_submission,
)

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
    vanished: list[str] = field(default_factory=list)  # listed, then gone before it was read

    def reasons(self) -> dict[str, int]:
        return dict(Counter(self.rejected.values()))


class LazyPeaks(Mapping[str, PeakSpec]):
    """The peak table, read on first use: a pass with only CPU runs needs no table at all."""

    def __init__(self, load: Callable[[], dict[str, PeakSpec]]) -> None:
        self._load, self._table = load, None

    def _get(self) -> dict[str, PeakSpec]:
        if self._table is None:
            try:
                self._table = self._load()
            except Exception as exc:  # noqa: BLE001 - whatever broke, no file is to blame
                raise ReferenceUnavailable(f"the GPU peak table could not be loaded ({type(exc).__name__}: {exc}); "
                                           "fix it and run bench_ingest again: no file was judged") from exc
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
    upgrade_rejections_table(conn)
    report = IngestReport()
    loaded = set(conn.execute("select submission_path, submission_sha256 from raw.bench_runs "
                              "union select submission_path, submission_sha256 from raw.bench_rejections").fetchall())
    seen = set(conn.execute("select distinct operator_pubkey, nonce from raw.bench_runs").fetchall())
    judged: list[_Judged] = []
    for entry in list_inbox(inbox):
        report.files_seen += 1
        path = printable(entry.path)
        try:
            item = _judge(entry, path, loaded, seen, peaks=peaks, canonical_model=canonical_model, now=now,
                          policy=policy)
        except FileNotFoundError:
            report.vanished.append(path)  # deleted since the listing: nothing left to judge
            continue
        except ReferenceUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in the reader must not stop the pass either
            failed = _Judged(path, None, verifier_error(exc, None, step="reading the file"))
            item = None if (path, None) in loaded else failed
        if item is None:
            report.already_loaded += 1
            continue
        loaded.add((path, item.sha256))
        if isinstance(item.verdict, Accepted):
            seen.add((item.verdict.submission.public_key, item.verdict.submission.nonce))
        judged.append(item)
    for item in _load(conn, judged, now, source):
        if isinstance(item.verdict, Accepted):
            report.accepted.append(item.path)
            report.measurement_rows += len(item.verdict.submission.result.measurements)
        else:
            report.rejected[item.path] = item.verdict.code
    return report


def upgrade_rejections_table(conn: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild raw.bench_rejections to the current definition if the warehouse predates it; True if it did.

    A warehouse created before the inbox's own reason codes has a CHECK that refuses them and a
    NOT NULL SHA-256. DuckDB cannot alter a CHECK in place, so in one transaction the table is
    renamed, created again from warehouse/schema (the one definition), refilled and the old one
    dropped; staging views read it by name and are unaffected.
    """
    from warehouse._lake import is_lake_connection

    if is_lake_connection(conn):
        return False  # a lake is made from the current DDL, and its checks live in the checking tables
    (ddl,) = conn.execute("select sql from duckdb_tables() where schema_name = 'raw' "
                          "and table_name = 'bench_rejections'").fetchone()
    (nullable,) = conn.execute("select is_nullable from duckdb_columns() where schema_name = 'raw' "
                               "and table_name = 'bench_rejections' and column_name = 'submission_sha256'").fetchone()
    if nullable and all(f"'{code}'" in ddl for code in REASON_CODES):
        return False
    from warehouse import schema_sql, transaction

    with transaction(conn):
        conn.execute("alter table raw.bench_rejections rename to bench_rejections_before_upgrade")
        conn.execute(schema_sql())
        conn.execute("insert into raw.bench_rejections by name select * from raw.bench_rejections_before_upgrade")
        conn.execute("drop table raw.bench_rejections_before_upgrade")
    return True


@dataclass
class _Judged:
    """One inbox entry's verdict, with the identity it is recorded under."""

    path: str  # printable
    sha256: str | None  # None: the bytes were never read
    verdict: Verdict
    size: int | None = None


def _judge(entry: InboxFile, path: str, loaded: set[tuple[str, str | None]], seen: set[tuple[str, str]], *,
           peaks: Mapping[str, PeakSpec], canonical_model: Callable[[str], str], now: datetime,
           policy: VerifyPolicy) -> _Judged | None:
    """The verdict on one entry, or None when this path (and content) was judged before."""
    def unread(code: ReasonCode, text: str) -> _Judged | None:
        if (path, None) in loaded:
            return None
        return _Judged(path, None, Rejected(code=code, text=text, file_sha256=None))

    if entry.kind not in ("file", "unknown"):
        return unread("not_regular_file", _not_regular(entry.kind))
    try:
        head, sha, size = read_head(entry.path, policy.max_bytes)
    except UnreadableEntry as exc:
        if exc.kind:  # swapped for something else since the listing
            return unread("not_regular_file", _not_regular(exc.kind))
        return unread("unreadable_file", f"the file {exc.reason}; make it readable by the user the pipeline runs as")
    if (path, sha) in loaded:
        return None
    problem = name_problem(entry.name)
    if problem:
        return _Judged(path, sha, Rejected(code="bad_file_name", file_sha256=sha,
                                           text=f"{problem}; rename it '<run id>.json', as `gpu-bench submit` "
                                                "names it"), size)
    verdict = verify_submission(head, seen_nonces=seen, peaks=peaks, canonical_model=canonical_model, now=now,
                                policy=policy, file_size=size, file_sha256=sha)
    return _Judged(path, sha, verdict, size)


def _not_regular(kind: str) -> str:
    return (f"a {kind}, refused without being opened or followed: only regular files are read; "
            "put the submission file itself in the inbox")


def run_rows(verdict: Accepted, path: str, received_at: datetime, source: str) -> list[dict[str, Any]]:
    """raw.bench_runs rows of an accepted submission, one per measurement."""
    sub, result = verdict.submission, verdict.submission.result
    index = int(result.device.split(":")[1]) if result.device.startswith("cuda:") else None
    gpu = next((g for g in result.fingerprint.gpus if g.index == index), None)
    fingerprint = result.fingerprint.model_dump(mode="json", exclude={"packages"})
    versions = {**result.fingerprint.packages, "gpu_bench": result.tool_version}
    binding = result.operator.binding  # its signature was checked by the verifier
    return [{
        "run_id": result.run_id, "measurement_index": i, "submission_path": path,
        "submission_sha256": verdict.file_sha256, "operator_pubkey": sub.public_key, "key_type": sub.key_type,
        "nonce": sub.nonce, "signed_at": sub.signed_at, "received_at": received_at,
        "provider": display_text(result.operator.provider), "venue": display_text(result.operator.venue),
        "binding_network": binding.network if binding else None,
        "binding_provider": binding.provider if binding else None,
        "binding_issued_at": binding.issued_at if binding else None, "gpu_model": result.gpu_model,
        "gpu_name": gpu.name if gpu else None, "device": m.device, "quick": result.quick, "suite": m.suite,
        "metric": m.metric, "precision": m.precision, "engine": m.engine, "params": json.dumps(m.params),
        "value": m.value, "unit": m.unit, "best_of_sweep": m.best_of_sweep, "median_s": m.stats.median_s,
        "p5_s": m.stats.p5_s, "p95_s": m.stats.p95_s, "warmup": m.stats.warmup, "reps": m.stats.reps,
        "calls_per_rep": m.stats.calls_per_rep, "pct_of_peak": verdict.pct_of_peak[i],
        "fingerprint": json.dumps(fingerprint), "software_versions": json.dumps(versions),
        "schema_version": sub.schema_version, "source": source,
    } for i, m in enumerate(result.measurements)]


def rejection_row(verdict: Rejected, path: str, size: int | None, received_at: datetime,
                  source: str) -> dict[str, Any]:
    """The raw.bench_rejections row of a refused file (size and SHA-256 null when it was never read)."""
    return {
        "submission_path": path, "submission_sha256": verdict.file_sha256, "size_bytes": size,
        "reason_code": verdict.code, "reason_text": _storable(verdict.text, 2000),
        "key_type": _storable(verdict.key_type), "operator_pubkey": _storable(verdict.public_key),
        "nonce": _storable(verdict.nonce), "run_id": _storable(verdict.run_id),
        "received_at": received_at, "source": source,
    }


def _storable(text: str | None, limit: int = 200) -> str | None:
    """Text any warehouse column takes: a lone surrogate written as its escape, at most `limit` characters."""
    return None if text is None else text.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


@dataclass
class _Rows:
    item: _Judged
    runs: list[dict[str, Any]]
    rejections: list[dict[str, Any]]


def _rows(item: _Judged, received_at: datetime, source: str) -> _Rows:
    """The warehouse rows of one verdict; a verdict whose rows cannot be built becomes a verifier_error."""
    try:
        if isinstance(item.verdict, Accepted):
            return _Rows(item, run_rows(item.verdict, item.path, received_at, source), [])
        return _Rows(item, [], [rejection_row(item.verdict, item.path, item.size, received_at, source)])
    except Exception as exc:  # noqa: BLE001 - one file's rows must not stop the others
        return _as_error(item, exc, received_at, source)


def _as_error(item: _Judged, exc: Exception, received_at: datetime, source: str) -> _Rows:
    failed = _Judged(item.path, item.sha256, verifier_error(exc, item.sha256, step="loading its rows"), item.size)
    return _Rows(failed, [], [rejection_row(failed.verdict, item.path, item.size, received_at, source)])


def _load(conn: duckdb.DuckDBPyConnection, judged: list[_Judged], received_at: datetime,
          source: str) -> list[_Judged]:
    """Insert every verdict's rows in one transaction; returns the verdicts as recorded.

    If the warehouse refuses the batch (a value its types or CHECKs do not take), each file's rows
    are tried alone in a transaction that is rolled back, and a file whose rows fail is recorded
    as a verifier_error instead; then the batch is loaded. So one file cannot stop the others.
    """
    if not judged:
        return []
    batch = [_rows(item, received_at, source) for item in judged]
    try:
        _insert(conn, batch)
    except Exception:  # noqa: BLE001 - find the file(s) at fault, below
        batch = [rows if (exc := _refusal(conn, rows)) is None else _as_error(rows.item, exc, received_at, source)
                 for rows in batch]
        _insert(conn, batch)
    return [rows.item for rows in batch]


def _refusal(conn: duckdb.DuckDBPyConnection, rows: _Rows) -> Exception | None:
    """What the warehouse says to this one file's rows (tried, then rolled back), or None."""
    conn.execute("begin transaction")
    try:
        _write(conn, [rows])
    except Exception as exc:  # noqa: BLE001 - the answer is the exception
        return exc
    finally:
        conn.execute("rollback")
    return None


def _insert(conn: duckdb.DuckDBPyConnection, batch: list[_Rows]) -> None:
    from warehouse import transaction  # the warehouse side only; operators' gpu_bench never loads

    with transaction(conn):
        _write(conn, batch)


def _write(conn: duckdb.DuckDBPyConnection, batch: list[_Rows]) -> None:
    """Both kinds of rows, replacing any earlier rows of the same files (path and SHA-256)."""
    from warehouse import insert_rows

    for table, rows in (("raw.bench_runs", [r for b in batch for r in b.runs]),
                        ("raw.bench_rejections", [r for b in batch for r in b.rejections])):
        if not rows:
            continue
        pairs = list({(r["submission_path"], r["submission_sha256"]) for r in rows})
        conn.execute(f"delete from {table} where (submission_path, submission_sha256) in "
                     "(select unnest(?), unnest(?))", [[p for p, _ in pairs], [s for _, s in pairs]])
        insert_rows(conn, table, _arrow(table, rows))


def _arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    import pyarrow as pa

    return pa.Table.from_pylist(rows, schema=_SCHEMAS[table]())


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
        ("source", pa.string()), ("binding_network", pa.string()), ("binding_provider", pa.string()),
        ("binding_issued_at", ts),
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
