"""The signed result: pydantic models whose JSON Schema is committed as result.schema.json.

A `Submission` is what an operator signs and sends: the run (`RunResult`: fingerprint,
measurements, skipped work), the key that signed it, a nonce and the signing time, and the
signature block. Field names follow what MLPerf and pytest-benchmark record: identity,
software versions, clocks/power/temperature, and stats (warm-up, repetitions, median, p5/p95).

Each `Measurement` carries the work one call did (`work`, in `work_unit`) and its timing, so
its `value` is not a free number: it must equal work / median / unit scale. The model refuses
an inconsistent figure, on the operator's machine and in the verifier alike.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Literal["1"] = "1"

Suite = Literal["matmul", "bandwidth", "copy", "inference", "dataframe"]
SUITES: tuple[Suite, ...] = ("matmul", "bandwidth", "copy", "inference", "dataframe")
Precision = Literal["fp32", "tf32", "fp16", "bf16"]
# The engine that really ran the measured code. A cudf.pandas run in which any call fell back
# to pandas on the CPU is recorded as "cudf.pandas-cpu-fallback", never as "cudf.pandas".
Engine = Literal["cuda", "cpu", "polars-cpu", "pandas-cpu", "cudf-polars", "cudf.pandas", "cudf.pandas-cpu-fallback"]
GPU_ENGINES: frozenset[str] = frozenset({"cuda", "cudf-polars", "cudf.pandas"})
CPU_ENGINES: frozenset[str] = frozenset({"cpu", "polars-cpu", "pandas-cpu"})  # these run on the cpu device only
Unit = Literal["TFLOP/s", "GB/s", "tokens/s", "rows/s"]
WorkUnit = Literal["flop", "byte", "token", "row"]
KeyType = Literal["ed25519", "secp256k1"]
# Networks whose providers can bind an operator key (gpu_bench.binding): their identities are in the chain data.
BindingNetwork = Literal["akash", "nosana"]
BINDING_NETWORKS: tuple[BindingNetwork, ...] = ("akash", "nosana")

# value = work / median_s / UNIT_SCALE[unit]
UNIT_SCALE: dict[str, float] = {"TFLOP/s": 1e12, "GB/s": 1e9, "tokens/s": 1.0, "rows/s": 1.0}
UNIT_OF_WORK: dict[str, str] = {"TFLOP/s": "flop", "GB/s": "byte", "tokens/s": "token", "rows/s": "row"}

Hex64 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Param = str | int | float | bool


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Stats(_Model):
    """Timing of one measurement, per call, from torch.utils.benchmark."""

    warmup: Annotated[int, Field(ge=0, description="untimed calls before timing")]
    reps: Annotated[int, Field(ge=1, description="timed blocks")]
    calls_per_rep: Annotated[int, Field(ge=1, description="calls in each timed block")]
    median_s: PositiveFloat
    p5_s: PositiveFloat
    p95_s: PositiveFloat
    min_s: PositiveFloat
    max_s: PositiveFloat

    @model_validator(mode="after")
    def _ordered(self) -> Stats:
        if not self.min_s <= self.p5_s <= self.median_s <= self.p95_s <= self.max_s:
            raise ValueError(f"stats out of order: min {self.min_s} <= p5 {self.p5_s} <= median {self.median_s} "
                             f"<= p95 {self.p95_s} <= max {self.max_s} does not hold")
        return self


class Measurement(_Model):
    """One figure: a suite's metric for one precision and engine, with the work and timing behind it."""

    suite: Suite
    metric: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]
    precision: Precision | None = None
    engine: Engine
    device: Annotated[str, Field(pattern=r"^(cpu|cuda:\d{1,2})$", description="the device the engine ran on")]
    params: dict[Annotated[str, Field(max_length=64)], Param] = Field(default_factory=dict, max_length=64)
    work: PositiveFloat
    work_unit: WorkUnit
    value: PositiveFloat
    unit: Unit
    best_of_sweep: bool = Field(False, description="the best shape of a sweep for this metric/precision/engine")
    pct_of_peak: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        None, description="operator-side % of the card's datasheet peak; the pipeline recomputes it")
    stats: Stats

    @model_validator(mode="after")
    def _value_follows_from_the_timing(self) -> Measurement:
        if UNIT_OF_WORK[self.unit] != self.work_unit:
            raise ValueError(f"{self.metric}: unit {self.unit} needs work in {UNIT_OF_WORK[self.unit]}, "
                             f"not {self.work_unit}")
        expected = self.work / self.stats.median_s / UNIT_SCALE[self.unit]
        if not math.isclose(self.value, expected, rel_tol=1e-9):
            raise ValueError(f"{self.metric}: value {self.value} {self.unit} is not work / median "
                             f"({self.work} {self.work_unit} / {self.stats.median_s} s = {expected})")
        return self


class Skipped(_Model):
    """Work a suite did not do, and why (an engine absent, a mode that does not exist on this device)."""

    suite: Suite
    what: Annotated[str, Field(max_length=200)]
    engine: str | None = None
    reason: Annotated[str, Field(max_length=1000)]


