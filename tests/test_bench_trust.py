"""Benchmark figures a buyer can trust, attack by attack: key bindings signed with real keys
(secp256k1 ADR-036 for Akash providers, ed25519 for Nosana nodes), figures bounded per device
class (a CPU figure by the machine's cores and clock), and text that no export turns into a formula.

Each attack is a really signed submission judged by the verifier; the reason it records is asserted.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta

import pytest

from depinlens.text_safety import display_text, formula_like, inert_csv_cell, inert_frame
from gpu_bench._figures import figure
from gpu_bench.binding import (
    adr36_sign_bytes,
    akash_address,
    bind_akash,
    bind_nosana,
    is_akash_address,
    problem,
    statement,
)
from gpu_bench.bounds import (
    CPU_BOOST_ALLOWANCE,
    CPU_FLOP_PER_CYCLE,
    CPU_MAX_CLOCK_MHZ,
    CPU_MAX_LOGICAL_CORES,
    HOST_LINK_GBS,
)
from gpu_bench.schema import Fingerprint, Operator, RunResult
from gpu_bench.signing import Ed25519Key, Secp256k1Key
from gpu_bench.verify import Accepted
from tests.test_bench_verify import NOW, check, gpu_matmul, gpu_result, peak_table, rejected, signed_bytes, stats_for


@pytest.fixture
def peaks(tmp_path):
    return peak_table(tmp_path)


@pytest.fixture(scope="module")
def operator() -> Ed25519Key:
    return Ed25519Key.generate()


def provider_key() -> bytes:
    return os.urandom(32)


def nosana_node() -> str:
    from solders.keypair import Keypair

    return json.dumps(list(bytes(Keypair())))


def cpu_result(measurements, *, cores: int = 2, mhz: int | None = 2500, operator: Operator | None = None) -> RunResult:
    fingerprint = Fingerprint(gpu_info_source="none", cpu_model="Test CPU", cpu_logical_cores=cores, cpu_max_mhz=mhz,
                              memory_total_bytes=8 * 2**30, os="Linux", python="3.11.7")
    return RunResult(run_id="0" * 31 + "2", tool_version="0.1.0", started_at=NOW - timedelta(minutes=5),
                     finished_at=NOW - timedelta(minutes=1), quick=False, device="cpu", gpu_model=None,
                     operator=operator or Operator(), fingerprint=fingerprint, measurements=measurements)


def cpu_matmul(tflops: float, precision: str = "fp32", n: int = 1024):
    work = 2.0 * n**3
    return figure(suite="matmul", metric="matmul_tflops", precision=precision, engine="cpu", device="cpu",
                  work=work, unit="TFLOP/s", stats=stats_for(work / (tflops * 1e12)), params={"m": n, "n": n, "k": n})


def with_operator(result: RunResult, operator_: Operator) -> RunResult:
    return result.model_copy(update={"operator": operator_})


# --- the identity of a provider ---------------------------------------------------------------

def test_an_akash_address_is_the_bech32_of_ripemd160_of_sha256_of_the_compressed_key() -> None:
    """The derivation Cosmos SDK and cosmjs use (cosmjs's own example key and address)."""
    key = base64.b64decode("AtQaCqFnshaZQp6rIkvAPyzThvCvXSDO+9AzbxVErqJP")
    assert akash_address(key, hrp="cosmos") == "cosmos1h806c7khnvmjlywdrkdgk2vrayy2mmvf9rxk2r"
    assert is_akash_address(akash_address(key)) and not is_akash_address("cosmos1h806c7khnvmjlywdrkdgk2vrayy2mmvf9rxk2r")


def test_the_adr036_sign_doc_is_the_sorted_amino_document_wallets_sign() -> None:
    doc = json.loads(adr36_sign_bytes("akash1xyz", b"hello"))
    assert doc == {"account_number": "0", "chain_id": "", "fee": {"amount": [], "gas": "0"}, "memo": "",
                   "msgs": [{"type": "sign/MsgSignData", "value": {"data": "aGVsbG8=", "signer": "akash1xyz"}}],
                   "sequence": "0"}
    assert b" " not in adr36_sign_bytes("akash1xyz", b"hello")  # compact, keys sorted: the bytes wallets hash


def test_a_provider_signed_binding_holds_for_its_operator_key_only(operator) -> None:
    akash = bind_akash(provider_key(), operator)
    nosana = bind_nosana(nosana_node(), operator)
    assert problem(akash, operator.key_type, operator.public_key) is None
    assert problem(nosana, operator.key_type, operator.public_key) is None
    other = Ed25519Key.generate()
    assert "did not sign" in problem(akash, other.key_type, other.public_key)
    assert "did not sign" in problem(nosana, other.key_type, other.public_key)
    assert statement("akash", akash.provider, "ed25519", operator.public_key, akash.issued_at).decode().startswith(
        f"depinlens-bench binding/1: akash provider {akash.provider} vouches for ed25519 operator key")


# --- attacks on identity: each is refused as forged_binding, with its reason ---------------------

def test_a_bound_run_is_accepted_and_names_its_provider(operator, peaks) -> None:
    binding = bind_akash(provider_key(), operator)
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=binding))
    verdict = check(signed_bytes(run, operator), peaks)
    assert isinstance(verdict, Accepted), verdict
    assert verdict.submission.result.operator.binding.provider == binding.provider


