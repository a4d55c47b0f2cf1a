"""Where things are: every path and switch the project reads from the environment.

One place for these facts, so the CLI, Dagster, dbt's profile and the dashboards
agree on which DuckDB file is the warehouse and which is the serving copy, or, in team
mode, which DuckLake (`DEPINLENS_WAREHOUSE=ducklake:postgres:<dsn>`, data under
`DEPINLENS_LAKE_DATA`) is both: its published snapshot is what readers see.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from warehouse._location import is_lake

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"


@dataclass(frozen=True)
class Settings:
    """Resolved locations; build one with `Settings.from_env()`."""

    data_dir: Path
    warehouse_path: Path | str  # a DuckDB file, or a `ducklake:postgres:<dsn>` location (then a str)
    serving_path: Path | str  # the serving pointer; for a lake, the lake itself (it holds the published snapshot)
    registry_path: Path
    shared_dir: Path
    dagster_home: Path

    @classmethod
    def from_env(cls) -> Settings:
        """Read `DEPINLENS_*` variables, falling back to the embedded default under `data/`."""
        data_dir = Path(os.environ.get("DEPINLENS_DATA_DIR", PROJECT_ROOT / "data")).resolve()
        warehouse = os.environ.get("DEPINLENS_WAREHOUSE", str(data_dir / "warehouse.duckdb"))
        lake = is_lake(warehouse)
        return cls(
            data_dir=data_dir,
            warehouse_path=warehouse if lake else Path(warehouse),
            serving_path=warehouse if lake else Path(os.environ.get("DEPINLENS_SERVING", data_dir / "serving.duckdb")),
            registry_path=Path(os.environ.get("DEPINLENS_REGISTRY", PROJECT_ROOT / "networks.toml")),
            shared_dir=Path(os.environ.get("DEPINLENS_SHARED_DIR", PROJECT_ROOT.parent / "shared")),
            dagster_home=Path(os.environ.get("DAGSTER_HOME", data_dir / "dagster_home")),
        )

    def export(self) -> None:
        """Publish the resolved paths to child processes (dbt, Streamlit).

        DAGSTER_HOME is left alone: importing the code location must not redirect the
        instance of a `dagster dev` that is already running; the CLI sets it itself.
        """
        os.environ["DEPINLENS_DATA_DIR"] = str(self.data_dir)
        os.environ["DEPINLENS_WAREHOUSE"] = str(self.warehouse_path)
        os.environ["DEPINLENS_SERVING"] = str(self.serving_path)
        os.environ["DEPINLENS_REGISTRY"] = str(self.registry_path)
        os.environ["DEPINLENS_SHARED_DIR"] = str(self.shared_dir)

    @property
    def lake(self) -> bool:
        """Whether the warehouse is a DuckLake (team mode) rather than the embedded DuckDB file."""
        return is_lake(self.warehouse_path)


@contextmanager
def environment_restored(names: Iterable[str]) -> Iterator[None]:
    """Put `names` back in os.environ as they were (set, or absent) when the block ends, however it ends.

    For code that must hand variables to what it starts (dbt's subprocess, Dagster's instance,
    worker processes) by setting them in this process for a while.
    """
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