class GpuInfo(_Model):
    """One GPU as NVML (or, without NVML, torch.cuda) describes it."""

    index: Annotated[int, Field(ge=0)]
    name: Annotated[str, Field(max_length=200)]
    pci_device_id: str | None = Field(None, description="PCI device and vendor id, e.g. 0x233010DE")
    pci_bus_id: str | None = None
    uuid: str | None = None
    memory_total_bytes: Annotated[int, Field(ge=0)] | None = None
    sm_clock_mhz: int | None = None
    mem_clock_mhz: int | None = None
    max_sm_clock_mhz: int | None = None
    max_mem_clock_mhz: int | None = None
    power_limit_w: float | None = None
    temperature_c: int | None = None
    throttle_reasons: list[str] = Field(default_factory=list)


class Fingerprint(_Model):
    """The machine that ran: GPUs, driver and CUDA, CPU, memory, OS, package versions."""

    gpu_info_source: Literal["nvml", "torch", "none"]
    nvml_error: str | None = None
    driver_version: str | None = None
    cuda_driver_version: str | None = None
    cuda_runtime_version: str | None = None
    gpus: list[GpuInfo] = Field(default_factory=list, max_length=64)
    cpu_model: str
    cpu_logical_cores: Annotated[int, Field(ge=1)]
    cpu_physical_cores: Annotated[int, Field(ge=1)] | None = None
    cpu_max_mhz: Annotated[int, Field(ge=1)] | None = Field(
        None, description="highest CPU clock the OS reports (cpufreq, else /proc/cpuinfo); bounds CPU figures")
    memory_total_bytes: Annotated[int, Field(ge=0)]
    os: str
    python: str
    packages: dict[str, str] = Field(default_factory=dict)


class Binding(_Model):
    """An on-chain provider identity's signature vouching for the operator key (gpu_bench.binding).

    Checked by the verifier (signature) and the pipeline (the identity appears in the chain data);
    a run with a valid binding whose identity is on chain is *bound*, every other run *self-attested*.
    """

    network: BindingNetwork
    provider: Annotated[str, Field(min_length=1, max_length=100,
                                   description="akash1… account address, or a Nosana node's base58 key")]
    issued_at: AwareDatetime
    provider_pubkey: Annotated[str, Field(max_length=100)] | None = Field(
        None, description="Akash: base64 of the compressed secp256k1 key the address is the hash of")
    signature: Annotated[str, Field(min_length=1, max_length=200,
                                    description="Akash: base64 r‖s over the ADR-036 sign doc; Nosana: base58 ed25519")]


class Operator(_Model):
    """Who offers the machine: the on-chain provider identity and the venue (network or cloud).

    `provider` and `venue` are what the operator says (free text, self-attested); `binding`, when
    present, is the proof, and then provider and venue, if given, must be the binding's.
    """

    provider: Annotated[str, Field(max_length=200)] | None = None
    venue: Annotated[str, Field(max_length=100)] | None = None
    binding: Binding | None = None


class RunResult(_Model):
    """One `bench run`: what was measured, on what, by whom."""

    run_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    tool_version: str
    started_at: AwareDatetime
    finished_at: AwareDatetime
    quick: bool
    device: Annotated[str, Field(pattern=r"^(cpu|cuda:\d{1,2})$")]
    gpu_model: str | None = Field(None, description="canonical model of the measured GPU; null for a CPU-only run")
    operator: Operator
    fingerprint: Fingerprint
    measurements: list[Measurement] = Field(max_length=5000)
    skipped: list[Skipped] = Field(default_factory=list, max_length=5000)


class Signature(_Model):
    """What the key signed: digests of the payload and of each measurement, and the signature itself.

    The signed message is `signing.message_for(payload_sha256, measurements_sha256)`. Signing the
    per-measurement digests lets the verifier name the figure that changed after signing.
    """

    payload_sha256: Hex64
    measurements_sha256: list[Hex64] = Field(max_length=5000)
    value: Annotated[str, Field(min_length=1, max_length=200,
                                description="base58 (ed25519) or 0x-hex (secp256k1, 65 bytes)")]


class Submission(_Model):
    """The file an operator submits. Everything but `signature` is the signed payload (RFC 8785)."""

    schema_version: Literal["1"]
    key_type: KeyType
    public_key: Annotated[str, Field(min_length=1, max_length=100,
                                     description="base58 Solana pubkey (ed25519) or 0x address (secp256k1)")]
    nonce: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="128 random bits, once per submission")]
    signed_at: AwareDatetime
    result: RunResult
    signature: Signature

    @model_validator(mode="after")
    def _key_matches_its_type(self) -> Submission:
        pattern = _KEY_PATTERNS[self.key_type]
        if not re.fullmatch(pattern, self.public_key):
            raise ValueError(f"public_key {self.public_key!r} is not a {self.key_type} key ({pattern})")
        return self


_KEY_PATTERNS = {
    "ed25519": r"[1-9A-HJ-NP-Za-km-z]{32,44}",  # base58 of 32 bytes, as Solana writes a pubkey
    "secp256k1": r"0x[0-9a-fA-F]{40}",  # the EVM address the key controls
}


def json_schema() -> dict:
    """The JSON Schema of a submission file, as committed in gpu_bench/result.schema.json."""
    schema = Submission.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://depinlens/gpu_bench/result.schema.json#v{SCHEMA_VERSION}"
    return schema


def schema_path() -> Path:
    """Where the committed JSON Schema lives."""
    return Path(__file__).with_name("result.schema.json")


def render_json_schema() -> str:
    """The committed file's exact text."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # regenerate: python -m gpu_bench.schema
    schema_path().write_text(render_json_schema())
    print(f"wrote {schema_path()}")
