"""The canonical GPU model list, re-exported from gpu_bench.gpu_models (its one home).

The list lives in gpu_bench because an operator's benchmark install must name its GPU without
the pipeline; the pipeline imports gpu_bench, never the reverse.
"""

from gpu_bench.gpu_models import (
    CANONICAL_GPU_MODELS,
    GpuModel,
    GpuNameReport,
    UnmappedGpuModel,
    canonical_gpu_model,
    gpu_family,
    gpu_model_info,
    map_gpu_names,
)

__all__ = [
    "CANONICAL_GPU_MODELS",
    "GpuModel",
    "GpuNameReport",
    "UnmappedGpuModel",
    "canonical_gpu_model",
    "gpu_family",
    "gpu_model_info",
    "map_gpu_names",
]
