"""Submissions through the pipeline: the sensor sees new inbox files, the Dagster asset verifies
and loads them into raw.bench_runs / raw.bench_rejections in one real DuckDB transaction, the
files stay where they were, and dbt's staging models build on top.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from depinlens.settings import DBT_PROJECT_DIR, PROJECT_ROOT
from gpu_bench.inbox import submit
from pipelines.bench.ingest import ingest_inbox
from gpu_bench.schema import Operator, RunResult
from gpu_bench.signing import Ed25519Key, Secp256k1Key, sign_result, to_file_bytes
from tests.test_bench_verify import (
    H100_NVML_NAME,
    canonical_model,
    gpu_matmul,
    gpu_result,
    peak_table,
)
from warehouse import connect_warehouse


@pytest.fixture(scope="module")
def cpu_run() -> RunResult:
    from gpu_bench.runner import run_suites

    return run_suites(["matmul", "copy"], device="cpu", quick=True, operator=Operator(provider="prov1", venue="akash"))


def _signed(result: RunResult, key) -> bytes:
    return to_file_bytes(sign_result(result, key, now=result.finished_at + timedelta(seconds=1)))


def _peaks_csv(tmp_path: Path) -> Path:
    peak_table(tmp_path)  # writes tmp_path/gpu_peak_specs.csv when the project's table is absent
    local = tmp_path / "gpu_peak_specs.csv"
    return local if local.exists() else PROJECT_ROOT / "reference" / "gpu_peak_specs.csv"


@pytest.fixture
def inbox(tmp_path: Path, cpu_run: RunResult) -> Path:
    """An inbox with one good CPU run, one good GPU run, a forgery, a replayed copy and junk."""
    folder = tmp_path / "inbox"
    key, evm = Ed25519Key.generate(), Secp256k1Key.generate()
    good = _signed(cpu_run, key)
    submit(good, "a-cpu.json", str(folder))
    peaks = peak_table(tmp_path)
    submit(_signed(gpu_result([gpu_matmul(0.6 * peaks["H100 SXM"].fp16_tflops)]), evm), "b-gpu.json", str(folder))
    forged = json.loads(good)
    forged["result"]["measurements"][0]["value"] *= 4
    submit(to_file_bytes(forged), "c-tampered.json", str(folder))
    submit(good, "d-replayed-copy.json", str(folder))
    submit(b"{ this is not json", "e-junk.json", str(folder))
    return folder


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_ingest_loads_accepted_runs_and_records_each_rejection_with_its_reason(tmp_path, inbox, cpu_run) -> None:
    conn = connect_warehouse(tmp_path / "w.duckdb")
    try:
        report = ingest_inbox(conn, str(inbox), peaks=peak_table(tmp_path), canonical_model=canonical_model,
                              now=datetime.now(UTC), source="local")
        runs = conn.execute("select submission_path, count(*), any_value(gpu_model), any_value(key_type), "
                            "max(pct_of_peak) from raw.bench_runs group by 1 order by 1").fetchall()
        rejections = conn.execute("select submission_path, reason_code, reason_text from raw.bench_rejections "
                                  "order by 1").fetchall()
    finally:
        conn.close()
    assert [(Path(p).name, n, model, kt) for p, n, model, kt, _ in runs] == [
        ("a-cpu.json", len(cpu_run.measurements), None, "ed25519"), ("b-gpu.json", 1, "H100 SXM", "secp256k1")]
    assert runs[1][4] == pytest.approx(60.0)  # the pipeline's own % of the fp16 peak
    assert [(Path(p).name, code) for p, code, _ in rejections] == [
        ("c-tampered.json", "tampered_figure"), ("d-replayed-copy.json", "replay"), ("e-junk.json", "malformed_json")]
    assert rejections[0][2].startswith("measurement #0 (matmul matmul_tflops fp32 cpu")
    assert report.reasons() == {"tampered_figure": 1, "replay": 1, "malformed_json": 1}
    assert sorted(p.name for p in inbox.iterdir()) == ["a-cpu.json", "b-gpu.json", "c-tampered.json",
                                                     "d-replayed-copy.json", "e-junk.json"]  # nothing deleted


def test_ingesting_the_same_inbox_again_adds_no_rows(tmp_path, inbox) -> None:
    conn = connect_warehouse(tmp_path / "w.duckdb")
    kwargs = dict(peaks=peak_table(tmp_path), canonical_model=canonical_model, source="local")
    try:
        ingest_inbox(conn, str(inbox), now=datetime.now(UTC), **kwargs)
        counts = conn.execute("select (select count(*) from raw.bench_runs), "
                              "(select count(*) from raw.bench_rejections)").fetchone()
        again = ingest_inbox(conn, str(inbox), now=datetime.now(UTC), **kwargs)
        assert conn.execute("select (select count(*) from raw.bench_runs), "
                            "(select count(*) from raw.bench_rejections)").fetchone() == counts
    finally:
        conn.close()
    assert again.already_loaded == 5 and not again.accepted and not again.rejected


def test_an_oversized_file_is_refused_with_the_whole_files_digest(tmp_path) -> None:
    import hashlib

    folder = tmp_path / "inbox"
    big = b'{"padding": "' + b"x" * (1 << 20) + b'"}'
    submit(big, "huge.json", str(folder))
    conn = connect_warehouse(tmp_path / "w.duckdb")
    try:
        ingest_inbox(conn, str(folder), peaks={}, canonical_model=canonical_model, now=datetime.now(UTC),
                     source="local")
        row = conn.execute("select reason_code, submission_sha256, size_bytes from raw.bench_rejections").fetchone()
    finally:
        conn.close()
    assert row == ("oversized_file", hashlib.sha256(big).hexdigest(), len(big))


def test_the_asset_loads_the_inbox_in_a_dagster_materialization(tmp_path, inbox) -> None:
    from pipelines.defs.assets.bench import BenchInboxResource, bench_runs
    from pipelines.defs.resources import WarehouseResource

    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"), serving_path=str(tmp_path / "s.duckdb"))
    bench = BenchInboxResource(inbox=str(inbox), peak_specs_path=str(_peaks_csv(tmp_path)), source="local")
    result = dg.materialize([bench_runs], resources={"warehouse": warehouse, "bench_inbox": bench})
    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.asset_key == dg.AssetKey(["raw", "bench_runs"])
    metadata = event.materialization.metadata
    assert (metadata["accepted"].value, metadata["rejected"].value) == (2, 3)
    assert _rows(tmp_path / "w.duckdb", "select distinct source from raw.bench_runs") == [("local",)]


def test_the_sensor_requests_a_run_for_new_files_only(tmp_path, inbox, cpu_run) -> None:
    from pipelines.defs.assets.bench import BenchInboxResource, bench_submissions_sensor

    bench = BenchInboxResource(inbox=str(inbox))
    first = bench_submissions_sensor(dg.build_sensor_context(resources={"bench_inbox": bench}))
    assert isinstance(first, dg.SensorResult) and len(first.run_requests) == 1
    assert first.run_requests[0].tags["depinlens/new_submissions"] == "5"
    quiet = bench_submissions_sensor(dg.build_sensor_context(cursor=first.cursor, resources={"bench_inbox": bench}))
    assert isinstance(quiet, dg.SkipReason)
    submit(_signed(cpu_run, Ed25519Key.generate()), "f-new.json", str(inbox))
    later = bench_submissions_sensor(dg.build_sensor_context(cursor=first.cursor, resources={"bench_inbox": bench}))
    assert later.run_requests[0].tags["depinlens/new_submissions"] == "1"
    assert later.run_requests[0].run_key != first.run_requests[0].run_key


def test_the_code_location_wires_the_sensor_job_and_lineage_to_dbt_staging() -> None:
    from pipelines.definitions import defs

    assert defs.resolve_sensor_def("bench_submissions_sensor").job_name == "bench_ingest"
    assert defs.resolve_job_def("bench_ingest") is not None
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["staging", "stg_bench__runs"])).parent_keys == {dg.AssetKey(["raw", "bench_runs"])}


def test_dbt_staging_builds_on_loaded_submissions_with_a_unique_key(tmp_path, inbox) -> None:
    from pipelines.defs.dbt_project import _dbt_executable

    warehouse = tmp_path / "w.duckdb"
    conn = connect_warehouse(warehouse)
    try:
        ingest_inbox(conn, str(inbox), peaks=peak_table(tmp_path), canonical_model=canonical_model,
                     now=datetime.now(UTC), source="local")
    finally:
        conn.close()
    done = subprocess.run([_dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
                           "--profiles-dir", str(DBT_PROJECT_DIR), "--select", "staging.bench",
                           "--target-path", str(tmp_path / "target")],
                          env={**os.environ, "DEPINLENS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "ERROR=0" in done.stdout
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        gpu = conn.execute("select gpu_model, on_gpu, engine from staging.stg_bench__runs where gpu_name = ?",
                           [H100_NVML_NAME]).fetchall()
    finally:
        conn.close()
    assert gpu == [("H100 SXM", True, "cuda")]
    assert _rows(warehouse, "select count(*) from staging.stg_bench__rejections") == [(3,)]
