"""Host↔device copies (GB/s) from and to pinned host memory, with pageable memory for comparison.

Pinned memory needs a CUDA device. On a CPU-only machine the suite measures a host-to-host
copy (metric h2h_gbs, engine "cpu") and records the host↔device figures as skipped, so a CPU
figure is never read as a PCIe figure.
"""

from __future__ import annotations

from gpu_bench._figures import figure, is_cuda, mark_best, note_skip
from gpu_bench._timing import SuiteConfig, measure
from gpu_bench.schema import Measurement, Skipped

MiB = 1 << 20


def sizes(quick: bool) -> list[int]:
    """Bytes per copy."""
    return [1 * MiB, 4 * MiB] if quick else [64 * MiB, 256 * MiB, 1024 * MiB]


def run(device: str, config: SuiteConfig, skipped: list[Skipped] | None = None) -> list[Measurement]:
    """Time host→device and device→host copies (pinned and pageable), or host→host on a CPU."""
    import torch

    measurements: list[Measurement] = []
    if not is_cuda(device):
        note_skip(skipped, suite="copy", what="h2d/d2h pinned copies", engine="cpu",
                  reason="no CUDA device: pinned host↔device copies need one; measured host-to-host instead")
        for size in sizes(config.quick):
            src = torch.ones(size // 4, dtype=torch.float32)
            dst = torch.empty_like(src)
            stats = measure(lambda src=src, dst=dst: dst.copy_(src), config, label="h2h copy")
            measurements.append(figure(suite="copy", metric="h2h_gbs", engine="cpu", device="cpu", work=size,
                                       unit="GB/s", stats=stats, params={"bytes": size, "pinned": False}))
        return mark_best(measurements)

    for pinned in (True, False):
        for size in sizes(config.quick):
            host = torch.ones(size // 4, dtype=torch.float32, pin_memory=pinned)
            dev = torch.empty(size // 4, dtype=torch.float32, device=device)
            h2d = measure(lambda h=host, d=dev, nb=pinned: d.copy_(h, non_blocking=nb), config, label="h2d")
            d2h = measure(lambda h=host, d=dev, nb=pinned: h.copy_(d, non_blocking=nb), config, label="d2h")
            for metric, stats in (("h2d_gbs", h2d), ("d2h_gbs", d2h)):
                measurements.append(figure(suite="copy", metric=metric, engine="cuda", device=device, work=size,
                                           unit="GB/s", stats=stats, params={"bytes": size, "pinned": pinned}))
            del host, dev
    return mark_best(measurements)
