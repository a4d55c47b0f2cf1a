"""What the CLI-run tests share: a local chain behind a gate, `depinlens run` as a real process, and ways
to stop that process at a chosen point of its run.

No tests here. The chain is anvil with two simulated demo days (DAY_1, DAY_2), read through a
JSON-RPC proxy that can hold every call of one method until released, so a run can be caught
mid-ingestion for sure. Later points (dbt build, publish, the run's end) are caught by letting
the CLI run in slices of a few milliseconds (SIGCONT ... SIGSTOP) and reading Dagster's event log
while it is stopped: what the test sees is exactly the state the process is in when it is killed.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from depinlens.processes import ProcessInfo, all_processes, descendants, is_running, process_info
from depinlens.registry import Registry
from depinlens.settings import PROJECT_ROOT
from harness.anvil import Anvil
from harness.demo import simulate_evm
from harness.evm import LocalEvm
from pipelines.stale_runs import PID_TAG
from tests.conftest import DAY_1, DAY_2, GENESIS, LoopbackProxy

DBT_STEP = "depinlens_dbt_models"
PUBLISH_STEP = "serving__marts"
EVENT_TYPES = ("STEP_START", "STEP_SUCCESS", "ASSET_MATERIALIZATION", "PIPELINE_SUCCESS")
# generous bounds for a loaded 2-core CI machine: they catch a hang, they do not time anything
PATIENCE_S = 240.0


class Gate:
    """A JSON-RPC proxy in front of a node that can hold every call of one method until released."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._method: str | None = None
        self.arrived = threading.Event()
        self._open = threading.Event()
        self._open.set()
        self.proxy = LoopbackProxy(upstream, self._pass)
        self.url = self.proxy.url

    def _pass(self, method: str, _call: dict) -> None:
        if method == self._method:
            self.arrived.set()
            self._open.wait(timeout=PATIENCE_S)
        return None

    def hold(self, method: str) -> None:
        """From now on, hold every `method` call (and note that one arrived)."""
        self.arrived.clear()
        self._open.clear()
        self._method = method

    def release(self) -> None:
        """Answer the held calls and stop holding."""
        self._method = None
        self._open.set()


@pytest.fixture(scope="module")
def gate(registry: Registry) -> Iterator[Gate]:
    """anvil with two demo days of EVM activity, behind a Gate (module-wide: the runs only read it)."""
    node = Anvil(genesis_timestamp=GENESIS).start()
    try:
        simulate_evm(LocalEvm(node.url), registry, DAY_1, DAY_2)
        gate = Gate(node.url)
        with gate.proxy:
            yield gate
            gate.release()
    finally:
        node.stop()


