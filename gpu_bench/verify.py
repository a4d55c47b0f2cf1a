"""Verify one submission file: accept it, or reject it with a typed reason.

Pure: the caller passes the bytes, the nonces already accepted, the peak table, the model
canonicalizer and the time; nothing is read or written here. Checks run from cheapest and
most basic to most semantic, and the first failure is the reason:

    oversized_file       larger than the policy's limit (not parsed at all)
    malformed_json       not UTF-8, not JSON, NaN/Infinity, or a key given twice
    schema_violation     not a submission of a version this verifier reads
    forged_signature     the key did not sign these digests
    tampered_figure      a measurement is not the one signed (added, removed or changed)
    tampered_field       something outside the measurements changed after signing
    replay               this key's nonce was accepted before
    stale_timestamp      signed too long ago, or in the future
    unknown_gpu_model    the claimed model has no row in the peak table
    fingerprint_mismatch the hardware fingerprint contradicts the claimed model (name, VRAM)
    implausible_figure   a figure above peak_margin × the card's physical peak

Signature and digests are checked before the full schema, so a changed figure is reported
as tampering even when the change also breaks the figure's own arithmetic.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from gpu_bench._flops import matmul_flops_per_token
from gpu_bench.canonical import NotCanonicalizable, sha256_hex
from gpu_bench.peaks import PeakSpec
from gpu_bench.schema import GPU_ENGINES, KeyType, Measurement, Signature, Submission
from gpu_bench.signing import digests_of, message_for, signature_is_valid

ReasonCode = Literal[
    "oversized_file", "malformed_json", "schema_violation", "forged_signature", "tampered_figure",
    "tampered_field", "replay", "stale_timestamp", "unknown_gpu_model", "fingerprint_mismatch",
    "implausible_figure",
]
REASON_CODES: tuple[str, ...] = ReasonCode.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class VerifyPolicy:
    """Limits of the verifier; the defaults are the pipeline's."""

    max_bytes: int = 1 << 20
    max_age: timedelta = timedelta(days=30)
    max_clock_skew: timedelta = timedelta(minutes=10)
    peak_margin: float = 1.05
    vram_tolerance: float = 0.10


@dataclass(frozen=True)
class Accepted:
    """A submission that passed every check, with the server-side % of peak per measurement."""

    submission: Submission
    file_sha256: str
    pct_of_peak: list[float | None]
    accepted: Literal[True] = True


@dataclass(frozen=True)
class Rejected:
    """Why a submission was refused, with whatever identity could be read from it."""

    code: ReasonCode
    text: str
    file_sha256: str
    key_type: str | None = None
    public_key: str | None = None
    nonce: str | None = None
    run_id: str | None = None
    accepted: Literal[False] = False


Verdict = Accepted | Rejected
DEFAULT_POLICY = VerifyPolicy()


class _EnvelopeResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    measurements: list[dict[str, Any]]


class _Envelope(BaseModel):
    """The least a file must have for its signature to be checked."""

    model_config = ConfigDict(extra="allow")
    schema_version: Literal["1"]
    key_type: KeyType
    public_key: str
    signature: Signature
    result: _EnvelopeResult


@dataclass
class _Identity:
    key_type: str | None = None
    public_key: str | None = None
    nonce: str | None = None
    run_id: str | None = None


