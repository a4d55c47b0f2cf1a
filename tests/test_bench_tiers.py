"""Submission → warehouse → marts → pages and every export, on a copy of the demo warehouse.

Real keys are made here: an Akash provider key (secp256k1) and a Nosana node key (ed25519) sign
bindings of operator keys, and their addresses are put in the copy's chain data (raw.jobs, as the
pipeline would read a lease and a job). Then real signed submissions go through the inbox
(`ingest_inbox`), a real `dbt build` tiers them, and the report and the Benchmarks page are read back:
- an invented run from an unbound key changes no bound figure; a bound key's run moves the median;
- a binding to an identity the chain data does not show stays self-attested, saying why;
- operator names built to be formulas or to carry control characters come back as inert text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from depinlens.settings import DBT_PROJECT_DIR
from depinlens.text_safety import display_text, formula_like
from gpu_bench.binding import bind_akash, bind_nosana
from gpu_bench.inbox import submit
from gpu_bench.schema import Operator
from gpu_bench.signing import Ed25519Key
from pipelines.bench.ingest import ingest_inbox
from tests.test_bench_trust import ATTACK_NAMES
from tests.test_bench_verify import canonical_model, gpu_matmul, gpu_result, peak_table, signed_bytes
from warehouse import connect_warehouse, publish

MODEL = "H100 SXM"  # the demo prices H100 SXM GPU-hours on Akash
BOUND_TFLOPS = [600.0, 700.0]
THIRD_BOUND_TFLOPS = 820.0
INVENTED_TFLOPS = 1000.0  # just under 1.05 × the H100's dense peak: plausible, and unbound


def _dbt(warehouse: Path, *args: str) -> None:
    from pipelines.defs.dbt_project import _dbt_executable

    done = subprocess.run([_dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                           str(DBT_PROJECT_DIR), "--target-path", str(warehouse.parent / "target")],
                          env={**os.environ, "DEPINLENS_WAREHOUSE": str(warehouse)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:]


def _run(tflops: float, operator: Operator, key, inbox: Path) -> str:
    """One signed GPU run of the model, delivered to the inbox; returns its run id."""
    run_id = uuid.uuid4().hex
    result = gpu_result([gpu_matmul(tflops, "bf16"), gpu_matmul(0.9 * tflops, "fp16", n=4096)], gpu_model=MODEL)
    result = result.model_copy(update={"run_id": run_id, "operator": operator})
    submit(signed_bytes(result, key), f"{run_id}.json", str(inbox))
    return run_id


def _add_to_chain_data(conn: duckdb.DuckDBPyConnection, network: str, address: str) -> None:
    """A lease (Akash) or job (Nosana) served by `address`, shaped like the demo's own rows."""
    conn.execute(f"""insert into raw.jobs select * replace (? as provider, job_id || '{uuid.uuid4().hex[:6]}' as job_id)
                     from raw.jobs where network = ? limit 1""", [address, network])


