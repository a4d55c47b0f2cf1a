"""dbt run in a fork of the process that runs the dbt step, instead of in a fresh `dbt` process.

Why: the step's process has already imported most of dbt (dagster-dbt imports it with the
definitions) and imports the rest with this module. A fresh `dbt` process spends about 1.4 s
importing dbt again before it reads a file, and dagster-dbt's resource spends more before it
starts one: it runs `dbt --version` (another fresh dbt process, once per run) and builds a dbt
adapter in the step's process, which only its column-metadata helpers use (this pipeline calls
none). A fork starts with all of dbt in memory: a one-day build at 10M rows drops from about 4.3 s
to under 3 s (benchmarks/pipeline_scale.py prints both).

What does not change: the command line (`dbt.cli.main.cli`, what the `dbt` console script runs),
dbt's JSON log lines on the child's stdout and its exit status, which dagster-dbt's
`DbtCliInvocation` turns into materializations, check results and errors as before. The child is a
process of its own: nothing dbt sets up (flags, adapters, the DuckDB file's lock) outlives the
command, and a dbt crash takes only the child.

Fork safety. The child starts with this process's memory but only the thread that forked; it runs
dbt alone and leaves through `os._exit` (multiprocessing's fork start method, the default on Linux
before Python 3.14, which handles the interpreter's own locks). What it must not inherit is a
database this process has open: DuckDB would hand the child that instance, whose threads are not
there. The warehouse connections close the DuckDB file after each piece of work (dbt opened it
from another process before, which needed that too), and dbt reaches a lake through a new
in-memory database of its own.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dbt.adapters.duckdb  # noqa: F401 - loaded here so that every fork has it
import setproctitle
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dagster_dbt.asset_utils import (
    DBT_INDIRECT_SELECTION_ENV,
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.compat import DBT_PYTHON_VERSION
from dagster_dbt.core.dbt_cli_invocation import PARTIAL_PARSE_FILE_NAME, _get_dbt_target_path
from dagster_dbt.dagster_dbt_translator import DagsterDbtTranslator
from dbt.cli.main import cli as dbt_cli
from packaging import version

_FORK = multiprocessing.get_context("fork")


def _run_dbt(argv: list[str], env: dict[str, str], cwd: str, output_fd: int) -> None:
    """The child: dbt's command line on `argv`, stdout and stderr into `output_fd`, exit with dbt's status."""
    setproctitle.setproctitle(" ".join(["dbt", *argv]))  # ps and /proc show the command, as for a dbt process
    setproctitle.setthreadtitle("dbt")  # and the process name (its only thread's)
    signal.set_wakeup_fd(-1)  # the CLI's signal watcher listens on it (depinlens/interrupts.py): not for dbt's signals
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the parent's handlers are Dagster's and the CLI's
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - fresh objects: no lock another thread held
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    dbt_cli.main(args=argv, prog_name="dbt")  # exits (SystemExit) with dbt's status, as the console script


class ForkedDbt:
    """A dbt command running in a forked child, with what dagster-dbt reads of a `subprocess.Popen`:
    `args`, `stdout` (its output and errors, line by line), `wait`, `poll`, `returncode`, `send_signal`."""

    def __init__(self, args: Sequence[str], *, env: Mapping[str, str], cwd: Path | str) -> None:
        self.args = list(args)
        read_fd, write_fd = os.pipe()
        # daemon: should this process end without waiting for dbt, multiprocessing stops dbt on the way out
        self._child = _FORK.Process(target=_run_dbt, args=(self.args[1:], dict(env), str(cwd), write_fd),
                                    name="dbt", daemon=True)
        try:
            self._child.start()
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # the child's copy is its stdout: the pipe ends when the child does
        self.pid = self._child.pid
        self.stdout = os.fdopen(read_fd, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit status (negative: the signal that ended it), or None while dbt runs."""
        if self.returncode is None and self._child.exitcode is not None:
            self.returncode = self._child.exitcode
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for dbt to exit and return its status.

        Raises:
            subprocess.TimeoutExpired: it was still running after `timeout` seconds.
        """
        self._child.join(timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, sig: int) -> None:
        """Signal dbt (SIGINT: dbt cancels its queries and exits), unless it has exited."""
        if self.poll() is None:
            os.kill(self.pid, sig)


class ForkingDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, running each command in a `ForkedDbt` (module docstring).

    `cli` is dagster-dbt 0.29's `DbtCliResource.cli` (the context's asset selection, the per-run
    target folder holding a copy of the partial parse, dbt's environment) with two changes: dbt
    starts as a fork instead of a process of the `dbt` executable, and no dbt adapter is built in
    this process (dagster-dbt builds one for `fetch_column_metadata` and `fetch_row_counts`, which
    this pipeline does not call). The version is this process's dbt-core, the one the fork runs.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return DBT_PYTHON_VERSION

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: Any = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: Any = None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        """Start `dbt <args>` in a fork and return dagster-dbt's handle on it (stream its events, wait)."""
        translator = dagster_dbt_translator or DagsterDbtTranslator()
        cleaned_args, runtime_selects, runtime_excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context, manifest=manifest or {}, dagster_dbt_translator=translator,
            runtime_selects=runtime_selects, runtime_excludes=runtime_excludes)
        target_path = target_path or self._get_unique_target_path(context=context)
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        if not target_path.is_absolute():
            target_path = project_dir / target_path
        env = {
            **os.environ,
            "DAGSTER_DBT_CLI": "true",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_LOG_FORMAT": "json",
            "DBT_TARGET_PATH": os.fspath(target_path),
            "DBT_LOG_PATH": os.fspath(target_path),
            **({"DBT_PROFILES_DIR": self.profiles_dir} if self.profiles_dir else {}),
            "DBT_PROJECT_DIR": str(project_dir),
            **({DBT_INDIRECT_SELECTION_ENV: params.indirect_selection} if params.indirect_selection else {}),
        }
        profile_args = [*(["--profile", self.profile] if self.profile else []),
                        *(["--target", self.target] if self.target else [])]
        _copy_partial_parse(project_dir, target_path)
        process = ForkedDbt(["dbt", *self.global_config_flags, *cleaned_args, *profile_args, *params.selection_args],
                            env=env, cwd=project_dir)
        return DbtCliInvocation(process=process, manifest=params.manifest,  # type: ignore[arg-type]
                                dagster_dbt_translator=params.dagster_dbt_translator, project_dir=project_dir,
                                target_path=target_path, raise_on_error=raise_on_error, context=context,
                                adapter=None, cli_version=self._cli_version, project=params.dbt_project)


def _copy_partial_parse(project_dir: Path, target_path: Path) -> None:
    """The project's partial parse into the command's own target folder, so dbt reads it instead of
    parsing every file (as dagster-dbt's `DbtCliInvocation.run` does)."""
    current = _get_dbt_target_path()
    source = (current if current.is_absolute() else project_dir / current) / PARTIAL_PARSE_FILE_NAME
    destination = target_path / PARTIAL_PARSE_FILE_NAME
    if source.exists() and not destination.exists():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, destination)
