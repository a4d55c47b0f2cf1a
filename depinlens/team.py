"""Team mode: the warehouse is a DuckLake on PostgreSQL and Dagster keeps its runs there too.

`depinlens up --team` (and any command run with the environment it sets) differs from the
embedded default in configuration only:

* DEPINLENS_WAREHOUSE=ducklake:postgres:<dsn>: the lake's catalog. When it is already set (a
  team's server), it is used as it is; otherwise a PostgreSQL cluster is started under
  `<data dir>/postgres/` for the length of the command and stopped at its end.
* DAGSTER_HOME=<data dir>/dagster_home_team, whose dagster.yaml keeps runs, events and schedules
  in PostgreSQL (dagster-postgres) at DEPINLENS_DAGSTER_PG_URL, and lets several warehouse
  writers run at once (the DuckDB file allows one).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from depinlens.settings import Settings, environment_restored
from warehouse import is_lake

TEAM_POOL_LIMIT = 4  # warehouse writers at once on a lake (the DuckDB file allows 1)
LAKE_DATABASE = "depinlens_lake"
DAGSTER_DATABASE = "dagster"

DAGSTER_YAML = f"""\
# Written by `depinlens up --team` (depinlens/team.py): Dagster's storage in PostgreSQL.
storage:
  postgres:
    postgres_url:
      env: DEPINLENS_DAGSTER_PG_URL
concurrency:
  pools:
    default_limit: {TEAM_POOL_LIMIT}
telemetry:
  enabled: false
"""


@dataclass(frozen=True)
class TeamSetup:
    """What team mode uses: the lake's location, Dagster's database, and whether this process started the server."""

    warehouse: str
    dagster_url: str
    started_server: bool


def dsn_fields(dsn: str) -> dict[str, str]:
    """A libpq `key=value ...` DSN as a dict (values may be single-quoted)."""
    import shlex

    return dict(part.split("=", 1) for part in shlex.split(dsn) if "=" in part)


def dagster_url_for(catalog_dsn: str, database: str = DAGSTER_DATABASE) -> str:
    """An SQLAlchemy URL (psycopg2) for `database` on the server (and as the user) of the lake's catalog DSN."""
    fields = dsn_fields(catalog_dsn)
    user = quote(fields.get("user", "postgres"))
    password = f":{quote(fields['password'])}" if "password" in fields else ""
    host = fields.get("host", "127.0.0.1")
    port = fields.get("port", "5432")
    return f"postgresql+psycopg2://{user}{password}@{host}:{port}/{database}"


def write_dagster_home(home: Path) -> Path:
    """Create `home` with the team dagster.yaml (rewritten each time: it holds no state)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    return home


@contextmanager
def team_environment(settings: Settings, *, on_start: Callable[[str], None] | None = None) -> Iterator[TeamSetup]:
    """Set the team mode's variables for the block; start (and finally stop) PostgreSQL if none is configured.

    Args:
        settings: the embedded default's settings (their data directory holds the cluster, if one is started).
        on_start: called with a line to print when a server is started.
    """
    from depinlens.postgres import create_database, local_cluster

    with environment_restored(("DEPINLENS_WAREHOUSE", "DEPINLENS_DAGSTER_PG_URL", "DAGSTER_HOME", "DEPINLENS_LAKE_DATA")):
        os.environ["DAGSTER_HOME"] = str(write_dagster_home(settings.data_dir / "dagster_home_team"))
        os.environ.setdefault("DEPINLENS_LAKE_DATA", str(settings.data_dir / "lake"))
        if is_lake(os.environ.get("DEPINLENS_WAREHOUSE", "")):
            catalog = os.environ["DEPINLENS_WAREHOUSE"]
            os.environ.setdefault("DEPINLENS_DAGSTER_PG_URL", dagster_url_for(catalog.split(":", 2)[2]))
            yield TeamSetup(catalog, os.environ["DEPINLENS_DAGSTER_PG_URL"], started_server=False)
            return
        with local_cluster(settings.data_dir / "postgres", databases=(LAKE_DATABASE, DAGSTER_DATABASE)) as cluster:
            if on_start is not None:
                on_start(f"PostgreSQL {cluster.host}:{cluster.port} (cluster in {cluster.directory}, "
                         "stopped when this command ends)")
            create_database(cluster, DAGSTER_DATABASE)
            os.environ["DEPINLENS_WAREHOUSE"] = f"ducklake:postgres:{cluster.dsn(LAKE_DATABASE)}"
            os.environ["DEPINLENS_DAGSTER_PG_URL"] = cluster.url(DAGSTER_DATABASE)
            yield TeamSetup(os.environ["DEPINLENS_WAREHOUSE"], cluster.url(DAGSTER_DATABASE), started_server=True)
