"""A throwaway (or kept) PostgreSQL cluster for the lake's catalog and Dagster's storage.

Team mode and the tests need a PostgreSQL server. When no DSN is given, this starts one:
Debian's `postgresql` binaries, a cluster initialised in a directory (a temp one for tests,
`data/postgres/` for `depinlens up --team`), listening on a free loopback port only, and
stopped with `pg_ctl stop -m fast` when the `with` block ends, so no server is left behind.
PostgreSQL refuses to run as root; as root the cluster directory is given to the `postgres`
system user and the server runs as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the server would not start: the message says what to do."""


@dataclass(frozen=True)
class Cluster:
    """A running server: where it listens and its data directory."""

    host: str
    port: int
    directory: Path
    user: str = "postgres"

    def dsn(self, dbname: str) -> str:
        """A libpq key=value DSN for `dbname` on this server."""
        return f"dbname={dbname} host={self.host} port={self.port} user={self.user}"

    def url(self, dbname: str) -> str:
        """The same as an SQLAlchemy URL for Dagster's storage (psycopg2, the driver dagster-postgres installs)."""
        return f"postgresql+psycopg2://{self.user}@{self.host}:{self.port}/{dbname}"


def bin_dir() -> Path:
    """The directory of initdb/pg_ctl (Debian's layout), or the one on PATH."""
    for folder in BIN_DIRS:
        if Path(folder, "initdb").exists():
            return Path(folder)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable("PostgreSQL is not installed: `apt-get install postgresql` (scripts/setup.sh --test or "
                              "--team does it as root), or give a server with DEPINLENS_PG_DSN")


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(argv: list[str], directory: Path) -> list[str]:
    """`argv` run as the `postgres` user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return argv
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise PostgresUnavailable("running as root needs the `postgres` system user (Debian's postgresql "
                                  "package creates it)") from exc
    for parent in directory.parents:  # the server user must be able to reach its directory
        if not parent.stat().st_mode & 0o001:
            parent.chmod(parent.stat().st_mode | 0o001)
    _give_tree(directory, entry.pw_uid, entry.pw_gid)
    return ["runuser", "-u", "postgres", "--", *argv]


def _give_tree(directory: Path, uid: int, gid: int) -> None:
    """Give `directory` and everything under it to uid:gid.

    The server may be running (`pg_ctl stop`): a file it removes between the listing and the chown
    (`global/pg_internal.init`, rewritten as it starts and stops) has no owner to give, and a folder
    that goes away is not walked (os.walk skips what it cannot list).
    """
    for root, _folders, files in os.walk(directory):
        for path in [root, *(os.path.join(root, name) for name in files)]:
            with suppress(FileNotFoundError):
                os.chown(path, uid, gid)


def _run(argv: list[str], directory: Path) -> None:
    done = subprocess.run(_as_server_user(argv, directory), capture_output=True, text=True, check=False)
    if done.returncode:
        raise PostgresUnavailable(f"{Path(argv[0]).name} failed ({done.returncode}): "
                                  f"{(done.stderr or done.stdout).strip()[-600:]}")


def create_database(cluster: Cluster, dbname: str) -> None:
    """CREATE DATABASE `dbname` unless it exists."""
    argv = [str(bin_dir() / "psql"), "-h", cluster.host, "-p", str(cluster.port), "-U", cluster.user, "-d", "postgres",
            "-tAc", f"select 1 from pg_database where datname = '{dbname}'"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    if out != "1":
        subprocess.run([str(bin_dir() / "createdb"), "-h", cluster.host, "-p", str(cluster.port), "-U", cluster.user,
                        dbname], capture_output=True, text=True, check=True)


@contextmanager
def local_cluster(directory: Path, *, port: int | None = None, databases: tuple[str, ...] = ("lake",),
                  durable: bool = True) -> Iterator[Cluster]:
    """Start a PostgreSQL server whose data live in `directory` (initialised on first use); stop it on exit.

    Trust authentication, loopback only: a cluster for one machine's tests or team mode, not a
    production server (give that one with a DSN instead). `durable=False` (tests) turns fsync off.
    """
    binaries = bin_dir()
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    if not (data / "PG_VERSION").exists():
        _run([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
              "--no-instructions"], directory)
    port = port or free_port()
    cluster = Cluster(host="127.0.0.1", port=port, directory=directory)
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(directory / "server.log"),
          "-w", "-t", "30", "start"], directory)
    try:
        for name in databases:
            create_database(cluster, name)
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():  # else the server is already gone: nothing is left to stop
            _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], directory)
