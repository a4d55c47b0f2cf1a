"""The operator's install and the GPU-day script, on this CPU machine.

`scripts/gpu_check.sh --quick` installs gpu_bench alone (`./gpu_bench[bench]`) into a clean virtual
environment, runs its suite tests and `gpu-bench run --quick` there, has the result verified, and
ends with its summary and the GPU suites it skipped and why. The environment must hold nothing of
the pipeline. pip takes the versions .venv already has (a constraints file), so the packages come
from pip's cache and the local torch wheel, not from new downloads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from depinlens.settings import PROJECT_ROOT

PIPELINE = ("dagster", "dbt-core", "dbt-duckdb", "weasyprint", "vyper", "depinlens", "streamlit")


def _pins(path: Path) -> Path:
    """The exact versions of this environment (editable and direct-URL installs left out)."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True,
                            text=True, check=True).stdout.splitlines()
    path.write_text("\n".join(line for line in frozen if "==" in line and " @ " not in line
                              and not line.startswith("depinlens")) + "\n")
    return path


def test_gpu_check_on_a_cpu_machine_installs_gpu_bench_alone_and_ends_with_the_gpu_suites_it_skipped(
        tmp_path: Path) -> None:
    out, venv = tmp_path / "out", tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEPINLENS_", "VIRTUAL_ENV"))}
    env.update(GPU_CHECK_VENV=str(venv), GPU_CHECK_PIP_ARGS=f"--constraint {_pins(tmp_path / 'pins.txt')}",
               PYTHON=sys.executable)
    done = subprocess.run(["bash", "scripts/gpu_check.sh", "--quick", str(out)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]

    summary = done.stdout[done.stdout.index("== gpu_check summary =="):]
    assert "device    cpu" in summary
    assert f"result    {out / 'result.json'} (accepted by the verifier)" in summary
    skipped = summary[summary.index("GPU suites skipped"):]
    assert "test_on_cuda_matmul_measures_tf32_and_records_the_cuda_engine: needs a CUDA device" in skipped
    assert "test_with_cudf_polars_installed_every_query_runs_on_the_gpu_engine: cudf-polars is not installed" in skipped
    assert "bench cudf-polars groupby/join: no CUDA device" in skipped
    assert "TFLOP/s" in (out / "summary.txt").read_text()
    document = json.loads((out / "result.json").read_text())
    assert document["result"]["quick"] and {m["suite"] for m in document["result"]["measurements"]} == {
        "matmul", "bandwidth", "copy", "inference", "dataframe"}

    installed = {p["name"].lower() for p in json.loads(subprocess.run(
        [str(venv / "bin" / "pip"), "list", "--format", "json"], capture_output=True, text=True, check=True).stdout)}
    assert "depinlens-gpu-bench" in installed and "torch" in installed
    assert not installed & set(PIPELINE), f"the operator's install holds pipeline packages: {installed & set(PIPELINE)}"
    importable = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import importlib.util as u; print([m for m in "
         "('dagster', 'dbt', 'weasyprint', 'vyper', 'harness', 'pipelines', 'depinlens') if u.find_spec(m)])"],
        cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert importable == "[]"


def test_the_cudf_tests_fail_when_cudf_is_importable_but_does_not_run(tmp_path: Path) -> None:
    """Installed means it must run: with modules named cudf and cudf_polars importable (empty
    stand-ins, so nothing can run) the cuDF suite tests fail, saying why, instead of passing or skipping."""
    for module in ("cudf", "cudf_polars"):
        (tmp_path / module).mkdir()
        (tmp_path / module / "__init__.py").write_text("")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-k", "cudf",
                           "gpu_bench/tests/test_gpu_bench_suites.py"], cwd=PROJECT_ROOT,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "2 errors" in done.stdout or "2 failed" in done.stdout, done.stdout[-3000:]
    assert "cuDF is installed but torch sees no CUDA device" in done.stdout or "did not run" in done.stdout
