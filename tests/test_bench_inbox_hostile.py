"""A hostile submissions inbox (issue #14, item 1): every bad entry becomes one typed rejection and
the pass goes on; nothing that is not a regular file is followed, opened or waited on; a second
pass loads nothing new; and the daily build never depends on the inbox.

Everything is real: files, a FIFO, a symlink to /etc/passwd, a directory, names that are not
UTF-8, really signed submissions, a DuckDB warehouse, Dagster runs. The passes over the poisoned
inbox run in a child process with Python's recursion limit at 100,000 (what py_ecc sets when
eth_account is imported), so if a nested-bracket file ever crashed the verifier again it would
show as a failed test, not a dead test runner.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from depinlens.settings import PROJECT_ROOT
from gpu_bench._figures import figure
from gpu_bench.inbox import submit
from gpu_bench.signing import Ed25519Key, sign_result, to_file_bytes
from tests.conftest import DAY_1, pipeline_resources
from tests.test_bench_verify import gpu_matmul, gpu_result, peak_table, stats_for
from warehouse import connect_warehouse

TEN_MB = 10 * 2**20


@dataclass(frozen=True)
class Poisoned:
    """An inbox with one good submission among entries each built to break a pass."""

    folder: Path
    good: str  # name of the one valid signed submission
    expected: dict[str, str]  # stored name -> reason code, one per bad entry
    huge_sha256: str


def _signed(result, key=None) -> bytes:
    key = key or Ed25519Key.generate()
    return to_file_bytes(sign_result(result, key, now=result.finished_at + timedelta(seconds=1)))


@pytest.fixture
def poisoned(tmp_path: Path) -> Poisoned:
    folder = tmp_path / "inbox"
    peaks = peak_table(tmp_path)
    h100 = peaks["H100 SXM"]
    submit(_signed(gpu_result([gpu_matmul(0.6 * h100.fp16_tflops)])), "a-good.json", str(folder))

    (folder / "deep.json").write_bytes(b"[" * 200_000)  # 200 KB of nested brackets
    huge = b'{"padding": "' + b"x" * TEN_MB + b'"}'
    (folder / "huge.json").write_bytes(huge)
    (folder / "latin1.json").write_bytes(b'{"venue": "caf\xe9"}')
    (folder / "twice.json").write_bytes(b'{"nonce": "aa", "public_key": "k", "nonce": "bb"}')
    (folder / "passwd.json").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe.json")
    (folder / "folder.json").mkdir()
    good_bytes = (folder / "a-good.json").read_bytes()
    with open(os.path.join(os.fsencode(folder), b"name-\xff.json"), "wb") as f:  # a name that is not UTF-8
        f.write(good_bytes)
    (folder / "ctl-\x1b[2J.json").write_bytes(good_bytes)  # a terminal escape in the name

    # Signed, valid to the schema, and still a surprise further in: the FLOP bound of a figure
    # whose parameters are 1e200 overflows, and a repetition count beyond 32 bits overflows the
    # warehouse's integer column. Neither may stop the pass.
    decode = figure(suite="inference", metric="decode_tokens_per_s", precision="bf16", engine="cuda",
                    device="cuda:0", work=512, unit="tokens/s", stats=stats_for(0.01),
                    params={"d_model": 1e200, "n_layers": 1, "d_ff": 1})
    (folder / "overflow.json").write_bytes(_signed(gpu_result([decode])))
    huge_reps = gpu_matmul(0.5 * h100.fp16_tflops)
    huge_reps = huge_reps.model_copy(update={"stats": huge_reps.stats.model_copy(update={"reps": 2**40})})
    (folder / "unstorable.json").write_bytes(_signed(gpu_result([huge_reps])))

    return Poisoned(folder=folder, good="a-good.json", huge_sha256=hashlib.sha256(huge).hexdigest(), expected={
        "deep.json": "too_deep",
        "huge.json": "oversized_file",
        "latin1.json": "malformed_json",
        "twice.json": "malformed_json",
        "passwd.json": "not_regular_file",
        "pipe.json": "not_regular_file",
        "folder.json": "not_regular_file",
        "name-\\xff.json": "bad_file_name",
        "ctl-\\x1b[2J.json": "bad_file_name",
        "overflow.json": "verifier_error",
        "unstorable.json": "verifier_error",
    })


_PASS = """
import json, sys
import eth_account  # imports py_ecc, which raises the recursion limit to 100,000
sys.setrecursionlimit(max(100_000, sys.getrecursionlimit()))  # and so does this, should py_ecc ever stop
from datetime import UTC, datetime
from pipelines.bench.ingest import ingest_inbox
from gpu_bench.peaks import load_peak_specs
from tests.test_bench_verify import canonical_model
from warehouse import connect_warehouse
inbox, warehouse, peaks = sys.argv[1:4]
conn = connect_warehouse(warehouse)
report = ingest_inbox(conn, inbox, peaks=load_peak_specs(peaks), canonical_model=canonical_model,
                      now=datetime.now(UTC), source="local")