def verify_submission(
    data: bytes,
    *,
    seen_nonces: Container[tuple[str, str]],
    peaks: Mapping[str, PeakSpec],
    canonical_model: Callable[[str], str],
    now: datetime,
    policy: VerifyPolicy = DEFAULT_POLICY,
    file_size: int | None = None,
    file_sha256: str | None = None,
) -> Verdict:
    """Check one submission file.

    Args:
        data: the file's bytes.
        seen_nonces: (public_key, nonce) pairs already accepted. Keyed by signer so nobody can
            burn another operator's nonce with a submission of their own.
        peaks: canonical gpu_model → datasheet peaks.
        canonical_model: maps a fingerprint's GPU name to a canonical model (may raise for an
            unknown name).
        now: the verifier's clock (UTC-aware).
        policy: size, age, skew and plausibility limits.
        file_size, file_sha256: the whole file's size and digest when `data` is only its head
            (a reader need not hold more than policy.max_bytes + 1 bytes of a huge file).

    Returns:
        Accepted, or Rejected with a code and a sentence naming what failed.
    """
    sha = file_sha256 or sha256_hex(data)
    size = len(data) if file_size is None else file_size
    ident = _Identity()

    def reject(code: ReasonCode, text: str) -> Rejected:
        return Rejected(code=code, text=text, file_sha256=sha, key_type=ident.key_type, public_key=ident.public_key,
                        nonce=ident.nonce, run_id=ident.run_id)

    if size > policy.max_bytes or len(data) > policy.max_bytes:
        return reject("oversized_file", f"{size} bytes is over the {policy.max_bytes}-byte limit for a "
                                        "submission; a run has a few hundred figures at most")
    try:
        document = _parse(data)
    except ValueError as exc:
        return reject("malformed_json", str(exc))
    if not isinstance(document, dict):
        return reject("schema_violation", f"the file holds a JSON {type(document).__name__}, not a submission object")
    _read_identity(document, ident)

    try:
        envelope = _Envelope.model_validate(document)
    except ValidationError as exc:
        return reject("schema_violation", _describe(exc))
    try:
        payload_sha256, measurement_shas = digests_of(document)
    except NotCanonicalizable as exc:
        return reject("schema_violation", str(exc))

    signed = envelope.signature
    message = message_for(signed.payload_sha256, signed.measurements_sha256)
    if not signature_is_valid(envelope.key_type, envelope.public_key, message, signed.value):
        return reject("forged_signature", f"the signature does not verify for {envelope.key_type} key "
                                          f"{envelope.public_key}: that key did not sign this submission")
    if len(measurement_shas) != len(signed.measurements_sha256):
        return reject("tampered_figure", f"{len(signed.measurements_sha256)} measurements were signed but "
                                         f"{len(measurement_shas)} are present")
    for i, (now_sha, signed_sha) in enumerate(zip(measurement_shas, signed.measurements_sha256, strict=True)):
        if now_sha != signed_sha:
            m = envelope.result.measurements[i]
            return reject("tampered_figure", f"measurement #{i} ({m.get('suite')} {m.get('metric')} "
                                             f"{m.get('precision') or ''} {m.get('engine')}, value {m.get('value')} "
                                             f"{m.get('unit')}) is not the one the key signed")
    if payload_sha256 != signed.payload_sha256:
        return reject("tampered_field", f"a field outside the measurements changed after signing (signed payload "
                                        f"sha256 {signed.payload_sha256[:16]}…, received {payload_sha256[:16]}…)")

    try:
        submission = Submission.model_validate(document)
    except ValidationError as exc:
        return reject("schema_violation", _describe(exc))
    result = submission.result

    if (submission.public_key, submission.nonce) in seen_nonces:
        return reject("replay", f"nonce {submission.nonce} of key {submission.public_key} was already accepted: "
                                "this is a copy of a submission already counted")
    if submission.signed_at > now + policy.max_clock_skew:
        return reject("stale_timestamp", f"signed_at {submission.signed_at.isoformat()} is in the future "
                                         f"(verifier time {now.isoformat()}); check the machine's clock")
    if now - submission.signed_at > policy.max_age:
        return reject("stale_timestamp", f"signed_at {submission.signed_at.isoformat()} is older than "
                                         f"{policy.max_age.days} days; run the benchmark again")
    if result.finished_at > submission.signed_at + policy.max_clock_skew or result.started_at > result.finished_at:
        return reject("schema_violation", f"times out of order: started {result.started_at.isoformat()}, "
                                          f"finished {result.finished_at.isoformat()}, "
                                          f"signed {submission.signed_at.isoformat()}")

    gpu_figures = [(i, m) for i, m in enumerate(result.measurements) if m.engine in GPU_ENGINES]
    for i, m in gpu_figures:
        if m.device != result.device:
            return reject("schema_violation",
                          f"measurement #{i} ran on {m.device} but the run measured {result.device}")
    if result.gpu_model is None:
        if gpu_figures:
            return reject("fingerprint_mismatch", f"{len(gpu_figures)} GPU figures but no claimed gpu_model")
        return Accepted(submission=submission, file_sha256=sha, pct_of_peak=[None] * len(result.measurements))

    spec = peaks.get(result.gpu_model)
    if spec is None:
        return reject("unknown_gpu_model", f"gpu_model {result.gpu_model!r} has no row in the GPU peak table, so "
                                           "its figures cannot be bounded; add the card's datasheet peaks first")
    mismatch = _fingerprint_contradiction(result.gpu_model, result.device, result.fingerprint, spec,
                                          canonical_model, policy)
    if mismatch:
        return reject("fingerprint_mismatch", mismatch)
    for i, m in gpu_figures:
        problem = _implausible(i, m, spec, policy)
        if problem:
            return reject("implausible_figure", problem)
    pct = [pct_of_peak(m, spec) if m.engine in GPU_ENGINES else None for m in result.measurements]
    return Accepted(submission=submission, file_sha256=sha, pct_of_peak=pct)


