"""The canonical GPU model list, re-exported from gpu_bench.gpu_models (its one home), and the rule
the pipeline compares prices by.

The list lives in gpu_bench because an operator's benchmark install must name its GPU without
the pipeline; the pipeline imports gpu_bench, never the reverse.

Comparisons (prices, $/PFLOP-hour, network against cloud) are made on the canonical model with
`comparable`: the same family, and the same memory and form factor wherever both names state
them. So Akash's `A100 80GB SXM` is priced against `A100 80GB SXM`, `A100 80GB` (form factor
not stated), `A100 SXM` (memory not stated) and `A100`, never against `A100 40GB` or
`A100 80GB PCIe`; `what_is_unstated` says which of those a name leaves open, so a page can say
what it compared. `SEEN_NAMES` is the table of spellings seen in the sources other than the
cloud catalog (which its test reads whole): Akash attributes, Nosana market names, NVML names of
benchmark fingerprints; tests/test_reference_gpu_models.py maps every row.
"""

from __future__ import annotations

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
    "SEEN_NAMES",
    "GpuModel",
    "GpuNameReport",
    "UnmappedGpuModel",
    "canonical_gpu_model",
    "comparable",
    "comparison_label",
    "gpu_family",
    "gpu_model_info",
    "map_gpu_names",
    "what_is_unstated",
]

# the variant axes each family has: memory when some canonical model of it states one, form factor likewise
_HAS_MEMORY = {m.family for m in CANONICAL_GPU_MODELS.values() if m.memory_gb is not None}
_HAS_FORM = {m.family for m in CANONICAL_GPU_MODELS.values() if m.form_factor is not None}


def what_is_unstated(name: str) -> list[str]:
    """The variant axes a canonical name leaves open ("A100 SXM" -> ["memory"]); [] when it pins every one.

    Only axes the family has count: an H100 has no memory variants, so "H100 SXM" states everything.
    """
    model = gpu_model_info(name)
    missing = []
    if model.family in _HAS_MEMORY and model.memory_gb is None:
        missing.append("memory")
    if model.family in _HAS_FORM and model.form_factor is None:
        missing.append("form factor")
    return missing


def comparable(name: str, other: str) -> bool:
    """True when two canonical models can be priced against each other: the same family, and the same
    memory and form factor wherever both names state one (a name that leaves one open matches any)."""
    a, b = gpu_model_info(name), gpu_model_info(other)
    return (a.family == b.family
            and (a.memory_gb is None or b.memory_gb is None or a.memory_gb == b.memory_gb)
            and (a.form_factor is None or b.form_factor is None or a.form_factor == b.form_factor))


def comparison_label(name: str, against: str) -> str:
    """How `name` enters a comparison with `against`: 'same model', 'memory not stated', 'form factor
    not stated', 'memory and form factor not stated' (what `name` leaves open that `against` states),
    or 'a variant of A100' (it states what `against` leaves open)."""
    if name == against:
        return "same model"
    pinned = set(what_is_unstated(against))
    open_here = [axis for axis in what_is_unstated(name) if axis not in pinned]
    return f"{' and '.join(open_here)} not stated" if open_here else f"a variant of {against}"


