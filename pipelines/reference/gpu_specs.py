"""Datasheet peak figures per GPU model (reference/gpu_peak_specs.csv) -> rows of raw.gpu_specs.

Peaks are dense (no 2:4 sparsity) and, for GeForce cards, tensor rates with FP32 accumulate:
the figures a real fp32-accumulating matmul can approach. The file names its datasheet per row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from depinlens.bounds import GPU_MEMORY_BANDWIDTH_GBS, GPU_MEMORY_GB, GPU_PEAK_TFLOPS, Bound
from pipelines.reference._csv import ReferenceDataError, read_records, refuse_empty
from pipelines.reference.gpu_models import UnmappedGpuModel, gpu_model_info

GPU_SPECS_SCHEMA = pa.schema([
    ("gpu_model", pa.string()), ("fp32_tflops", pa.float64()), ("tf32_tflops", pa.float64()),
    ("fp16_tflops", pa.float64()), ("bf16_tflops", pa.float64()), ("memory_gb", pa.float64()),
    ("memory_bandwidth_gbs", pa.float64()), ("source_ref", pa.string()), ("source", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
])
COLUMNS = ("gpu_model", "fp32_tflops", "tf32_tflops", "fp16_tflops", "bf16_tflops", "memory_gb",
           "memory_bandwidth_gbs", "source_ref")
FIGURES: dict[str, Bound] = {"fp32_tflops": GPU_PEAK_TFLOPS, "tf32_tflops": GPU_PEAK_TFLOPS,
                             "fp16_tflops": GPU_PEAK_TFLOPS, "bf16_tflops": GPU_PEAK_TFLOPS,
                             "memory_gb": GPU_MEMORY_GB, "memory_bandwidth_gbs": GPU_MEMORY_BANDWIDTH_GBS}
OPTIONAL_FIGURES = ("tf32_tflops", "bf16_tflops")


def load_gpu_specs(path: Path | str, *, fetched_at: datetime | None = None) -> pa.Table:
    """Read the peak-spec file; every gpu_model must be a canonical name, each once.

    Raises:
        ReferenceDataError: naming the file, line and column of the first bad value.
    """
    fetched_at = fetched_at or datetime.now(UTC)
    rows, seen = [], {}
    for record in read_records(path, COLUMNS):
        model = record.text("gpu_model")
        try:
            gpu_model_info(model)
        except UnmappedGpuModel as exc:
            raise ReferenceDataError(f"{record.where('gpu_model')}: {exc}") from None
        if model in seen:
            raise ReferenceDataError(f"{record.where('gpu_model')}: {model!r} already given on line {seen[model]}")
        seen[model] = record.line
        row = {c: record.number(c, bound, required=c not in OPTIONAL_FIGURES) for c, bound in FIGURES.items()}
        rows.append({"gpu_model": model, **row, "source_ref": record.text("source_ref"),
                     "source": "reference", "fetched_at": fetched_at})
    refuse_empty(path, len(rows), "raw.gpu_specs")
    return pa.Table.from_pylist(rows, schema=GPU_SPECS_SCHEMA)
