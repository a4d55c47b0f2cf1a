"""The one canonical GPU model list: every venue's spelling lands on one name, and nothing is guessed."""

from __future__ import annotations

import csv

import pytest

from pipelines.reference import CANONICAL_GPU_MODELS, UnmappedGpuModel, canonical_gpu_model, gpu_family, map_gpu_names
from pipelines.reference.gpu_models import SEEN_NAMES, comparable, comparison_label, what_is_unstated
from tests.conftest import SHARED_DIR

PRICE_FILE = SHARED_DIR / "reference" / "cloud_gpu_prices.csv"
needs_shared = pytest.mark.skipif(not PRICE_FILE.exists(), reason=f"{PRICE_FILE} absent (../shared not checked out)")


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        ([("A100-80GB", "gpu_8x_a100_80gb_sxm4"), ("NVIDIA A100-SXM4-80GB", None), ("a100", "ram 80Gi interface sxm")],
         "A100 80GB SXM"),
        ([("NVIDIA A100 80GB PCIe", None), ("A100-80GB", "a100-pcie"), ("A100", "A100_PCIE 80GB")], "A100 80GB PCIe"),
        ([("H100", "gpu_1x_h100_pcie"), ("NVIDIA H100 PCIe", None), ("h100", "interface pcie")], "H100 PCIe"),
        ([("H100-SXM", None), ("H100", "gpu-h100-sxm_8gpu-128vcpu-1600gb"), ("NVIDIA H100 80GB HBM3", None),
          ("H100-MEGA", None)], "H100 SXM"),
        ([("H100", "1x-H100_NVL-32-65536"), ("NVIDIA H100 NVL", None)], "H100 NVL"),
        ([("NVIDIA H200", None), ("H200", "ccs-h200.sxm.8x")], "H200 SXM"),
        ([("RTX4090", None), ("rtx4090", None), ("NVIDIA GeForce RTX 4090", None), ("4090", None)], "RTX 4090"),
        ([("RTX3090", None), ("NVIDIA GeForce RTX 3090", None)], "RTX 3090"),
        ([("A6000", None), ("RTXA6000", None), ("rtxa6000", None), ("NVIDIA RTX A6000", None)], "RTX A6000"),
        ([("L40S", None), ("NVIDIA L40S", None), ("l40s", "ram 48Gi")], "L40S"),
        ([("RTX6000Ada", None), ("RTX6000-Ada", None), ("NVIDIA RTX 6000 Ada Generation", None)], "RTX 6000 Ada"),
        ([("RTX6000", "gpu_1x_rtx6000"), ("Quadro RTX 6000", None)], "Quadro RTX 6000"),
    ],
)
def test_every_spelling_of_one_card_meets_in_one_canonical_name(spellings, canonical) -> None:
    assert {canonical_gpu_model(raw, hint=hint) for raw, hint in spellings} == {canonical}


def test_a_name_that_states_no_variant_maps_to_its_family_never_to_a_guessed_variant() -> None:
    assert canonical_gpu_model("A100") == "A100"
    assert canonical_gpu_model("H100", hint="p5.48xlarge") == "H100"
    assert canonical_gpu_model("H100", hint="sxm or pcie") == "H100"  # contradicting words: not stated
    assert canonical_gpu_model("A100", hint="datacrunch__8xA100_40GB__176__960") == "A100 40GB"
    # NVLink bridges are not the NVL card; host memory glued into an instance name is not GPU memory
    assert canonical_gpu_model("A100-80GB", hint="hyperstack__8xA100_80GB__252__1920__NVLINK") == "A100 80GB"
    assert canonical_gpu_model("A100", hint="epyc-genoa-a100-pcie_4x48v96gb") == "A100 PCIe"


def test_an_instance_name_refines_a_consumer_card_to_its_exact_model() -> None:
    assert canonical_gpu_model("RTX4070", hint="2x-RTX_4070S_Ti-32-65536") == "RTX 4070 Ti SUPER"
    assert canonical_gpu_model("RTX3060", hint="2x-RTX_3060_Ti-32-65536") == "RTX 3060 Ti"
    assert canonical_gpu_model("RTX3060", hint="1x-RTX_3060-32-65536") == "RTX 3060"
    assert canonical_gpu_model("A10", hint="some_a100_box") == "A10"  # another line is never a refinement


