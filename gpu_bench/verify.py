"""Verify one submission file: accept it, or reject it with a typed reason.

Pure: the caller passes the bytes, the nonces already accepted, the peak table, the model
canonicalizer and the time; nothing is read or written here. Checks run from cheapest and
most basic to most semantic, and the first failure is the reason:

    oversized_file       larger than the policy's limit (not parsed at all)
    too_deep             arrays/objects nested past the policy's limit (found before parsing)
    malformed_json       not UTF-8, not JSON, NaN/Infinity, or a key given twice
    schema_violation     not a submission of a version this verifier reads
    forged_signature     the key did not sign these digests
    tampered_figure      a measurement is not the one signed (added, removed or changed)
    tampered_field       something outside the measurements changed after signing
    replay               this key's nonce was accepted before
    stale_timestamp      signed too long ago, or in the future
    forged_binding       the run claims a provider binding whose signature does not hold, or names
                         another provider or venue than its binding (gpu_bench.binding)
    unknown_gpu_model    the claimed model has no row in the peak table
    fingerprint_mismatch the hardware fingerprint contradicts the claimed model (name, VRAM)
    implausible_figure   a figure above peak_margin × its device class's bound (gpu_bench.bounds):
                         a GPU figure against the card's datasheet, a CPU figure against cores × clock
    verifier_error       the verifier itself raised: a bug, recorded so that one file cannot stop a pass

The inbox reader (pipelines.bench.ingest) adds three codes for files never handed to the verifier:

    not_regular_file     a symlink, directory, FIFO, socket or device: refused without being opened
    unreadable_file      the file could not be read (permissions, an I/O error)
    bad_file_name        the name is not printable UTF-8 (stored escaped)

Whatever the bytes, verify_submission answers with a verdict; it raises only when the peak
table itself cannot be loaded (ReferenceUnavailable), which is no file's fault. Signature and
digests are checked before the full schema, so a changed figure is reported as tampering even
when the change also breaks the figure's own arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from gpu_bench.binding import problem as binding_problem
from gpu_bench.bounds import implausible, pct_of_peak
from gpu_bench.canonical import NotCanonicalizable, sha256_hex
from gpu_bench.errors import ReferenceUnavailable
from gpu_bench.peaks import PeakSpec
from gpu_bench.schema import CPU_ENGINES, GPU_ENGINES, KeyType, Signature, Submission
from gpu_bench.signing import digests_of, message_for, signature_is_valid
from gpu_bench.strict_json import TooDeep, loads_strict

ReasonCode = Literal[
    "not_regular_file", "unreadable_file", "bad_file_name", "oversized_file", "too_deep", "malformed_json",
    "schema_violation", "forged_signature", "tampered_figure", "tampered_field", "replay", "stale_timestamp",
    "forged_binding", "unknown_gpu_model", "fingerprint_mismatch", "implausible_figure", "verifier_error",
]
REASON_CODES: tuple[str, ...] = ReasonCode.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class VerifyPolicy:
    """Limits of the verifier; the defaults are the pipeline's."""

    max_bytes: int = 1 << 20
    max_depth: int = 32  # a submission nests 6 levels; orjson's own ceiling is 1024
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
    """Why a submission was refused, with whatever identity could be read from it.

    file_sha256 is None only for a file whose bytes were never read (not_regular_file, unreadable_file).
    """

    code: ReasonCode
    text: str
    file_sha256: str | None
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
        Accepted, or Rejected with a code and a sentence naming what failed. An exception inside
        the checks becomes a `verifier_error` rejection naming it.

    Raises:
        ReferenceUnavailable: `peaks` could not be loaded (no file is to blame).
    """
    sha = file_sha256 or sha256_hex(data)
    size = len(data) if file_size is None else file_size
    ident = _Identity()
    try:
        return _verify(data, sha, size, ident, seen_nonces=seen_nonces, peaks=peaks, canonical_model=canonical_model,
                       now=now, policy=policy)
    except ReferenceUnavailable:
        raise  # the pass's problem, not this file's
    except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the pass that judges the others
        return verifier_error(exc, sha, key_type=ident.key_type, public_key=ident.public_key, nonce=ident.nonce,
                              run_id=ident.run_id)


def verifier_error(exc: BaseException, file_sha256: str | None, *, step: str = "the verifier",
                   **identity: str | None) -> Rejected:
    """The rejection recorded when judging or loading a file raised instead of answering.

    Recorded like any verdict, so the file (same path and SHA-256) is not retried on every pass.
    """
    detail = f"{type(exc).__name__}: {exc}"
    return Rejected(code="verifier_error", file_sha256=file_sha256, **identity,
                    text=f"{step} failed on this file ({detail[:500]}); that is a bug, report it with the file. "
                         "The file is not judged again unless this rejection row is deleted")


def _verify(data: bytes, sha: str, size: int, ident: _Identity, *, seen_nonces: Container[tuple[str, str]],
            peaks: Mapping[str, PeakSpec], canonical_model: Callable[[str], str], now: datetime,
            policy: VerifyPolicy) -> Verdict:
    """The checks in order; the first failure is the verdict."""

    def reject(code: ReasonCode, text: str) -> Rejected:
        return Rejected(code=code, text=text, file_sha256=sha, key_type=ident.key_type, public_key=ident.public_key,
                        nonce=ident.nonce, run_id=ident.run_id)

    if size > policy.max_bytes or len(data) > policy.max_bytes:
        return reject("oversized_file", f"{size} bytes is over the {policy.max_bytes}-byte limit for a "
                                        "submission; a run has a few hundred figures at most")
    try:
        document = loads_strict(data, max_depth=policy.max_depth)
    except TooDeep as exc:
        return reject("too_deep", f"{exc}; a submission nests about 6, so this file is not one: submit the JSON "
                                  "`gpu-bench run` wrote")
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

    for i, m in enumerate(result.measurements):
        if (m.engine in CPU_ENGINES) != (m.device == "cpu"):
            return reject("schema_violation", f"measurement #{i} names engine {m.engine} but device {m.device}: "
                                              "a CPU engine runs on the cpu device, a GPU engine on a cuda device")
    gpu_figures = [(i, m) for i, m in enumerate(result.measurements) if m.device != "cpu"]
    for i, m in gpu_figures:
        if m.device != result.device:
            return reject("schema_violation",
                          f"measurement #{i} ran on {m.device} but the run measured {result.device}")

    forged = _binding_contradiction(submission, policy)
    if forged:
        return reject("forged_binding", forged)

    spec = None
    if result.gpu_model is None:
        if gpu_figures:
            return reject("fingerprint_mismatch", f"{len(gpu_figures)} GPU figures but no claimed gpu_model")
    else:
        spec = peaks.get(result.gpu_model)
        if spec is None:
            return reject("unknown_gpu_model", f"gpu_model {result.gpu_model!r} has no row in the GPU peak table, "
                                               "so its figures cannot be bounded; add the card's datasheet peaks first")
        mismatch = _fingerprint_contradiction(result.gpu_model, result.device, result.fingerprint, spec,
                                              canonical_model, policy)
        if mismatch:
            return reject("fingerprint_mismatch", mismatch)
    for i, m in enumerate(result.measurements):
        problem = implausible(i, m, spec=None if m.device == "cpu" else spec, fingerprint=result.fingerprint,
                              margin=policy.peak_margin)
        if problem:
            return reject("implausible_figure", problem)
    pct = [pct_of_peak(m, spec) if spec and m.engine in GPU_ENGINES else None for m in result.measurements]
    return Accepted(submission=submission, file_sha256=sha, pct_of_peak=pct)


def _binding_contradiction(submission: Submission, policy: VerifyPolicy) -> str | None:
    """Why the run's provider binding cannot stand, or None (also None when the run has none: self-attested)."""
    operator = submission.result.operator
    binding = operator.binding
    if binding is None:
        return None
    claimed = f"{binding.network} provider {binding.provider!r}"
    wrong = binding_problem(binding, submission.key_type, submission.public_key)
    if wrong:
        return f"the key binding to {claimed} does not hold: {wrong}"
    if binding.issued_at > submission.signed_at + policy.max_clock_skew:
        return (f"the key binding to {claimed} was issued {binding.issued_at.isoformat()}, after the run was "
                f"signed ({submission.signed_at.isoformat()})")
    if operator.provider is not None and operator.provider != binding.provider:
        return f"the run names provider {operator.provider!r} but its key binding is for {claimed}"
    if operator.venue is not None and operator.venue != binding.network:
        return f"the run names venue {operator.venue!r} but its key binding is for {claimed}"
    return None


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
