"""Device memory bandwidth (GB/s): a device-to-device tensor copy, counting bytes read plus written.

On a CUDA device this is the HBM/GDDR figure compared with the card's datasheet bandwidth; on
the CPU the same code measures host memory bandwidth (engine "cpu", never compared with a GPU).
"""

from __future__ import annotations

from gpu_bench._figures import figure, is_cuda, mark_best
from gpu_bench._timing import SuiteConfig, measure
from gpu_bench.schema import Measurement, Skipped

MiB = 1 << 20


def sizes(device: str, quick: bool) -> list[int]:
    """Bytes per buffer: tiny in quick mode; large enough to defeat caches otherwise."""
    if quick:
        return [1 * MiB, 4 * MiB]
    if is_cuda(device):
        return [256 * MiB, 1024 * MiB, 2048 * MiB]
    return [64 * MiB, 256 * MiB]


def run(device: str, config: SuiteConfig, skipped: list[Skipped] | None = None) -> list[Measurement]:
    """Time dst.copy_(src) on `device` for each buffer size."""
    import torch

    engine = "cuda" if is_cuda(device) else "cpu"
    measurements: list[Measurement] = []
    for size in sizes(device, config.quick):
        if is_cuda(device):
            free, _total = torch.cuda.mem_get_info(device)
            if 2 * size > free // 2:
                continue  # leave room: two buffers may use at most half of what is free
        src = torch.ones(size // 4, dtype=torch.float32, device=device)
        dst = torch.empty_like(src)
        stats = measure(lambda src=src, dst=dst: dst.copy_(src), config, label="d2d copy")
        measurements.append(figure(
            suite="bandwidth", metric="memory_copy_gbs", engine=engine, device=device,
            work=2.0 * size, unit="GB/s", stats=stats, params={"bytes_per_buffer": size, "counted": "read+write"},
        ))
        del src, dst
    return mark_best(measurements)