conn.close()
print(json.dumps({"limit": sys.getrecursionlimit(), "seen": report.files_seen, "accepted": report.accepted,
                  "rejected": report.rejected, "already_loaded": report.already_loaded}))
"""


def _pass_in_child(inbox: Path, warehouse: Path, peaks_csv: Path, prefix: list[str] | None = None) -> dict:
    """One ingest pass in a child process; a crash or a hang fails the test with what the child said."""
    done = subprocess.run([*(prefix or []), sys.executable, "-c", _PASS, str(inbox), str(warehouse), str(peaks_csv)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"the pass died (exit {done.returncode}): {done.stderr[-3000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["limit"] >= 100_000
    return report


def _peaks_csv(tmp_path: Path) -> Path:
    peak_table(tmp_path)  # writes tmp_path/gpu_peak_specs.csv when the project's table is absent
    local = tmp_path / "gpu_peak_specs.csv"
    return local if local.exists() else PROJECT_ROOT / "reference" / "gpu_peak_specs.csv"


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _by_name(rows: list[tuple]) -> dict[str, tuple]:
    return {path.rsplit("/", 1)[-1]: tuple(rest) for path, *rest in rows}


def test_a_poisoned_inbox_yields_one_typed_rejection_per_bad_file_and_accepts_the_good_one(
        tmp_path, poisoned: Poisoned) -> None:
    warehouse = tmp_path / "w.duckdb"
    report = _pass_in_child(poisoned.folder, warehouse, _peaks_csv(tmp_path))

    assert report["seen"] == len(poisoned.expected) + 1
    assert [Path(p).name for p in report["accepted"]] == [poisoned.good]
    rejections = _by_name(_rows(warehouse, "select submission_path, reason_code, reason_text, submission_sha256, "
                                           "size_bytes from raw.bench_rejections"))
    assert {name: row[0] for name, row in rejections.items()} == poisoned.expected
    assert len(_rows(warehouse, "select * from raw.bench_rejections")) == len(poisoned.expected)
    assert _rows(warehouse, "select distinct submission_path from raw.bench_runs") == [
        (str(poisoned.folder / poisoned.good),)]

    # never opened: no digest, no size, nothing of /etc/passwd anywhere
    passwd_sha = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    for name in ("passwd.json", "pipe.json", "folder.json"):
        assert rejections[name][2:] == (None, None), name
    assert passwd_sha not in {row[2] for row in rejections.values()}
    # the oversized file is refused with the whole 10 MB file's digest and size
    assert rejections["huge.json"][2:] == (poisoned.huge_sha256, TEN_MB + 15)


def test_each_rejection_tells_the_user_what_failed(tmp_path, poisoned: Poisoned) -> None:
    """The messages a user sees (also listed in docs/gpu_bench.md)."""
    warehouse = tmp_path / "w.duckdb"
    _pass_in_child(poisoned.folder, warehouse, _peaks_csv(tmp_path))
    text = {name: row[0] for name, row in _by_name(_rows(
        warehouse, "select submission_path, reason_text from raw.bench_rejections")).items()}

    assert text["deep.json"].startswith("arrays and objects nest more than 32 levels deep (line 1 column 33)")
    assert f"{TEN_MB + 15} bytes is over the {1 << 20}-byte limit" in text["huge.json"]
    assert "not UTF-8: byte 14 is b'\\xe9'" in text["latin1.json"]
    assert "key 'nonce' appears more than once in one object" in text["twice.json"]
    assert text["passwd.json"].startswith("a symlink, refused without being opened or followed")
    assert text["pipe.json"].startswith("a fifo, refused without being opened or followed")
    assert text["folder.json"].startswith("a directory, refused without being opened or followed")
    assert "the file name" in text["name-\\xff.json"] and "is not UTF-8" in text["name-\\xff.json"]
    assert "holds control or format characters" in text["ctl-\\x1b[2J.json"]
    assert "the verifier failed on this file (OverflowError" in text["overflow.json"]
    assert "loading its rows failed on this file" in text["unstorable.json"]
    assert all("\x1b" not in t for t in text.values())


def test_a_second_pass_over_the_poisoned_inbox_loads_nothing_new(tmp_path, poisoned: Poisoned) -> None:
    warehouse = tmp_path / "w.duckdb"
    _pass_in_child(poisoned.folder, warehouse, _peaks_csv(tmp_path))
    counts = "select (select count(*) from raw.bench_runs), (select count(*) from raw.bench_rejections)"
    before = _rows(warehouse, counts)

    again = _pass_in_child(poisoned.folder, warehouse, _peaks_csv(tmp_path))

    assert again["accepted"] == [] and again["rejected"] == {}
    assert again["already_loaded"] == len(poisoned.expected) + 1
    assert _rows(warehouse, counts) == before


def test_dbt_staging_builds_on_every_rejection_of_a_poisoned_inbox(tmp_path, poisoned: Poisoned) -> None:
    """The new codes pass accepted_values, and entries never read (null SHA-256) keep a unique key."""
    from depinlens.settings import DBT_PROJECT_DIR
    from pipelines.defs.dbt_project import _dbt_executable

    warehouse = tmp_path / "w.duckdb"
    _pass_in_child(poisoned.folder, warehouse, _peaks_csv(tmp_path))
    done = subprocess.run([_dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
                           "--profiles-dir", str(DBT_PROJECT_DIR), "--select", "staging.bench",
                           "--target-path", str(tmp_path / "target")],
                          env={**os.environ, "DEPINLENS_WAREHOUSE": str(warehouse)},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "ERROR=0" in done.stdout
    keys = _rows(warehouse, "select rejection_key from staging.stg_bench__rejections where submission_sha256 is null")
    assert sorted(k.rsplit("/", 1)[-1] for (k,) in keys) == ["folder.json:unread", "passwd.json:unread",
                                                             "pipe.json:unread"]


def test_the_reader_refuses_a_symlink_or_fifo_on_the_open_descriptor_without_blocking(tmp_path) -> None:
    """The guard for an entry swapped after the listing: O_NOFOLLOW, O_NONBLOCK, then fstat."""
    from gpu_bench.errors import UnreadableEntry
    from gpu_bench.inbox import read_head

    (tmp_path / "link.json").symlink_to("/etc/passwd")
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "dir.json").mkdir()
    for name, kind in (("link.json", "symlink"), ("pipe.json", "fifo"), ("dir.json", "directory")):
        with pytest.raises(UnreadableEntry) as refused:
            read_head(str(tmp_path / name), 1 << 20)
        assert refused.value.kind == kind and str(refused.value) == f"{tmp_path / name} is a {kind}"


# Root reads any file; without the DAC capabilities it is refused like any other user.
_AS_ORDINARY_USER = (["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                      "--inh-caps=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])


def _can_be_refused_a_read() -> bool:
    if not _AS_ORDINARY_USER:
        return True
    return bool(shutil.which("setpriv")) and subprocess.run([*_AS_ORDINARY_USER, "true"]).returncode == 0


@pytest.mark.skipif(not _can_be_refused_a_read(),
                    reason="running as root, and setpriv cannot drop the capability to read any file here")
def test_a_file_the_pipeline_may_not_read_is_an_unreadable_file_rejection(tmp_path) -> None:
    folder = tmp_path / "inbox"
    submit(b"{}", "locked.json", str(folder))
    (folder / "locked.json").chmod(0)
    warehouse = tmp_path / "w.duckdb"

    report = _pass_in_child(folder, warehouse, _peaks_csv(tmp_path), prefix=_AS_ORDINARY_USER)

    assert report["rejected"] == {str(folder / "locked.json"): "unreadable_file"}
    assert _rows(warehouse, "select reason_text, submission_sha256 from raw.bench_rejections") == [
        ("the file could not be opened (Permission denied); make it readable by the user the pipeline runs as", None)]


def test_the_sensor_lists_a_poisoned_inbox_without_opening_any_entry(poisoned: Poisoned) -> None:
    from pipelines.defs.assets.bench import BenchInboxResource, bench_submissions_sensor

    bench = BenchInboxResource(inbox=str(poisoned.folder))
    first = bench_submissions_sensor(dg.build_sensor_context(resources={"bench_inbox": bench}))
    assert first.run_requests[0].tags["depinlens/new_submissions"] == str(len(poisoned.expected) + 1)
    quiet = bench_submissions_sensor(dg.build_sensor_context(cursor=first.cursor, resources={"bench_inbox": bench}))
    assert isinstance(quiet, dg.SkipReason)


def test_a_warehouse_from_before_the_inbox_codes_is_upgraded_and_keeps_its_rejections(tmp_path) -> None:
    """DuckDB cannot alter a CHECK, so the old table is rebuilt to the current definition, rows kept."""
    from datetime import UTC, datetime

    from pipelines.bench.ingest import ingest_inbox
    from tests.test_bench_verify import canonical_model

    warehouse = tmp_path / "w.duckdb"
    old = duckdb.connect(str(warehouse))
    old.execute("create schema raw")
    old.execute("""create table raw.bench_rejections (
        submission_path varchar not null, submission_sha256 varchar not null, size_bytes bigint not null,
        reason_code varchar not null check (reason_code in ('oversized_file', 'malformed_json')),
        reason_text varchar not null, key_type varchar, operator_pubkey varchar, nonce varchar, run_id varchar,
        received_at timestamptz not null, source varchar not null)""")
    old.execute("insert into raw.bench_rejections values ('/old/x.json', 'ab', 3, 'malformed_json', 'not JSON', "
                "null, null, null, null, now(), 'local')")
    old.close()
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "link.json").symlink_to("/etc/passwd")

    conn = connect_warehouse(warehouse)
    try:
        ingest_inbox(conn, str(folder), peaks={}, canonical_model=canonical_model, now=datetime.now(UTC),
                     source="local")
        rows = conn.execute("select submission_path, reason_code, submission_sha256 from raw.bench_rejections "
                            "order by 1").fetchall()
    finally:
        conn.close()
    assert rows == [("/old/x.json", "malformed_json", "ab"), (str(folder / "link.json"), "not_regular_file", None)]


def test_a_peak_table_that_cannot_load_stops_the_pass_and_judges_no_file(tmp_path) -> None:
    """Not any file's fault: nothing is recorded, so the same files are judged once it is fixed."""
    from datetime import UTC, datetime

    from gpu_bench.errors import ReferenceUnavailable
    from pipelines.bench.ingest import LazyPeaks, ingest_inbox
    from gpu_bench.peaks import load_peak_specs
    from tests.test_bench_verify import canonical_model

    folder = tmp_path / "inbox"
    submit(_signed(gpu_result([gpu_matmul(100)])), "gpu.json", str(folder))
    conn = connect_warehouse(tmp_path / "w.duckdb")
    try:
        with pytest.raises(ReferenceUnavailable, match="no GPU peak table at .*missing.csv"):
            ingest_inbox(conn, str(folder), peaks=LazyPeaks(lambda: load_peak_specs(tmp_path / "missing.csv")),
                         canonical_model=canonical_model, now=datetime.now(UTC), source="local")
        assert conn.execute("select count(*) from raw.bench_rejections").fetchone() == (0,)
    finally:
        conn.close()


