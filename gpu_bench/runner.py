"""Compose the suites into one run: pick the device, fingerprint the machine, time every suite.

The CLI and the tests call `run_suites`; the suites themselves only know `run(device, config)`.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from gpu_bench._timing import SuiteConfig
from gpu_bench.errors import DeviceUnavailable, ModelUnknown
from gpu_bench.fingerprint import collect
from gpu_bench.peaks import PeakSpecsMissing, canonical_gpu_model, load_peak_specs
from gpu_bench.schema import SUITES, Fingerprint, Measurement, Operator, RunResult, Skipped, Suite
from gpu_bench.bounds import pct_of_peak

Progress = Callable[[Suite, str], None]  # (suite, "start" | "done")


def resolve_device(requested: str = "auto") -> str:
    """"auto" → cuda:0 when CUDA is available, else cpu; "cuda" → cuda:0; "cuda:N" must exist.

    Raises:
        DeviceUnavailable: a CUDA device was asked for and is not there (never replaced by the CPU).
    """
    try:
        import torch
    except ImportError as exc:
        raise DeviceUnavailable("torch is not installed: `pip install './gpu_bench[bench]'` for the CPU suites, or set "
                                "up the GPU environment (docs/gpu_bench.md)") from exc
    if requested == "auto":
        return "cuda:0" if torch.cuda.is_available() else "cpu"
    if requested == "cpu":
        return "cpu"
    if requested.startswith("cuda"):
        index = int(requested.split(":")[1]) if ":" in requested else 0
        if not torch.cuda.is_available():
            raise DeviceUnavailable(f"{requested} was requested but torch {torch.__version__} sees no CUDA "
                                    "device (a CPU build of torch, or no driver); set up the GPU environment "
                                    "(docs/gpu_bench.md) or use --device cpu")
        if index >= torch.cuda.device_count():
            raise DeviceUnavailable(f"{requested} was requested but only {torch.cuda.device_count()} "
                                    "CUDA devices exist")
        return f"cuda:{index}"
    raise DeviceUnavailable(f"unknown device {requested!r}: use auto, cpu, cuda or cuda:N")


def claimed_model(device: str, fingerprint: Fingerprint) -> str | None:
    """The canonical model of the measured GPU, None on a CPU run.

    Raises:
        ModelUnknown: the GPU's name cannot be canonicalized (its figures could not be accepted).
    """
    if device == "cpu":
        return None
    index = int(device.split(":")[1])
    gpu = next((g for g in fingerprint.gpus if g.index == index), None)
    if gpu is None:
        raise ModelUnknown(f"the fingerprint lists no GPU {index}; NVML and torch disagree about the devices")
    try:
        return canonical_gpu_model(gpu.name)
    except Exception as exc:  # noqa: BLE001 - an unknown GPU is one message, whatever the mapper raised
        raise ModelUnknown(f"GPU {index} {gpu.name!r} has no canonical model ({exc}); the pipeline would reject "
                           "its figures, so nothing was run") from exc


def run_suites(
    suites: Sequence[Suite] = SUITES,
    *,
    device: str = "auto",
    quick: bool = False,
    operator: Operator | None = None,
    progress: Progress | None = None,
    peak_specs_path: Path | None = None,
    config: SuiteConfig | None = None,
) -> RunResult:
    """Run the given suites on one device and return the unsigned result.

    Args:
        suites: suite names, in order.
        device: "auto", "cpu", "cuda" or "cuda:N".
        quick: tiny sizes (seconds in all); figures are flagged quick and not compared with others.
        operator: provider identity and venue to record.
        progress: called with (suite, "start"/"done").
        peak_specs_path: peak table for the operator-side % of peak (the pipeline recomputes it).
        config: override the timing config (tests).
    """
    started = datetime.now(UTC)
    resolved = resolve_device(device)
    fingerprint = collect()
    gpu_model = claimed_model(resolved, fingerprint)
    config = config or SuiteConfig.for_mode(quick)
    measurements: list[Measurement] = []
    skipped: list[Skipped] = []
    for suite in suites:
        if progress:
            progress(suite, "start")
        module = importlib.import_module(f"gpu_bench.{suite}")
        measurements += module.run(resolved, config, skipped)
        if progress:
            progress(suite, "done")
    if gpu_model:
        measurements = _with_pct_of_peak(measurements, gpu_model, peak_specs_path)
    from gpu_bench import __version__

    return RunResult(
        run_id=uuid.uuid4().hex, tool_version=__version__, started_at=started, finished_at=datetime.now(UTC),
        quick=config.quick, device=resolved, gpu_model=gpu_model, operator=operator or Operator(),
        fingerprint=fingerprint, measurements=measurements, skipped=skipped,
    )


def _with_pct_of_peak(measurements: list[Measurement], gpu_model: str, path: Path | None) -> list[Measurement]:
    try:
        spec = load_peak_specs(path).get(gpu_model)
    except PeakSpecsMissing:
        return measurements
    if spec is None:
        return measurements
    return [m.model_copy(update={"pct_of_peak": pct_of_peak(m, spec)}) if m.device != "cpu" else m
            for m in measurements]
