"""Hardware and software fingerprint of the machine a run measured.

GPUs come from NVML (nvidia-ml-py) when it loads: name, PCI device id and bus id, UUID, driver,
CUDA driver version, VRAM, current and maximum clocks, enforced power limit, temperature and
the active throttle reasons. Without NVML but with a CUDA build of torch, torch.cuda's device
properties fill what they can (`gpu_info_source` says which). CPU model, cores and memory and
the versions of the packages that produced the figures are always recorded.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from gpu_bench.schema import Fingerprint, GpuInfo

PACKAGES = ("depinlens-gpu-bench", "depinlens", "torch", "numpy", "polars", "pandas", "pyarrow", "cudf-cu12",
            "cudf-polars-cu12", "cudf-cu13", "cudf-polars-cu13", "nvidia-ml-py", "pydantic", "rfc8785", "solders", "eth-account")

# nvmlClocksEventReason* bit → name (NVML's own names, without the prefix).
THROTTLE_REASONS = {
    0x1: "gpu_idle", 0x2: "applications_clocks_setting", 0x4: "sw_power_cap", 0x8: "hw_slowdown",
    0x10: "sync_boost", 0x20: "sw_thermal_slowdown", 0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown", 0x100: "display_clock_setting",
}


def throttle_reason_names(mask: int) -> list[str]:
    """Names of the bits set in an NVML clocks-event (throttle) reason mask."""
    return [name for bit, name in THROTTLE_REASONS.items() if mask & bit]


def collect() -> Fingerprint:
    """The fingerprint of this machine now."""
    gpus, source, nvml_error, driver, cuda_driver = [], "none", None, None, None
    try:
        gpus, driver, cuda_driver = _nvml_gpus()
        source = "nvml"
    except Exception as exc:  # noqa: BLE001 - NVML absent or unusable: say why, try torch
        nvml_error = f"{type(exc).__name__}: {exc}"[:300]
        gpus = _torch_gpus()
        source = "torch" if gpus else "none"
    return Fingerprint(
        gpu_info_source=source,
        nvml_error=nvml_error,
        driver_version=driver,
        cuda_driver_version=cuda_driver,
        cuda_runtime_version=_torch_cuda_version(),
        gpus=gpus,
        cpu_model=cpu_model(),
        cpu_logical_cores=os.cpu_count() or 1,
        cpu_physical_cores=physical_cores(),
        cpu_max_mhz=cpu_max_mhz(),
        memory_total_bytes=os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
        os=f"{platform.system()} {platform.release()} {platform.machine()}",
        python=platform.python_version(),
        packages=package_versions(),
    )


def _nvml_gpus() -> tuple[list[GpuInfo], str, str | None]:
    import pynvml as nv

    nv.nvmlInit()
    try:
        driver = _text(nv.nvmlSystemGetDriverVersion())
        try:
            v = nv.nvmlSystemGetCudaDriverVersion_v2()
            cuda_driver = f"{v // 1000}.{v % 1000 // 10}"
        except nv.NVMLError:
            cuda_driver = None
        gpus = []
        for i in range(nv.nvmlDeviceGetCount()):
            h = nv.nvmlDeviceGetHandleByIndex(i)
            pci = _optional(nv.nvmlDeviceGetPciInfo, h)
            gpus.append(GpuInfo(
                index=i,
                name=_text(nv.nvmlDeviceGetName(h)),
                pci_device_id=f"0x{pci.pciDeviceId:08X}" if pci else None,
                pci_bus_id=_text(pci.busId) if pci else None,
                uuid=_text(_optional(nv.nvmlDeviceGetUUID, h)),
                memory_total_bytes=getattr(_optional(nv.nvmlDeviceGetMemoryInfo, h), "total", None),
                sm_clock_mhz=_optional(nv.nvmlDeviceGetClockInfo, h, nv.NVML_CLOCK_SM),
                mem_clock_mhz=_optional(nv.nvmlDeviceGetClockInfo, h, nv.NVML_CLOCK_MEM),
                max_sm_clock_mhz=_optional(nv.nvmlDeviceGetMaxClockInfo, h, nv.NVML_CLOCK_SM),
                max_mem_clock_mhz=_optional(nv.nvmlDeviceGetMaxClockInfo, h, nv.NVML_CLOCK_MEM),
                power_limit_w=_milli(_optional(nv.nvmlDeviceGetEnforcedPowerLimit, h)),
                temperature_c=_optional(nv.nvmlDeviceGetTemperature, h, nv.NVML_TEMPERATURE_GPU),
                throttle_reasons=throttle_reason_names(_optional(_event_reasons(nv), h) or 0),
            ))
        return gpus, driver, cuda_driver
    finally:
        nv.nvmlShutdown()


def _event_reasons(nv: Any) -> Any:
    """NVML 12.x renamed "throttle reasons" to "clocks event reasons"; take whichever exists."""
    return getattr(nv, "nvmlDeviceGetCurrentClocksEventReasons", None) or nv.nvmlDeviceGetCurrentClocksThrottleReasons


def _torch_gpus() -> list[GpuInfo]:
    try:
        import torch
    except ImportError:
        return []
    if not torch.cuda.is_available():
        return []
    gpus = []
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        gpus.append(GpuInfo(
            index=i, name=p.name, memory_total_bytes=p.total_memory,
            uuid=f"GPU-{p.uuid}" if getattr(p, "uuid", None) else None,
            pci_bus_id=(f"{p.pci_domain_id:08X}:{p.pci_bus_id:02X}:{p.pci_device_id:02X}.0"
                        if hasattr(p, "pci_bus_id") else None),
        ))
    return gpus


def _torch_cuda_version() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.version.cuda


def cpu_model() -> str:
    """The CPU's marketing name (/proc/cpuinfo on Linux), else what platform knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith(("model name", "Model", "cpu model")):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def physical_cores() -> int | None:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo; None where that is not available."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return None
    cores, physical = set(), "0"
    for line in cpuinfo.read_text(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "physical id":
            physical = value.strip()
        elif key.strip() == "core id":
            cores.add((physical, value.strip()))
    return len(cores) or None


def cpu_max_mhz() -> int | None:
    """The highest clock any CPU reports: cpufreq's maximum, else /proc/cpuinfo's current "cpu MHz".

    The verifier bounds CPU figures by cores × clock; a VM without cpufreq still states a clock
    in /proc/cpuinfo. None where neither exists (the verifier then uses its fixed ceiling).
    """
    clocks = []
    for path in Path("/sys/devices/system/cpu").glob("cpu[0-9]*/cpufreq/cpuinfo_max_freq"):
        try:
            clocks.append(int(path.read_text().strip()) // 1000)  # kHz
        except (OSError, ValueError):
            continue
    cpuinfo = Path("/proc/cpuinfo")
    if not clocks and cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "cpu MHz":
                try:
                    clocks.append(round(float(value)))
                except ValueError:
                    continue
    return max(clocks) if clocks and max(clocks) > 0 else None


def package_versions() -> dict[str, str]:
    """Installed versions of the packages behind the figures (absent ones left out), plus Python."""
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _optional(fn: Any, *args: Any) -> Any:
    """NVML query that some GPUs (or vGPUs) do not support: None instead of an error."""
    import pynvml as nv

    try:
        return fn(*args)
    except nv.NVMLError:
        return None


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def _milli(value: int | None) -> float | None:
    return None if value is None else value / 1000.0
