"""Dense matrix multiply throughput (TFLOP/s) in fp32, tf32, fp16 and bf16 over a shape sweep.

fp32 runs with TF32 off ("highest" float32 matmul precision) so it is an IEEE fp32 figure;
tf32 runs with it on ("high"). TF32 is a CUDA tensor-core mode: on a CPU it would silently be
an fp32 figure, so it is skipped there with that reason. Each shape is one figure; the best
shape per precision is flagged `best_of_sweep`.
"""

from __future__ import annotations

from gpu_bench._figures import figure, is_cuda, mark_best, note_skip
from gpu_bench._timing import SuiteConfig, measure
from gpu_bench.schema import Measurement, Precision, Skipped

PRECISIONS: tuple[Precision, ...] = ("fp32", "tf32", "fp16", "bf16")


def shapes(device: str, quick: bool) -> list[tuple[int, int, int]]:
    """(m, n, k) sweep: tiny in quick mode, sized for the device otherwise."""
    if quick:
        return [(64, 64, 64), (128, 128, 128)]
    if is_cuda(device):
        return [(2048, 2048, 2048), (4096, 4096, 4096), (8192, 8192, 8192), (16384, 16384, 8192)]
    return [(512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048)]


def run(device: str, config: SuiteConfig, skipped: list[Skipped] | None = None) -> list[Measurement]:
    """Time torch.mm for every precision and shape on `device` ("cpu" or "cuda:N")."""
    import torch

    dtypes = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    engine = "cuda" if is_cuda(device) else "cpu"
    generator = torch.Generator(device="cpu").manual_seed(config.seed)
    measurements: list[Measurement] = []
    previous = torch.get_float32_matmul_precision()
    try:
        for precision in PRECISIONS:
            if precision == "tf32" and not is_cuda(device):
                note_skip(skipped, suite="matmul", what="matmul tf32", engine=engine,
                          reason="TF32 is a CUDA tensor-core mode; on a CPU it would be an fp32 figure")
                continue
            if precision == "bf16" and is_cuda(device) and not torch.cuda.is_bf16_supported():
                note_skip(skipped, suite="matmul", what="matmul bf16", engine=engine,
                          reason=f"{torch.cuda.get_device_name(device)} has no bf16 support")
                continue
            torch.set_float32_matmul_precision("high" if precision == "tf32" else "highest")
            for m, n, k in shapes(device, config.quick):
                a = torch.randn(m, k, generator=generator).to(device=device, dtype=dtypes[precision])
                b = torch.randn(k, n, generator=generator).to(device=device, dtype=dtypes[precision])
                out = torch.empty(m, n, device=device, dtype=dtypes[precision])
                stats = measure(lambda a=a, b=b, out=out: torch.mm(a, b, out=out), config, label=f"mm {precision}")
                params: dict[str, str | int] = {"m": m, "n": n, "k": k}
                if precision in ("fp32", "tf32"):
                    params["float32_matmul_precision"] = torch.get_float32_matmul_precision()
                measurements.append(figure(
                    suite="matmul", metric="matmul_tflops", precision=precision, engine=engine, device=device,
                    work=2.0 * m * n * k, unit="TFLOP/s", stats=stats, params=params,
                ))
                del a, b, out
    finally:
        torch.set_float32_matmul_precision(previous)
    return mark_best(measurements)
