"""The same specification on both warehouse backends: the embedded DuckDB file and a DuckLake on PostgreSQL.

The demo is built twice, by the same command (`depinlens up`), once into the DuckDB file and
once with `--team` (a real PostgreSQL cluster the command starts and stops, DuckLake catalog,
Dagster storage in PostgreSQL); every mart, every named query, every page and the report must
come out the same. Loads, checks, cursors and publishing are then specified once and run on both.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from depinlens.postgres import local_cluster
from depinlens.settings import Settings
from tests.conftest import run_up
from tests.test_dashboard_pages import PAGES, TITLES, _assert_written_for_people
from warehouse import (
    ServingReader,
    WarehouseConnections,
    install_extensions,
    connect_serving,
    connect_warehouse,
    publish,
    queries,
    read_cursor,
    record_progress,
    replace_partition,
    serving_version,
    settle_cursors,
    transaction,
)
from warehouse._progress import Cursor, Progress

VOLATILE = ("_at",)  # timestamps of the build itself (fetched_at, built_at, published_at): differ run to run


def _server_processes(directory: Path) -> list[str]:
    """Command lines of running processes that serve the cluster in `directory`."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                line = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "postgres" in line and str(directory) in line:
                found.append(line)
    return found


@pytest.fixture(scope="module")
def team_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`depinlens up --team --days 3 --no-serve` in a fresh data directory; then its cluster started again
    (the command stops the one it started) so the tests can read the lake. Yields (data dir, lake location)."""
    data_dir = tmp_path_factory.mktemp("team")
    out = run_up(data_dir, 3, "--team")
    assert "team mode" in out and "PostgreSQL" in out
    assert not _server_processes(data_dir / "postgres"), "up --team left its PostgreSQL server running"
    with local_cluster(data_dir / "postgres", databases=()) as cluster:
        yield data_dir, f"ducklake:postgres:{cluster.dsn('depinlens_lake')}"


@pytest.fixture(scope="module")
def file_serving(demo_data_dir: Path) -> Path:
    return demo_data_dir / "serving.duckdb"


def _marts(conn: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Every published mart, build timestamps left out, rows in a canonical order."""
    tables = [t for (t,) in conn.execute("select table_name from duckdb_tables() where database_name = "
                                         "current_database() and schema_name = 'marts' order by 1").fetchall()]
    out = {}
    for table in tables:
        columns = [c for (c,) in conn.execute(
            "select column_name from duckdb_columns() where database_name = current_database() and schema_name = "
            "'marts' and table_name = ? order by column_index", [table]).fetchall() if not c.endswith(VOLATILE)]
        listed = ", ".join(f'"{c}"' for c in columns)
        out[table] = conn.execute(f'select {listed} from marts."{table}" order by all').df()
    return out


def test_the_demo_builds_the_same_marts_in_a_ducklake_as_in_the_duckdb_file(team_demo, file_serving) -> None:
    _, lake = team_demo
    with connect_serving(file_serving) as file_conn, connect_serving(lake) as lake_conn:
        in_file, in_lake = _marts(file_conn), _marts(lake_conn)
    assert sorted(in_lake) == sorted(in_file) and len(in_file) >= 10
    assert sum(len(f) for f in in_file.values()) > 100
    for table, frame in in_file.items():
        pd.testing.assert_frame_equal(in_lake[table], frame, check_dtype=False, obj=f"marts.{table}")


def _query_calls() -> list[tuple[str, dict]]:
    """Every named query with arguments that exercise it (defaults, plus the required ones)."""
    calls = [(name, {}) for name in queries.__all__ if name not in ("network_periods", "provider_summary")]
    calls += [("network_periods", {"grain": "week"}), ("network_periods", {"grain": "month"}),
              ("provider_summary", {"network": "akash"})]
    return calls