def test_every_canonical_name_is_its_own_canonical_name_and_has_a_family() -> None:
    assert len(CANONICAL_GPU_MODELS) > 40
    for name, model in CANONICAL_GPU_MODELS.items():
        assert canonical_gpu_model(name) == name
        assert gpu_family(name) == model.family and name.startswith(model.family)


def test_an_unknown_name_raises_and_says_where_to_add_it() -> None:
    with pytest.raises(UnmappedGpuModel, match=r"'GB300'.*gpu_bench/gpu_models.py") as raised:
        canonical_gpu_model("GB300")
    assert raised.value.raw_name == "GB300"
    with pytest.raises(UnmappedGpuModel, match="empty name"):
        canonical_gpu_model("  ")
    with pytest.raises(UnmappedGpuModel, match="not a canonical name"):
        gpu_family("A100-80GB")


def test_bulk_mapping_reports_unmapped_names_with_their_counts() -> None:
    report = map_gpu_names([("H100", "sxm"), ("TPUv5", None), ("TPUv5", "x"), ("L4", None)])
    assert not report.complete
    assert report.unmapped == {"TPUv5": 2}
    assert report.mapped == {("H100", "sxm"): "H100 SXM", ("L4", ""): "L4"}


@pytest.mark.shared
@needs_shared
def test_every_gpu_row_of_the_cloud_price_file_maps_to_a_canonical_model() -> None:
    with PRICE_FILE.open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["accelerator"]]
    report = map_gpu_names((r["accelerator"], r["instance_type"]) for r in rows)
    assert len(rows) > 300
    assert report.unmapped == {}, f"unmapped GPU names in {PRICE_FILE}: {report.unmapped}"
    assert {raw for raw, _ in report.mapped} == {r["accelerator"] for r in rows}


@pytest.mark.parametrize(("source", "raw", "hint", "canonical"), SEEN_NAMES, ids=[f"{s}:{r}:{h}" for s, r, h, _ in SEEN_NAMES])
def test_every_spelling_seen_in_akash_attributes_nosana_markets_and_nvml_maps_to_its_canonical_model(
        source: str, raw: str, hint: str | None, canonical: str) -> None:
    assert canonical in CANONICAL_GPU_MODELS
    assert canonical_gpu_model(raw, hint=hint) == canonical


def test_every_gpu_the_demo_and_mainnet_shaped_akash_providers_advertise_maps_as_their_attributes_state_it() -> None:
    from harness.akash.ledger import GPU_CATALOG, PROVIDER_GPUS
    from pipelines.chains.cosmos._gpus import GpuNames, decode_provider_gpus

    providers = [{"owner": f"akash1p{i}", "attributes": [
        {"key": f"capabilities/gpu/vendor/nvidia/model/{m}/ram/{GPU_CATALOG[m][0]}/interface/{GPU_CATALOG[m][1]}",
         "value": "true"} for m in gpus]} for i, gpus in enumerate(PROVIDER_GPUS)]
    names = GpuNames()
    advertised = decode_provider_gpus(providers, names)
    assert not names.unmapped
    assert all(len(models) == len(gpus) for models, gpus in zip(advertised.values(), PROVIDER_GPUS, strict=True))
    every = set().union(*advertised.values())
    assert {"A100 80GB SXM", "H100 SXM", "H200 SXM"} <= every  # the attribute's ram and interface are kept
    assert all(not what_is_unstated(model) for model in every)


def test_models_compare_when_no_stated_memory_or_form_factor_contradicts_the_other() -> None:
    akash = "A100 80GB SXM"
    for other, how in (("A100 80GB SXM", "same model"), ("A100 80GB", "form factor not stated"),
                       ("A100 SXM", "memory not stated"), ("A100", "memory and form factor not stated")):
        assert comparable(akash, other) and comparable(other, akash)
        assert comparison_label(other, akash) == how
    for other in ("A100 40GB", "A100 40GB SXM", "A100 80GB PCIe", "A100 PCIe", "H100 SXM", "A10"):
        assert not comparable(akash, other) and not comparable(other, akash)
    assert comparable("A100", "A100 40GB PCIe") and comparison_label("A100 40GB PCIe", "A100") == "a variant of A100"
    assert what_is_unstated("H100 SXM") == [] and what_is_unstated("H100") == ["form factor"]
    assert what_is_unstated("RTX 4090") == []  # a family without variants states everything