def _parse(data: bytes) -> Any:
    """Strict I-JSON: UTF-8, no NaN/Infinity, no repeated keys."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8: byte {exc.start} is {data[exc.start:exc.start + 1]!r}") from exc

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"key {repeated[0]!r} appears more than once in one object")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def _read_identity(document: dict, ident: _Identity) -> None:
    """Best-effort identity for the rejection record (never trusted for anything else)."""
    def text(value: Any) -> str | None:
        return value[:200] if isinstance(value, str) else None

    ident.key_type = text(document.get("key_type"))
    ident.public_key = text(document.get("public_key"))
    ident.nonce = text(document.get("nonce"))
    result = document.get("result")
    ident.run_id = text(result.get("run_id")) if isinstance(result, dict) else None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _fingerprint_contradiction(claimed: str, device: str, fingerprint: Any, spec: PeakSpec,
                               canonical_model: Callable[[str], str], policy: VerifyPolicy) -> str | None:
    index = int(device.split(":")[1]) if device.startswith("cuda:") else None
    if index is None:
        return f"claims a {claimed} but the run measured {device}"
    gpu = next((g for g in fingerprint.gpus if g.index == index), None)
    if gpu is None:
        return f"claims a {claimed} on {device} but the fingerprint lists no GPU {index}"
    try:
        model = canonical_model(gpu.name)
    except Exception as exc:  # noqa: BLE001 - an unknown name contradicts any claim
        return f"the fingerprint's GPU {index} is {gpu.name!r}, which is no known model ({exc}); claimed {claimed}"
    if model != claimed:
        return f"the fingerprint's GPU {index} is {gpu.name!r} ({model}), not the claimed {claimed}"
    if spec.memory_gb:
        if gpu.memory_total_bytes is None:
            return f"the fingerprint's GPU {index} reports no VRAM; a {claimed} has {spec.memory_gb:g} GB"
        as_gb, as_gib = gpu.memory_total_bytes / 1e9, gpu.memory_total_bytes / 2**30
        if min(abs(as_gb - spec.memory_gb), abs(as_gib - spec.memory_gb)) > policy.vram_tolerance * spec.memory_gb:
            return (f"the fingerprint's GPU {index} has {as_gib:.1f} GiB of VRAM; a {claimed} has "
                    f"{spec.memory_gb:g} GB (tolerance {policy.vram_tolerance:.0%})")
    return None


def _bound(m: Measurement, spec: PeakSpec) -> tuple[float, float, float, str] | None:
    """(figure in the peak's unit at the median, at p5, the peak it must stay under) or None if unbounded."""
    if m.unit == "TFLOP/s":
        peak = spec.tflops(m.precision) or spec.highest_tflops()
        if peak:
            return m.value, m.work / m.stats.p5_s / 1e12, peak, f"{m.precision or 'highest'} peak {peak:g} TFLOP/s"
    elif m.unit == "GB/s":
        peak = spec.memory_bandwidth_gbs
        if peak:
            return m.value, m.work / m.stats.p5_s / 1e9, peak, f"memory bandwidth {peak:g} GB/s"
    elif m.unit == "tokens/s":
        flops = matmul_flops_per_token(m.params)
        peak = spec.tflops(m.precision) or spec.highest_tflops()
        if flops and peak:
            per_token = flops / 1e12
            return (m.value * per_token, m.work / m.stats.p5_s * per_token, peak,
                    f"{m.precision or 'highest'} peak {peak:g} TFLOP/s at ≥ {flops:.3g} FLOP per token")
    return None


def _implausible(i: int, m: Measurement, spec: PeakSpec, policy: VerifyPolicy) -> str | None:
    bound = _bound(m, spec)
    if bound is None:
        return None
    at_median, at_p5, peak, what = bound
    if max(at_median, at_p5) > policy.peak_margin * peak:
        implied = f" (implies {at_median:.4g} TFLOP/s)" if m.unit == "tokens/s" else ""
        return (f"measurement #{i} {m.metric} {m.precision or ''} = {m.value:.4g} {m.unit}{implied} is above "
                f"{policy.peak_margin:g} × the {spec.gpu_model}'s {what} ({spec.source_ref or 'peak table'})")
    return None


def pct_of_peak(m: Measurement, spec: PeakSpec) -> float | None:
    """% of the card's datasheet peak: TFLOP/s against the precision's peak, device GB/s against memory
    bandwidth, decode/prefill tokens/s as the FLOP rate they imply (a lower bound)."""
    if m.unit == "TFLOP/s" and spec.tflops(m.precision):
        return 100.0 * m.value / spec.tflops(m.precision)
    if m.unit == "GB/s" and m.suite == "bandwidth" and spec.memory_bandwidth_gbs:
        return 100.0 * m.value / spec.memory_bandwidth_gbs
    if m.unit == "tokens/s" and spec.tflops(m.precision):
        flops = matmul_flops_per_token(m.params)
        return 100.0 * m.value * flops / 1e12 / spec.tflops(m.precision) if flops else None
    return None