def test_every_named_query_answers_the_same_from_either_backend(team_demo, file_serving) -> None:
    _, lake = team_demo
    with connect_serving(file_serving) as file_conn, connect_serving(lake) as lake_conn:
        for name, kwargs in _query_calls():
            got, expected = (getattr(queries, name)(c, **kwargs) for c in (lake_conn, file_conn))
            if name == "published_at":
                assert got is not None and expected is not None
            elif isinstance(expected, pd.DataFrame):
                volatile = [c for c in expected.columns if str(c).endswith(VOLATILE)]
                pd.testing.assert_frame_equal(got.drop(columns=volatile), expected.drop(columns=volatile),
                                              check_dtype=False, obj=name)
            else:
                assert got == expected, name


def test_every_page_renders_from_the_lakes_published_snapshot(team_demo, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    data_dir, lake = team_demo
    monkeypatch.setenv("DEPINLENS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DEPINLENS_WAREHOUSE", lake)
    monkeypatch.delenv("DEPINLENS_SERVING", raising=False)
    monkeypatch.setenv("DEPINLENS_BENCH_INBOX", str(tmp_path / "inbox"))
    for page in ("overview.py", "revenue.py", "gpu_prices.py", "data_sources.py", "providers.py"):
        app = AppTest.from_file(str(PAGES / page), default_timeout=90).run()
        assert not app.exception, (page, [e.message for e in app.exception])
        assert TITLES[page] in [t.value for t in app.title], page
        assert app.dataframe or app.get("plotly_chart"), f"{page} shows no table and no chart"
        _assert_written_for_people(app, page)


def _csv_tables(report: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(report)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".csv")}


def test_a_report_from_the_lake_holds_the_same_tables_as_from_the_file(team_demo, file_serving) -> None:
    from reports import build_report

    _, lake = team_demo
    from_lake = _csv_tables(build_report(lake, "csv", generated_at=None))
    from_file = _csv_tables(build_report(file_serving, "csv", generated_at=None))
    assert sorted(from_lake) == sorted(from_file) and from_file
    for name, text in from_file.items():
        if "published" in text or "generated" in name:
            continue  # the build's own timestamps
        assert from_lake[name] == text, name


def test_team_mode_keeps_dagsters_runs_in_postgresql(team_demo) -> None:
    data_dir, lake = team_demo
    dsn = lake.split(":", 2)[2].replace("dbname=depinlens_lake", "dbname=dagster")
    conn = duckdb.connect()
    install_extensions(conn)
    conn.execute(f"attach '{dsn}' as dagster (type postgres, read_only)")
    statuses = [s for (s,) in conn.execute("select status from dagster.public.runs").fetchall()]
    assert "SUCCESS" in statuses
    assert (data_dir / "dagster_home_team" / "dagster.yaml").read_text().count("postgres") >= 2


# --- loads, checks, cursors and publishing: one specification, both backends -----------------------

@pytest.fixture(params=["duckdb_file", "ducklake"])
def backend(request: pytest.FixtureRequest) -> Settings:
    return request.getfixturevalue("settings" if request.param == "duckdb_file" else "lake_settings")


def _transfers(day: date, n: int, *, amount: int = 5) -> pa.Table:
    from datetime import UTC, datetime

    at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return pa.table({
        "network": ["aethir"] * n, "chain": ["anvil"] * n, "source": ["local"] * n, "token_symbol": ["ATH"] * n,
        "token_address": ["0x" + "a" * 40] * n, "decimals": pa.array([18] * n, pa.uint8()),
        "kind": ["transfer"] * n, "from_address": ["0x" + "1" * 40] * n, "to_address": ["0x" + "2" * 40] * n,
        "amount_raw": pa.array([amount] * n, pa.decimal128(38, 0)), "block_number": list(range(n)),
        "block_time": [at] * n, "block_day": [day] * n, "tx_hash": [f"0x{day:%Y%m%d}{i:056x}" for i in range(n)],
        "log_index": [0] * n, "fetched_at": [at] * n,
    })


def _load(conn, day: date, rows: pa.Table) -> int:
    return replace_partition(conn, "raw.token_transfers", rows, scope={"chain": "anvil", "source": "local"},
                             day_column="block_day", first_day=day, last_day=day)


