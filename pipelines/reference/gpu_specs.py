"""Datasheet peak figures per GPU model (reference/gpu_peak_specs.csv) -> rows of raw.gpu_specs.

Peaks are dense (no 2:4 sparsity) and, for GeForce cards, tensor rates with FP32 accumulate:
the figures a real fp32-accumulating matmul can approach. The file names its datasheet per row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from pipelines.reference._csv import ReferenceDataError, read_records
from pipelines.reference.gpu_models import UnmappedGpuModel, gpu_model_info

GPU_SPECS_SCHEMA = pa.schema([
    ("gpu_model", pa.string()), ("fp32_tflops", pa.float64()), ("tf32_tflops", pa.float64()),
    ("fp16_tflops", pa.float64()), ("bf16_tflops", pa.float64()), ("memory_gb", pa.float64()),
    ("memory_bandwidth_gbs", pa.float64()), ("source_ref", pa.string()), ("source", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
])
COLUMNS = ("gpu_model", "fp32_tflops", "tf32_tflops", "fp16_tflops", "bf16_tflops", "memory_gb",
           "memory_bandwidth_gbs", "source_ref")


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
        row = {c: record.number(c, positive=True, required=c not in ("tf32_tflops", "bf16_tflops"))
               for c in COLUMNS if c not in ("gpu_model", "source_ref")}
        rows.append({"gpu_model": model, **row, "source_ref": record.text("source_ref"),
                     "source": "reference", "fetched_at": fetched_at})
    return pa.Table.from_pylist(rows, schema=GPU_SPECS_SCHEMA)
