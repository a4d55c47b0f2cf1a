"""Plausibility bounds per device class: what no honest figure can exceed, and why each bound is where it is.

A figure measured on a GPU (device `cuda:N`) is bounded by the claimed card's datasheet row
(gpu_peak_specs.csv); a figure measured on the CPU (device `cpu`) by the machine's own reported
cores and clock, each capped by a generous fixed ceiling so a false fingerprint cannot lift the
bound. Every bound is compared with the figure at its median and at p5 (the faster end), times
the verifier's margin (1.05). docs/gpu_bench.md states the same bounds.

GPU (cuda:N), against the card:
    TFLOP/s            ≤ the precision's dense peak (the card's highest dense peak if none is published)
    tokens/s           × FLOP per token (≥ 2 × the decoder blocks' weights) ≤ that peak
    GB/s, device copy  ≤ memory bandwidth
    GB/s, host↔device  ≤ the host link: PCIe 5.0 x16, 64 GB/s each way; NVLink-C2C 450 GB/s (GH200)
    rows/s             ≤ memory bandwidth ÷ 8 bytes (every row's key must at least be read)
CPU, against cores × clock (logical cores ≤ 2048; clock = twice the reported one, for boost clocks
a VM's /proc/cpuinfo does not show, ≤ 6.5 GHz, and 6.5 GHz when none is reported):
    TFLOP/s            ≤ cores × clock × FLOP per core-cycle: fp32/tf32 64 (two AVX-512 FMA units),
                         fp16/bf16 1024 (AMX tiles)
    tokens/s           × FLOP per token ≤ that
    GB/s               ≤ cores × clock × 128 bytes (a 64-byte load and a 64-byte store each cycle)
    rows/s             ≤ cores × clock (at least one cycle per row)
"""

from __future__ import annotations

from dataclasses import dataclass

from gpu_bench._flops import matmul_flops_per_token
from gpu_bench.peaks import PeakSpec
from gpu_bench.schema import Fingerprint, Measurement

# --- CPU -------------------------------------------------------------------------------------------
CPU_MAX_LOGICAL_CORES = 2048  # an 8-socket server of 128-thread CPUs has 1,024
CPU_MAX_CLOCK_MHZ = 6500  # the fastest shipping desktop CPUs boost to 6.2 GHz
CPU_BOOST_ALLOWANCE = 2.0  # a VM reports its base or current clock; boost clocks stay under twice the base
CPU_FLOP_PER_CYCLE = {"fp32": 64, "tf32": 64, "fp16": 1024, "bf16": 1024}
CPU_BYTES_PER_CYCLE = 128
CPU_ROWS_PER_CYCLE = 1

# --- GPU -------------------------------------------------------------------------------------------
HOST_LINK_GBS = 64.0  # PCIe 5.0 x16: 63 GB/s each way, the fastest host link of a PCIe or SXM card
HOST_LINK_GBS_BY_FAMILY = {"GH200": 450.0}  # NVLink-C2C: 900 GB/s, 450 each way
GPU_MIN_BYTES_PER_ROW = 8


@dataclass(frozen=True)
class Limit:
    """The bound for one figure, in TFLOP/s for tokens/s figures (their implied FLOP rate), else the figure's unit."""

    value: float
    unit: str
    basis: str  # the sentence a rejection quotes


def cpu_capacity(fingerprint: Fingerprint) -> tuple[int, float, str]:
    """(logical cores, clock in Hz, how they were chosen) for the CPU bounds, capped."""
    cores = min(fingerprint.cpu_logical_cores, CPU_MAX_LOGICAL_CORES)
    reported = fingerprint.cpu_max_mhz
    mhz = min(reported * CPU_BOOST_ALLOWANCE if reported else CPU_MAX_CLOCK_MHZ, CPU_MAX_CLOCK_MHZ)
    clock = (f"{mhz / 1000:g} GHz" + (f" ({reported / 1000:g} GHz reported, × {CPU_BOOST_ALLOWANCE:g} for boost)"
                                       if reported and mhz < CPU_MAX_CLOCK_MHZ else "")
             + ("" if reported else " (no clock reported: the ceiling)"))
    capped = " (capped)" if fingerprint.cpu_logical_cores > CPU_MAX_LOGICAL_CORES else ""
    return cores, mhz * 1e6, f"{cores} logical cores{capped} at {clock}"


def limit(m: Measurement, *, spec: PeakSpec | None, fingerprint: Fingerprint) -> Limit | None:
    """The bound of a figure, or None where none applies (a GPU figure without a peak-table row)."""
    if m.device == "cpu":
        return _cpu_limit(m, fingerprint)
    return _gpu_limit(m, spec) if spec else None