def test_reloading_a_day_replaces_it_without_duplicates_on_either_backend(backend: Settings) -> None:
    day1, day2 = date(2025, 6, 1), date(2025, 6, 2)
    conn = connect_warehouse(backend.warehouse_path)
    try:
        _load(conn, day1, _transfers(day1, 3))
        _load(conn, day2, _transfers(day2, 4))
        _load(conn, day1, _transfers(day1, 2))  # the day again, now with fewer rows
        counts = dict(conn.execute("select block_day, count(*) from raw.token_transfers group by 1").fetchall())
    finally:
        conn.close()
    assert counts == {day1: 2, day2: 4}


def test_a_row_that_breaks_a_check_is_refused_and_nothing_of_its_load_is_written_on_either_backend(
        backend: Settings) -> None:
    day = date(2025, 6, 1)
    conn = connect_warehouse(backend.warehouse_path)
    try:
        _load(conn, day, _transfers(day, 3))
        good = _transfers(day, 4)
        bad = good.set_column(good.schema.get_field_index("kind"), "kind",
                              pa.array(["transfer", "transfer", "teleport", "transfer"]))
        with pytest.raises(duckdb.ConstraintException, match="CHECK"):
            _load(conn, day, bad)
        assert conn.execute("select count(*) from raw.token_transfers").fetchone()[0] == 3
    finally:
        conn.close()


def test_a_runs_connections_each_load_all_or_nothing_and_see_each_others_commits_on_either_backend(
        backend: Settings) -> None:
    """The run's connections (WarehouseConnections: a lake attached once, a file opened each time) each
    enforce the raw CHECKs, keep their own transactions, and read what the others committed."""
    day1, day2 = date(2025, 6, 1), date(2025, 6, 2)
    connections = WarehouseConnections(backend.warehouse_path)
    try:
        first = connections.connect()
        try:
            _load(first, day1, _transfers(day1, 3))
        finally:
            first.close()
        second = connections.connect()
        try:
            good = _transfers(day2, 4)
            bad = good.set_column(good.schema.get_field_index("kind"), "kind",
                                  pa.array(["transfer", "transfer", "teleport", "transfer"]))
            with pytest.raises(duckdb.ConstraintException, match="CHECK"):
                _load(second, day2, bad)
            _load(second, day2, good)
            counts = dict(second.execute("select block_day, count(*) from raw.token_transfers group by 1").fetchall())
        finally:
            second.close()
    finally:
        connections.close()
    assert counts == {day1: 3, day2: 4}
    reopened = connect_warehouse(backend.warehouse_path)
    try:
        assert reopened.execute("select count(*) from raw.token_transfers").fetchone()[0] == 7
    finally:
        reopened.close()


def test_a_lake_is_attached_once_for_all_the_connections_of_a_run(lake_settings: Settings) -> None:
    connections = WarehouseConnections(lake_settings.warehouse_path)
    try:
        first, second = connections.connect(), connections.connect()
        try:
            first.execute("create table memory.main.marker (x int)")  # the in-memory catalog of their database
            assert second.execute("select count(*) from memory.main.marker").fetchone()[0] == 0
            assert second.execute("select current_database()").fetchone()[0] == "lake"
        finally:
            first.close()
            second.close()
    finally:
        connections.close()
    again = WarehouseConnections(lake_settings.warehouse_path)
    try:
        fresh = again.connect()
        try:
            with pytest.raises(duckdb.CatalogException):
                fresh.execute("select count(*) from memory.main.marker")
        finally:
            fresh.close()
    finally:
        again.close()


