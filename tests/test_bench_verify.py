"""gpu_bench results: canonical JSON, real signatures (ed25519 via solders, secp256k1 via
eth_account), the committed JSON Schema, and every reason the verifier gives for refusing a file.

GPU runs cannot happen on these machines, so the GPU submissions here are built from figures
and fingerprints written in the test (a claimed H100 with stated timings) and then really signed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gpu_bench._figures import figure
from gpu_bench.canonical import canonical_json
from gpu_bench.peaks import PeakSpec, load_peak_specs
from gpu_bench.schema import (
    Fingerprint,
    GpuInfo,
    Measurement,
    Operator,
    RunResult,
    Stats,
    Submission,
    render_json_schema,
    schema_path,
)
from gpu_bench.signing import Ed25519Key, Secp256k1Key, digests_of, message_for, sign_result, to_file_bytes
from gpu_bench.verify import REASON_CODES, Accepted, Rejected, VerifyPolicy, verify_submission

NOW = datetime.now(UTC)  # the built GPU runs end a minute before; verification happens "now"
H100_NVML_NAME = "NVIDIA H100 80GB HBM3"
H100_VRAM = 85_520_809_984  # what NVML reports for an 80 GB H100 SXM (81559 MiB)

# Used only when reference/gpu_peak_specs.csv is not in the checkout yet (same columns).
_TEST_PEAKS_CSV = """gpu_model,fp32_tflops,tf32_tflops,fp16_tflops,bf16_tflops,memory_gb,memory_bandwidth_gbs,source_ref
H100 SXM,66.9,494.7,989.4,989.4,80,3350,NVIDIA H100 datasheet (dense)
RTX 4090,82.6,82.6,165.2,165.2,24,1008,NVIDIA Ada whitepaper (fp32 accumulate)
"""


def canonical_model(name: str) -> str:
    """The project's canonicalizer; a minimal stand-in only while it is not in the checkout."""
    try:
        from pipelines.reference.gpu_models import canonical_gpu_model
    except ImportError:
        table = {H100_NVML_NAME: "H100 SXM", "NVIDIA GeForce RTX 4090": "RTX 4090"}
        if name not in table:
            raise ValueError(f"unknown GPU {name!r}") from None
        return table[name]
    return canonical_gpu_model(name)


def peak_table(tmp_path: Path) -> dict[str, PeakSpec]:
    """The real peak table when it exists, else the same columns written to tmp_path."""
    from gpu_bench.peaks import default_peak_specs_path

    real = default_peak_specs_path()
    if real.exists():
        peaks = load_peak_specs(real)
        if "H100 SXM" in peaks and peaks["H100 SXM"].fp16_tflops:
            return peaks
    path = tmp_path / "gpu_peak_specs.csv"
    path.write_text(_TEST_PEAKS_CSV)
    return load_peak_specs(path)


def stats_for(median_s: float) -> Stats:
    return Stats(warmup=3, reps=20, calls_per_rep=1, median_s=median_s, p5_s=median_s * 0.99,
                 p95_s=median_s * 1.02, min_s=median_s * 0.98, max_s=median_s * 1.05)


def gpu_matmul(tflops: float, precision: str = "fp16", n: int = 8192) -> Measurement:
    work = 2.0 * n**3
    return figure(suite="matmul", metric="matmul_tflops", precision=precision, engine="cuda", device="cuda:0",
                  work=work, unit="TFLOP/s", stats=stats_for(work / (tflops * 1e12)), params={"m": n, "n": n, "k": n})


