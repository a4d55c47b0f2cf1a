"""Every CLI failure ends in one plain line naming the cause and the place in the code; the traceback
only with --verbose. Windows longer than one run may cover are refused before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from depinlens.failures import chain_of_error_info, chain_of_exception, one_line
from depinlens.settings import PROJECT_ROOT
from pipelines.window import MAX_WINDOW_DAYS
from tests.conftest import DAY_1, DAY_2
from tests.test_cli_runs_harness import cli_env


def _depinlens(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "depinlens.cli", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def unconfigured_chain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`depinlens run` told to read Ethereum without an RPC URL for it: the EVM steps fail."""
    data = tmp_path_factory.mktemp("unconfigured")
    env = {**cli_env(data, "http://127.0.0.1:9"), "DEPINLENS_EVM_CHAINS": "ethereum"}
    env.pop("DEPINLENS_RPC_ETHEREUM", None)
    return _depinlens(env, "run", "--from", DAY_1.isoformat(), "--to", DAY_2.isoformat()), data


def test_each_failed_step_is_one_line_with_its_cause_and_place_then_a_hint(unconfigured_chain_run) -> None:
    done, data = unconfigured_chain_run
    assert done.returncode == 1
    instance = dg.DagsterInstance.from_config(str(data / "dagster_home"))
    run = instance.get_runs(limit=1)[0]
    failed_steps = {e.step_key for e in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)}
    assert failed_steps and all(step.startswith("raw__evm_") for step in failed_steps)
    lines = _lines(done.stderr)
    failed = [line for line in lines if line.split(":", 1)[0] in failed_steps]
    assert sorted(line.split(":", 1)[0] for line in failed) == sorted(failed_steps)  # one line per failed step
    for line in failed:
        assert ": ConfigError: no RPC URL for chain 'ethereum': set DEPINLENS_RPC_ETHEREUM" in line, line
        assert line.endswith("in endpoint_url)") and "(at pipelines/chains/endpoints.py:" in line, line
    assert lines[-1].startswith(f"run {run.run_id[:8]} failed; full tracebacks: the same command with --verbose")


def test_without_verbose_no_traceback_is_printed(unconfigured_chain_run) -> None:
    done, _ = unconfigured_chain_run
    output = done.stdout + done.stderr
    assert "Traceback" not in output and "Stack Trace" not in output and "File \"" not in output
    assert "Warning" not in output  # Dagster's beta notices about our own definitions


def test_verbose_prints_the_traceback_and_still_ends_with_the_plain_lines(tmp_path: Path) -> None:
    env = {**cli_env(tmp_path, "http://127.0.0.1:9"), "DEPINLENS_EVM_CHAINS": "ethereum"}
    done = _depinlens(env, "--verbose", "run", "--from", DAY_1.isoformat())
    assert done.returncode == 1
    assert "Stack Trace" in done.stdout + done.stderr or "Traceback" in done.stdout + done.stderr
    assert any(line.startswith("raw__evm_token_transfers: ConfigError: no RPC URL") for line in _lines(done.stderr))


def test_a_failure_outside_the_run_is_one_line_naming_file_place_and_cause(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    env = {**cli_env(tmp_path, "http://127.0.0.1:9"), "DEPINLENS_REGISTRY": str(missing)}
    done = _depinlens(env, "up", "--days", "1", "--no-serve")
    assert done.returncode == 1
    lines = _lines(done.stderr)
    raised_at = _line_of("depinlens/registry.py", 'raise RegistryError(f"registry file')
    assert lines[-2].startswith(f"depinlens: RegistryError: registry file {missing} not found"), lines[-2]
    assert lines[-2].endswith(f"(at depinlens/registry.py:{raised_at} in load_registry)"), lines[-2]
    assert "--verbose" in lines[-1]
    assert "Traceback" not in done.stdout + done.stderr


def _line_of(path: str, text: str) -> int:
    """1-based number of the first line of `path` (under the project) that holds `text`."""
    return next(i for i, line in enumerate((PROJECT_ROOT / path).read_text().splitlines(), 1) if text in line)


def test_an_error_with_an_empty_message_still_names_its_type_and_innermost_cause() -> None:
    @dg.asset
    def fails_quietly() -> None:
        try:
            Path("/nonexistent/depinlens.toml").read_text()
        except OSError as exc:
            raise RuntimeError() from exc

    result = dg.materialize([fails_quietly], raise_on_error=False)
    error = next(e for e in result.all_events if e.is_step_failure).step_failure_data.error
    line = one_line(chain_of_error_info(error))
    assert line.startswith("RuntimeError (cause: FileNotFoundError: [Errno 2] No such file or directory: "
                           "'/nonexistent/depinlens.toml')"), line
    assert "(at tests/test_cli_runs_errors.py:" in line and line.endswith("in fails_quietly)"), line

    try:
        fails_quietly()
    except RuntimeError as exc:
        assert one_line(chain_of_exception(exc)) == line


def test_a_window_longer_than_one_run_covers_is_refused_naming_the_largest_that_works(tmp_path: Path) -> None:
    first = DAY_1 - timedelta(days=400)
    last = datetime.now(UTC).date() - timedelta(days=1)
    done = _depinlens(cli_env(tmp_path / "data", "http://127.0.0.1:9"), "run", "--from", first.isoformat(),
                      "--to", last.isoformat())
    message = " ".join(done.stderr.replace("│", " ").split())
    assert done.returncode == 2
    largest = f"--from {first} --to {first + timedelta(days=MAX_WINDOW_DAYS - 1)}"
    assert f"{(last - first).days + 1} days; one run covers at most {MAX_WINDOW_DAYS} days" in message, message
    assert f"the largest window from {first} is {largest}" in message, message
    assert "one materialization per asset and day" in message
    assert not (tmp_path / "data").exists()  # refused before anything was created


def test_up_refuses_more_demo_days_than_one_run_covers(tmp_path: Path) -> None:
    done = _depinlens(cli_env(tmp_path / "data", "http://127.0.0.1:9"), "up", "--days", str(MAX_WINDOW_DAYS + 1),
                      "--no-serve")
    assert done.returncode == 2 and "--days" in done.stderr
    assert not (tmp_path / "data").exists()