def test_a_load_leaves_the_connections_thread_setting_as_it_found_it_whether_it_commits_or_fails(
        settings: Settings) -> None:
    """Small loads run on one DuckDB thread (warehouse/_load.py: ROW_GROUP_ROWS); the setting is the
    database's, so it must be back once the load is over, a refused load included."""
    day = date(2025, 6, 1)
    conn = connect_warehouse(settings.warehouse_path)
    try:
        conn.execute("set threads = 3")
        _load(conn, day, _transfers(day, 3))
        after_commit = conn.execute("select current_setting('threads')").fetchone()[0]
        good = _transfers(day, 2)
        bad = good.set_column(good.schema.get_field_index("kind"), "kind", pa.array(["transfer", "teleport"]))
        with pytest.raises(duckdb.ConstraintException):
            _load(conn, day, bad)
        after_failure = conn.execute("select current_setting('threads')").fetchone()[0]
        kept = conn.execute("select count(*) from raw.token_transfers").fetchone()[0]
    finally:
        conn.close()
    assert (after_commit, after_failure, kept) == (3, 3, 3)


def test_a_cursor_never_moves_backwards_on_either_backend(backend: Settings) -> None:
    conn = connect_warehouse(backend.warehouse_path)
    scope = dict(network="aethir", chain="anvil", contract="0x" + "a" * 40, record_kind="transfer")
    try:
        for block in (100, 40, 250, 90):
            record_progress(conn, Progress(cursors=[Cursor(**scope, last_block=block, last_day=date(2025, 6, 1),
                                                           source="local")]))
        cursor = read_cursor(conn, **scope)
    finally:
        conn.close()
    assert cursor is not None and cursor.last_block == 250


def test_cursors_appended_by_loads_settle_to_the_furthest_row_of_each_key_on_either_backend(backend: Settings) -> None:
    """Loads append cursor rows (no delete: the dearest statement on a lake); settling keeps one per key."""
    conn = connect_warehouse(backend.warehouse_path)
    ahead = dict(network="aethir", chain="anvil", contract="0x" + "a" * 40, record_kind="transfer")
    alone = {**ahead, "contract": "0x" + "b" * 40}
    try:
        for block, ref in ((100, "first"), (250, "older write"), (40, "backfill"), (250, "newer write")):
            with transaction(conn):
                record_progress(conn, Progress(cursors=[
                    Cursor(**ahead, last_block=block, last_day=date(2025, 6, 1), source="local", ref=ref),
                    Cursor(**alone, last_block=7, last_day=date(2025, 6, 1), source="local")][:2 if block == 100 else 1]))
        appended = conn.execute("select count(*) from raw.ingest_state").fetchone()[0]
        before = read_cursor(conn, **ahead)
        removed = settle_cursors(conn)
        after = conn.execute("select contract, last_block, last_ref from raw.ingest_state order by contract").fetchall()
        again = settle_cursors(conn)
    finally:
        conn.close()
    assert appended == 5 and removed == 3 and again == 0
    assert before is not None and (before.last_block, before.ref) == (250, "newer write")  # ties: the newest write
    assert after == [(ahead["contract"], 250, "newer write"), (alone["contract"], 7, None)]


def _mart_rows(conn) -> int:
    return conn.execute("select count(*) from marts.t").fetchone()[0]


def _write(settings: Settings, *statements: str) -> None:
    """Run `statements` on the working warehouse and close it (as a pipeline step does before publishing)."""
    conn = connect_warehouse(settings.warehouse_path)
    try:
        for sql in statements:
            conn.execute(sql)
    finally:
        conn.close()


def test_readers_keep_the_published_version_while_the_warehouse_changes_and_follow_the_next_publish(
        backend: Settings) -> None:
    _write(backend, "create schema if not exists marts", "create table marts.t as select range as i from range(10)")
    publish(backend.warehouse_path, backend.serving_path)
    reader = ServingReader(backend.serving_path)
    try:
        first = reader.version()
        with reader.cursor() as cursor:
            assert _mart_rows(cursor) == 10
        _write(backend, "insert into marts.t select range from range(5)")  # a writer commits after the publish
        with reader.cursor() as cursor:
            assert _mart_rows(cursor) == 10
        with connect_serving(backend.serving_path) as fresh:
            assert _mart_rows(fresh) == 10  # a new reader too: what is published, not what was written
        publish(backend.warehouse_path, backend.serving_path)
        assert serving_version(backend.serving_path) != first
        with reader.cursor() as cursor:
            assert _mart_rows(cursor) == 15
    finally:
        reader.close()
