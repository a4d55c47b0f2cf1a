"""Views left out of a build only while the warehouse holds them as the project defines them
(pipelines/defs/dbt_views.py), every data test still run; dbt forked from this process
(pipelines/defs/dbt_fork.py) as the pipeline's dbt step runs it.

Real dbt on a real DuckDB file with the registry's tables, no Dagster run: the node lists come from
dbt's own JSON events, as dagster-dbt reads them.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from depinlens.registry import Registry
from depinlens.settings import DBT_PROJECT_DIR
from pipelines.defs import dbt_views
from pipelines.defs.assets.dbt import DBT_BUILD_ARGS
from pipelines.defs.assets.registry import registry_rows
from pipelines.defs.dbt_project import dbt_cli_resource, dbt_project
from pipelines.defs.dbt_views import VIEWS_KEPT, project_fingerprint, record_views, views_current
from warehouse import connect_warehouse, insert_rows


@pytest.fixture
def warehouse(tmp_path: Path, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A DuckDB file with the raw schema and the registry's tables; dbt's target folder beside it."""
    path = tmp_path / "warehouse.duckdb"
    with contextlib.closing(connect_warehouse(path)) as conn:
        for table, rows in registry_rows(registry, datetime.now(UTC)).items():
            insert_rows(conn, table, rows)
    monkeypatch.setenv("DEPINLENS_WAREHOUSE", str(path))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    yield path


def _build(flags: list[str]) -> dict[str, str]:
    """A build through the pipeline's dbt resource: {unique_id: status} of every node dbt ran."""
    invocation = dbt_cli_resource().cli([*DBT_BUILD_ARGS, *flags], raise_on_error=False)
    with contextlib.redirect_stdout(io.StringIO()):  # dagster-dbt re-prints dbt's lines
        events = list(invocation.stream_raw_events())
    assert invocation.process.returncode == 0, invocation.get_error()
    return {e.raw_event["data"]["node_info"]["unique_id"]: e.raw_event["data"]["node_info"]["node_status"]
            for e in events if e.raw_event["info"]["name"] in ("LogModelResult", "LogTestResult")}


def test_a_second_whole_build_leaves_the_views_out_and_still_runs_every_test(warehouse: Path) -> None:
    fingerprint = project_fingerprint()
    with contextlib.closing(connect_warehouse(warehouse)) as conn:
        assert not views_current(conn, fingerprint)  # never built: everything is
    first = _build([])
    with contextlib.closing(connect_warehouse(warehouse)) as conn:
        record_views(conn, fingerprint)
        assert views_current(conn, fingerprint)
        assert not views_current(conn, "another project")
        views = {name for (name,) in conn.execute(
            "select view_name from duckdb_views() where schema_name in ('staging', 'intermediate')").fetchall()}

    second = _build(VIEWS_KEPT)

    manifest = json.loads(dbt_project.manifest_path.read_text())["nodes"]
    view_models = {uid for uid, node in manifest.items()
                   if node["resource_type"] == "model" and node["config"]["materialized"] == "view"}
    assert len(view_models) >= 30 and {manifest[uid]["name"] for uid in view_models} == views
    assert view_models <= set(first) and not view_models & set(second)
    assert set(second) == set(first) - view_models  # every table, incremental model and data test
    tests = {uid for uid in first if uid.startswith("test.")}
    assert any(set(manifest[uid]["depends_on"]["nodes"]) & view_models for uid in tests)  # tests on views too
    assert {second[uid] for uid in tests} == {"pass"} and {second[uid] for uid in set(second) - tests} == {"success"}


def test_the_fingerprint_changes_with_any_model_or_macro_and_with_nothing_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    monkeypatch.setattr(dbt_views, "DBT_PROJECT_DIR", project)
    original = project_fingerprint()
    assert project_fingerprint() == original
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "run_results.json").write_text("{}")  # what builds write: not the project
    assert project_fingerprint() == original

    macro = next((project / "macros").rglob("*.sql"))
    macro.write_text(macro.read_text() + "\n")
    edited_macro = project_fingerprint()
    view = next((project / "models" / "staging").rglob("*.sql"))
    view.rename(view.with_name("stg_renamed.sql"))
    assert len({original, edited_macro, project_fingerprint()}) == 3


def test_no_view_reads_the_environment() -> None:
    """What makes a view's SQL depend on nothing but the fingerprinted files: neither a view nor any
    macro it calls (at any depth) reads an environment variable. The run's window is one (env_var in
    dbt/macros/window.sql): only tables and tests may read it."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    macros = manifest["macros"]

    def reads_environment(macro_id: str, seen: set[str]) -> bool:
        if macro_id in seen or macro_id not in macros:
            return False
        seen.add(macro_id)
        macro = macros[macro_id]
        return "env_var(" in macro["macro_sql"] or any(
            reads_environment(m, seen) for m in macro["depends_on"]["macros"])

    views = [node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["config"]["materialized"] == "view"]
    assert views
    offenders = [node["name"] for node in views
                 if "env_var(" in node["raw_code"] or any(reads_environment(m, set()) for m in
                                                           node["depends_on"]["macros"])]
    assert offenders == []
    # and the check can see one: the window macro reads the environment
    assert reads_environment("macro.depinlens.window_day", set())