def gpu_result(measurements: list[Measurement], *, name: str = H100_NVML_NAME, vram: int | None = H100_VRAM,
               gpu_model: str = "H100 SXM") -> RunResult:
    gpu = GpuInfo(index=0, name=name, pci_device_id="0x233010DE", uuid="GPU-0f6c-test", memory_total_bytes=vram,
                  sm_clock_mhz=1980, max_sm_clock_mhz=1980, power_limit_w=700.0, temperature_c=41)
    fingerprint = Fingerprint(gpu_info_source="nvml", driver_version="560.35.03", cuda_driver_version="12.6",
                              cuda_runtime_version="12.6", gpus=[gpu], cpu_model="AMD EPYC 9654", cpu_logical_cores=192,
                              memory_total_bytes=2 * 10**12, os="Linux", python="3.11.7", packages={"torch": "2.13.0"})
    return RunResult(run_id="0" * 31 + "1", tool_version="0.1.0", started_at=NOW - timedelta(minutes=5),
                     finished_at=NOW - timedelta(minutes=1), quick=False, device="cuda:0", gpu_model=gpu_model,
                     operator=Operator(provider="prov1", venue="nosana"), fingerprint=fingerprint,
                     measurements=measurements)


def check(data: bytes, peaks: dict, *, seen=frozenset(), now: datetime | None = None):
    return verify_submission(data, seen_nonces=seen, peaks=peaks, canonical_model=canonical_model,
                             now=now or datetime.now(UTC))


@pytest.fixture(scope="module")
def cpu_run() -> RunResult:
    """A real quick run of every suite on this machine's CPU."""
    from gpu_bench.runner import run_suites

    return run_suites(device="cpu", quick=True, operator=Operator(provider="prov1", venue="nosana"))


@pytest.fixture
def peaks(tmp_path: Path) -> dict[str, PeakSpec]:
    return peak_table(tmp_path)


@pytest.fixture(scope="module")
def key() -> Ed25519Key:
    return Ed25519Key.generate()


def signed_at(result: RunResult) -> datetime:
    return result.finished_at + timedelta(seconds=1)


def signed_bytes(result: RunResult, key, **kw) -> bytes:
    return to_file_bytes(sign_result(result, key, now=signed_at(result), **kw))


def rejected(verdict, code: str) -> Rejected:
    assert isinstance(verdict, Rejected), f"expected {code}, got accepted"
    assert verdict.code == code, f"expected {code}, got {verdict.code}: {verdict.text}"
    return verdict


# --- canonical JSON and the schema ---------------------------------------------------------------

def test_canonical_json_follows_rfc_8785_key_order_and_number_forms() -> None:
    assert canonical_json({"b": [1.0, 1e21, 0.1, -0.0], "a": "é\n", "c": {"z": None, "y": True}}) == \
        '{"a":"é\\n","b":[1,1e+21,0.1,0],"c":{"y":true,"z":null}}'.encode()


def test_the_committed_json_schema_is_the_models_schema() -> None:
    assert schema_path().read_text() == render_json_schema(), "run `python -m gpu_bench.schema` and commit the file"


def test_a_real_signed_run_validates_against_the_committed_json_schema(cpu_run: RunResult, key) -> None:
    import jsonschema

    document = json.loads(signed_bytes(cpu_run, key))
    jsonschema.Draft202012Validator(json.loads(schema_path().read_text())).validate(document)
    document["result"]["measurements"][0]["engine"] = "gpu-maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(json.loads(schema_path().read_text())).validate(document)


# --- accepted ------------------------------------------------------------------------------------

def test_a_cpu_run_signed_with_an_ed25519_key_is_accepted(cpu_run: RunResult, key, peaks) -> None:
    verdict = check(signed_bytes(cpu_run, key), peaks)
    assert isinstance(verdict, Accepted), verdict
    assert verdict.submission.public_key == key.public_key
    assert len(verdict.submission.result.measurements) == len(cpu_run.measurements) > 10
    assert verdict.pct_of_peak == [None] * len(cpu_run.measurements)  # CPU figures are never compared to a GPU


def test_a_run_signed_with_an_evm_key_is_accepted_and_recovers_to_its_address(cpu_run: RunResult, peaks) -> None:
    evm = Secp256k1Key.generate()
    document = sign_result(cpu_run, evm, now=signed_at(cpu_run))
    assert document["public_key"].startswith("0x") and len(document["signature"]["value"]) == 132
    assert isinstance(check(to_file_bytes(document), peaks), Accepted)


