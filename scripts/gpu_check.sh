#!/usr/bin/env bash
# GPU day: install gpu_bench alone (the operator's install) with its GPU extra (CUDA torch,
# cudf-polars, cudf.pandas) into an environment of its own, run every suite test and every
# benchmark suite on the GPU, and write the signed result, its summary table and the verifier's
# verdict to OUT. On a machine without a GPU it installs the CPU extra, runs the CPU paths, and
# ends with the GPU suites it skipped and why.
#
#   bash scripts/gpu_check.sh OUT            full sizes: every suite in under 8 minutes on one GPU
#   bash scripts/gpu_check.sh --quick OUT    tiny sizes: a smoke test in under a minute
#
# Environment: GPU_CHECK_VENV (default OUT/venv; reused when it exists), PYTHON (default python3),
# GPU_CHECK_PIP_ARGS (extra pip arguments, e.g. "--constraint pins.txt" to reuse cached wheels).
# cudf-polars pins polars below 1.45, so the GPU extra never goes into the pipeline's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
out=""
for arg in "$@"; do
  case "$arg" in
    --quick) quick="--quick" ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "gpu_check.sh: unknown option $arg (use --quick)" >&2; exit 2 ;;
    *) out="$arg" ;;
  esac
done
[ -n "$out" ] || { echo "gpu_check.sh: name the folder to write the result to: bash scripts/gpu_check.sh [--quick] OUT" >&2; exit 2; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
venv="${GPU_CHECK_VENV:-$out/venv}"
started=$(date +%s)

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >"$out/gpus.txt" 2>&1; then
  device="cuda"; extras="bench,gpu"; why_not_gpu=""
else
  device="cpu"; extras="bench"
  why_not_gpu=$(command -v nvidia-smi >/dev/null 2>&1 && echo "nvidia-smi lists no GPU" || echo "no NVIDIA driver (nvidia-smi not found)")
fi
echo "==> device: $device${why_not_gpu:+ ($why_not_gpu)}"

echo "==> gpu_bench[$extras] into $venv (gpu_bench alone: no pipeline)"
[ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
install() {  # pip's output goes to OUT/pip.log; GPU_CHECK_PIP_ARGS is a list of arguments
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ${GPU_CHECK_PIP_ARGS:-} "./gpu_bench[$1]" pytest \
    >>"$out/pip.log" 2>&1
}
: >"$out/pip.log"
gpu_extra_failed=""
if ! install "$extras"; then
  if [ "$extras" = "bench,gpu" ]; then
    # e.g. a GPU machine without a package index: the cuDF suites are then listed as skipped, with this
    gpu_extra_failed=$(grep -m1 -E "^ERROR|error:" "$out/pip.log" || tail -n1 "$out/pip.log")
    echo "==> the GPU extra did not install ($gpu_extra_failed); going on without cuDF (OUT/pip.log)" >&2
    install bench || { tail -n 30 "$out/pip.log" >&2; exit 1; }
  else
    tail -n 30 "$out/pip.log" >&2; exit 1
  fi
fi

echo "==> suite tests (gpu_bench/tests, against the installed package)"
set +e
(cd "$out" && "$venv/bin/python" -m pytest -p no:cacheprovider -q -rs --junitxml "$out/tests.xml" "$OLDPWD/gpu_bench/tests") | tee "$out/tests.txt"
tests_rc=${PIPESTATUS[0]}
set -e

echo "==> benchmark run${quick:+ (quick)}"
export DEPINLENS_BENCH_HOME="$out/bench-home"
"$venv/bin/gpu-bench" keys >/dev/null
rm -f "$DEPINLENS_BENCH_HOME"/results/*.json
COLUMNS=120 timeout 480 "$venv/bin/gpu-bench" run $quick --device auto | tee "$out/summary.txt"
result=$(ls "$DEPINLENS_BENCH_HOME"/results/*.json)
cp "$result" "$out/result.json"

echo "==> verdict, skipped work and summary"
elapsed=$(( $(date +%s) - started ))
set +e
"$venv/bin/python" - "$out/result.json" "$out/tests.xml" "$device" "$elapsed" "$tests_rc" "$gpu_extra_failed" \
  <<'PY' | tee -a "$out/summary.txt"
"""Verify the signed result as the pipeline would, then list every GPU suite that did not run and why."""
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from gpu_bench.peaks import canonical_gpu_model, load_peak_specs
from gpu_bench.verify import verify_submission

result, tests, device, elapsed, tests_rc, gpu_extra_failed = (sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4],
                                                               int(sys.argv[5]), sys.argv[6])
verdict = verify_submission(Path(result).read_bytes(), seen_nonces=set(), peaks=load_peak_specs(),
                            canonical_model=canonical_gpu_model, now=datetime.now(UTC))
print(f"verifier: {'accepted' if verdict.accepted else f'REJECTED ({verdict.code}): {verdict.text}'}")
cases = ET.parse(tests).getroot().iter("testcase")
outcomes = {"passed": 0, "failed": 0, "skipped": 0}
skipped_tests = []
for case in cases:
    skip = case.find("skipped")
    failed = case.find("failure") is not None or case.find("error") is not None
    if skip is not None:
        outcomes["skipped"] += 1
        skipped_tests.append((case.get("name"), skip.get("message", "").removeprefix("Skipped: ")))
    else:
        outcomes["failed" if failed else "passed"] += 1
submission = verdict.submission if verdict.accepted else None
skipped_work = [] if submission is None else [f"{s.what}: {s.reason}" for s in submission.result.skipped]
print()
print("== gpu_check summary ==")
print(f"device    {device}; elapsed {elapsed} s")
print(f"result    {result} ({'accepted' if verdict.accepted else 'rejected'} by the verifier)")
print(f"tests     {', '.join(f'{n} {k}' for k, n in outcomes.items())}")
print(f"GPU suites skipped ({len(skipped_tests) + len(skipped_work)}):")
if gpu_extra_failed:
    print(f"  - the gpu extra (cudf-polars, cudf.pandas) could not be installed: {gpu_extra_failed}")
for name, reason in skipped_tests:
    print(f"  - test {name}: {reason}")
for line in skipped_work:
    print(f"  - bench {line}")
if not skipped_tests and not skipped_work:
    print("  (none)")
sys.exit(0 if verdict.accepted and tests_rc == 0 else 1)
PY
rc=${PIPESTATUS[0]}
exit "$rc"
