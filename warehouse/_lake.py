"""The DuckLake backend: extensions, connections, the raw schema's checks, write conflicts, snapshots.

DuckLake keeps its catalog in PostgreSQL and its rows in Parquet files, so many processes
write at once and readers can pin a snapshot. Three things differ from the DuckDB file, and
this module is where they are handled:

* Extensions: DuckDB cannot download them on machines without internet, so they are
  installed from the pinned `duckdb-extension-ducklake` / `duckdb-extension-postgres`
  packages (the postgres one under its load name, `postgres_scanner`). Installing puts them
  where DuckDB autoloads from, so dbt's `attach` finds them too.
* CHECK constraints: DuckLake refuses them. The raw schema's DDL is also applied, checks and
  all, as temporary tables on every lake connection (`raw.x` becomes `temp.main.raw__x`: a
  transaction may write to one attached database plus its temporary tables); `insert_rows`
  sends a load through them first, so DuckDB enforces the same constraints from the same DDL.
* Write conflicts: two transactions that delete from and insert into one table conflict at
  commit even when their rows differ (DuckLake tracks changes per table). A load is
  idempotent (delete its partition, insert its rows), so `retry_on_conflict` runs it again.
"""

from __future__ import annotations

import random
import re
import hashlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse._location import LAKE_ALIAS, Lake, parse_lake, redact_dsn

SCHEMA_TABLE = "meta.schema_applied"  # the DDL versions (sha256) already applied to a lake
CONFLICT_ATTEMPTS = 30
# Two writers that commit at the same moment race for the next snapshot id, and DuckLake retries the loser
# itself (without a conflict, the commit succeeds on the next try). Its default first wait, 100 ms growing
# by 1.5x, is longer than a whole day load here (20-60 ms), so workers lost more time waiting than loading;
# short waits that double are enough for 2-8 workers (measured with benchmarks/scale_out.py).
COMMIT_RETRY = "set ducklake_retry_wait_ms = 5; set ducklake_retry_backoff = 2; set ducklake_max_retry_count = 10"
_CONFLICT_MARKERS = ("transaction conflict", "failed to commit ducklake transaction")
T = TypeVar("T")


class LakeUnavailable(RuntimeError):
    """The lake's catalog cannot be reached or its extensions cannot be loaded: a message that says what to do."""


def _extension_file(package: str) -> Path:
    """The `.duckdb_extension` file inside one of the pinned extension packages."""
    module = __import__(package)
    found = sorted(Path(module.__file__).parent.glob(f"extensions/v{duckdb.__version__}/*.duckdb_extension"))
    if not found:
        raise LakeUnavailable(f"{package} holds no extension for duckdb {duckdb.__version__}: "
                              "reinstall with `bash scripts/setup.sh` (pyproject.toml pins matching versions)")
    return found[0]