def test_claiming_a_providers_address_with_a_key_that_is_not_its_own_is_forged(operator, peaks) -> None:
    victim = bind_akash(provider_key(), operator)
    attacker = bind_akash(provider_key(), operator)
    stolen = attacker.model_copy(update={"provider": victim.provider})  # the victim's address, the attacker's key
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=stolen))
    verdict = rejected(check(signed_bytes(run, operator), peaks), "forged_binding")
    assert f"provider_pubkey is the key of {attacker.provider}, not of {victim.provider}" in verdict.text


def test_a_binding_copied_from_another_operators_run_does_not_hold_for_the_copiers_key(operator, peaks) -> None:
    honest = bind_nosana(nosana_node(), operator)
    copier = Ed25519Key.generate()
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=honest))
    verdict = rejected(check(signed_bytes(run, copier), peaks), "forged_binding")
    assert f"node {honest.provider} did not sign the statement for this operator key" in verdict.text


def test_an_evm_operator_key_binds_like_any_other(peaks) -> None:
    evm = Secp256k1Key.generate()
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=bind_akash(provider_key(), evm)))
    assert isinstance(check(signed_bytes(run, evm), peaks), Accepted)


@pytest.mark.parametrize(("field", "value", "says"), [
    ("provider", "akash1someoneelse", "the run names provider 'akash1someoneelse' but its key binding is for akash"),
    ("venue", "nosana", "the run names venue 'nosana' but its key binding is for akash"),
])
def test_a_run_naming_another_provider_or_venue_than_its_binding_is_forged(operator, peaks, field, value,
                                                                            says) -> None:
    binding = bind_akash(provider_key(), operator)
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=binding, **{field: value}))
    assert says in rejected(check(signed_bytes(run, operator), peaks), "forged_binding").text


def test_a_binding_issued_after_the_run_was_signed_is_forged(operator, peaks) -> None:
    later = bind_akash(provider_key(), operator, issued_at=NOW + timedelta(days=2))
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=later))
    assert "after the run was signed" in rejected(check(signed_bytes(run, operator), peaks), "forged_binding").text


def test_a_malleated_high_s_signature_is_refused(operator, peaks) -> None:
    binding = bind_akash(provider_key(), operator)
    raw = base64.b64decode(binding.signature)
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high = raw[:32] + (n - int.from_bytes(raw[32:], "big")).to_bytes(32, "big")
    twin = binding.model_copy(update={"signature": base64.b64encode(high).decode()})
    run = with_operator(gpu_result([gpu_matmul(600.0)]), Operator(binding=twin))
    assert "low s" in rejected(check(signed_bytes(run, operator), peaks), "forged_binding").text


# --- plausibility per device class ------------------------------------------------------------

def test_a_50000_tflops_cpu_figure_is_rejected_with_the_cpu_bound_as_its_reason(operator, peaks) -> None:
    verdict = rejected(check(signed_bytes(cpu_result([cpu_matmul(50_000.0)]), operator), peaks),
                       "implausible_figure")
    bound = 2 * 2500e6 * CPU_BOOST_ALLOWANCE * CPU_FLOP_PER_CYCLE["fp32"] / 1e12
    assert verdict.text == (f"measurement #0 matmul_tflops fp32 on cpu (cpu) = 5e+04 TFLOP/s is above 1.05 × "
                            f"{bound:.4g} TFLOP/s, CPU bound: 2 logical cores at 5 GHz (2.5 GHz reported, × 2 for "
                            "boost) × 64 fp32 FLOP per core-cycle")


def test_the_same_figure_inside_a_gpu_run_is_bounded_by_the_cpu_not_the_card(operator, peaks) -> None:
    """The attack the issue saw: a `cpu` engine figure in an H100 run was only checked against GPU peaks."""
    run = gpu_result([gpu_matmul(600.0), cpu_matmul(50_000.0)])
    verdict = rejected(check(signed_bytes(run, operator), peaks), "implausible_figure")
    assert verdict.text.startswith("measurement #1 matmul_tflops fp32 on cpu (cpu)") and "CPU bound" in verdict.text