@pytest.fixture(scope="module")
def world(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("tiers")
    warehouse, inbox = tmp / "warehouse.duckdb", tmp / "inbox"
    shutil.copy(demo_data_dir / "warehouse.duckdb", warehouse)
    from solders.keypair import Keypair

    akash_operator, nosana_operator, intruder, off_chain = (Ed25519Key.generate() for _ in range(4))
    akash = bind_akash(os.urandom(32), akash_operator)
    nosana = bind_nosana(json.dumps(list(bytes(Keypair()))), nosana_operator)
    unlisted = bind_akash(os.urandom(32), off_chain)  # a valid signature, but no lease anywhere
    conn = connect_warehouse(warehouse)
    try:
        _add_to_chain_data(conn, "akash", akash.provider)
        _add_to_chain_data(conn, "nosana", nosana.provider)
        runs = {"bound": [_run(t, Operator(binding=akash), akash_operator, inbox) for t in BOUND_TFLOPS],
                "invented": _run(INVENTED_TFLOPS, Operator(provider=akash.provider, venue="akash"), intruder, inbox),
                "nosana": _run(500.0, Operator(binding=nosana), nosana_operator, inbox),
                "unlisted": _run(900.0, Operator(binding=unlisted), off_chain, inbox)}
        names = {_run(400.0, Operator(provider=name, venue="akash"), Ed25519Key.generate(), inbox): name
                 for name in ATTACK_NAMES}
        report = ingest_inbox(conn, str(inbox), peaks=peak_table(tmp), canonical_model=canonical_model,
                              now=datetime.now(UTC), source="demo")
    finally:
        conn.close()
    assert not report.rejected, report.rejected
    _dbt(warehouse, "build", "--select", "stg_bench__runs+", "int_bench__provider_identities+")
    return {"warehouse": warehouse, "inbox": inbox, "tmp": tmp, "runs": runs, "names": names, "akash": akash,
            "akash_operator": akash_operator, "unlisted": unlisted}


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


def _measured(warehouse: Path) -> tuple[float, int, list[str]]:
    (row,) = _rows(warehouse, "select tflops, runs, run_ids from marts.cost_per_compute "
                              "where venue = 'akash' and gpu_model = ? and source = 'demo' and basis = 'measured'",
                   [MODEL])
    return row


def test_runs_are_bound_only_when_a_provider_on_chain_signed_their_key(world) -> None:
    tiers = dict(_rows(world["warehouse"], "select run_id, any_value(tier || ': ' || tier_reason) "
                                           "from marts.benchmark_results group by run_id"))
    runs = world["runs"]
    assert all(tiers[r].startswith(f"bound: provider {world['akash'].provider} signed this key")
               for r in runs["bound"])
    assert tiers[runs["nosana"]].startswith("bound: ")
    assert tiers[runs["invented"]] == ("self-attested: no provider binding: provider and venue are as typed by "
                                       "the key holder")
    assert tiers[runs["unlisted"]] == (f"self-attested: the key is bound to akash provider "
                                       f"{world['unlisted'].provider}, which the akash chain data (demo) does not show")


def test_an_invented_unbound_run_changes_no_bound_figure_and_a_bound_run_moves_the_median(world) -> None:
    warehouse = world["warehouse"]
    tflops, runs, run_ids = _measured(warehouse)
    assert (tflops, runs) == (statistics.median(BOUND_TFLOPS), len(BOUND_TFLOPS))
    assert sorted(run_ids) == sorted(world["runs"]["bound"]) and world["runs"]["invented"] not in run_ids

    third = _run(THIRD_BOUND_TFLOPS, Operator(binding=world["akash"]), world["akash_operator"], world["inbox"])
    conn = connect_warehouse(warehouse)
    try:
        ingest_inbox(conn, str(world["inbox"]), peaks=peak_table(world["tmp"]), canonical_model=canonical_model,
                     now=datetime.now(UTC), source="demo")
    finally:
        conn.close()
    _dbt(warehouse, "run", "--select", "stg_bench__runs+")
    tflops, runs, run_ids = _measured(warehouse)
    assert (tflops, runs) == (statistics.median([*BOUND_TFLOPS, THIRD_BOUND_TFLOPS]), len(BOUND_TFLOPS) + 1)
    assert third in run_ids


@pytest.fixture(scope="module")
def serving(world) -> Path:
    path = world["tmp"] / "serving.duckdb"
    publish(world["warehouse"], path)
    return path


def test_operator_names_reach_the_marts_without_control_characters(world) -> None:
    stored = dict(_rows(world["warehouse"], "select run_id, any_value(provider) from marts.benchmark_results "
                                           "where tier = 'self-attested' group by run_id"))
    assert {stored[run_id] for run_id in world["names"]} == {display_text(n) for n in world["names"].values()}
    assert all(ch.isprintable() for name in stored.values() if name for ch in name)


def test_formula_names_come_back_as_inert_text_from_every_export(world, serving: Path) -> None:
    from openpyxl import load_workbook

    from reports import build_report

    names = {display_text(n) for n in world["names"].values()}
    assert any(formula_like(n) for n in names)

    book = load_workbook(io.BytesIO(build_report(serving, "xlsx")))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell of the workbook is a formula"
    providers = [c for c in cells if c.value in names]
    assert {c.value for c in providers} == names
    assert all(c.data_type == "s" and c.quotePrefix == formula_like(c.value) for c in providers)

    archive = zipfile.ZipFile(io.BytesIO(build_report(serving, "csv")))
    rows = list(csv.DictReader(io.StringIO(archive.read("benchmarks_self_attested.csv").decode())))
    shown = {r["provider"] for r in rows}
    assert shown >= {("'" + n) if formula_like(n) else n for n in names}
    assert not [v for r in rows for v in r.values() if v and formula_like(v)], "no CSV cell starts like a formula"

    html = build_report(serving, "html").decode()
    assert "\x1b" not in html and "\u202e" not in html and "=HYPERLINK(&#34;" in html


def test_the_benchmarks_page_shows_bound_runs_by_key_and_self_attested_runs_apart(
        world, serving: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from depinlens.settings import PROJECT_ROOT

    monkeypatch.setenv("DEPINLENS_SERVING", str(serving))
    app = AppTest.from_file(str(PROJECT_ROOT / "dashboards" / "app_pages" / "benchmarks.py"),
                            default_timeout=90).run()
    assert not app.exception, app.exception
    assert [s.value for s in app.subheader][:2] == ["Leaderboard: bound runs, median matmul TFLOP/s per provider key",
                                                   "Self-attested runs (not verified against chain data)"]
    bound, claimed = app.dataframe[0].value, app.dataframe[1].value
    row = bound[(bound["provider"] == world["akash"].provider) & (bound["precision"] == "bf16")].iloc[0]
    # figures are written as the page shows them ("5"): the page never shows a bare None or NaN
    assert row["operator_pubkey"] == world["akash_operator"].public_key and int(row["runs"]) >= len(BOUND_TFLOPS)
    assert set(bound["tier"]) == {"bound"} and set(claimed["tier"]) == {"self-attested"}
    assert {display_text(n) for n in world["names"].values()} <= set(claimed["provider"])