def cli_env(data_dir: Path, rpc_url: str) -> dict[str, str]:
    """The CLI's environment: EVM-only on the local chain, no cloud price file, everything under `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "DAGSTER_"))}
    env.update(DEPINLENS_DATA_DIR=str(data_dir), DEPINLENS_RPC_ANVIL=rpc_url, DEPINLENS_EVM_CHAINS="anvil",
               DEPINLENS_SOLANA_CHAINS="", DEPINLENS_AKASH_CHAINS="", DEPINLENS_CLOUD_PRICES="off",
               DEPINLENS_SOURCE="local", COLUMNS="250")
    return env


_STARTED: list[subprocess.Popen] = []


def stop_leftover_clis() -> None:
    """Kill the process group of every CLI a test started that still runs (a failed test leaves some)."""
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(autouse=True, scope="module")
def _no_cli_outlives_its_module() -> Iterator[None]:
    yield
    stop_leftover_clis()


@dataclass
class Cli:
    """A `depinlens` command as its own process group, the way a shell starts a job."""

    data_dir: Path
    process: subprocess.Popen
    log: Path
    seen_run_ids: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, data_dir: Path, rpc_url: str, *extra: str) -> Cli:
        """`depinlens run` for DAY_1..DAY_2, EVM-only, on the chain at `rpc_url`."""
        return cls.launch(data_dir, cli_env(data_dir, rpc_url), "run", "--from", DAY_1.isoformat(),
                          "--to", DAY_2.isoformat(), *extra)

    @classmethod
    def launch(cls, data_dir: Path, env: dict[str, str], *args: str) -> Cli:
        """`depinlens <args>` with `env`, its output in a log file under `data_dir`."""
        data_dir.mkdir(parents=True, exist_ok=True)
        log = data_dir / f"cli-{time.monotonic_ns()}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "depinlens.cli", *args], cwd=PROJECT_ROOT, env=env,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        _STARTED.append(process)
        return cls(data_dir=data_dir, process=process, log=log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.data_dir / "dagster_home"))

    def latest_run_id(self) -> str | None:
        """The newest run this process started, read from the run storage without opening a Dagster
        instance (which would race the CLI to create the storage's tables); None before the first."""
        runs_db = self.data_dir / "dagster_home" / "history" / "runs.db"
        try:
            conn = sqlite3.connect(f"file:{runs_db}?mode=ro", uri=True, timeout=0.05)
            try:
                row = conn.execute("select t.run_id from run_tags t join runs r on r.run_id = t.run_id "
                                   "where t.key = ? and t.value = ? order by r.id desc limit 1",
                                   [PID_TAG, str(self.pid)]).fetchone()
            finally:
                conn.close()
        except sqlite3.OperationalError:  # not created yet, or a write in progress
            return None
        return row[0] if row else None

    def run_id(self) -> str:
        """The newest run this process started (waits for one)."""
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            if run_id := self.latest_run_id():
                return run_id
            assert self.process.poll() is None, f"the CLI ended before starting a run:\n{self.output()[-3000:]}"
            time.sleep(0.1)
        raise AssertionError(f"no run started within {PATIENCE_S:.0f} s:\n{self.output()[-3000:]}")

    def steps(self) -> tuple[str | None, dict[str, set[str]] | None]:
        """The newest run's id and its event types -> asset keys (asset events), step keys (step events) or
        "RUN", read from its SQLite event log; None for what cannot be read yet (or is locked by a write)."""
        run_id = self.latest_run_id()
        if run_id is None:
            return None, None
        db = self.data_dir / "dagster_home" / "history" / "runs" / f"{run_id}.db"
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
            try:
                rows = conn.execute("select dagster_event_type, step_key, asset_key from event_logs where "
                                    "dagster_event_type in (?, ?, ?, ?)", EVENT_TYPES).fetchall()
            finally:
                conn.close()
        except sqlite3.OperationalError:
            return run_id, None
        seen: dict[str, set[str]] = {}
        for event_type, step_key, asset_key in rows:
            seen.setdefault(event_type, set()).add(asset_key or step_key or "RUN")
        return run_id, seen

    def wait_until(self, condition: Callable[[dict[str, set[str]]], bool]) -> str:
        """Poll the newest run's event log (the process running freely) until `condition` holds; that run's id."""
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            run_id, seen = self.steps()
            if seen is not None and condition(seen):
                return run_id
            assert self.process.poll() is None, f"the CLI ended early:\n{self.output()[-3000:]}"
            time.sleep(0.05)
        raise AssertionError(f"condition not reached within {PATIENCE_S:.0f} s:\n{self.output()[-3000:]}")

    def freeze_when(self, condition: Callable[[dict[str, set[str]]], bool], *,
                    slice_s: float = 0.004) -> tuple[str, dict[str, set[str]]]:
        """Run the process in slices of `slice_s`, reading the newest run's event log while it is stopped;
        return with it stopped (SIGSTOP) as soon as `condition` holds: that run's id and what was seen."""
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            os.kill(self.pid, signal.SIGSTOP)
            while (info := process_info(self.pid)) is not None and info.state not in ("T", "t", "Z"):
                time.sleep(0.0005)
            run_id, seen = self.steps()
            if seen is not None and condition(seen):
                return run_id, seen
            assert self.process.poll() is None, f"the CLI ended early:\n{self.output()[-3000:]}"
            os.kill(self.pid, signal.SIGCONT)
            time.sleep(slice_s)
        raise AssertionError(f"condition not reached within {PATIENCE_S:.0f} s:\n{self.output()[-3000:]}")

    def wait_for_output(self, text: str) -> str:
        """Poll the CLI's output until it holds `text`; the output then."""
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            if text in (output := self.output()):
                return output
            assert self.process.poll() is None, f"the CLI ended early:\n{self.output()[-3000:]}"
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not printed within {PATIENCE_S:.0f} s:\n{self.output()[-3000:]}")

    def wait_for_child_to_end(self, *command: str) -> None:
        """Poll this CLI's processes until a child whose command line holds `command` (e.g. "dbt", "build")
        has run and ended."""
        seen = False
        deadline = time.monotonic() + PATIENCE_S
        while time.monotonic() < deadline:
            running = any(all(word in _command_line(p.pid) for word in command) for p in descendants(self.pid))
            if seen and not running:
                return
            seen = seen or running
            assert self.process.poll() is None, f"the CLI ended early:\n{self.output()[-3000:]}"
            time.sleep(0.02)
        raise AssertionError(f"no {' '.join(command)} ran and ended within {PATIENCE_S:.0f} s:\n"
                             f"{self.output()[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL the CLI process alone (what it started is left to itself, as after a crash), and reap it."""
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def finish(self, timeout_s: float = PATIENCE_S) -> int:
        """Wait for the process to end on its own; its exit code."""
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError(f"the CLI did not end within {timeout_s:.0f} s:\n{self.output()[-3000:]}") from None

    def children(self) -> list[ProcessInfo]:
        """Every running process this CLI started, and their children."""
        return descendants(self.pid)


def _command_line(pid: int) -> list[str]:
    """The base names of a process's arguments ("dbt", "build", ...); empty once it is gone. Split at
    spaces too, as `ps` shows it: a process that set its title (dbt forked by the pipeline,
    pipelines/defs/dbt_fork.py) holds one string."""
    try:
        raw = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [Path(word).name for word in raw.replace(b"\0", b" ").decode(errors="replace").split()]


def still_running(processes: list[ProcessInfo]) -> list[ProcessInfo]:
    """Those of `processes` still running (the same processes, not later ones with their pids)."""
    return [p for p in processes if is_running(p.pid, p.started)]


def group_members(pgid: int) -> list[ProcessInfo]:
    """Running processes of process group `pgid` (a CLI started by `Cli.launch` leads its own)."""
    return [p for p in all_processes() if p.pgid == pgid and p.running]


def marts(serving: Path) -> dict[str, list[tuple]]:
    """Every table of the serving file's `marts` schema, rows sorted."""
    conn = duckdb.connect(str(serving), read_only=True)
    try:
        tables = [t for (t,) in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        return {t: conn.execute(f'select * from marts."{t}" order by all').fetchall() for t in tables}
    finally:
        conn.close()
