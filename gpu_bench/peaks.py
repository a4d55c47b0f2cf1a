"""The cards' physical peaks, read from the one table that holds them (gpu_bench/gpu_peak_specs.csv).

Columns: gpu_model, fp32_tflops, tf32_tflops, fp16_tflops, bf16_tflops, memory_gb,
memory_bandwidth_gbs, source_ref (dense datasheet figures; an empty cell is "not published").
The table ships inside gpu_bench, so an operator's install bounds its own figures; the
pipeline's reference/gpu_peak_specs.csv is a link to it. GPU names are canonicalized by
`gpu_bench.gpu_models.canonical_gpu_model`, the one place that maps a vendor's or a venue's
spelling to a model.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


class PeakSpecsMissing(FileNotFoundError):
    """The peak table is not where it should be."""


@dataclass(frozen=True)
class PeakSpec:
    """Datasheet peaks of one GPU model."""

    gpu_model: str
    fp32_tflops: float | None
    tf32_tflops: float | None
    fp16_tflops: float | None
    bf16_tflops: float | None
    memory_gb: float | None
    memory_bandwidth_gbs: float | None
    source_ref: str

    def tflops(self, precision: str | None) -> float | None:
        """Peak TFLOP/s for a precision, None where the datasheet gives none."""
        return getattr(self, f"{precision}_tflops", None) if precision else None

    def highest_tflops(self) -> float | None:
        """The card's highest dense peak over all precisions: a bound for any arithmetic figure."""
        values = [v for v in (self.fp32_tflops, self.tf32_tflops, self.fp16_tflops, self.bf16_tflops) if v]
        return max(values) if values else None


def default_peak_specs_path() -> Path:
    """The table shipped with gpu_bench (gpu_bench/gpu_peak_specs.csv)."""
    return Path(__file__).with_name("gpu_peak_specs.csv")


def load_peak_specs(path: Path | str | None = None) -> dict[str, PeakSpec]:
    """Read the peak table: canonical gpu_model → PeakSpec.

    Raises:
        PeakSpecsMissing: the file does not exist (the message names it).
    """
    path = Path(path) if path else default_peak_specs_path()
    if not path.exists():
        raise PeakSpecsMissing(f"no GPU peak table at {path}: it should come with the project "
                               "(gpu_bench/gpu_peak_specs.csv); reinstall gpu_bench or pass the path of one to use another")
    with path.open(newline="", encoding="utf-8") as f:
        return {row["gpu_model"].strip(): PeakSpec(
            gpu_model=row["gpu_model"].strip(),
            fp32_tflops=_number(row.get("fp32_tflops")),
            tf32_tflops=_number(row.get("tf32_tflops")),
            fp16_tflops=_number(row.get("fp16_tflops")),
            bf16_tflops=_number(row.get("bf16_tflops")),
            memory_gb=_number(row.get("memory_gb")),
            memory_bandwidth_gbs=_number(row.get("memory_bandwidth_gbs")),
            source_ref=(row.get("source_ref") or "").strip(),
        ) for row in csv.DictReader(f) if (row.get("gpu_model") or "").strip()}


def canonical_gpu_model(raw_name: str) -> str:
    """The canonical model name for a GPU name as NVML or a venue spells it."""
    from gpu_bench.gpu_models import canonical_gpu_model as canonical

    return canonical(raw_name)


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None