def test_the_daily_job_leaves_the_inbox_to_its_own_job() -> None:
    from pipelines.definitions import defs

    bench = dg.AssetKey(["raw", "bench_runs"])
    assert bench not in defs.resolve_job_def("daily_pipeline").asset_layer.executable_asset_keys
    assert defs.resolve_job_def("bench_ingest").asset_layer.executable_asset_keys == {bench}
    assert defs.resolve_sensor_def("bench_submissions_sensor").job_name == "bench_ingest"


def test_the_daily_pipeline_builds_and_publishes_while_the_inbox_pass_fails(
        tmp_path, local_chain, settings, ephemeral_instance) -> None:
    """An inbox whose pass fails (here: no peak table for its GPU run) stops bench_ingest, and only that.

    The run uses the daily job's own selection, less the other chain families and reference
    loaders to keep it light, so it would include the inbox asset if the daily job did.
    """
    from pipelines.defs.assets.bench import BenchInboxResource
    from pipelines.defs.jobs import daily_pipeline
    from pipelines.run import run_pipeline

    evm, _contracts = local_chain
    folder = tmp_path / "inbox"
    submit(_signed(gpu_result([gpu_matmul(100)])), "gpu.json", str(folder))
    os.mkfifo(folder / "pipe.json")
    broken = BenchInboxResource(inbox=str(folder), peak_specs_path=str(tmp_path / "missing.csv"), source="local")
    resources = {**pipeline_resources(settings, evm.w3.provider.endpoint_uri), "bench_inbox": broken}

    inbox_run = dg.materialize([_bench_asset()], resources={"warehouse": resources["warehouse"], "bench_inbox": broken},
                               instance=ephemeral_instance, raise_on_error=False)
    assert not inbox_run.success  # the inbox pass really fails

    light = daily_pipeline.selection - dg.AssetSelection.groups("solana", "akash", "reference")
    result = run_pipeline(DAY_1, DAY_1, resources=resources, instance=ephemeral_instance, selection=light)

    assert result.success
    planned = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(["serving", "marts"]) in planned and dg.AssetKey(["raw", "bench_runs"]) not in planned
    assert _rows(settings.serving_path, "select count(*) from marts.benchmark_results") == [(0,)]
    assert _rows(settings.warehouse_path, "select count(*) from raw.bench_rejections") == [(0,)]


def _bench_asset():
    from pipelines.defs.assets.bench import bench_runs

    return bench_runs
