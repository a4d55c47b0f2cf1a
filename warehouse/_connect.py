"""Open the working warehouse (read-write, checked, schema applied) or the serving copy (read-only)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from warehouse import _lake
from warehouse._integrity import WarehouseCorrupt, check_open_warehouse, is_damage
from warehouse._location import LAKE_ALIAS, Lake, is_lake
from warehouse._serving import resolve_serving

Location = Path | str | Lake  # a DuckDB file's path, or a `ducklake:postgres:<dsn>` location (warehouse/_location.py)


def schema_sql() -> str:
    """The raw layer's DDL: every warehouse/schema/*.sql file, in name order."""
    folder = resources.files("warehouse").joinpath("schema")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return "\n".join(f.read_text() for f in files)


def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, with a damaged file reported as WarehouseCorrupt instead of DuckDB's error."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        if is_damage(exc):
            raise WarehouseCorrupt(path, cause=f"DuckDB cannot open it: {str(exc).splitlines()[0]}") from exc
        raise


def connect_warehouse(path: Location) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the working warehouse with the raw schema in place.

    `path` is the DuckDB file, or a DuckLake location (`ducklake:postgres:<dsn>`): then the
    connection's default catalog is the lake, and loads go through warehouse/_lake.py's checks.

    The integrity check is skipped where this process closed the file with `close_checked` and the file
    and its WAL are still exactly as it left them.

    Raises:
        WarehouseCorrupt: the file is damaged (cut short, or not a DuckDB file); it is left
            exactly as it was, because the check runs before any statement that writes.
    """
    if is_lake(path):
        return _lake.connect_lake(path if isinstance(path, Lake) else str(path), schema_sql())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checked = _left_intact.get(str(path.resolve())) == _file_state(path)  # before opening: it may replay the WAL
    conn = _open(path, read_only=False)
    try:
        if not checked:
            check_open_warehouse(conn, path)
        conn.execute("set TimeZone = 'UTC'")
        conn.execute(schema_sql())
    except BaseException:
        conn.close()
        raise
    return conn


# DuckDB files this process checked and then closed, with how they were left (`_file_state`): while a file
# is still exactly so, the next connection skips `check_open_warehouse` (~100 ms at 10M rows, more with
# the marts; a one-day ingestion opens a dozen connections).
_left_intact: dict[str, tuple] = {}


def _file_state(path: Path) -> tuple:
    """Inode, size and modification time (ns) of the file and of its WAL (None where absent): anything that
    writes, truncates or replaces either changes it."""
    state = []
    for file in (path, path.with_name(f"{path.name}.wal")):
        try:
            stat = file.stat()
        except FileNotFoundError:
            state.append(None)
        else:
            state.append((stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(state)


def close_checked(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Close a connection `connect_warehouse` gave for the DuckDB file `path`, and remember the file as it is
    left: the next connection of this process skips the integrity check while nothing has touched the file
    since. Only after a clean close: a close that fails remembers nothing."""
    conn.close()
    _left_intact[str(path.resolve())] = _file_state(path)


class WarehouseConnections:
    """Read-write connections to one warehouse, one per piece of work, for as long as a process runs it.

    A DuckDB file is opened for each connection and closed after it: DuckDB admits one writer
    process per file, and dbt opens the file between loads. A lake is attached once, on the first
    connection, and each connection after it is another connection of that database
    (`_lake.lake_session`): a run of a dozen assets attaches once instead of a dozen times, about
    0.2-0.3 s each on this machine. `close` detaches it.
    """

    def __init__(self, location: Location) -> None:
        self.location = location
        self._lake: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own: close it when done (the lake stays attached)."""
        if not is_lake(self.location):
            return connect_warehouse(self.location)
        with self._lock:
            if self._lake is None:
                self._lake = connect_warehouse(self.location)
            return _lake.lake_session(self._lake, schema_sql())

    def release(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Close a connection `connect` gave (on the DuckDB file, so that the next skips the integrity check
        while nothing else has touched the file: `close_checked`)."""
        if is_lake(self.location):
            conn.close()
        else:
            close_checked(conn, Path(self.location))

    def close(self) -> None:
        """Detach the lake, if it was attached (connections still open end with it)."""
        with self._lock:
            if self._lake is not None:
                self._lake.close()
                self._lake = None