def install_extensions(conn: duckdb.DuckDBPyConnection) -> None:
    """Install DuckLake and the PostgreSQL scanner from the pinned packages (a no-op when already installed)."""
    installed = {name for (name,) in conn.execute(
        "select extension_name from duckdb_extensions() where installed").fetchall()}
    if "ducklake" not in installed:
        conn.execute(f"install {sql_literal(str(_extension_file('duckdb_extension_ducklake')))}")
    if "postgres_scanner" not in installed:
        with tempfile.TemporaryDirectory() as folder:
            staged = Path(folder) / "postgres_scanner.duckdb_extension"  # DuckDB takes the load name from the file name
            shutil.copyfile(_extension_file("duckdb_extension_postgres"), staged)
            conn.execute(f"install {sql_literal(str(staged))}")


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal (for statements that take no bound parameters, like ATTACH and INSTALL)."""
    return "'" + text.replace("'", "''") + "'"


def attach_lake(conn: duckdb.DuckDBPyConnection, lake: Lake, *, snapshot: int | None = None) -> None:
    """Attach `lake` as `lake` and make it the default catalog; pinned read-only at `snapshot` when given.

    A new catalog is created with `lake.new_data_path` as its data path; an existing one keeps
    the path it recorded (readers never need one).
    """
    install_extensions(conn)
    options = [f"SNAPSHOT_VERSION {int(snapshot)}", "READ_ONLY"] if snapshot is not None else []
    data_path = lake.data_path or ""
    if (data_path or lake.new_data_path).startswith(("s3://", "gs://", "r2://", "az://", "https://")):
        conn.execute("load httpfs")
    try:
        _attach(conn, lake, [*options, *([f"DATA_PATH {sql_literal(data_path)}"] if data_path else [])])
    except duckdb.Error as exc:
        if data_path or "data_path is not set" not in str(exc) or snapshot is not None:
            raise _unavailable(lake, exc) from exc
        try:  # a catalog not created yet: create it with the default data path
            _attach(conn, lake, [*options, f"DATA_PATH {sql_literal(lake.new_data_path)}"])
        except duckdb.Error as again:
            raise _unavailable(lake, again) from again
    conn.execute(f"use {LAKE_ALIAS}")
    conn.execute(COMMIT_RETRY)


def _attach(conn: duckdb.DuckDBPyConnection, lake: Lake, options: list[str]) -> None:
    suffix = f" ({', '.join(options)})" if options else ""
    conn.execute(f"attach {sql_literal(lake.catalog)} as {LAKE_ALIAS}{suffix}")


def _unavailable(lake: Lake, exc: BaseException) -> LakeUnavailable:
    first = str(exc).splitlines()[0][:300]
    if "data path" in first.lower() or "data_path" in first.lower():
        hint = "set DEPINLENS_LAKE_DATA to the catalog's data path, or leave it unset to use the recorded one"
    else:
        hint = "is PostgreSQL running and the database created? (`depinlens up --team` starts one)"
    return LakeUnavailable(f"cannot attach the DuckLake catalog {lake.redacted()}: {redact_dsn(first)}; {hint}")


def connect_lake_plain(location: str | Lake) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the lake, without applying the raw schema (publishing, maintenance)."""
    conn = duckdb.connect()
    try:
        conn.execute("set TimeZone = 'UTC'")
        attach_lake(conn, parse_lake(location))
    except BaseException:
        conn.close()
        raise
    return conn


