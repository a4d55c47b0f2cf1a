"""Cloud GPU list prices (`../shared/reference/cloud_gpu_prices.csv`) -> rows of raw.gpu_offers.

The file is SkyPilot's public catalog, one row per (cloud, instance type, accelerator, count)
with the minimum on-demand and spot price over regions; its README says how it was read
and when. Prices are per **instance**; the per-GPU-hour price is the instance price divided
by the GPU count. GPU names are mapped to the canonical list (gpu_models.py), with the
instance type as a hint for the variant it states (`gpu_1x_h100_pcie` -> H100 PCIe).

Two kinds of row are not offers as written:
* gcp machine-type rows (instance type, no accelerator): the VM alone, no GPU. Skipped, and
  counted in the report.
* gcp accelerator-only rows (accelerator, no instance type): GPUs priced without a VM.
  Loaded with instance_type `gpu-only`, and their source_ref says the VM is extra.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from depinlens.bounds import GPUS_PER_INSTANCE, INSTANCE_PRICE_USD_PER_HOUR
from pipelines.reference._csv import ReferenceDataError, read_records, refuse_empty
from pipelines.reference.gpu_models import UnmappedGpuModel, canonical_gpu_model

GPU_OFFERS_SCHEMA = pa.schema([
    ("venue", pa.string()), ("venue_kind", pa.string()), ("instance_type", pa.string()),
    ("gpu_model", pa.string()), ("gpu_model_raw", pa.string()), ("gpu_count", pa.float64()),
    ("usd_per_hour", pa.float64()), ("usd_per_gpu_hour", pa.float64()), ("spot_usd_per_hour", pa.float64()),
    ("as_of", pa.date32()), ("source", pa.string()), ("source_name", pa.string()), ("source_ref", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
])

COLUMNS = ("cloud", "instance_type", "accelerator", "accelerator_count", "price_usd_per_hour",
           "spot_price_usd_per_hour", "source_path", "source_commit")
SOURCE_NAME = "SkyPilot catalog (github.com/skypilot-org/skypilot-catalog)"
GPU_ONLY = "gpu-only"

# Variants the instance type implies but does not spell, from the clouds' own instance pages:
# AWS "Amazon EC2 P4 instances" (P4d: 8x A100 40 GB, P4de: 8x A100 80 GB, HGX A100 = SXM4),
# "Amazon EC2 P5 instances" (P5: 8x H100 80 GB HBM3 = SXM5; P5e/P5en: 8x H200 141 GB = SXM);
# Google Cloud "GPU machine types" (A2 Standard: A100 40GB, A2 Ultra: A100 80GB, both HGX
# A100 = SXM4; A3: H100 80GB SXM). gcp accelerator-only rows are keyed by the accelerator.
INSTANCE_VARIANT_HINTS: dict[tuple[str, str], str] = {
    ("aws", "p4d.24xlarge"): "40GB SXM",
    ("aws", "p4de.24xlarge"): "80GB SXM",
    ("aws", "p5.48xlarge"): "SXM",
    ("aws", "p5e.48xlarge"): "SXM",
    ("aws", "p5en.48xlarge"): "SXM",
    ("gcp", "A100"): "40GB SXM",
    ("gcp", "A100-80GB"): "SXM",
    ("gcp", "H100"): "SXM",
}


@dataclass
class CloudPriceReport:
    """What the load did with each row: loaded, skipped (and why), unmapped GPU names."""

    loaded: int = 0
    skipped: Counter = field(default_factory=Counter)
    unmapped: Counter = field(default_factory=Counter)
    mapping: dict[str, set[str]] = field(default_factory=dict)

    def as_metadata(self) -> dict:
        """Plain values for Dagster metadata."""
        return {
            "rows_loaded": self.loaded,
            "rows_skipped": dict(self.skipped),
            "unmapped_gpu_models": dict(self.unmapped),
            "gpu_name_mapping": {raw: sorted(names) for raw, names in sorted(self.mapping.items())},
        }


def as_of_from_readme(readme: Path | str) -> date:
    """The day the catalog was read, as the price file's README states it ("read YYYY-MM-DD")."""
    readme = Path(readme)
    try:
        text = readme.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceDataError(
            f"{readme} not found: the cloud price file's README says when its prices were read; "
            "without it pass as_of explicitly"
        ) from None
    match = re.search(r"\bread (\d{4}-\d{2}-\d{2})\b", text)
    if not match:
        raise ReferenceDataError(f"{readme}: no 'read YYYY-MM-DD' date found; pass as_of explicitly")
    return date.fromisoformat(match.group(1))