def check_warehouse(path: Location) -> None:
    """Raise WarehouseCorrupt when the warehouse file at `path` is damaged; a missing file is fine.

    A DuckLake has no file to check (PostgreSQL keeps its catalog consistent): it always passes.

    Opens it read-only, so it writes nothing: a run calls it once before its first writing step.
    When this process already has it open for writing, that instance is checked instead. A
    file another process holds for writing cannot be opened to check; it passes, and the
    steps that write meet (and report) that lock themselves.
    """
    if is_lake(path):
        return
    path = Path(path)
    if not path.exists():
        return
    try:
        conn = _open(path, read_only=True)
    except duckdb.ConnectionException:  # open read-write in this process: share that instance
        conn = _open(path, read_only=False)
    except duckdb.IOException as exc:
        if "could not set lock" in str(exc).lower():
            return
        raise
    try:
        check_open_warehouse(conn, path)
    finally:
        conn.close()


class ServingFileMissing(FileNotFoundError):
    """No serving file yet: the pipeline has not published."""


def _missing(pointer: Location) -> ServingFileMissing:
    where = f"in the lake {Lake(str(pointer), '').redacted()}" if is_lake(pointer) else f"at {pointer}"
    return ServingFileMissing(
        f"nothing published {where}: run `depinlens up` (or the Dagster job) to build and publish the marts"
    )


def serving_version(pointer: Location) -> Path | int | None:
    """What the serving pointer names now: a version file, or for a lake the published snapshot id.

    None when nothing is published yet.
    """
    if is_lake(pointer):
        return _lake.published_snapshot(pointer if isinstance(pointer, Lake) else str(pointer))
    return resolve_serving(pointer)


def connect_serving(path: Location, *, version: Path | int | None = None) -> duckdb.DuckDBPyConnection:
    """Open the current published version read-only, so readers can never write it.

    `path` is the serving pointer (or a plain DuckDB file); the version it names is opened by
    its own path, so a connection made after a publish never shares DuckDB's instance of the
    version before it. For a DuckLake, `path` is the lake itself: the connection is attached at
    the snapshot the last publish pinned, so writers committing meanwhile change nothing it sees.
    """
    version = serving_version(path) if version is None else version
    if version is None:
        raise _missing(path)
    if is_lake(path):
        return _lake.connect_snapshot(path if isinstance(path, Lake) else str(path), int(version))
    conn = duckdb.connect(str(version), read_only=True)
    conn.execute("set TimeZone = 'UTC'")
    return conn


class ServingReader:
    """Read-only access for a long-lived process (the dashboards' server) that follows each publish.

    Every `cursor()` resolves the serving pointer. A version not seen before gets a fresh
    connection; the previous version's connection is closed as soon as its last cursor is
    done, so the process releases the old file and the next publish can delete it. Safe to
    share between threads.
    """

    def __init__(self, pointer: Location) -> None:
        self.pointer: Path | str = str(pointer) if is_lake(pointer) else Path(pointer)
        self._lock = threading.Lock()
        self._version: Path | int | None = None
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._users: dict[Path | int, int] = {}
        self._retired: dict[Path | int, duckdb.DuckDBPyConnection] = {}

    def version(self) -> Path | int | None:
        """The version file (or lake snapshot) the pointer names now (None when nothing is published)."""
        return serving_version(self.pointer)

    def open_versions(self) -> list[Path | int]:
        """Version files this reader still has a connection to (the current one, and any still in use)."""
        with self._lock:
            return [*([self._version] if self._conn is not None else []), *self._retired]

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the current version, closed when the block ends."""
        with self._lock:
            version = self.version()
            if version is None:
                raise _missing(self.pointer)
            if self._conn is None or version != self._version:
                fresh = connect_serving(self.pointer, version=version)
                self._retire()
                self._version, self._conn = version, fresh
            self._users[version] = self._users.get(version, 0) + 1
            cursor = self._conn.cursor()
            if isinstance(version, int):  # a lake snapshot: a cursor starts in DuckDB's default catalog
                cursor.execute(f"use {LAKE_ALIAS}")
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                self._users[version] -= 1
                if not self._users[version]:
                    del self._users[version]
                    if version in self._retired:
                        self._retired.pop(version).close()

    def _retire(self) -> None:
        """Close the current connection now if nobody uses it, else when its last cursor is done."""
        if self._conn is None or self._version is None:
            return
        if self._users.get(self._version):
            self._retired[self._version] = self._conn
        else:
            self._conn.close()
        self._version, self._conn = None, None

    def close(self) -> None:
        """Close every connection (cursors still in use fail from here on)."""
        with self._lock:
            for conn in [*self._retired.values(), *([self._conn] if self._conn is not None else [])]:
                conn.close()
            self._retired.clear()
            self._version, self._conn = None, None