# Spellings seen outside the cloud catalog, each with the record text that may state a variant
# (the hint) and the canonical model it must map to. Add a row with each new spelling a source shows.
SEEN_NAMES: tuple[tuple[str, str, str | None, str], ...] = (
    # Akash: the model token of `vendor/nvidia/model/<m>[/ram/<r>][/interface/<i>]` attribute keys (provider
    # capabilities and deployment group specs), with the rest of the key as the hint
    ("akash attribute", "h100", "ram 80Gi interface sxm", "H100 SXM"),
    ("akash attribute", "h100", "ram 80Gi interface pcie", "H100 PCIe"),
    ("akash attribute", "h100", None, "H100"),
    ("akash attribute", "h200", "ram 141Gi interface sxm", "H200 SXM"),
    ("akash attribute", "a100", "ram 80Gi interface sxm", "A100 80GB SXM"),
    ("akash attribute", "a100", "ram 80Gi interface pcie", "A100 80GB PCIe"),
    ("akash attribute", "a100", "ram 40Gi interface pcie", "A100 40GB PCIe"),
    ("akash attribute", "a100", "ram 80Gi", "A100 80GB"),
    ("akash attribute", "a100", None, "A100"),
    ("akash attribute", "l40s", "ram 48Gi interface pcie", "L40S"),
    ("akash attribute", "rtxa6000", "ram 48Gi interface pcie", "RTX A6000"),
    ("akash attribute", "a6000", "ram 48Gi", "RTX A6000"),
    ("akash attribute", "rtx4090", "ram 24Gi interface pcie", "RTX 4090"),
    ("akash attribute", "rtx3090", "ram 24Gi interface pcie", "RTX 3090"),
    ("akash attribute", "rtx6000ada", "ram 48Gi", "RTX 6000 Ada"),
    ("akash attribute", "t4", "ram 16Gi", "T4"),
    ("akash attribute", "v100", "ram 32Gi", "V100"),
    # Nosana: GPU market names (markets are accounts; their names as Nosana's market list writes them)
    ("nosana market", "NVIDIA 3060", None, "RTX 3060"),
    ("nosana market", "NVIDIA 3070", None, "RTX 3070"),
    ("nosana market", "NVIDIA 3080", None, "RTX 3080"),
    ("nosana market", "NVIDIA 3090", None, "RTX 3090"),
    ("nosana market", "NVIDIA 4060", None, "RTX 4060"),
    ("nosana market", "NVIDIA 4070", None, "RTX 4070"),
    ("nosana market", "NVIDIA 4080", None, "RTX 4080"),
    ("nosana market", "NVIDIA 4090", None, "RTX 4090"),
    ("nosana market", "NVIDIA 5090", None, "RTX 5090"),
    ("nosana market", "NVIDIA A4000", None, "RTX A4000"),
    ("nosana market", "NVIDIA A5000", None, "RTX A5000"),
    ("nosana market", "NVIDIA A6000", None, "RTX A6000"),
    ("nosana market", "NVIDIA A40", None, "A40"),
    ("nosana market", "NVIDIA A100 40GB", None, "A100 40GB"),
    ("nosana market", "NVIDIA A100 80GB", None, "A100 80GB"),
    ("nosana market", "NVIDIA H100", None, "H100"),
    ("nosana market", "NVIDIA Pro 6000", None, "RTX PRO 6000"),
    # gpu_bench fingerprints: nvmlDeviceGetName as the driver reports it
    ("nvml", "NVIDIA H100 80GB HBM3", None, "H100 SXM"),
    ("nvml", "NVIDIA H100 PCIe", None, "H100 PCIe"),
    ("nvml", "NVIDIA H100 NVL", None, "H100 NVL"),
    ("nvml", "NVIDIA H200", None, "H200 SXM"),
    ("nvml", "NVIDIA H200 NVL", None, "H200 NVL"),
    ("nvml", "NVIDIA A100-SXM4-80GB", None, "A100 80GB SXM"),
    ("nvml", "NVIDIA A100-SXM4-40GB", None, "A100 40GB SXM"),
    ("nvml", "NVIDIA A100 80GB PCIe", None, "A100 80GB PCIe"),
    ("nvml", "NVIDIA A100-PCIE-40GB", None, "A100 40GB PCIe"),
    ("nvml", "NVIDIA L40S", None, "L40S"),
    ("nvml", "NVIDIA L4", None, "L4"),
    ("nvml", "NVIDIA RTX A6000", None, "RTX A6000"),
    ("nvml", "NVIDIA RTX 6000 Ada Generation", None, "RTX 6000 Ada"),
    ("nvml", "NVIDIA GeForce RTX 4090", None, "RTX 4090"),
    ("nvml", "NVIDIA GeForce RTX 3090", None, "RTX 3090"),
    ("nvml", "Tesla T4", None, "T4"),
    ("nvml", "Tesla V100-SXM2-16GB", None, "V100"),
)