def _cpu_limit(m: Measurement, fingerprint: Fingerprint) -> Limit:
    cores, hz, machine = cpu_capacity(fingerprint)
    if m.unit in ("TFLOP/s", "tokens/s"):
        per_cycle = CPU_FLOP_PER_CYCLE.get(m.precision or "", max(CPU_FLOP_PER_CYCLE.values()))
        return Limit(cores * hz * per_cycle / 1e12, "TFLOP/s",
                     f"CPU bound: {machine} × {per_cycle} {m.precision or 'any-precision'} FLOP per core-cycle")
    if m.unit == "GB/s":
        return Limit(cores * hz * CPU_BYTES_PER_CYCLE / 1e9, "GB/s",
                     f"CPU bound: {machine} × {CPU_BYTES_PER_CYCLE} bytes per core-cycle")
    return Limit(cores * hz * CPU_ROWS_PER_CYCLE, "rows/s", f"CPU bound: {machine} × {CPU_ROWS_PER_CYCLE} row per core-cycle")


def _gpu_limit(m: Measurement, spec: PeakSpec) -> Limit | None:
    if m.unit in ("TFLOP/s", "tokens/s"):
        peak = spec.tflops(m.precision) or spec.highest_tflops()
        if not peak:
            return None
        return Limit(peak, "TFLOP/s", f"the {spec.gpu_model}'s {m.precision or 'highest'} dense peak "
                                      f"{peak:g} TFLOP/s ({spec.source_ref or 'peak table'})")
    if m.unit == "GB/s" and m.suite == "copy":
        link = host_link_gbs(spec.gpu_model)
        return Limit(link, "GB/s", f"the {spec.gpu_model}'s host link, {link:g} GB/s each way")
    if not spec.memory_bandwidth_gbs:
        return None
    if m.unit == "GB/s":
        return Limit(spec.memory_bandwidth_gbs, "GB/s", f"the {spec.gpu_model}'s memory bandwidth "
                                                        f"{spec.memory_bandwidth_gbs:g} GB/s ({spec.source_ref or 'peak table'})")
    return Limit(spec.memory_bandwidth_gbs * 1e9 / GPU_MIN_BYTES_PER_ROW, "rows/s",
                 f"the {spec.gpu_model}'s memory bandwidth {spec.memory_bandwidth_gbs:g} GB/s ÷ "
                 f"{GPU_MIN_BYTES_PER_ROW} bytes per row")


def host_link_gbs(gpu_model: str) -> float:
    """Host↔device bandwidth each way of a canonical model's host link."""
    from gpu_bench.gpu_models import UnmappedGpuModel, gpu_family

    try:
        family = gpu_family(gpu_model)
    except UnmappedGpuModel:
        family = gpu_model
    return HOST_LINK_GBS_BY_FAMILY.get(family, HOST_LINK_GBS)


def implausible(i: int, m: Measurement, *, spec: PeakSpec | None, fingerprint: Fingerprint,
                margin: float) -> str | None:
    """Why figure #i cannot be real, or None. A tokens/s figure without its model's shape cannot be
    bounded, and is refused as such (its FLOP rate would be unknown)."""
    bound = limit(m, spec=spec, fingerprint=fingerprint)
    if bound is None:
        return None
    at_median, at_p5 = m.value, m.work / m.stats.p5_s
    scale = 1e12 if m.unit == "TFLOP/s" else 1e9 if m.unit == "GB/s" else 1.0
    at_p5 /= scale
    implied = ""
    if m.unit == "tokens/s":
        flops = matmul_flops_per_token(m.params)
        if not flops:
            return (f"measurement #{i} {m.metric} = {m.value:.4g} tokens/s states no model shape (d_model, n_layers, "
                    "d_ff), so the FLOP rate it implies cannot be bounded")
        at_median, at_p5 = at_median * flops / 1e12, at_p5 * flops / 1e12
        implied = f" (implies {at_median:.4g} TFLOP/s at ≥ {flops:.3g} FLOP per token)"
    if max(at_median, at_p5) > margin * bound.value:
        return (f"measurement #{i} {m.metric} {m.precision or ''} on {m.device} ({m.engine}) = {m.value:.4g} "
                f"{m.unit}{implied} is above {margin:g} × {bound.value:.4g} {bound.unit}, {bound.basis}")
    return None


def pct_of_peak(m: Measurement, spec: PeakSpec) -> float | None:
    """% of the card's datasheet peak: TFLOP/s against the precision's peak, device GB/s against memory
    bandwidth, decode/prefill tokens/s as the FLOP rate they imply (a lower bound)."""
    if m.unit == "TFLOP/s" and spec.tflops(m.precision):
        return 100.0 * m.value / spec.tflops(m.precision)
    if m.unit == "GB/s" and m.suite == "bandwidth" and spec.memory_bandwidth_gbs:
        return 100.0 * m.value / spec.memory_bandwidth_gbs
    if m.unit == "tokens/s" and spec.tflops(m.precision):
        flops = matmul_flops_per_token(m.params)
        return 100.0 * m.value * flops / 1e12 / spec.tflops(m.precision) if flops else None
    return None