def connect_lake(location: str | Lake, schema_sql: str) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the lake with the raw schema in place, and the checking catalog beside it."""
    lake = parse_lake(location)
    conn = duckdb.connect()
    try:
        conn.execute("set TimeZone = 'UTC'")
        attach_lake(conn, lake)
        conn.execute(checking_tables_ddl(schema_sql))  # the DDL as written: CHECK constraints enforced here
        retry_on_conflict(lambda: _apply_schema(conn, schema_sql))
    except BaseException:
        conn.close()
        raise
    return conn


def lake_session(base: duckdb.DuckDBPyConnection, schema_sql: str) -> duckdb.DuckDBPyConnection:
    """Another connection to the lake `base` attached (`connect_lake`), for the next piece of work.

    A connection of the same DuckDB database shares its attached lake, its extensions and the
    schema already applied; what belongs to a connection is set again: the time zone, the lake as
    the default catalog, and the checking tables (temporary). About 10-20 ms, against 0.2-0.3 s
    for `connect_lake` (loading the extensions, the catalog's PostgreSQL session, the schema check).
    """
    conn = base.cursor()
    try:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute(f"use {LAKE_ALIAS}")
        conn.execute(checking_tables_ddl(schema_sql))
    except BaseException:
        conn.close()
        raise
    return conn


def _apply_schema(conn: duckdb.DuckDBPyConnection, schema_sql: str) -> None:
    """Apply the raw DDL (checks removed) in one lake transaction, once per DDL version.

    The DDL's `alter table` lines would otherwise add a schema change to the lake's history at
    every connection, and concurrent workers would conflict on them.
    """
    version = hashlib.sha256(schema_sql.encode()).hexdigest()
    conn.execute("begin transaction")
    try:
        conn.execute("create schema if not exists meta")
        conn.execute(f"create table if not exists {SCHEMA_TABLE} (sha256 varchar not null, applied_at timestamptz not null)")
        if conn.execute(f"select count(*) from {SCHEMA_TABLE} where sha256 = ?", [version]).fetchone()[0]:
            conn.execute("commit")
            return
        conn.execute(lake_ddl(schema_sql))
        conn.execute(f"insert into {SCHEMA_TABLE} values (?, now())", [version])
        conn.execute("commit")
    except BaseException:
        _rollback_quietly(conn)
        raise


def lake_ddl(schema_sql: str) -> str:
    """The raw DDL as a lake takes it: CHECK clauses removed, and no `drop not null` migrations.

    Those migrations loosen columns of DuckDB files made by older versions; a lake is created
    from the current DDL, where the columns are already nullable, and DuckLake (unlike DuckDB)
    refuses to drop a NOT NULL that is not there.
    """
    ddl = re.sub(r"(?im)^\s*alter table [^;]* drop not null\s*;", "", schema_sql)
    return without_checks(ddl)


def without_checks(ddl: str) -> str:
    """`ddl` with every `check (...)` clause removed (DuckLake does not support them; see module doc)."""
    out, i, lower = [], 0, ddl.lower()
    for match in re.finditer(r"\bcheck\s*\(", lower):
        if match.start() < i:
            continue
        depth, j = 1, match.end()
        while depth and j < len(ddl):
            depth += {"(": 1, ")": -1}.get(ddl[j], 0)
            j += 1
        out.append(ddl[i:match.start()])
        i = j
    out.append(ddl[i:])
    return "".join(out)


def checking_tables_ddl(schema_sql: str) -> str:
    """The raw DDL rewritten to temporary tables, CHECK constraints kept: `raw.x` -> `temp.main.raw__x`."""
    ddl = re.sub(r"(?im)^\s*create schema[^;]*;", "", schema_sql)
    ddl = re.sub(r"(?i)\bcreate table if not exists\b", "create temporary table if not exists", ddl)
    return re.sub(r"\braw\.(\w+)", r"temp.main.raw__\1", ddl)


def is_lake_connection(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether `conn`'s default catalog is a DuckLake."""
    row = conn.execute("select type from duckdb_databases() where database_name = current_database()").fetchone()
    return bool(row) and row[0] == "ducklake"


def insert_checked(conn: duckdb.DuckDBPyConnection, table: str, relation: str) -> None:
    """Insert `relation` into the lake's `table` (`raw.x`) through its checking temporary table.

    The rows land in `temp.main.raw__x` first (CHECK and NOT NULL constraints, defaults), then
    move to the lake; a bad row raises DuckDB's ConstraintException and nothing is written.
    """
    schema, name = table.split(".")
    shadow = f"temp.main.{schema}__{name}"
    conn.execute(f"insert into {shadow} by name select * from {relation}")
    try:
        conn.execute(f"insert into {LAKE_ALIAS}.{table} by name select * from {shadow}")
    finally:
        conn.execute(f"delete from {shadow}")


def is_conflict(exc: BaseException) -> bool:
    """Whether `exc` is DuckLake refusing a commit because another writer changed the same table."""
    return isinstance(exc, duckdb.Error) and any(m in str(exc).lower() for m in _CONFLICT_MARKERS)


def retry_on_conflict(work: Callable[[], T], *, attempts: int = CONFLICT_ATTEMPTS) -> T:
    """Run `work` (a whole transaction) again while its commit loses a DuckLake write conflict.

    Safe only for idempotent work: every load replaces its own partition, so running it again
    after the other writer's commit gives the same rows. Waits grow with jitter so two
    workers that collided do not collide again in step.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except duckdb.Error as exc:
            if not is_conflict(exc) or attempt == attempts:
                raise
            time.sleep(random.uniform(0, min(0.05 * 2 ** attempt, 2.0)))
    raise AssertionError("unreachable")


def _rollback_quietly(conn: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open (a failed DuckLake commit has already ended it)."""
    try:
        conn.execute("rollback")
    except duckdb.TransactionException:
        pass


# --- publishing: a pointer to a snapshot ------------------------------------------------------

PUBLISHED_TABLE = "meta.published_snapshots"


def current_snapshot(conn: duckdb.DuckDBPyConnection) -> int:
    """The lake's newest snapshot id."""
    return int(conn.execute(f"select max(snapshot_id) from {LAKE_ALIAS}.snapshots()").fetchone()[0])


def publish_snapshot(conn: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """Pin the lake's current snapshot as the published one; (snapshot id, row count per published table).

    Publishing writes two small rows, never a copy: `meta.published` (when, as the serving file
    has it, so pages can say so) in the data, then the pointer to the snapshot that includes it.
    Readers attach the lake at that snapshot (DuckLake time travel) and see exactly the marts
    of the build that published.
    """

    def in_transaction(*statements: tuple[str, list]) -> None:
        conn.execute("begin transaction")
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            conn.execute("commit")
        except BaseException:
            _rollback_quietly(conn)
            raise

    retry_on_conflict(lambda: in_transaction(
        ("create schema if not exists meta", []),
        ("create table if not exists meta.published (published_at timestamptz not null, working_file varchar)", []),
        ("delete from meta.published", []),
        ("insert into meta.published values (now(), 'ducklake')", [])))
    snapshot = current_snapshot(conn)
    tables = conn.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? and schema_name in "
        "(select unnest(?)) order by 1, 2", [LAKE_ALIAS, list(schemas)]).fetchall()
    counts = {f"{s}.{t}": conn.execute(f'select count(*) from {LAKE_ALIAS}.{s}."{t}" at (version => {snapshot})'
                                       ).fetchone()[0] for s, t in tables}
    retry_on_conflict(lambda: in_transaction(
        (f"create table if not exists {PUBLISHED_TABLE} (snapshot_id bigint not null, published_at timestamptz not null)",
         []),
        (f"insert into {PUBLISHED_TABLE} values (?, now())", [snapshot])))
    return snapshot, counts


_POINTER_READERS: dict[str, duckdb.DuckDBPyConnection] = {}
_POINTER_LOCK = threading.Lock()


def published_snapshot(location: str | Lake) -> int | None:
    """The snapshot the last publish pinned (None when nothing is published yet).

    The dashboards ask before every query, so each location keeps one attached connection for
    this (each query is its own transaction and reads the catalog afresh); a broken one is
    dropped and made again at the next call.
    """
    lake = parse_lake(location)
    with _POINTER_LOCK:
        conn = _POINTER_READERS.get(lake.catalog)
        if conn is None:
            conn = duckdb.connect()
            try:
                attach_lake(conn, lake)
            except BaseException:
                conn.close()
                raise
            _POINTER_READERS[lake.catalog] = conn
        try:
            exists = conn.execute("select count(*) from duckdb_tables() where database_name = ? and schema_name = "
                                  "'meta' and table_name = 'published_snapshots'", [LAKE_ALIAS]).fetchone()[0]
            row = conn.execute(f"select snapshot_id from {PUBLISHED_TABLE} order by published_at desc, "
                               "snapshot_id desc limit 1").fetchone() if exists else None
        except duckdb.Error:
            _POINTER_READERS.pop(lake.catalog).close()
            raise
    return int(row[0]) if row else None


def connect_snapshot(location: str | Lake, snapshot: int) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the lake as it was at `snapshot`, with `lake` as the default catalog."""
    conn = duckdb.connect()
    try:
        conn.execute("set TimeZone = 'UTC'")
        attach_lake(conn, parse_lake(location), snapshot=snapshot)
    except BaseException:
        conn.close()
        raise
    return conn