def load_cloud_gpu_offers(
    path: Path | str,
    *,
    as_of: date | None = None,
    fetched_at: datetime | None = None,
) -> tuple[pa.Table, CloudPriceReport]:
    """Read the cloud price file into raw.gpu_offers rows (source='reference').

    Rows whose GPU name maps to no canonical model are not loaded; they are counted in the
    report's `unmapped` (by raw name), never dropped silently.

    Args:
        path: the CSV (normally $DEPINLENS_SHARED_DIR/reference/cloud_gpu_prices.csv).
        as_of: the day the prices were read; by default from the README beside the file.
        fetched_at: load time stamped on every row (now by default).

    Raises:
        ReferenceDataError: the file is missing, or a row is malformed (names file:line:column).
    """
    path = Path(path)
    if not path.is_file():
        raise ReferenceDataError(f"cloud price file {path} not found")
    as_of = as_of or as_of_from_readme(path.with_name("README.md"))
    fetched_at = fetched_at or datetime.now(UTC)
    report = CloudPriceReport()
    rows: list[dict] = []
    seen: dict[tuple, int] = {}
    for record in read_records(path, COLUMNS):
        cloud = record.text("cloud")
        instance = record.text("instance_type", required=False)
        accelerator = record.text("accelerator", required=False)
        if accelerator is None:
            if cloud == "gcp" and instance:
                report.skipped["gcp machine type without GPUs (the VM part of a gcp price)"] += 1
                continue
            raise ReferenceDataError(f"{record.where('accelerator')}: value missing (only gcp machine-type rows "
                                     "may leave it empty)")
        count = record.number("accelerator_count", GPUS_PER_INSTANCE)
        price = record.number("price_usd_per_hour", INSTANCE_PRICE_USD_PER_HOUR, required=False)
        spot = record.number("spot_price_usd_per_hour", INSTANCE_PRICE_USD_PER_HOUR, required=False)
        if price is None and spot is None:
            raise ReferenceDataError(f"{record.where()}: neither price_usd_per_hour nor spot_price_usd_per_hour is set")
        spot = spot or None  # vast writes 0.00 for "no spot price"; a zero is not a price
        hint_key = (cloud, instance) if instance else (cloud, accelerator)
        hint = " ".join(p for p in (instance, INSTANCE_VARIANT_HINTS.get(hint_key)) if p)
        try:
            model = canonical_gpu_model(accelerator, hint=hint or None)
        except UnmappedGpuModel:
            report.unmapped[accelerator] += 1
            continue
        report.mapping.setdefault(accelerator, set()).add(model)
        key = (cloud, instance or GPU_ONLY, accelerator, count)
        if key in seen:
            raise ReferenceDataError(f"{record.where()}: repeats the offer on line {seen[key]} "
                                     f"(cloud, instance_type, accelerator, count) = {key}")
        seen[key] = record.line
        commit, source_path = record.text("source_commit"), record.text("source_path")
        ref = f"github.com/skypilot-org/skypilot-catalog/blob/{commit}/{source_path}"
        if not instance:
            ref += " (accelerator-only row: GPUs without the VM, minimum over regions)"
        rows.append({
            "venue": cloud, "venue_kind": "cloud", "instance_type": instance or GPU_ONLY,
            "gpu_model": model, "gpu_model_raw": accelerator, "gpu_count": count,
            "usd_per_hour": price, "usd_per_gpu_hour": None if price is None else price / count,
            "spot_usd_per_hour": spot, "as_of": as_of, "source": "reference", "source_name": SOURCE_NAME,
            "source_ref": ref, "fetched_at": fetched_at,
        })
    report.loaded = len(rows)
    if not rows and (report.unmapped or report.skipped):
        raise ReferenceDataError(f"{path}: not one row could be loaded (unmapped GPU names {dict(report.unmapped)}, "
                                 f"skipped {dict(report.skipped)}); loading it would empty the cloud offers")
    refuse_empty(path, len(rows), "the cloud offers in raw.gpu_offers")
    return pa.Table.from_pylist(rows, schema=GPU_OFFERS_SCHEMA), report
