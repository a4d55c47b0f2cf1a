"""The dbt project as Dagster sees it: where it is, its manifest (parsed when missing or stale), the CLI resource.

Kept apart from pipelines/defs/resources.py so that a process that runs no dbt (an ingestion
worker, pipelines/parallel.py) imports neither dagster-dbt nor dbt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from depinlens.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _dbt_executable() -> str:
    """dbt beside this Python (the project's venv), so nothing depends on an activated venv or PATH."""
    beside_python = Path(sys.executable).with_name("dbt")
    return str(beside_python) if beside_python.exists() else "dbt"


def _manifest_is_stale() -> bool:
    """The manifest is missing (a fresh clone) or older than a file of the dbt project (a pull, an edit)."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", *DBT_PROJECT_DIR.glob("models/**/*"),
               *DBT_PROJECT_DIR.glob("macros/**/*")]
    return any(path.is_file() and path.stat().st_mtime > built for path in sources)


def _prepare_manifest() -> None:
    """Parse the dbt project when its manifest is missing or stale, or under `dagster dev` (models may
    change while it runs); dagster-dbt's own preparer would look for `dbt` on PATH."""
    if os.environ.get("DAGSTER_IS_DEV_CLI") or _manifest_is_stale():
        subprocess.run([_dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                        "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(dbt_project.target_path)],
                       check=True)


_prepare_manifest()


def dbt_cli_resource() -> DbtCliResource:
    """dagster-dbt's CLI resource on this project, running each dbt command in a fork of this process
    (pipelines/defs/dbt_fork.py); `dbt parse` above still runs the dbt beside this Python."""
    from pipelines.defs.dbt_fork import ForkingDbtCliResource

    return ForkingDbtCliResource(project_dir=dbt_project, dbt_executable=_dbt_executable())