def test_a_false_fingerprint_cannot_lift_the_cpu_bound_past_its_ceiling(operator, peaks) -> None:
    ceiling = CPU_MAX_LOGICAL_CORES * CPU_MAX_CLOCK_MHZ * 1e6 * CPU_FLOP_PER_CYCLE["fp32"] / 1e12
    claims = cpu_result([cpu_matmul(1.2 * ceiling)], cores=10**6, mhz=10**6)
    verdict = rejected(check(signed_bytes(claims, operator), peaks), "implausible_figure")
    assert f"{CPU_MAX_LOGICAL_CORES} logical cores (capped) at 6.5 GHz" in verdict.text
    no_clock = rejected(check(signed_bytes(cpu_result([cpu_matmul(50_000.0)], mhz=None), operator), peaks),
                        "implausible_figure")
    assert "no clock reported: the ceiling" in no_clock.text


def test_a_cpu_figure_within_its_bound_is_accepted(operator, peaks) -> None:
    assert isinstance(check(signed_bytes(cpu_result([cpu_matmul(0.1)]), operator), peaks), Accepted)


def test_a_cpu_engine_claiming_a_cuda_device_is_a_schema_violation(operator, peaks) -> None:
    disguised = cpu_matmul(0.1).model_copy(update={"device": "cuda:0"})
    verdict = rejected(check(signed_bytes(gpu_result([disguised]), operator), peaks), "schema_violation")
    assert "names engine cpu but device cuda:0" in verdict.text


@pytest.mark.parametrize(("kind", "says"), [
    ("cpu_memory", "CPU bound: 2 logical cores at 5 GHz (2.5 GHz reported, × 2 for boost) × 128 bytes per core-cycle"),
    ("cpu_rows", "CPU bound: 2 logical cores at 5 GHz (2.5 GHz reported, × 2 for boost) × 1 row per core-cycle"),
    ("gpu_host_copy", f"the H100 SXM's host link, {HOST_LINK_GBS:g} GB/s each way"),
    ("gpu_rows", "the H100 SXM's memory bandwidth 3350 GB/s ÷ 8 bytes per row"),
    ("tokens_without_shape", "states no model shape"),
])
def test_memory_copy_row_and_token_figures_are_bounded_by_theirs(operator, peaks, kind, says) -> None:
    def fig(suite, metric, unit, rate, device="cpu", engine="cpu", params=None):
        scale = {"GB/s": 1e9, "rows/s": 1.0, "tokens/s": 1.0}[unit]
        work = 1e9
        return figure(suite=suite, metric=metric, engine=engine, device=device, unit=unit, work=work,
                      stats=stats_for(work / (rate * scale)), params=params or {})

    cases = {
        "cpu_memory": cpu_result([fig("copy", "h2h_gbs", "GB/s", 10_000.0)]),
        "cpu_rows": cpu_result([fig("dataframe", "groupby_q1_rows_per_s", "rows/s", 1e11, engine="polars-cpu")]),
        "gpu_host_copy": gpu_result([fig("copy", "h2d_gbs", "GB/s", 500.0, device="cuda:0", engine="cuda")]),
        "gpu_rows": gpu_result([fig("dataframe", "groupby_q1_rows_per_s", "rows/s", 1e12, device="cuda:0",
                                    engine="cudf-polars")]),
        "tokens_without_shape": gpu_result([fig("inference", "decode_tokens_per_s", "tokens/s", 100.0,
                                                device="cuda:0", engine="cuda")]),
    }
    assert says in rejected(check(signed_bytes(cases[kind], operator), peaks), "implausible_figure").text


# --- text that reaches pages and spreadsheets ---------------------------------------------------

ATTACK_NAMES = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                "\t=1+1", "two\nlines\x1b[2J\u202eevil"]


def test_names_lose_control_and_format_characters_and_formula_cells_become_inert() -> None:
    assert display_text("two\nlines\x1b[2J\u202eevil") == "two lines[2Jevil"
    assert display_text("\t=1+1") == "=1+1" and display_text("plain name") == "plain name"
    assert all(formula_like(display_text(n)) for n in ATTACK_NAMES[:5])
    assert [inert_csv_cell(n) for n in ("=1", "x=1", 5, "—")] == ["'=1", "x=1", 5, "—"]
    import pandas as pd

    frame = inert_frame(pd.DataFrame({"provider": ATTACK_NAMES, "value": range(len(ATTACK_NAMES))}))
    assert all(cell.startswith("'") for cell in frame["provider"][:5]) and list(frame["value"]) == list(range(6))
