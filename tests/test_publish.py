"""Publishing: each publish is a new version file behind the serving path, readers in one process
see it at once (DuckDB's per-path instance cache cannot answer with the old one), and old versions
are released by the dashboards' reader and deleted only when no other process holds them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import (
    ServingFileMissing,
    ServingReader,
    connect_serving,
    publish,
    resolve_serving,
    versions_dir,
)


def _working(path: Path, figure: int) -> Path:
    """A working warehouse whose one mart holds `figure` (real DuckDB file, rewritten in place)."""
    conn = duckdb.connect(str(path))
    try:
        conn.execute("create schema if not exists marts")
        conn.execute("create or replace table marts.figures as select ?::bigint as revenue", [figure])
    finally:
        conn.close()
    return path


def _revenue(conn: duckdb.DuckDBPyConnection) -> int:
    return conn.execute("select revenue from marts.figures").fetchone()[0]


def _open_files(pid: int | str = "self") -> list[str]:
    """Where every open file descriptor of a process points (Linux /proc)."""
    fds = Path(f"/proc/{pid}/fd")
    targets = []
    for fd in fds.iterdir():
        try:
            targets.append(os.readlink(fd))
        except FileNotFoundError:  # closed while listing
            pass
    return targets


@pytest.fixture
def working(tmp_path: Path) -> Path:
    return _working(tmp_path / "warehouse.duckdb", 1)


@pytest.fixture
def serving(tmp_path: Path) -> Path:
    return tmp_path / "serving.duckdb"


def test_each_publish_is_a_new_file_and_the_serving_path_names_the_newest(working: Path, serving: Path) -> None:
    publish(working, serving)
    first = resolve_serving(serving)
    publish(_working(working, 2), serving)
    second = resolve_serving(serving)

    assert first != second and first.parent == second.parent == versions_dir(serving)
    assert serving.is_symlink() and not Path(os.readlink(serving)).is_absolute()  # the data folder can move
    with duckdb.connect(str(serving), read_only=True) as conn:  # any tool opening the serving path gets the newest
        assert _revenue(conn) == 2


def test_a_connection_opened_after_a_publish_sees_it_while_an_older_connection_is_still_open(
        working: Path, serving: Path) -> None:
    publish(working, serving)
    before = connect_serving(serving)
    try:
        publish(_working(working, 2), serving)
        after = connect_serving(serving)
        try:
            assert _revenue(after) == 2
            assert _revenue(before) == 1  # the older reader keeps its consistent snapshot
        finally:
            after.close()
    finally:
        before.close()


def test_only_the_current_and_the_previous_version_stay_on_disk(working: Path, serving: Path) -> None:
    published = []
    for figure in (1, 2, 3, 4):
        publish(_working(working, figure), serving)
        published.append(resolve_serving(serving))

    assert sorted(versions_dir(serving).iterdir()) == sorted(published[-2:])


def test_a_version_another_process_holds_is_kept_until_it_lets_go(working: Path, serving: Path) -> None:
    publish(working, serving)
    held = resolve_serving(serving)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
                               "print(c.execute('select revenue from marts.figures').fetchone()[0], flush=True); "
                               "sys.stdin.readline()", str(serving)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "1"
        for figure in (2, 3):
            publish(_working(working, figure), serving)
        assert held.exists()
        assert [f for f in _open_files(holder.pid) if f.startswith(str(versions_dir(serving)))] == [str(held)]
    finally:
        holder.communicate("\n", timeout=30)

    publish(_working(working, 4), serving)
    assert not held.exists()


def test_the_reader_follows_each_publish_and_releases_the_version_before(working: Path, serving: Path) -> None:
    publish(working, serving)
    first = resolve_serving(serving)
    reader = ServingReader(serving)
    try:
        with reader.cursor() as cursor:
            assert _revenue(cursor) == 1
        publish(_working(working, 2), serving)
        with reader.cursor() as cursor:
            assert _revenue(cursor) == 2

        assert reader.open_versions() == [resolve_serving(serving)]
        assert str(first) not in _open_files()
    finally:
        reader.close()


def test_the_reader_closes_an_old_version_only_after_its_last_cursor_is_done(working: Path, serving: Path) -> None:
    publish(working, serving)
    first = resolve_serving(serving)
    reader = ServingReader(serving)
    try:
        with reader.cursor() as slow:  # another session's query still running on the old version
            publish(_working(working, 2), serving)
            with reader.cursor() as fresh:
                assert _revenue(fresh) == 2
            assert _revenue(slow) == 1
            assert first in reader.open_versions()
        assert reader.open_versions() == [resolve_serving(serving)]
    finally:
        reader.close()


def test_publishing_over_a_plain_serving_file_turns_it_into_the_pointer(working: Path, serving: Path) -> None:
    with duckdb.connect(str(serving)) as conn:  # the layout before versions: one plain file
        conn.execute("create schema marts")
        conn.execute("create table marts.figures as select 0::bigint as revenue")

    publish(working, serving)

    assert serving.is_symlink()
    with connect_serving(serving) as conn:
        assert _revenue(conn) == 1


def test_a_failed_publish_keeps_the_current_version_and_leaves_nothing_behind(working: Path, serving: Path,
                                                                             tmp_path: Path) -> None:
    publish(working, serving)
    current = resolve_serving(serving)

    with pytest.raises(duckdb.Error):
        publish(tmp_path / "no-such-warehouse.duckdb", serving)

    assert resolve_serving(serving) == current
    assert list(versions_dir(serving).iterdir()) == [current]


def test_reading_before_anything_is_published_says_what_to_run(serving: Path) -> None:
    with pytest.raises(ServingFileMissing, match="run `depinlens up`"):
        connect_serving(serving)
    with pytest.raises(ServingFileMissing, match="run `depinlens up`"), ServingReader(serving).cursor():
        pass