def test_layout_does_not_matter_only_values_do(cpu_run: RunResult, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    reordered = json.dumps(dict(reversed(list(document.items()))), separators=(",", ":")).encode()
    assert isinstance(check(reordered, peaks), Accepted)


def test_a_plausible_gpu_run_is_accepted_with_the_pipelines_own_pct_of_peak(key, peaks) -> None:
    spec = peaks["H100 SXM"]
    verdict = check(signed_bytes(gpu_result([gpu_matmul(0.7 * spec.fp16_tflops)]), key), peaks)
    assert isinstance(verdict, Accepted), verdict
    assert verdict.pct_of_peak[0] == pytest.approx(70.0)


# --- rejected ------------------------------------------------------------------------------------

def test_a_signature_by_another_key_is_a_forged_signature(cpu_run: RunResult, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    other = Ed25519Key.generate()
    document["public_key"] = other.public_key  # claims to be someone else
    verdict = rejected(check(to_file_bytes(document), peaks), "forged_signature")
    assert other.public_key in verdict.text and "did not sign" in verdict.text


def test_a_mangled_signature_value_is_a_forged_signature(cpu_run: RunResult, peaks) -> None:
    evm = Secp256k1Key.generate()
    document = sign_result(cpu_run, evm, now=signed_at(cpu_run))
    document["signature"]["value"] = document["signature"]["value"][:-4] + "beef"
    rejected(check(to_file_bytes(document), peaks), "forged_signature")


def test_re_signing_the_digests_of_a_changed_figure_without_the_key_is_still_forged(cpu_run, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    document["result"]["measurements"][0]["value"] *= 10
    payload, per_measurement = digests_of(document)
    document["signature"].update(payload_sha256=payload, measurements_sha256=per_measurement)
    rejected(check(to_file_bytes(document), peaks), "forged_signature")


def test_a_figure_changed_after_signing_is_a_tampered_figure_naming_it(cpu_run: RunResult, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    document["result"]["measurements"][2]["value"] *= 3
    verdict = rejected(check(to_file_bytes(document), peaks), "tampered_figure")
    assert verdict.text.startswith("measurement #2 (matmul matmul_tflops")
    assert verdict.public_key == key.public_key and verdict.run_id == cpu_run.run_id


def test_a_dropped_measurement_is_a_tampered_figure(cpu_run: RunResult, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    document["result"]["measurements"].pop()
    verdict = rejected(check(to_file_bytes(document), peaks), "tampered_figure")
    assert f"{len(cpu_run.measurements)} measurements were signed" in verdict.text


def test_another_field_changed_after_signing_is_a_tampered_field(cpu_run: RunResult, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    document["result"]["operator"]["venue"] = "aws"
    rejected(check(to_file_bytes(document), peaks), "tampered_field")


def test_a_nonce_seen_before_from_the_same_key_is_a_replay(cpu_run: RunResult, key, peaks) -> None:
    data = signed_bytes(cpu_run, key, nonce="ab" * 16)
    verdict = rejected(check(data, peaks, seen={(key.public_key, "ab" * 16)}), "replay")
    assert "already accepted" in verdict.text
    # The same nonce under another key is not this operator's replay.
    assert isinstance(check(data, peaks, seen={(Ed25519Key.generate().public_key, "ab" * 16)}), Accepted)


def test_a_submission_signed_too_long_ago_or_in_the_future_is_stale(cpu_run: RunResult, key, peaks) -> None:
    data = signed_bytes(cpu_run, key)
    signed = signed_at(cpu_run)
    assert "older than 30 days" in rejected(check(data, peaks, now=signed + timedelta(days=31)),
                                            "stale_timestamp").text
    assert "in the future" in rejected(check(data, peaks, now=signed - timedelta(hours=1)), "stale_timestamp").text


def test_a_matmul_figure_above_the_cards_physical_peak_is_implausible(key, peaks) -> None:
    spec = peaks["H100 SXM"]
    data = signed_bytes(gpu_result([gpu_matmul(0.5 * spec.fp16_tflops), gpu_matmul(1.2 * spec.fp16_tflops)]), key)
    verdict = rejected(check(data, peaks), "implausible_figure")
    assert verdict.text.startswith("measurement #1 matmul_tflops fp16")
    assert f"above 1.05 × {spec.fp16_tflops:g} TFLOP/s, the H100 SXM's fp16 dense peak" in verdict.text


def test_decode_tokens_per_s_implying_more_flops_than_the_card_has_is_implausible(key, peaks) -> None:
    spec = peaks["H100 SXM"]
    params = {"d_model": 4096, "n_layers": 32, "d_ff": 16384}  # ≥ 2 × 1.6e9 FLOP per token
    flops_per_token = 2 * 32 * (4 * 4096**2 + 2 * 4096 * 16384)
    tokens_per_s = 2 * spec.bf16_tflops * 1e12 / flops_per_token  # twice what the card can compute
    decode = figure(suite="inference", metric="decode_tokens_per_s", precision="bf16", engine="cuda",
                    device="cuda:0", work=512, unit="tokens/s", stats=stats_for(512 / tokens_per_s), params=params)
    verdict = rejected(check(signed_bytes(gpu_result([decode]), key), peaks), "implausible_figure")
    assert "FLOP per token" in verdict.text


def test_a_fingerprint_whose_vram_contradicts_the_claimed_model_is_refused(key, peaks) -> None:
    result = gpu_result([gpu_matmul(300)], vram=24 * 2**30)
    verdict = rejected(check(signed_bytes(result, key), peaks), "fingerprint_mismatch")
    assert "24.0 GiB of VRAM" in verdict.text and "H100 SXM has 80 GB" in verdict.text


def test_a_fingerprint_naming_another_card_contradicts_the_claim(key, peaks) -> None:
    result = gpu_result([gpu_matmul(100)], name="NVIDIA GeForce RTX 4090", vram=24 * 2**30)
    verdict = rejected(check(signed_bytes(result, key), peaks), "fingerprint_mismatch")
    assert "RTX 4090" in verdict.text and "not the claimed H100 SXM" in verdict.text


def test_gpu_figures_without_a_claimed_model_are_refused(key, peaks) -> None:
    result = gpu_result([gpu_matmul(100)]).model_copy(update={"gpu_model": None})
    rejected(check(signed_bytes(result, key), peaks), "fingerprint_mismatch")


def test_a_model_missing_from_the_peak_table_cannot_be_bounded(key, peaks) -> None:
    result = gpu_result([gpu_matmul(100)], gpu_model="Z9000")
    assert "no row in the GPU peak table" in rejected(check(signed_bytes(result, key), peaks), "unknown_gpu_model").text


def test_malformed_json_is_refused_with_where_it_broke(peaks) -> None:
    assert "line 1 column 2" in rejected(check(b"{not json", peaks), "malformed_json").text
    assert "appears more than once" in rejected(check(b'{"nonce": "a", "nonce": "b"}', peaks), "malformed_json").text
    assert "NaN is not JSON" in rejected(check(b'{"value": NaN}', peaks), "malformed_json").text
    assert "not UTF-8" in rejected(check(b'{"a": "\xff"}', peaks), "malformed_json").text


def test_nesting_past_the_policys_depth_is_too_deep_before_any_parser_runs(peaks) -> None:
    """The depth is measured by a linear scan; the 200 KB case runs in a child process in
    tests/test_bench_inbox_hostile.py, since in this process a regression could crash the runner."""
    limit = VerifyPolicy().max_depth
    over = ("[" * (limit + 1) + "]" * (limit + 1)).encode()
    verdict = rejected(check(over, peaks), "too_deep")
    assert verdict.text.startswith(f"arrays and objects nest more than {limit} levels deep (line 1 column {limit + 1})")
    # brackets inside a string are text, not nesting; nesting up to the limit is parsed
    in_a_string = b'"' + b"[" * 100 + b'"'
    assert rejected(check(in_a_string, peaks), "schema_violation").text.endswith("JSON str, not a submission object")
    at_the_limit = ("[" * limit + "]" * limit).encode()
    assert rejected(check(at_the_limit, peaks), "schema_violation").text.endswith("JSON list, not a submission object")


def test_a_key_repeated_in_one_object_is_found_after_unescaping_and_only_within_that_object(peaks) -> None:
    assert "key 'nonce' appears more than once" in rejected(check(b'{"nonce": 1, "non\\u0063e": 2}', peaks),
                                                            "malformed_json").text
    same_key_in_two_objects = b'{"a": {"k": 1}, "b": [{"k": 1}, {"k": 2}], "k": 3}'
    assert "JSON" not in rejected(check(same_key_in_two_objects, peaks), "schema_violation").text


def test_a_repeated_key_at_the_end_of_a_one_mib_object_is_found(peaks) -> None:
    """One set per object: the check is linear (benchmarks in the issue's report, no timing here)."""
    keys = ",".join(f'"k{i}":{i}' for i in range(70_000))
    data = ("{" + keys + ',"k7":0}').encode()
    assert 0.9 * VerifyPolicy().max_bytes < len(data) < VerifyPolicy().max_bytes
    assert "key 'k7' appears more than once" in rejected(check(data, peaks), "malformed_json").text


def test_an_exception_inside_the_checks_is_a_verifier_error_naming_it_not_a_crash(key, peaks) -> None:
    """A signed, schema-valid figure whose parameters overflow the FLOP bound (int(1e200)² as a float)."""
    decode = figure(suite="inference", metric="decode_tokens_per_s", precision="bf16", engine="cuda",
                    device="cuda:0", work=512, unit="tokens/s", stats=stats_for(0.01),
                    params={"d_model": 1e200, "n_layers": 1, "d_ff": 1})
    verdict = rejected(check(signed_bytes(gpu_result([decode]), key), peaks), "verifier_error")
    assert verdict.text.startswith("the verifier failed on this file (OverflowError: ")
    assert verdict.public_key == key.public_key  # what could be read is kept


def test_a_file_over_the_size_limit_is_refused_before_parsing(cpu_run: RunResult, key, peaks) -> None:
    data = signed_bytes(cpu_run, key)
    padded = data + b" " * (VerifyPolicy().max_bytes + 1 - len(data))  # still valid JSON, still signed
    verdict = rejected(check(padded, peaks), "oversized_file")
    assert f"{len(padded)} bytes is over the {1 << 20}-byte limit" in verdict.text
    assert verdict.public_key is None  # never parsed


def test_an_unsupported_schema_version_is_a_schema_violation(cpu_run: RunResult, key, peaks) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    document["schema_version"] = "2"
    assert "schema_version" in rejected(check(to_file_bytes(document), peaks), "schema_violation").text


def test_a_validly_signed_figure_that_does_not_follow_from_its_timing_is_a_schema_violation(cpu_run, key,
                                                                                            peaks) -> None:
    """A modified client could sign an inflated value; the value must still equal work / median."""
    document = json.loads(signed_bytes(cpu_run, key))
    document["result"]["measurements"][0]["value"] *= 2
    del document["signature"]
    payload, per_measurement = digests_of(document)
    document["signature"] = {"payload_sha256": payload, "measurements_sha256": per_measurement,
                             "value": key.sign(message_for(payload, per_measurement))}
    assert "is not work / median" in rejected(check(to_file_bytes(document), peaks), "schema_violation").text


def test_every_reason_code_is_one_the_warehouse_accepts() -> None:
    sql = (Path(__file__).parents[1] / "warehouse" / "schema" / "20_bench.sql").read_text()
    assert all(f"'{code}'" in sql for code in REASON_CODES)


def test_a_submission_model_refuses_a_key_of_the_wrong_kind(cpu_run: RunResult, key) -> None:
    document = sign_result(cpu_run, key, now=signed_at(cpu_run))
    document["key_type"] = "secp256k1"
    with pytest.raises(ValueError, match="is not a secp256k1 key"):
        Submission.model_validate(document)
